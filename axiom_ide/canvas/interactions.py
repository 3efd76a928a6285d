"""Mouse tools of the canvas, one object per gesture (started by the scene, ended on release).

- :class:`MoveDrag` — the selected cards follow the mouse, snapped live to the (col, row) grid,
  their edges re-routed as they go; on release the whole drag becomes one ``doc.move_nodes``
  (one undo step). Qt's own item moving is off (cards are not ``ItemIsMovable``) so a card is
  only ever placed on a cell. The preview is the drop: a card over a taken cell is shown in the
  nearest free one, and exactly those cells are what the release commits.
- :class:`ConnectInteraction` — drag from an output port (or backwards from an input port) to
  another card; a rubber curve follows the mouse, the target port shows green (allowed) or red
  (refused, with the reason in the status/tooltip). On release the scene's document is asked to
  ``connect``; a refusal is emitted as ``scene.connectRefused(reason)``.
Interactions never change the model themselves except through the document's edit methods.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsSceneMouseEvent

from axiom_ide.canvas.geometry import cell_to_pos, free_cell, pos_to_cell
from axiom_ide.canvas.items.edge_item import curve
from axiom_ide.canvas.items.style import style

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.canvas.items.node_item import NodeItem
    from axiom_ide.canvas.scene import FlowScene


class Interaction:
    """Base: receives the scene's mouse events while active; ``end()`` detaches it."""

    def __init__(self, scene: FlowScene) -> None:
        self.scene = scene

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> None:
        pass

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> None:
        self.end()

    def cancel(self) -> None:
        self.end()

    def end(self) -> None:
        if self.scene.interaction is self:
            self.scene.interaction = None


class MoveDrag:
    """A drag of the cards ``items`` (the selection when the press landed on a card)."""

    def __init__(self, scene: FlowScene, items: list[NodeItem]) -> None:
        self.scene = scene
        self.items = items
        #: Start position of every dragged card, by canvas id.
        self.start = {item.node_id: item.pos() for item in items}

        #: Cells of the cards that stay put: a dragged card never lands on one of them.
        dragged = set(self.start)
        self.taken = {pos_to_cell(i.pos()) for i in scene.node_items() if i.node_id not in dragged}
        #: Where each dragged card is shown now — and where the release puts it.
        self.cells = {nid: pos_to_cell(p) for nid, p in self.start.items()}

    def move(self, delta: QPointF) -> None:
        """Show every card at its start + ``delta``, snapped to a free cell; re-route the edges of those that moved."""
        taken = set(self.taken)
        for item in self.items:
            cell = free_cell(pos_to_cell(self.start[item.node_id] + delta), taken)
            taken.add(cell)
            self.cells[item.node_id] = cell
            target = cell_to_pos(cell)
            if item.pos() != target:
                item.setPos(target)
                self.scene.node_item_moved(item)

    def finish(self) -> None:
        """One ``doc.move_nodes`` for the cards that ended in a new cell (the cells shown)."""
        self.scene.finish_move(self.start, self.cells)


class ConnectInteraction(Interaction):
    """Drag a new edge out of ``anchor``'s output port (``from_output``) or into its input port."""

    def __init__(self, scene: FlowScene, anchor: NodeItem, from_output: bool = True) -> None:
        super().__init__(scene)
        self.anchor = anchor
        self.from_output = from_output
        self.target: NodeItem | None = None
        #: Why the current target would be refused (None when it is allowed).
        self.reason: str | None = None
        self.line = QGraphicsPathItem()
        self.line.setPen(style().edge_rubber)
        self.line.setZValue(10.0)
        scene.addItem(self.line)
        start = anchor.output_port() if from_output else anchor.input_port()
        self._update_line(start)

    def _ends(self, point: QPointF) -> tuple[QPointF, QPointF]:
        if self.from_output:
            end = self.target.input_port() if self.target is not None else point
            return self.anchor.output_port(), end
        start = self.target.output_port() if self.target is not None else point
        return start, self.anchor.input_port()

    def _update_line(self, point: QPointF) -> None:
        self.line.setPath(curve(*self._ends(point)))

    def _pair(self, other: NodeItem) -> tuple[str, str]:
        return (self.anchor.node_id, other.node_id) if self.from_output else (other.node_id, self.anchor.node_id)

    def mouse_move(self, event: QGraphicsSceneMouseEvent) -> None:
        target = self.scene.node_item_at(event.scenePos())
        if target is self.anchor:
            target = None
        if target is not self.target:
            if self.target is not None:
                self.target.port_hint = None
                self.target.refusal = None
                self.target.update()
            self.target = target
            self.reason = None
            if target is not None:
                self.reason = self.scene.document.can_connect(*self._pair(target))
                target.port_hint = "bad" if self.reason else "ok"
                target.update()
                target.refusal = self.reason
        self._update_line(event.scenePos())

    def mouse_release(self, event: QGraphicsSceneMouseEvent) -> None:
        self.mouse_move(event)
        target = self.target
        self.end()
        if target is None:
            return
        src, dst = self._pair(target)
        reason = self.scene.document.connect(src, dst)
        if reason:
            self.scene.connectRefused.emit(reason)
        else:
            self.scene.select_edges([(src, dst)])

    def end(self) -> None:
        if self.target is not None:
            self.target.port_hint = None
            self.target.refusal = None
            self.target.update()
        if self.line.scene() is not None:
            self.scene.removeItem(self.line)
        super().end()
