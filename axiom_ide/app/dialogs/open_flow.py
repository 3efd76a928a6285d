"""File → Open: the workspace's ``*.flow.yaml`` files, plus "Browse…" for any file on disk."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

SKIP = {".venv", "venv", "node_modules", "gen", "imports", "__pycache__"}


def workspace_flows(root: Path) -> list[Path]:
    """Every ``*.flow.yaml`` under ``root``, skipping hidden and generated folders."""
    out = []
    for path in sorted(Path(root).rglob("*.flow.yaml")):
        rel = path.relative_to(root).parts
        if any(p.startswith(".") or p in SKIP for p in rel[:-1]):
            continue
        out.append(path)
    return out


class OpenFlowDialog(QDialog):
    def __init__(self, root: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Open Flow")
        self.setObjectName("openFlowDialog")
        self.root = Path(root)
        self.chosen: Path | None = None
        self.list = QListWidget(objectName="workspaceFlows")
        for path in workspace_flows(self.root):
            item = QListWidgetItem(str(path.relative_to(self.root)))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        browse = buttons.addButton("Browse…", QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Flows in {self.root}"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        buttons.accepted.connect(self._accept_current)
        buttons.rejected.connect(self.reject)
        browse.clicked.connect(self._browse)
        self.list.itemActivated.connect(lambda _i: self._accept_current())
        self.resize(480, 360)

    def _accept_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.chosen = Path(item.data(Qt.ItemDataRole.UserRole))
            self.accept()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open Flow", str(self.root), "Flows (*.flow.yaml);;YAML (*.yaml *.yml)")
        if path:
            self.chosen = Path(path)
            self.accept()
