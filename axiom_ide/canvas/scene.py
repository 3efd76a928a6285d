"""FlowScene: the canvas mirror of a FlowDocument — one NodeItem per node, one EdgeItem per edge.

Invariants:
- the model is the truth: items are created, moved and removed only from the flow's change events
  (and the analysis), never by the scene on its own; a drag moves items as a preview and, on
  release, becomes one ``doc.move_nodes`` call (one undo step) after which positions are re-read
  from the model;
- pinned nodes sit at their (col, row); unpinned nodes at ``layout_cells()``; the layout is
  recomputed lazily (coalesced per event-loop turn; ``flush()`` forces it). A drag pins every
  node where it is shown (see ``finish_move``), so hand-placed cards never re-flow;
- selection, hover, run state and breakpoints are view state: signals out, never model edits.

Opening a big flow is mostly building items, so the build does as little per item as it can:
cards are placed before they join the scene, edges record their ports and a bounding box (their
paths are made on first paint), labels exist only for loop/conditional edges, and tooltips are
composed when the help event asks for them (:meth:`helpEvent`).
"""
from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSceneHelpEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QToolTip,
)

from axiom_ide.canvas.compensation_links import CompensationLinks
from axiom_ide.canvas.diagnostics import edge_state, split_diagnostics
from axiom_ide.canvas.geometry import CELL_H, CELL_W, cell_to_pos
from axiom_ide.canvas.interactions import ConnectInteraction, Interaction, MoveDrag
from axiom_ide.canvas.items.edge_item import EdgeItem
from axiom_ide.canvas.items.edge_label import EdgeLabelItem, pack_labels
from axiom_ide.canvas.items.node_item import NodeItem
from axiom_ide.canvas.overview import Overview
from axiom_ide.document.analysis import resolve_node
from axiom_ide.document.document import paused_gc
from axiom_ide.runtime.compiler.layout import layout_cells

EdgeKey = tuple[str, str]
NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
_LEFT = Qt.MouseButton.LeftButton


#: A disabled node's card (``disabled: true``) is drawn dimmed.
DISABLED_OPACITY = 0.4


def _disconnect(handlers: list[tuple[Any, Any]]) -> None:
    for event, handler in handlers:
        event.disconnect(handler)


