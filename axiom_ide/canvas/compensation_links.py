"""Compensation links: which node compensates which (``compensate: <canvas id>``), drawn on the canvas.

For every node declaring ``compensate: X`` the layer draws a dashed teal curve from that card to
the card of ``X`` (arrowhead at the compensator) and a small ↺ badge on the compensated card; both
tooltips name the compensator. Where that curve would pass behind another card, the link runs
around the cards instead, along the gutters (``link_route.orthogonal_route``, rounded corners). The link is not an edge: it is not selectable, takes no mouse
button (a click goes to what is under it), is never in the scene's edge index and is no part of the
flow's topology. It mirrors the model like every canvas item: rebuilt (coalesced, one event-loop
turn) from the flow's node events, re-routed when the scene changes (a drag preview, a layout).

Installed by :class:`FlowScene` (``scene.compensation_links``), so the editor, the read-only canvas
of the execution pages and ``axiom-ide render`` all draw it.
"""
from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem, QWidget

from axiom_ide.canvas.geometry import CARD_H, CARD_W
from axiom_ide.canvas.items.node_item import NodeItem
from axiom_ide.canvas.link_route import PAD, orthogonal_route, rounded_path, search_region
from axiom_ide.document.compensation import compensations

#: The link's colour: distinct from edges (grey), warnings (amber), errors (red) and selection (blue).
LINK_COLOR = "#0e7c86"
#: Links sit above edges and below cards; badges above cards.
LINK_Z, BADGE_Z = 0.3, 2.0
_ARROW = 9.0
_BADGE_R = 9.0
#: Where the badge sits on the compensated card: on its bottom edge, near the right corner.
BADGE_CENTER = QPointF(CARD_W - 22, CARD_H)


def link_tooltip(node: str, compensator: str) -> str:
    return (f'"{compensator}" compensates "{node}": it runs with the output of "{node}" when a later '
            "failure ends the run")


def badge_tooltip(compensator: str) -> str:
    return f'Compensated by "{compensator}"'


def _direct_curve(src: QRectF, dst: QRectF) -> tuple[QPainterPath, QPointF, QPointF]:
    """The link as a direct curve between facing sides: (path, end point, direction at the end)."""
    if dst.top() >= src.bottom():  # below: bottom → top
        a, b = QPointF(src.center().x(), src.bottom()), QPointF(dst.center().x(), dst.top())
        c1, c2 = a + QPointF(0, 50), b - QPointF(0, 50)
        tip = QPointF(0, 1)
    elif dst.bottom() <= src.top():  # above: top → bottom
        a, b = QPointF(src.center().x(), src.top()), QPointF(dst.center().x(), dst.bottom())
        c1, c2 = a - QPointF(0, 50), b + QPointF(0, 50)
        tip = QPointF(0, -1)
    else:  # beside: side → side, low on the cards (clear of the ports at mid-height)
        y = CARD_H * 0.78
        right = dst.left() >= src.right()
        a = QPointF(src.right() if right else src.left(), src.top() + y)
        b = QPointF(dst.left() if right else dst.right(), dst.top() + y)
        d = QPointF(60 if right else -60, 0)
        c1, c2 = a + d, b - d
        tip = QPointF(1 if right else -1, 0)
    path = QPainterPath(a)
    path.cubicTo(c1, c2, b)
    return path, b, tip


def _crosses(path: QPainterPath, cards: Sequence[QRectF]) -> bool:
    """Whether ``path`` passes within ``PAD`` of any of these cards."""
    stroker = QPainterPathStroker()
    stroker.setWidth(2 * PAD)
    band = stroker.createStroke(path)
    return any(band.intersects(r) for r in cards)


class CompensationLinkItem(QGraphicsPathItem):
    """The dashed curve from a compensated card to its compensator's card."""

    def __init__(self, node: str, compensator: str) -> None:
        super().__init__()
        self.node, self.compensator = node, compensator
        pen = QPen(QColor(LINK_COLOR), 1.8, Qt.PenStyle.DashLine)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        self.setPen(pen)
        self.setZValue(LINK_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setToolTip(link_tooltip(node, compensator))
        self._arrow = QPolygonF()
        self._ends: tuple[Any, ...] | None = None

    def route(self, src: QRectF, dst: QRectF, obstacles: Sequence[QRectF] = ()) -> None:
        """Re-route between the two cards' rects (scene coordinates) when they or the cards
        around them (``obstacles``) moved: the direct curve when it passes no other card, else
        an orthogonal route around them (``link_route``)."""
        key = (src.topLeft(), dst.topLeft(), tuple(sorted((r.x(), r.y()) for r in obstacles)))
        if self._ends == key:
            return
        self._ends = key
        path, b, tip = _direct_curve(src, dst)
        if _crosses(path, obstacles):
            corners = orthogonal_route(src, dst, obstacles)
            if corners is not None:
                path, b = rounded_path(corners), corners[-1]
                last = corners[-1] - corners[-2]
                tip = last / (abs(last.x()) + abs(last.y()) or 1.0)
        side = QPointF(-tip.y(), tip.x())
        self.prepareGeometryChange()  # the arrow is part of the bounding rect: before it changes
        self._arrow = QPolygonF([b, b - tip * _ARROW + side * (_ARROW / 2), b - tip * _ARROW - side * (_ARROW / 2)])
        self.setPath(path)  # prepares the geometry change

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return super().boundingRect().united(self._arrow.boundingRect()).adjusted(-6, -6, 6, 6)

    def shape(self) -> QPainterPath:
        """A 10 px band along the curve: what hovering for the tooltip hits."""
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self.path())

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self.pen())
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(LINK_COLOR)))
        painter.drawPolygon(self._arrow)


