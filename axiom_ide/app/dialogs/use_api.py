"""The "Use via API" dialog: a ready-to-paste curl command for invoking the flow."""
from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

NOTE = ("graph_id is filled in once the flow is compiled; replace $AXIOM_API_KEY with an API key. "
        "The local server that answers this request arrives with a later release.")


class UseApiDialog(QDialog):
    def __init__(self, curl: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Use via API")
        self.setObjectName("useApiDialog")
        self.text = QPlainTextEdit(curl, objectName="curlText")
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        note = QLabel(NOTE)
        note.setWordWrap(True)
        note.setProperty("hint", True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(curl))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(640, 260)
