"""An edge: a cubic curve from the source's output port to the destination's input port.

States (from the analysis, set by the scene): normal grey; amber when its EdgeCheck is not ok (a
type warning — the tooltip gives the exact mismatch texts); red for an error on the edge (e.g. a
pipeline → unary edge). Loop edges are dashed purple and routed below both cards, labelled
"↺ N"; a conditional edge shows its condition on a label. Labels are separate items (z above the
cards) so a card never hides them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPainterPathStroker, QPolygonF, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from axiom_ide.canvas.geometry import CARD_H, PORT_R
from axiom_ide.canvas.items.style import style

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.canvas.items.node_item import NodeItem

#: Widest an edge label may be (it sits in the gutter between two columns).
LABEL_MAX_W = 80.0
_ARROW = 9.0


def curve(p1: QPointF, p2: QPointF) -> QPainterPath:
    """The forward-edge curve between two port points (also used by the rubber line)."""
    dx = max(48.0, abs(p2.x() - p1.x()) * 0.5)
    path = QPainterPath(p1)
    path.cubicTo(p1 + QPointF(dx, 0), p2 - QPointF(dx, 0), p2)
    return path


def _wrap(text: str, max_lines: int = 3) -> str:
    fm = style().fm_label
    words, lines, cur = text.split(" "), [], ""
    for w in words:
        trial = f"{cur} {w}".strip()
        if fm.horizontalAdvance(trial) <= LABEL_MAX_W or not cur:
            cur = trial
        else:
            lines.append(cur)
            cur = w
    lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1] + " …"
    return "\n".join(fm.elidedText(line, Qt.TextElideMode.ElideRight, LABEL_MAX_W) for line in lines)


class EdgeLabelItem(QGraphicsItem):
    """The pill showing an edge's loop count and/or condition; click selects the edge."""

    def __init__(self, edge: "EdgeItem") -> None:
        super().__init__()
        self.edge = edge
        self.setZValue(3.0)
        self._lines: list[QStaticText] = []
        self._rect = QRectF()

    def set_text(self, text: str) -> None:
        self.prepareGeometryChange()
        lines = _wrap(text).split("\n") if text else []
        self._lines = []
        fm = style().fm_label
        w = 0.0
        for line in lines:
            st = QStaticText(line)
            st.setTextFormat(Qt.TextFormat.PlainText)
            self._lines.append(st)
            w = max(w, fm.horizontalAdvance(line))
        h = fm.height() * len(lines)
        self._rect = QRectF(-w / 2 - 5, -h / 2 - 3, w + 10, h + 6)
        self.setVisible(bool(lines))

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < 0.4 and not self.edge.force_detail:
            return
        s = style()
        painter.setPen(s.label_loop_pen if self.edge.loop is not None else s.label_pen)
        painter.setBrush(s.label_warn_fill if self.edge.state == "warning" else s.label_fill)
        painter.drawRoundedRect(self._rect, 6, 6)
        painter.setFont(s.font_label)
        painter.setPen(s.text)
        y = self._rect.top() + 3
        for st in self._lines:
            painter.drawStaticText(QPointF(self._rect.left() + 5, y), st)
            y += s.fm_label.height()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        scene = self.scene()
        if scene is not None:
            scene.clearSelection()
            self.edge.setSelected(True)
        event.accept()


class EdgeItem(QGraphicsItem):
    """The curve for the edge ``key`` = (src, dst)."""

    Type = QGraphicsItem.UserType + 2

    def __init__(self, src: "NodeItem", dst: "NodeItem", loop: int | None = None, when: str | None = None) -> None:
        super().__init__()
        self.src, self.dst = src, dst
        self.loop, self.when = loop, when
        #: "ok" | "warning" | "error" (from the analysis).
        self.state = "ok"
        self.messages: list[str] = []
        self.force_detail = False
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0.0 if loop is None else 0.5)
        self.label = EdgeLabelItem(self)
        self._path = QPainterPath()
        self._shape: QPainterPath | None = None
        self._arrow = QPolygonF()
        self._rect = QRectF()
        self._label_text()
        self.adjust()

    def type(self) -> int:  # noqa: A003 - Qt API
        return self.Type

    @property
    def key(self) -> tuple[str, str]:
        return (self.src.node_id, self.dst.node_id)

    def set_edge(self, loop: int | None, when: str | None) -> None:
        if (loop, when) != (self.loop, self.when):
            self.loop, self.when = loop, when
            self.setZValue(0.0 if loop is None else 0.5)
            self._label_text()
            self.adjust()

    def set_check(self, state: str, messages: list[str]) -> None:
        if (state, messages) == (self.state, self.messages):
            return
        self.state, self.messages = state, list(messages)
        self._refresh_tip()
        self.update()
        self.label.update()

    def _refresh_tip(self) -> None:
        tip = [f"{self.src.node_id} → {self.dst.node_id}"]
        if self.loop is not None:
            tip.append(f"loop edge, at most {self.loop} iterations")
        if self.when:
            tip.append(f"when {self.when}")
        tip += self.messages
        self.setToolTip("\n".join(tip))
        self.label.setToolTip(self.toolTip())

    def _label_text(self) -> None:
        parts = []
        if self.loop is not None:
            parts.append(f"↺ {self.loop}")
        if self.when:
            parts.append(f"when {self.when}")
        self.label.set_text(" · ".join(parts))
        scene = self.scene()
        if scene is not None and self.label.isVisible() and self.label.scene() is None:
            scene.addItem(self.label)  # the scene skips empty labels when it adds an edge
        self._refresh_tip()

    def adjust(self) -> None:
        """Recompute the curve from the two cards' current positions."""
        self.prepareGeometryChange()
        p1 = self.src.output_port()
        p2 = self.dst.input_port() - QPointF(PORT_R, 0)
        if self.loop is None:
            path = curve(p1, p2)
            mid = path.pointAtPercent(0.5)
        else:
            # Route around: out of the source, down into the gutter below both cards, back
            # left under them and up into the destination's input.
            yb = max(self.src.pos().y(), self.dst.pos().y()) + CARD_H + 22
            path = QPainterPath(p1)
            path.cubicTo(p1 + QPointF(36, 0), QPointF(p1.x() + 36, yb), QPointF(p1.x(), yb))
            path.lineTo(QPointF(p2.x() - PORT_R, yb))
            path.cubicTo(QPointF(p2.x() - 40, yb), QPointF(p2.x() - 40, p2.y()), p2)
            mid = QPointF((p1.x() + p2.x()) / 2, yb)
        self._path = path
        tip = p2
        self._arrow = QPolygonF([tip, tip + QPointF(-_ARROW, -_ARROW / 2), tip + QPointF(-_ARROW, _ARROW / 2)])
        self._shape = None  # stroked lazily: only hit tests need it
        self._rect = path.boundingRect().adjusted(-8, -8, 8, 8)
        self.label.setPos(mid)

    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(12)
            self._shape = stroker.createStroke(self._path)
        return self._shape

    def pen(self):
        s = style()
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
        painter.drawPath(self._path)
        if option.levelOfDetailFromTransform(painter.worldTransform()) >= 0.4 or self.force_detail:
            painter.setPen(s.no_pen)
            painter.setBrush(s.arrow[id(pen)])
            painter.drawPolygon(self._arrow)