class CompensationBadgeItem(QGraphicsItem):
    """The ↺ badge on a compensated card."""

    def __init__(self, node: str, compensator: str) -> None:
        super().__init__()
        self.node, self.compensator = node, compensator
        self.setZValue(BADGE_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setToolTip(badge_tooltip(compensator))

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        r = _BADGE_R + 1.5
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.setBrush(QBrush(QColor(LINK_COLOR)))
        painter.drawEllipse(QPointF(0, 0), _BADGE_R, _BADGE_R)
        font = QFont(painter.font())
        font.setPixelSize(12)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QPen(QColor("#ffffff")))
        painter.drawText(QRectF(-_BADGE_R, -_BADGE_R, 2 * _BADGE_R, 2 * _BADGE_R), Qt.AlignmentFlag.AlignCenter, "↺")


def _disconnect(handlers: list[tuple[Any, Any]]) -> None:
    for event, handler in handlers:
        event.disconnect(handler)


class CompensationLinks(QObject):
    """The scene's compensation layer: one link and one badge per ``compensate:`` declaration.

    A QObject child of the scene, so the document's and the scene's signals drop it with the
    scene; the flow's events hold it weakly and a finalizer disconnects them (as ``FlowScene``)."""

    _EVENTS = ("node_added", "node_removed", "node_changed")

    def __init__(self, scene: Any) -> None:
        super().__init__(scene)
        self._scene = weakref.ref(scene)
        self._links: dict[tuple[str, str], tuple[CompensationLinkItem, CompensationBadgeItem, Any, Any]] = {}
        self._handlers: list[tuple[Any, Any]] = []
        self._unbinder = weakref.finalize(self, _disconnect, self._handlers)
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        #: Listening to ``scene.changed`` costs Qt its direct item → view updates: only while
        #: there is a link to route.
        self._watching = False
        scene.document.flowReplaced.connect(self._on_flow_replaced)  # after the scene's own rebuild
        self._bind(scene.document.flow)
        self.refresh()

    # -- following the model ---------------------------------------------------------------------
    def _bind(self, flow: Any) -> None:
        _disconnect(self._handlers)
        self._handlers[:] = [(getattr(flow, n), getattr(flow, n).connect_weak(self._on_model_changed)) for n in self._EVENTS]

    def _on_model_changed(self, *_args: Any) -> None:
        self._pending = True
        if shiboken6.isValid(self._timer):  # else the scene is gone
            self._timer.start()

    def _on_flow_replaced(self) -> None:
        scene = self._scene()
        if scene is None or not shiboken6.isValid(scene):
            return
        self._links.clear()  # the scene's rebuild deleted every item
        self._bind(scene.document.flow)
        self.refresh()

    def _on_scene_changed(self, _region: Any = None) -> None:
        if self._links and not self._pending:
            self.sync()

    def _watch(self, scene: Any, on: bool) -> None:
        if on != self._watching:
            (scene.changed.connect if on else scene.changed.disconnect)(self._on_scene_changed)
            self._watching = on

    # -- queries ---------------------------------------------------------------------------------
    def links(self) -> dict[tuple[str, str], CompensationLinkItem]:
        """(compensated node, compensator) → its link item, up to date with the model."""
        if self._pending:
            self.refresh()
        return {key: parts[0] for key, parts in self._links.items()}

    def badge(self, node_id: str) -> CompensationBadgeItem | None:
        """The badge on ``node_id``'s card, if it is compensated."""
        if self._pending:
            self.refresh()
        return next((parts[1] for (node, _), parts in self._links.items() if node == node_id), None)

    # -- building --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Make the items match the flow's declarations, then route them."""
        self._pending = False
        scene = self._scene()
        if scene is None or not shiboken6.isValid(scene):
            return
        self._timer.stop()
        wanted = compensations(scene.document.flow)
        cards = {item.node_id: item for item in scene.node_items()} if wanted or self._links else {}
        for key in list(self._links):
            if key not in wanted or cards.get(key[0]) is not self._links[key][2] or cards.get(key[1]) is not self._links[key][3]:
                link, badge, _src, _dst = self._links.pop(key)
                for item in (link, badge):
                    if shiboken6.isValid(item) and item.scene() is scene:
                        scene.removeItem(item)
        for key in wanted:
            src, dst = cards.get(key[0]), cards.get(key[1])
            if key in self._links or src is None or dst is None:
                continue
            link, badge = CompensationLinkItem(*key), CompensationBadgeItem(*key)
            scene.addItem(link)
            scene.addItem(badge)
            self._links[key] = (link, badge, src, dst)
        self._watch(scene, bool(self._links))
        self.sync()

    def _cards_near(self, src: QRectF, dst: QRectF, ends: tuple[Any, Any]) -> list[QRectF]:
        """The rects of the other cards in the area a route between ``src`` and ``dst`` may use."""
        scene = self._scene()
        if scene is None:
            return []
        found = scene.items(search_region(src, dst), Qt.ItemSelectionMode.IntersectsItemBoundingRect)
        return [QRectF(item.pos().x(), item.pos().y(), CARD_W, CARD_H) for item in found
                if isinstance(item, NodeItem) and item not in ends]

    def sync(self) -> None:
        """Route every link and place every badge at its cards' current positions."""
        for link, badge, src, dst in self._links.values():
            if not (shiboken6.isValid(src) and shiboken6.isValid(dst) and shiboken6.isValid(link)):
                continue
            a, b = src.pos(), dst.pos()
            src_rect, dst_rect = QRectF(a.x(), a.y(), CARD_W, CARD_H), QRectF(b.x(), b.y(), CARD_W, CARD_H)
            link.route(src_rect, dst_rect, self._cards_near(src_rect, dst_rect, (src, dst)))
            where = a + BADGE_CENTER
            if badge.pos() != where:
                badge.setPos(where)
