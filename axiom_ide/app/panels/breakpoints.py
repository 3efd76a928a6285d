"""The **Breakpoints** tab of the result panel (guides/debug-a-flow): present once the open flow has
at least one breakpoint; one row per breakpoint with the node name and package (an edge's row
reads ``a → b`` with its source's package), an editable
**Condition** (CEL over the node's input — for an edge, the mapped values it delivers — e.g. ``input.score < 0.5``; an invalid one is refused as
you type: the CEL error shows under the list; a valid one is saved on Enter or leaving the cell,
an invalid one never), a **Hit count** (pause on every
Nth reach whose condition holds; "every" = each reach), a per-row **Clear** and a **Clear all** button. It follows the current tab's :class:`~axiom_ide.app.breakpoints.TabBreakpoints`
and adds/removes itself in the result panel's tab widget."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.breakpoints import edge_ends, label
from axiom_ide.backends.breakpoint_check import condition_error

TITLE = "Breakpoints"
COLUMNS = ["Node", "Package", "Condition", "Hit count", ""]
#: The hit count spin box's text for 0: pause on every reach.
EVERY = "every"
CONDITION_HINT = "CEL over input, e.g. input.score < 0.5"


class BreakpointsPanel(QWidget):
    def __init__(self, tabs: QTabWidget, parent: QWidget | None = None):
        super().__init__(parent, objectName="breakpointsPanel")
        self.result_tabs = tabs
        self.source: Any = None
        self.tree = QTreeWidget(objectName="breakpointsList")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 110)
        self.tree.setColumnWidth(1, 160)
        self.tree.setColumnWidth(2, 200)
        self.error = QLabel(objectName="breakpointConditionError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.hide()
        self.clear_all = QPushButton("Clear all", objectName="breakpointsClearAll")
        self.clear_all.clicked.connect(lambda: self.source is not None and self.source.clear_all())
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.clear_all)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.error)
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
            ends = edge_ends(node_id)
            node = flow.node(ends[0] if ends else node_id) if flow is not None else None
            package = node.node.split(":", 1)[0] if node is not None else ""
            item = QTreeWidgetItem([label(node_id), package, "", "", ""])
            item.setData(0, Qt.ItemDataRole.UserRole, node_id)
            self.tree.addTopLevelItem(item)
            self._option_cells(item, node_id)
            clear = QPushButton("Clear", objectName="breakpointClear")
            clear.clicked.connect(lambda _c=False, n=node_id: self.source.set(n, False))
            self.tree.setItemWidget(item, 4, clear)
        index = self.result_tabs.indexOf(self)
        if nodes and index < 0:
            self.result_tabs.addTab(self, TITLE)
        elif not nodes and index >= 0:
            self.result_tabs.removeTab(index)
            self.hide()

    def _option_cells(self, item: QTreeWidgetItem, node_id: str) -> None:
        options = self.source.options(node_id)
        condition = QLineEdit(options["condition"] or "", objectName="breakpointCondition")
        condition.setPlaceholderText(CONDITION_HINT)
        hits = QSpinBox(objectName="breakpointHitCount")
        hits.setRange(0, 1_000_000)
        hits.setSpecialValueText(EVERY)
        hits.setValue(options["hit_count"] or 0)

        def edited(text: str) -> None:
            error = condition_error(text)
            condition.setToolTip(error or "")
            condition.setStyleSheet("border: 1px solid #c62828;" if error else "")
            self.error.setText(f'Condition of "{label(node_id)}": {error}' if error else "")
            self.error.setVisible(error is not None)

        def finished() -> None:  # Enter or focus out; an invalid condition is refused: the stored one stays
            text = condition.text()
            if condition_error(text) is None:
                self.source.set_options(node_id, text.strip() or None, hits.value() or None)

        def counted(value: int) -> None:
            self.source.set_options(node_id, self.source.options(node_id)["condition"], value or None)

        condition.textEdited.connect(edited)
        condition.editingFinished.connect(finished)
        hits.valueChanged.connect(counted)
        self.tree.setItemWidget(item, 2, condition)
        self.tree.setItemWidget(item, 3, hits)