class FlowScene(QGraphicsScene):
    """The scene of one document. ``FlowScene(doc)``; show it in a :class:`FlowView`."""

    #: (kind, key) the selection changed: "none" (None) | "node" (id) | "edge" ((src, dst)) | "multi" (list of ids and keys).
    selectionTargetChanged = Signal(str, object)
    #: (reason) a connect gesture was refused, in the docs' words.
    connectRefused = Signal(str)
    #: (node id) the user clicked a card's breakpoint slot; the debugger owns breakpoints.
    breakpointToggleRequested = Signal(str)
    #: (node id) a card was double-clicked.
    nodeActivated = Signal(str)
    #: ((src, dst)) an edge was double-clicked (e.g. to open its edge plan).
    edgeActivated = Signal(object)
    #: (node id) a card was clicked (pressed and released on it without moving it): the payload popover.
    nodeClicked = Signal(str)

    def __init__(self, document: Any, parent: Any = None) -> None:
        super().__init__(parent)
        self.document = document
        self.interaction: Interaction | None = None
        self.force_detail = False
        self.show_grid = True
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[EdgeKey, EdgeItem] = {}
        self._adj: dict[str, set[EdgeKey]] = {}
        #: Edges that have a label (loop or condition): a few, even in a huge flow.
        self._labelled: set[EdgeItem] = set()
        self._run_states: dict[str, str] = {}
        self._breakpoints: set[str] = set()
        #: Canvas ids whose output is pinned (app/pins.py): view state, like breakpoints.
        self._pinned: set[str] = set()
        self._drag: MoveDrag | None = None
        self._layout_pending = False
        self._flow = None
        self._handlers: list[tuple[Any, Any]] = []
        self._unbinder: weakref.finalize | None = None
        #: Overview mode (zoomed far out): items paint nothing, the scene draws them in bulk.
        self._overview = False
        self._ov = Overview()
        self._grid_pen = QPen(QColor("#d5dbe3"), 2.0)
        self._grid_pen.setCosmetic(True)
        self.setBackgroundBrush(QBrush(QColor("#f7f8fa")))
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.flush)
        self.selectionChanged.connect(self._emit_selection)
        document.analysisChanged.connect(self.apply_analysis)
        document.flowReplaced.connect(self.rebuild)
        self.rebuild()
        self.compensation_links = CompensationLinks(self)  # after rebuild: it follows flowReplaced after it

    # -- building ----------------------------------------------------------------------------
    _EVENTS = ("node_added", "node_removed", "node_changed", "edge_added", "edge_removed", "edge_changed")

    def _bind(self, flow: Any) -> None:
        """Listen to ``flow``'s change events without the flow keeping the scene alive."""
        self._unbind()
        self._flow = flow
        # Weak: the flow must not own the scene. A strong handler made flow → scene → document → flow
        # a cycle, so a dropped scene (a QObject with a QTimer child) waited for the cyclic
        # collector, which may run on any thread — and a QObject destroyed off the GUI thread
        # crashes the process. The finalizer disconnects the handlers once the scene is gone.
        self._handlers = []
        for name in self._EVENTS:
            event = getattr(flow, name)
            self._handlers.append((event, event.connect_weak(getattr(self, f"_on_{name}"))))
        self._unbinder = weakref.finalize(self, _disconnect, self._handlers)

    def _unbind(self) -> None:
        if self._unbinder is not None:
            self._unbinder()  # runs once: disconnects from the previous flow
        self._flow, self._handlers, self._unbinder = None, [], None

    def rebuild(self) -> None:
        """Drop every item and mirror ``document.flow`` afresh."""
        if self.interaction is not None:
            self.interaction.cancel()
        self.blockSignals(True)
        self.clear()
        self.blockSignals(False)
        self._nodes.clear()
        self._edges.clear()
        self._adj.clear()
        self._labelled.clear()
        flow = self.document.flow
        self._bind(flow)
        self._timer.stop()
        self._layout_pending = False
        self._ov.invalidate()
        with paused_gc():  # thousands of items at once: no GC passes over them mid-build
            # Cards are placed before they join the scene (no re-index after a move), and
            # before the edges, so each edge is routed once, when it is made.
            cells = layout_cells(flow)
            for node in flow.nodes:
                cell = cells.get(node.id)
                self._add_node_item(node, cell_to_pos(cell) if cell is not None else None)
            for edge in flow.edges:
                self._add_edge_item(edge)
            self._pack_labels()
            self.apply_analysis()
        self._emit_selection()

    def _add_node_item(self, node: Any, pos: QPointF | None = None) -> NodeItem:
        item = NodeItem(node.id, node.node)
        if pos is not None:
            item.setPos(pos)
        if self._overview:
            item.setFlag(NO_CONTENTS, True)
        item.force_detail = self.force_detail
        item.run_state = self._run_states.get(node.id)
        item.breakpoint = node.id in self._breakpoints
        item.pinned = node.id in self._pinned
        item.setOpacity(DISABLED_OPACITY if getattr(node, "disabled", False) else 1.0)
        self._nodes[node.id] = item
        self._adj.setdefault(node.id, set())
        self.addItem(item)
        return item

    def _add_edge_item(self, edge: Any) -> EdgeItem | None:
        src, dst = self._nodes.get(edge.src), self._nodes.get(edge.dst)
        if src is None or dst is None:
            return None
        item = EdgeItem(src, dst, edge.loop, edge.when)
        label = item.label_if_any
        if self._overview:
            item.setFlag(NO_CONTENTS, True)
            if label is not None:
                label.setFlag(NO_CONTENTS, True)
        if self.force_detail:
            item.force_detail = True
        item.breakpoint = f"{edge.src}->{edge.dst}" in self._breakpoints
        self._edges[edge.key] = item
        self._adj[edge.src].add(edge.key)
        self._adj[edge.dst].add(edge.key)
        self.addItem(item)
        if label is not None and label.isVisible():  # an empty label joins the scene when it gets text
            self.addItem(label)
            self._labelled.add(item)
        return item

    def _remove_edge_item(self, key: EdgeKey) -> None:
        item = self._edges.pop(key, None)
        if item is None:
            return
        for end in key:
            self._adj.get(end, set()).discard(key)
        label = item.label_if_any
        if label is not None and label.scene() is self:
            self.removeItem(label)
        self._labelled.discard(item)
        self.removeItem(item)

    # -- model events ------------------------------------------------------------------------
    def _schedule_layout(self) -> None:
        self._layout_pending = True
        self._ov.invalidate()
        self._timer.start()

    def _on_node_added(self, node: Any, index: int) -> None:
        item = self._add_node_item(node)
        # Resolve now so a new card never flashes "unresolved" before the debounced analysis.
        item.set_state(node.id, node.node, resolve_node(self.document.workspace, node.node)[0], [], [])
        self._schedule_layout()

    def _on_node_removed(self, node: Any, index: int) -> None:
        for key in list(self._adj.get(node.id, ())):
            self._remove_edge_item(key)
        self._adj.pop(node.id, None)
        item = self._nodes.pop(node.id, None)
        if item is not None:
            self.removeItem(item)
        self._schedule_layout()

    def _on_node_changed(self, old_id: str, node: Any) -> None:
        item = self._nodes.pop(old_id, None)
        if item is None:
            return
        self._nodes[node.id] = item
        if old_id != node.id:
            if old_id in self._breakpoints:  # view state keyed by canvas id follows a rename
                self._breakpoints.discard(old_id)
                self._breakpoints.add(node.id)
            if old_id in self._pinned:
                self._pinned.discard(old_id)
                self._pinned.add(node.id)
            keys = self._adj.pop(old_id, set())
            self._adj[node.id] = set()
            for key in keys:
                edge = self._edges.pop(key)
                new_key = (node.id if key[0] == old_id else key[0], node.id if key[1] == old_id else key[1])
                self._edges[new_key] = edge
                for end in new_key:
                    self._adj.setdefault(end, set()).discard(key)
                    self._adj[end].add(new_key)
        spec = item.spec if item.ref == node.node else resolve_node(self.document.workspace, node.node)[0]
        item.set_state(node.id, node.node, spec, item.problems, item.warnings)
        item.setOpacity(DISABLED_OPACITY if getattr(node, "disabled", False) else 1.0)
        self._schedule_layout()

    def _on_edge_added(self, edge: Any, index: int) -> None:
        self._add_edge_item(edge)
        self._schedule_layout()

    def _on_edge_removed(self, edge: Any, index: int) -> None:
        self._remove_edge_item(edge.key)
        self._schedule_layout()

    def _on_edge_changed(self, old_key: EdgeKey, edge: Any) -> None:
        if old_key != edge.key:
            self._remove_edge_item(old_key)
            self._add_edge_item(edge)
        else:
            item = self._edges.get(edge.key)
            if item is not None:
                item.set_edge(edge.loop, edge.when)
                (self._labelled.add if item.has_label else self._labelled.discard)(item)
        self._schedule_layout()

    def flush(self) -> None:
        """Apply a pending layout now: every card to its model/layout cell, edges re-routed."""
        self._timer.stop()
        if not self._layout_pending:
            return
        self._layout_pending = False
        self._ov.invalidate()
        cells = layout_cells(self.document.flow)
        moved: set[str] = set()
        for nid, item in self._nodes.items():
            cell = cells.get(nid)
            if cell is not None:
                pos = cell_to_pos(cell)
                if item.pos() != pos:
                    item.setPos(pos)
                    moved.add(nid)
        for key, edge in self._edges.items():
            if key[0] in moved or key[1] in moved:
                edge.adjust()
        self._pack_labels()

    def node_item_moved(self, item: NodeItem) -> None:
        """A card was moved (drag preview): re-route its edges."""
        self._ov.invalidate()
        labels = False
        for key in self._adj.get(item.node_id, ()):
            edge = self._edges.get(key)
            if edge is not None:
                edge.adjust()
                labels = labels or edge in self._labelled
        if labels:
            self._pack_labels()

    def _pack_labels(self) -> None:
        pack_labels([e.label for e in self._labelled if e.label.isVisible()])

    # -- analysis ----------------------------------------------------------------------------
    def apply_analysis(self) -> None:
        """Show the document's latest analysis: specs, red cards and amber/red edges."""
        a = self.document.analysis
        self._ov.invalidate()
        node_diags, edge_diags = split_diagnostics(a)
        specs = getattr(a, "nodes", {})
        model = {n.id: n for n in self.document.flow.nodes}
        none: tuple[list[str], list[str]] = ([], [])
        for nid, item in self._nodes.items():
            node = model.get(nid)
            errs, warns = node_diags.get(nid, none)
            item.set_state(nid, node.node if node else item.ref, specs.get(nid), errs, warns)
        checks = getattr(a, "edge_checks", {})
        for key, edge_item in self._edges.items():
            edge_item.set_check(*edge_state(checks.get(key), *edge_diags.get(key, none)))

    # -- queries -----------------------------------------------------------------------------
    def item_for_node(self, node_id: str) -> NodeItem | None:
        self.flush()
        return self._nodes.get(node_id)

    def item_for_edge(self, key: EdgeKey) -> EdgeItem | None:
        self.flush()
        return self._edges.get((key[0], key[1]))

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def edge_items(self) -> list[EdgeItem]:
        return list(self._edges.values())

    def node_item_at(self, pos: QPointF) -> NodeItem | None:
        for item in self.items(QRectF(pos.x() - 8, pos.y() - 8, 16, 16)):
            if isinstance(item, NodeItem):
                return item
        return None

    def edge_item_at(self, pos: QPointF) -> EdgeItem | None:
        """The edge whose hit shape (its curve, 12 px wide) passes within a few pixels of ``pos``."""
        for item in self.items(QRectF(pos.x() - 4, pos.y() - 4, 8, 8)):
            if isinstance(item, EdgeItem):
                return item
        return None

    @property
    def drag(self) -> MoveDrag | None:
        """The card drag under way (its cards and where the preview shows them), if any."""
        return self._drag

    def content_rect(self) -> QRectF:
        """Bounding rect of every card, edge and label."""
        self.flush()
        return self.itemsBoundingRect()

    # -- selection (view state) --------------------------------------------------------------
    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edge_keys(self) -> list[EdgeKey]:
        return [i.key for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def select_nodes(self, ids: Iterable[str]) -> None:
        self.flush()
        self.blockSignals(True)
        self.clearSelection()
        for nid in ids:
            if nid in self._nodes:
                self._nodes[nid].setSelected(True)
        self.blockSignals(False)
        self._emit_selection()

    def select_edges(self, keys: Iterable[EdgeKey]) -> None:
        self.blockSignals(True)
        self.clearSelection()
        for key in keys:
            item = self._edges.get((key[0], key[1]))
            if item is not None:
                item.setSelected(True)
        self.blockSignals(False)
        self._emit_selection()

    def _emit_selection(self) -> None:
        if self._overview:
            self._ov.invalidate()
            self.update()
        nodes, edges = self.selected_node_ids(), self.selected_edge_keys()
        if not nodes and not edges:
            self.selectionTargetChanged.emit("none", None)
        elif len(nodes) == 1 and not edges:
            self.selectionTargetChanged.emit("node", nodes[0])
        elif len(edges) == 1 and not nodes:
            self.selectionTargetChanged.emit("edge", edges[0])
        else:
            self.selectionTargetChanged.emit("multi", [*nodes, *edges])

    # -- run state and breakpoints (view state, bound by the debugger) ----------------------
    def set_run_state(self, node_id: str, state: str | None) -> None:
        """Tint a card: "running" | "completed" | "failed" | "skipped" | None."""
        if state is None:
            self._run_states.pop(node_id, None)
        else:
            self._run_states[node_id] = state
        item = self._nodes.get(node_id)
        if item is not None and item.run_state != state:
            item.run_state = state
            item.update()
            if self._overview:
                self._ov.invalidate()
                self.update(item.sceneBoundingRect())

    def clear_run_states(self) -> None:
        for nid in list(self._run_states):
            self.set_run_state(nid, None)

    def set_breakpoint(self, node_id: str, on: bool) -> None:
        """Show a breakpoint: ``node_id`` is a canvas id, or ``"src->dst"`` for an edge's."""
        (self._breakpoints.add if on else self._breakpoints.discard)(node_id)
        src, arrow, dst = node_id.partition("->")
        item: NodeItem | EdgeItem | None = self._edges.get((src, dst)) if arrow else self._nodes.get(node_id)
        if item is not None and item.breakpoint != on:
            item.breakpoint = on
            item.update()

    def set_pinned(self, node_id: str, on: bool) -> None:
        """Show or hide ``node_id``'s pin badge (its output is pinned for editor runs)."""
        (self._pinned.add if on else self._pinned.discard)(node_id)
        item = self._nodes.get(node_id)
        if item is not None:
            item.set_pinned(on)

    def set_paused_edge(self, key: EdgeKey | None) -> None:
        """Draw the edge a Debug run is paused at (its breakpoint fired) amber; None: no edge."""
        for edge_key, item in self._edges.items():
            paused = key is not None and edge_key == (key[0], key[1])
            if item.paused != paused:
                item.paused = paused
                item.update()

    def set_force_detail(self, on: bool) -> None:
        """Draw full detail at every zoom (headless rendering)."""
        self.force_detail = on
        items: list[NodeItem | EdgeItem] = [*self._nodes.values(), *self._edges.values()]
        for item in items:
            item.force_detail = on

    # -- tooltips: composed by the item under the mouse when Qt asks ------------------------
    def helpEvent(self, event: QGraphicsSceneHelpEvent) -> None:  # noqa: N802 - Qt API
        """Show the topmost item's ``toolTip()`` — our items compose theirs on demand, which Qt's
        own help event (it reads the C++ tooltip property) would not see."""
        widget = event.widget()  # the view's viewport
        view = widget.parentWidget() if widget is not None else None
        transform = view.transform() if isinstance(view, QGraphicsView) else QTransform()
        text = ""
        for item in self.items(event.scenePos(), Qt.ItemSelectionMode.IntersectsItemShape,
                               Qt.SortOrder.DescendingOrder, transform):
            text = item.toolTip()
            if text:
                break
        if text:
            QToolTip.showText(event.screenPos(), text, event.widget())
        else:
            QToolTip.hideText()
        event.setAccepted(bool(text))

    # -- mouse: start interactions, turn a finished drag into one Move ----------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        if self.interaction is not None:
            event.accept()
            return
        if event.button() == _LEFT:
            item = self.node_item_at(event.scenePos())
            if item is not None:
                port = item.port_at(event.scenePos())
                if port is not None:
                    self.interaction = ConnectInteraction(self, item, from_output=(port == "out"))
                    event.accept()
                    return
                if item.on_breakpoint_slot(event.scenePos()):
                    self.breakpointToggleRequested.emit(item.node_id)
                    event.accept()
                    return
        super().mousePressEvent(event)
        if event.button() == _LEFT and isinstance(self.mouseGrabberItem(), NodeItem):
            self._drag = MoveDrag(self, [i for i in self.selectedItems() if isinstance(i, NodeItem)])

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        if self.interaction is not None:
            self.interaction.mouse_move(event)
            event.accept()
            return
        super().mouseMoveEvent(event)
        if self._drag is not None and event.buttons() & _LEFT:
            self._drag.move(event.scenePos() - event.buttonDownScenePos(_LEFT))

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        if self.interaction is not None:
            self.interaction.mouse_release(event)
            event.accept()
            return
        super().mouseReleaseEvent(event)
        # On screen, not in the scene: the view may scroll between press and release (a panel opens).
        moved = (event.screenPos() - event.buttonDownScreenPos(_LEFT)).manhattanLength() > 3
        if event.button() == _LEFT and self._drag is not None:
            drag, self._drag = self._drag, None
            drag.finish()
        if event.button() == _LEFT and not moved:
            item = self.node_item_at(event.buttonDownScenePos(_LEFT))
            if item is not None:
                self.nodeClicked.emit(item.node_id)

    def finish_move(self, start: dict[str, QPointF], cells: dict[str, tuple[int, int]]) -> None:
        """Commit a drag: the cards that left their start go to ``cells`` (what the preview showed),
        as one ``move_nodes(by_hand=True)`` — the other cards are pinned where they are shown and
        a move left of / above the grid re-bases it; then re-sync every card from the model."""
        moved = {nid: cells[nid] for nid, p in start.items() if nid in self._nodes and self._nodes[nid].pos() != p}
        if moved:
            self.document.move_nodes(moved, by_hand=True)
        self._layout_pending = True
        self.flush()

    def mouseDoubleClickEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802 - Qt API
        item = self.itemAt(event.scenePos(), QTransform())
        if isinstance(item, EdgeLabelItem):
            item = item.edge
        if isinstance(item, NodeItem):
            self.nodeActivated.emit(item.node_id)
        elif isinstance(item, EdgeItem):
            self.edgeActivated.emit(item.key)
        super().mouseDoubleClickEvent(event)

    # -- overview (level of detail for thousands of cards) ----------------------------------
    def set_overview(self, on: bool) -> None:
        """Zoomed far out, draw every card and edge in a few bulk calls instead of per item.

        Items stay in the scene (selectable, rubber-band, hit tests) but paint nothing."""
        if on == self._overview or (self.force_detail and on):
            return
        self._overview = on
        self._ov.invalidate()
        for item in self._nodes.values():
            item.setFlag(NO_CONTENTS, on)
        for edge in self._edges.values():
            edge.setFlag(NO_CONTENTS, on)
            label = edge.label_if_any
            if label is not None:
                label.setFlag(NO_CONTENTS, on)
        self.update()

    @property
    def overview(self) -> bool:
        return self._overview

    def paint_overview(self, painter: QPainter, rect: QRectF | None = None) -> None:
        """Bulk-draw all cards (rectangles) and edges (straight lines); see ``overview.py``."""
        self._ov.paint(painter, self)

    # -- background grid ---------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # type: ignore[override]  # noqa: N802 - Qt API; Qt passes a QRectF (the stubs add QRect for the implicit conversion)
        super().drawBackground(painter, rect)
        if self._overview:
            self.paint_overview(painter, rect)
            return
        if not self.show_grid or painter.worldTransform().m11() < 0.3:
            return
        painter.setPen(self._grid_pen)
        c0, c1 = int(rect.left() // CELL_W), int(rect.right() // CELL_W) + 1
        r0, r1 = int(rect.top() // CELL_H), int(rect.bottom() // CELL_H) + 1
        if (c1 - c0) * (r1 - r0) > 20000:
            return
        points = [QPointF(c * CELL_W - 20, r * CELL_H - 20) for c in range(c0, c1 + 1) for r in range(r0, r1 + 1)]
        painter.drawPoints(points)
