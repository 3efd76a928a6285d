"""The Inspector dock: one page per selection kind.

Nothing selected → :class:`FlowOverview`; a node → :class:`NodeInspector`; an edge →
:class:`EdgePlanPanel`; several items → a count. It follows the canvas scene's
``selectionTargetChanged(kind, key)``.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from axiom_ide.app.panels import follow_analysis
from axiom_ide.app.panels.edge_plan import EdgePlanPanel
from axiom_ide.app.panels.inspector_flow import FlowOverview
from axiom_ide.app.panels.inspector_node import NodeInspector
from axiom_ide.app.panels.inspector_text import FittingScrollArea


class Inspector(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.doc: Any = None
        self.kind = "none"
        self.key: Any = None
        self.flow_page = FlowOverview()
        self.node_page = NodeInspector()
        self.edge_page = EdgePlanPanel()
        self.multi_page = QLabel(objectName="multiSelection")
        self.multi_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.multi_page.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(FittingScrollArea(self.flow_page))
        self.stack.addWidget(self.node_page)
        self.stack.addWidget(FittingScrollArea(self.edge_page))
        self.stack.addWidget(self.multi_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.edge_page.edgeGone.connect(lambda _k: self.show_target("none", None))

    def set_document(self, doc: Any) -> None:
        follow_analysis(self.doc, doc, self._doc_changed)
        if self.doc is not None and self.doc is not doc:
            try:
                self.doc.nodeRenamed.disconnect(self._node_renamed)
            except (RuntimeError, TypeError):  # never connected, or the document is gone
                pass
        if doc is not None and doc is not self.doc:
            doc.nodeRenamed.connect(self._node_renamed)
        self.edge_page.clear()
        self.doc = doc
        self.flow_page.set_document(doc)
        self.show_target("none", None)

    def show_target(self, kind: str, key: Any) -> None:
        """Switch page for a selection: kind "none" | "node" | "edge" | "multi"."""
        if self.kind == "edge" and (kind, key) != ("edge", self.key):
            self.edge_page.commit()
        self.kind, self.key = kind, key
        if self.doc is None or kind == "none":
            self.kind = "none"
            self.flow_page.refresh()
            self.stack.setCurrentIndex(0)
        elif kind == "node":
            self.node_page.show_node(self.doc, key)
            self.stack.setCurrentIndex(1)
        elif kind == "edge":
            self.edge_page.show_edge(self.doc, tuple(key))
            self.stack.setCurrentIndex(2)
        else:
            count = len(key) if isinstance(key, (list, tuple, set)) else 0
            self.multi_page.setText(f"{count} items selected" if count else "Several items selected")
            self.stack.setCurrentIndex(3)

    def _node_renamed(self, old: str, new: str) -> None:
        """The shown node got a new canvas id (a rename, its undo or redo): keep showing it."""
        if self.kind == "node" and self.key == old:
            self.show_target("node", new)

    def _doc_changed(self) -> None:
        if self.kind == "node":
            if self.doc.flow.node(self.key) is None:
                self.show_target("none", None)
            else:
                self.node_page.show_node(self.doc, self.key)
