"""The **Breakpoints** tab of the result panel (guides/debug-a-flow): present once the open flow has
at least one breakpoint; one row per breakpoint with the node name and package, a per-row **Clear**
and a **Clear all** button. It follows the current tab's :class:`~axiom_ide.app.breakpoints.TabBreakpoints`
and adds/removes itself in the result panel's tab widget."""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTabWidget, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

TITLE = "Breakpoints"


class BreakpointsPanel(QWidget):
    def __init__(self, tabs: QTabWidget, parent: QWidget | None = None):
        super().__init__(parent, objectName="breakpointsPanel")
        self.result_tabs = tabs
        self.source: Any = None
        self.tree = QTreeWidget(objectName="breakpointsList")
        self.tree.setHeaderLabels(["Node", "Package", ""])
        self.tree.setRootIsDecorated(False)
        self.clear_all = QPushButton("Clear all", objectName="breakpointsClearAll")
        self.clear_all.clicked.connect(lambda: self.source is not None and self.source.clear_all())
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.clear_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bar)
        self.hide()

    def bind(self, source: Any) -> None:
        """Follow ``source`` (a TabBreakpoints, or None when no flow tab is current)."""
        if self.source is not None:
            self.source.listeners.discard(self.refresh)
        self.source = source
        if source is not None:
            source.listeners.add(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        nodes = sorted(self.source.nodes) if self.source is not None else []
        flow = self.source.tab.doc.flow if self.source is not None else None
        for node_id in nodes:
            node = flow.node(node_id) if flow is not None else None
            package = node.node.split(":", 1)[0] if node is not None else ""
            item = QTreeWidgetItem([node_id, package, ""])
            self.tree.addTopLevelItem(item)
            clear = QPushButton("Clear", objectName="breakpointClear")
            clear.clicked.connect(lambda _c=False, n=node_id: self.source.set(n, False))
            self.tree.setItemWidget(item, 2, clear)
        index = self.result_tabs.indexOf(self)
        if nodes and index < 0:
            self.result_tabs.addTab(self, TITLE)
        elif not nodes and index >= 0:
            self.result_tabs.removeTab(index)
            self.hide()
