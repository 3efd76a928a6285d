"""File → New Flow: a name → Create. The name is slugified into a valid flow name
(``^[a-z0-9][a-z0-9_-]*$``) and the file goes to the workspace's ``flows/`` folder."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


def slugify(text: str) -> str:
    """``"My First Flow!"`` → ``"my-first-flow"``; never empty."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9_-]+", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-_")
    return text or "flow"


def unique_flow_path(folder: Path, slug: str) -> Path:
    path = folder / f"{slug}.flow.yaml"
    i = 2
    while path.exists():
        path = folder / f"{slug}-{i}.flow.yaml"
        i += 1
    return path


class NewFlowDialog(QDialog):
    """Title "New Flow"; a name field; Create / Cancel."""

    def __init__(self, flows_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New Flow")
        self.setObjectName("newFlowDialog")
        self.flows_dir = Path(flows_dir)
        self.name_edit = QLineEdit(objectName="newFlowName", placeholderText="e.g. greeter")
        self.preview = QLabel(objectName="newFlowPreview")
        self.preview.setProperty("hint", True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("createButton")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Name"))
        layout.addWidget(self.name_edit)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update)
        self.resize(420, 10)
        self._update("")

    def _update(self, text: str) -> None:
        self.create_button.setEnabled(bool(text.strip()))
        if text.strip():
            path = unique_flow_path(self.flows_dir, slugify(text))
            self.preview.setText(f"Saved as flows/{path.name}")
        else:
            self.preview.setText("")

    def flow_name(self) -> str:
        return slugify(self.name_edit.text())
