"""The "Use via API" dialog: the compiled flow's invoke call as curl, Python and JavaScript.

"Use via API (curl) compiles the current canvas and produces a ready-to-paste curl command with the
compiled graph_id filled in" (concepts/execution-model). The dialog opens at once showing
"Compiling flow…"; :meth:`show_compiled` fills the tabs (``api_snippets``), :meth:`show_error`
shows a compile error instead. Copy puts the current tab's text on the clipboard.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app import api_info

COMPILING = "Compiling flow…"
NOTE = ("graph_id is pinned to the flow as it is now — after editing, reopen this dialog. Replace "
        "$AXIOM_API_KEY with an API key (axiom-ide keys create).")


class UseApiDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Use via API")
        self.setObjectName("useApiDialog")
        self.graph_id: str | None = None
        self.tabs = QTabWidget(objectName="snippetTabs")
        self.texts: dict[str, QPlainTextEdit] = {}
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        for lang in api_info.LANGUAGES:
            edit = QPlainTextEdit(COMPILING, objectName=f"snippet-{lang}")
            edit.setReadOnly(True)
            edit.setFont(mono)
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            self.texts[lang] = edit
            self.tabs.addTab(edit, api_info.LANGUAGE_TITLES[lang])
        #: The curl text (kept for callers of the first version of this dialog).
        self.text = self.texts["curl"]
        self.note = QLabel(NOTE, objectName="useApiNote")
        self.note.setWordWrap(True)
        self.note.setProperty("hint", True)
        self.error = QLabel(objectName="useApiError")
        self.error.setProperty("error", True)
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button: QPushButton = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setObjectName("copySnippetButton")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.resize(720, 380)

    def show_compiled(self, mode: str, graph_id: str, input: Any, origin: str) -> None:
        """Fill every tab for ``graph_id``; ``input`` is a JSON object or the entry descriptor."""
        self.graph_id = graph_id
        for lang, edit in self.texts.items():
            edit.setPlainText(api_info.snippet(lang, mode, input, graph_id, origin))
        self.error.hide()
        self.copy_button.setEnabled(True)

    def show_error(self, text: str) -> None:
        for edit in self.texts.values():
            edit.setPlainText("")
        self.error.setText(text)
        self.error.show()
        self.copy_button.setEnabled(False)

    def current_text(self) -> str:
        edit = self.tabs.currentWidget()  # every tab is one snippet's QPlainTextEdit
        return edit.toPlainText() if isinstance(edit, QPlainTextEdit) else ""

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.current_text())
