"""An edge: a cubic curve from the source's output port to the destination's input port.

States (from the analysis, set by the scene): normal grey; amber when its EdgeCheck is not ok (a
type warning — the tooltip gives the exact mismatch texts); red for an error on the edge (e.g. a
pipeline → unary edge). Loop edges are dashed purple and routed below both cards, labelled
"↺ N"; an edge whose destination is not to the right of its source (dragged into the same
column, or drawn back) is routed the same way along a row gutter, never through a card. A
conditional edge shows its condition on a label (``edge_label``). An edge with a breakpoint
(``breakpoint``, view state set by the debugger) draws a red dot at the middle of its curve — a
little before the middle when a label sits there; nothing when it has none. While a Debug run is
paused where it fired (``paused``) it is drawn amber, as the paused card is.

Cheap to build and to move: ``adjust`` only records the two port points and a bounding box from
the curve's control points (a forward curve never leaves that box); the QPainterPath, arrowhead
and hit shape are made on the first paint or hit test, so edges off screen never build them.
The tooltip is composed when asked for (``toolTip()``, shown by the scene's help event).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from axiom_ide.canvas.diagnostics import code_html
from axiom_ide.canvas.geometry import CARD_H, CARD_W, CELL_H, PORT_R
from axiom_ide.canvas.items.edge_label import LABEL_MAX_W, LOOP_LABEL_MAX_W, EdgeLabelItem, label_center
from axiom_ide.canvas.items.style import style

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.canvas.items.node_item import NodeItem

_ARROW = 9.0
#: Half the stroke width the hit shape and bounding box allow around the curve.
_SLACK = 8.0
_SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable


def _controls(p1: QPointF, p2: QPointF) -> tuple[QPointF, QPointF]:
    dx = max(48.0, abs(p2.x() - p1.x()) * 0.5)
    return QPointF(p1.x() + dx, p1.y()), QPointF(p2.x() - dx, p2.y())


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    """The forward-edge curve between two port points (also used by the rubber line)."""
    c1, c2 = _controls(p1, p2)
    path = QPainterPath(p1)
    path.cubicTo(c1, c2, p2)
    return path


def _route_y(loop: bool, src_y: float, dst_y: float) -> float:
    """The row gutter a routed edge runs along: below both cards for a loop or an edge back
    within one row; else the gutter between the two cards' rows (no card in the way)."""
    half_gap = (CELL_H - CARD_H) / 2
    if loop or src_y == dst_y:
        return max(src_y, dst_y) + CARD_H + half_gap
    return max(src_y, dst_y) - half_gap


