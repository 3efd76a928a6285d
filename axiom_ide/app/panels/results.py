"""Result panel docked below the canvas: the run's Output tab (and where errors surface).

Runs arrive with the execution engine; until then the panel explains that and shows messages the
window posts (for example after clicking Run).
"""
from __future__ import annotations

from PySide6.QtWidgets import QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget

PLACEHOLDER = "Run the flow to see the terminal node's output here."


class ResultsPanel(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self.tabs = QTabWidget(objectName="resultsTabs")
        self.tabs.setDocumentMode(True)
        self.output = QPlainTextEdit(objectName="resultsOutput")
        self.output.setReadOnly(True)
        self.output.setPlaceholderText(PLACEHOLDER)
        self.tabs.addTab(self.output, "Output")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def show_message(self, text: str) -> None:
        self.output.setPlainText(text)
        self.tabs.setCurrentWidget(self.output)
