"""**Compare runs**: two executions side by side, node by node (issue 18, "Run diff").

A window of its own over the main window, built from a ``backend.flow_tests.run_diff`` result
(:class:`~axiom_ide.backends.local_tests.RunDiffView`: ``runtime/rundiff.py``'s JSON and the first
run's compiled flow). Left, the first run's flow on a read-only canvas with the **first divergent
node** framed amber (``canvas/diff_render.paint_diff``, the flow diff's colouring) and selected;
right, one row per node — status and duration in A and in B, divergent rows amber — and under it
the selected node's input and output differences, A and B side by side. A click on a row selects
its card and a click on a card selects its row. The first divergent node's row is selected on
opening.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.screen_fit import resize_to_fit

TITLE = "Compare runs"
NODE_COLUMNS = ("Node", "Status A", "Status B", "Duration A", "Duration B")
CHANGE_COLUMNS = ("What", "Field", "A", "B")
AMBER = "#e0a100"
#: Opening size, shrunk to the screen.
SIZE = (1200, 680)


def _ms(v: Any) -> str:
    return "—" if v is None else f"{v:.1f} ms"


def _j(v: Any) -> str:
    return "(missing)" if v == "<missing>" else json.dumps(v, ensure_ascii=False, sort_keys=True)


def _head(key: str, e: dict[str, Any]) -> str:
    return (f"{key}: {e.get('execution_id', '')[:8]} · {e.get('flow', '')} · {e.get('status', '')} · "
            f"{_ms(e.get('duration_ms'))}")


class RunDiffWindow(QWidget):
    def __init__(self, view: Any, parent: QWidget | None = None, workspace: Any = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("runDiffWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        d = self.diff = view.diff
        self.first: str | None = d.get("first_divergent_node")
        self.setWindowTitle(f"{TITLE} — {d['a'].get('execution_id', '')[:8]} ↔ {d['b'].get('execution_id', '')[:8]}")
        heads = QLabel(_head("A", d["a"]) + "\n" + _head("B", d["b"]), objectName="runDiffHeads")
        heads.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.first_label = QLabel(objectName="runDiffFirst")
        self.first_label.setProperty("heading", True)
        self.first_label.setText(f"First divergent node: {self.first}" if self.first else "No divergent node")
        if self.first:
            self.first_label.setStyleSheet(f"color: {AMBER};")
        summary = [f"{w} {c['path']}: {_j(c['a'])} → {_j(c['b'])}" for w in ("input", "output") for c in d[w]]
        if not d.get("same_flow", True):
            summary.insert(0, f"two flows: {d['a'].get('flow')} and {d['b'].get('flow')}")
        self.summary = QLabel("\n".join(summary) or "Same flow input and output.", objectName="runDiffSummary")
        self.summary.setWordWrap(True)
        self.summary.setProperty("hint", True)

        from axiom_ide.canvas.readonly import readonly_canvas

        self.canvas = readonly_canvas(view.flow, workspace) if view.flow else None
        self.nodes = QTreeWidget(objectName="runDiffNodes")
        self.nodes.setRootIsDecorated(False)
        self.nodes.setUniformRowHeights(True)
        self.nodes.setHeaderLabels(NODE_COLUMNS)
        self.nodes.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.changes = QTreeWidget(objectName="runDiffChanges")
        self.changes.setRootIsDecorated(False)
        self.changes.setHeaderLabels(CHANGE_COLUMNS)
        self.changes.setColumnWidth(0, 70)
        self.changes.setColumnWidth(1, 140)
        self.changes.setColumnWidth(2, 220)
        for row in d["nodes"]:
            sa, sb = row["status"]
            da, db = row["duration_ms"]
            item = QTreeWidgetItem([row["node"], sa or "—", sb or "—", _ms(da), _ms(db)])
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            if row["diverges"]:
                for c in range(len(NODE_COLUMNS)):
                    item.setForeground(c, QBrush(QColor(AMBER)))
            if row["node"] == self.first:
                font = item.font(0)
                font.setBold(True)
                item.setFont(0, font)
            self.nodes.addTopLevelItem(item)
        self.nodes.itemSelectionChanged.connect(self._row_selected)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.nodes)
        right.addWidget(self.changes)
        split = QSplitter(Qt.Orientation.Horizontal)
        if self.canvas is not None:
            split.addWidget(self.canvas)
            self.canvas.nodeClicked.connect(self.select_node)
        split.addWidget(right)
        split.setSizes([600, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(self.first_label)
        layout.addWidget(heads)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self._paint()
        self._resize()
        if self.first:
            self.select_node(self.first)

    def _resize(self) -> None:
        resize_to_fit(self, *SIZE)

    def _paint(self) -> None:
        if self.canvas is None:
            return
        from axiom_ide.canvas.diff_render import paint_diff

        scene = self.canvas.flow_scene
        scene.flush()
        #: What the canvas highlights: the first divergent node, amber ("changed").
        self.painted = paint_diff(scene, {self.first: "changed"} if self.first else {})

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.canvas is not None:
            self.canvas.fit_all()

    # -- selection both ways --------------------------------------------------------------------
    def select_node(self, node_id: str) -> None:
        """Select ``node_id``'s row (and, through it, its card)."""
        for i in range(self.nodes.topLevelItemCount()):
            item = self.nodes.topLevelItem(i)
            if item is not None and item.text(0) == node_id:
                self.nodes.setCurrentItem(item)
                return

    def selected_node(self) -> str | None:
        items = self.nodes.selectedItems()
        return items[0].text(0) if items else None

    def _row_selected(self) -> None:
        items = self.nodes.selectedItems()
        self.changes.clear()
        if not items:
            return
        row = items[0].data(0, Qt.ItemDataRole.UserRole)
        if "only_in" in row:
            self.changes.addTopLevelItem(QTreeWidgetItem(["reached", "", "yes" if row["only_in"] == "a" else "no",
                                                          "yes" if row["only_in"] == "b" else "no"]))
        for what in ("input", "output"):
            for c in row.get(what, []):
                it = QTreeWidgetItem([what, c["path"], _j(c["a"]), _j(c["b"])])
                it.setToolTip(2, _j(c["a"]))
                it.setToolTip(3, _j(c["b"]))
                self.changes.addTopLevelItem(it)
        if "error" in row:
            self.changes.addTopLevelItem(QTreeWidgetItem(["error", "", _j(row["error"][0]), _j(row["error"][1])]))
        if self.changes.topLevelItemCount() == 0:
            self.changes.addTopLevelItem(QTreeWidgetItem(["", "same input and output", "", ""]))
        if self.canvas is not None:
            scene = self.canvas.flow_scene
            card = scene.item_for_node(row["node"])
            if card is not None:
                scene.clearSelection()
                card.setSelected(True)
                # Scrolled to only when off screen: centring on it pushed the fitted flow's other cards out.
                self.canvas.ensureVisible(card, 40, 40)

    def change_rows(self) -> list[list[str]]:
        items = (self.changes.topLevelItem(i) for i in range(self.changes.topLevelItemCount()))
        return [[it.text(c) for c in range(len(CHANGE_COLUMNS))] for it in items if it is not None]