class EdgeItem(QGraphicsItem):
    """The curve for the edge ``key`` = (src, dst)."""

    Type = QGraphicsItem.UserType + 2  # type: ignore[attr-defined]  # PySide6's stubs omit UserType

    def __init__(self, src: NodeItem, dst: NodeItem, loop: int | None = None, when: str | None = None) -> None:
        super().__init__()
        self.src, self.dst = src, dst
        self.loop, self.when = loop, when
        #: "ok" | "warning" | "error" (from the analysis).
        self.state = "ok"
        self.messages: list[str] = []
        self.force_detail = False
        #: A Debug run pauses when this edge fires (set by the scene; drawn as a red dot).
        self.breakpoint = False
        #: A Debug run is paused at this edge's breakpoint now (drawn amber, as the paused card).
        self.paused = False
        self.setFlags(_SELECTABLE)
        self.setZValue(0.0 if loop is None else 0.5)
        self._label: EdgeLabelItem | None = None
        #: Port points (scene) and, for loop edges, the y of the run below the cards.
        self.p1 = QPointF()
        self.p2 = QPointF()
        #: Routed around the cards (a loop edge, or one whose destination is not to the right)
        #: along a row gutter at ``route_y``, instead of a direct curve.
        self.routed = False
        self.route_y = 0.0
        self._path: QPainterPath | None = None
        self._shape: QPainterPath | None = None
        self._arrow: QPolygonF | None = None
        self._rect = QRectF()
        if self.has_label:
            self._label_text()
        self.adjust()

    def type(self) -> int:
        return self.Type

    @property
    def key(self) -> tuple[str, str]:
        return (self.src.node_id, self.dst.node_id)

    @property
    def has_label(self) -> bool:
        return self.loop is not None or bool(self.when)

    @property
    def label(self) -> EdgeLabelItem:
        """The label item (made on first use; in the scene only while it has text)."""
        if self._label is None:
            self._label = EdgeLabelItem(self)
            self._label.setVisible(False)
        return self._label

    @property
    def label_if_any(self) -> EdgeLabelItem | None:
        return self._label

    def set_edge(self, loop: int | None, when: str | None) -> None:
        if (loop, when) != (self.loop, self.when):
            self.loop, self.when = loop, when
            self.setZValue(0.0 if loop is None else 0.5)
            self._label_text()
            self.adjust()

    def set_check(self, state: str, messages: list[str]) -> None:
        if state == self.state and messages == self.messages:
            return
        self.state, self.messages = state, list(messages)
        self.update()
        if self._label is not None:
            self._label.update()

    def toolTip(self) -> str:  # noqa: N802 - Qt API, composed on demand
        """"src → dst", the loop limit, the condition, then the analysis' messages (one a line);
        rich text, so the messages' code spans show as code."""
        tip = [f"{self.src.node_id} → {self.dst.node_id}"]
        if self.loop is not None:
            tip.append(f"loop edge, at most {self.loop} iterations")
        if self.when:
            tip.append(f"when {self.when}")
        if self.breakpoint:
            tip.append("breakpoint: a Debug run pauses when this edge fires")
        tip += self.messages
        # nowrap: a rich-text tooltip otherwise wraps at a narrow guessed width, mid-message.
        return "<p style='white-space:nowrap'>" + "<br>".join(code_html(line) for line in tip) + "</p>"

    def _label_text(self) -> None:
        # Along a row gutter (loops, routed edges) no card or port is beside the label: it may be
        # wider than in a column gutter, between two ports, where "when " would leave room for
        # hardly any of the condition (the tooltip still says "when …" in full).
        wide = self.loop is not None or self.routed
        parts = []
        if self.loop is not None:
            parts.append(f"↺ {self.loop}")
        if self.when:
            parts.append(f"when {self.when}" if wide else self.when)
        label = self.label
        label.set_text(" · ".join(parts), LOOP_LABEL_MAX_W if wide else LABEL_MAX_W)
        scene = self.scene()
        if scene is not None and label.isVisible() and label.scene() is None:
            scene.addItem(label)  # the scene skips empty labels when it adds an edge

    def controls(self) -> tuple[QPointF, QPointF]:
        """The forward curve's two control points."""
        return _controls(self.p1, self.p2)

    def adjust(self) -> None:
        """Follow the two cards' current positions (the path itself is built when first needed)."""
        if self.scene() is not None:
            self.prepareGeometryChange()
        a, b = self.src.pos(), self.dst.pos()
        x1, y1 = a.x() + CARD_W, a.y() + CARD_H / 2
        x2, y2 = b.x() - PORT_R, b.y() + CARD_H / 2
        self.p1, self.p2 = QPointF(x1, y1), QPointF(x2, y2)
        self._path = self._shape = self._arrow = None
        routed = self.loop is not None or x2 <= x1
        if routed != self.routed:
            self.routed = routed
            if self._label is not None and self.has_label:
                self._label_text()  # its room changed
        if not self.routed:
            dx = max(48.0, abs(x2 - x1) * 0.5)  # as in _controls
            left, right = min(x1, x2 - dx), max(x1 + dx, x2)
            top, bottom = min(y1, y2), max(y1, y2)
        else:
            self.route_y = _route_y(self.loop is not None, a.y(), b.y())
            left, right = min(x1, x2 - 40), max(x1 + 36, x2)
            top, bottom = min(y1, y2, self.route_y), max(y1, y2, self.route_y)
        self._rect = QRectF(left - _SLACK, top - _SLACK, right - left + 2 * _SLACK, bottom - top + 2 * _SLACK)
        label = self._label
        if label is not None and label.isVisible():
            label.anchor = label_center(self, label.size())
            label.setPos(label.anchor)

    def path(self) -> QPainterPath:
        """The curve (built on first use after a move)."""
        if self._path is None:
            p1, p2 = self.p1, self.p2
            if not self.routed:
                path = curve(p1, p2)
            else:
                # Route around: out of the source, into a row gutter, back left along it and
                # into the destination's input.
                yb = self.route_y
                path = QPainterPath(p1)
                path.cubicTo(p1 + QPointF(36, 0), QPointF(p1.x() + 36, yb), QPointF(p1.x(), yb))
                path.lineTo(QPointF(p2.x() - PORT_R, yb))
                path.cubicTo(QPointF(p2.x() - 40, yb), QPointF(p2.x() - 40, p2.y()), p2)
            self._path = path
            self._arrow = QPolygonF([p2, p2 + QPointF(-_ARROW, -_ARROW / 2), p2 + QPointF(-_ARROW, _ARROW / 2)])
        return self._path

    def breakpoint_point(self) -> QPointF:
        """Where the breakpoint dot sits: the curve's middle (off it when a label is there)."""
        return self.path().pointAtPercent(0.3 if self.has_label else 0.5)

    def arrow(self) -> QPolygonF:
        if self._arrow is None:
            self.path()
        return self._arrow  # type: ignore[return-value]

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._rect

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(12)
            self._shape = stroker.createStroke(self.path())
        return self._shape

    def pen(self) -> QPen:
        s = style()
        if self.paused:
            return s.edge_paused
        if self.isSelected():
            return s.edge_loop_sel if self.loop is not None else s.edge_selected
        if self.state == "error":
            return s.edge_error
        if self.state == "warning":
            return s.edge_warning
        return s.edge_loop if self.loop is not None else s.edge

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        s = style()
        pen = self.pen()
        painter.setPen(pen)
        painter.setBrush(s.no_brush)
        painter.drawPath(self.path())
        if option.levelOfDetailFromTransform(painter.worldTransform()) >= 0.4 or self.force_detail:
            painter.setPen(s.no_pen)
            painter.setBrush(s.arrow[id(pen)])
            painter.drawPolygon(self.arrow())
        if self.breakpoint:
            painter.setPen(s.no_pen)
            painter.setBrush(s.bp_fill)
            painter.drawEllipse(self.breakpoint_point(), 5, 5)
