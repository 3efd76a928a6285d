"""Problems panel: the active flow's diagnostics, live from ``doc.analysis``.

Double-clicking a row asks the window to select the node or edge the diagnostic points at.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QStyle, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from axiom_ide.app.panels import follow_analysis

DIAG_ROLE = Qt.ItemDataRole.UserRole


def location_text(location: Any) -> str:
    if location.edge:
        return f"{location.edge[0]} → {location.edge[1]}"
    if location.node:
        return location.node
    if location.file:
        where = location.file.rsplit("/", 1)[-1]
        return f"{where}:{location.line}" if location.line else where
    return ""


class ProblemsPanel(QWidget):
    """A two-column list: message, where."""

    #: ("node", id) or ("edge", (src, dst)) — a row was activated.
    locate = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.doc: Any = None
        self.tree = QTreeWidget(objectName="problemsList")
        self.tree.setHeaderLabels(["Problem", "Where"])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 520)
        self.tree.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)

    def set_document(self, doc: Any) -> None:
        follow_analysis(self.doc, doc, self.refresh)
        self.doc = doc
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        analysis = getattr(self.doc, "analysis", None) if self.doc is not None else None
        diagnostics = list(getattr(analysis, "diagnostics", []) or [])
        style = self.style()
        for d in diagnostics:
            item = QTreeWidgetItem([d.message, location_text(d.location)])
            icon = QStyle.StandardPixmap.SP_MessageBoxCritical if d.is_error else QStyle.StandardPixmap.SP_MessageBoxWarning
            item.setIcon(0, style.standardIcon(icon))
            item.setToolTip(0, d.message)
            item.setData(0, DIAG_ROLE, d)
            self.tree.addTopLevelItem(item)
        self.setWindowTitle(f"Problems ({len(diagnostics)})" if diagnostics else "Problems")

    def messages(self) -> list[str]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.text(0) for item in items if item is not None]

    def _activated(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        d = item.data(0, DIAG_ROLE)
        if d is None:
            return
        if d.location.edge:
            self.locate.emit("edge", tuple(d.location.edge))
        elif d.location.node:
            self.locate.emit("node", d.location.node)
