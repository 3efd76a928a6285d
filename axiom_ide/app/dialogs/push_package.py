"""Run → Push Package…: push a workspace package to the platform through the ``axiom`` CLI of
Settings → Connections (``CliBackend.push``: the package's git HEAD, validated, built, tested and
deployed tenant-private — getting-started/first-flow). The build log fills in line by line as the
CLI prints it; the end says what was pushed ("✓ pushed NAME@VERSION") or, in the CLI's words, why
not (a dirty tree, an unpushed HEAD, a missing CLI, 401, ...).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.qt_bridge import alive

TITLE = "Push Package"
PUSHING = "Pushing {key} with {cli}…"
NO_PACKAGES = "This workspace has no packages to push."


class PushPackageDialog(QDialog):
    """``packages``: (label NAME@VERSION, directory) pairs; ``run_push(directory, on_line, on_done,
    on_error)`` runs the push off the GUI thread (``on_line`` may be called from any thread)."""

    #: A build-log line, from the runtime's thread to this dialog.
    line = Signal(str)

    def __init__(self, packages: list[tuple[str, Any]], cli_name: str,
                 run_push: Callable[[Any, Callable[[str], None], Any, Any], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pushPackageDialog")
        self.setWindowTitle(TITLE)
        self.setMinimumSize(640, 420)
        self._run_push, self._cli_name = run_push, cli_name
        self.package = QComboBox(objectName="push-package")
        for label, directory in packages:
            self.package.addItem(label, directory)
        self.log = QPlainTextEdit(objectName="push-log")
        self.log.setReadOnly(True)
        self.log.setPlaceholderText("The build log appears here as the push runs.")
        self.result_label = QLabel(NO_PACKAGES if not packages else "", objectName="push-result")
        self.result_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.push_button = self.buttons.addButton("Push", QDialogButtonBox.ButtonRole.AcceptRole)
        self.push_button.setObjectName("push-button")
        self.push_button.setEnabled(bool(packages))
        self.buttons.accepted.connect(self.push)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Package", self.package)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.log, 1)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.line.connect(self._append, Qt.ConnectionType.QueuedConnection)

    @Slot(str)
    def _append(self, text: str) -> None:
        self.log.appendPlainText(text)

    def _emit_line(self, text: str) -> None:
        try:
            self.line.emit(text)
        except RuntimeError:  # the dialog is gone; the push goes on
            pass

    def _say(self, text: str, state: str) -> None:
        self.result_label.setText(text)
        self.result_label.setProperty("state", state)
        self.result_label.setStyleSheet({"ok": "color: #2e7d32;", "error": "color: #c62828;"}.get(state, ""))

    def push(self) -> None:
        directory = self.package.currentData()
        if directory is None:
            return
        self.log.clear()
        self.push_button.setEnabled(False)
        self._say(PUSHING.format(key=self.package.currentText(), cli=self._cli_name), "busy")

        def done(result: dict[str, Any]) -> None:
            if alive(self):
                self.push_button.setEnabled(True)
                self._say(f"✓ pushed {result.get('key', self.package.currentText())}", "ok")

        def failed(exc: BaseException) -> None:
            if alive(self):
                self.push_button.setEnabled(True)
                self._say(getattr(exc, "message", None) or str(exc) or type(exc).__name__, "error")

        self._run_push(directory, self._emit_line, done, failed)
