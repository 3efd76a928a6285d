"""The pill on a loop or conditional edge ("↺ 5 · when output.value < 10.0") and where it goes.

A label is its own item (z above the cards, so a card never hides it) made only for edges that
have something to say — most edges of a big flow have no label and pay nothing for one.

Placement (:func:`label_center`) keeps a label in the gutters of the (col, row) grid, clear of
cards, ports and the arrowhead:
- a forward edge's label sits in the column gutter before its destination card (the branches
  of one source fan out to different gutters when they span different columns), on the curve —
  or, where the curve runs level there (e.g. source and destination in one row), just above it,
  so the line and its arrowhead stay visible;
- a loop edge's label sits on the run below the cards, in the row gutter (so does the label of
  any edge routed along a gutter, see ``EdgeItem.routed``);
- a label is one line, elided to fit its gutter (in a column gutter the bare condition, without
  "when"); hovering it shows the edge's tooltip, which has the whole condition;
- labels that would still overlap in one gutter are stacked (:func:`pack_labels`, run by the
  scene after it moves cards or edges).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QStaticText
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from axiom_ide.canvas.geometry import CARD_W, CELL_W, PORT_R
from axiom_ide.canvas.items.style import style

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.canvas.items.edge_item import EdgeItem

#: Widest text of a label in a column gutter (the pill adds ``_PAD_X`` a side): with the ports'
#: radius on both sides of the 110-unit gutter this keeps the pill clear of both ports.
LABEL_MAX_W = 84.0
#: Widest text of a loop label, which runs along the row gutter below the cards.
LOOP_LABEL_MAX_W = 200.0
_PAD_X, _PAD_Y = 4.0, 2.0
#: Gap between a level edge and the label above it (clears the arrowhead, 9 units tall).
_ABOVE = 6.0
_GUTTER = CELL_W - CARD_W
#: Space kept between two labels stacked in one gutter.
_PACK_GAP = 3.0


def elide(text: str, max_w: float) -> str:
    """``text`` on one line of at most ``max_w``, elided at the right (the tooltip has it all)."""
    return style().fm_label.elidedText(text, Qt.TextElideMode.ElideRight, max_w)


class EdgeLabelItem(QGraphicsItem):
    """The pill showing an edge's loop count and/or condition; click selects the edge."""

    def __init__(self, edge: EdgeItem) -> None:
        super().__init__()
        self.edge = edge
        self.setZValue(3.0)
        self._lines: list[QStaticText] = []
        self.full_text = ""
        self._rect = QRectF()
        #: Where :func:`label_center` wants the label; :func:`pack_labels` may move it down.
        self.anchor = QPointF()

    def set_text(self, text: str, max_w: float = LABEL_MAX_W) -> None:
        self.prepareGeometryChange()
        #: The label's whole text; what is painted may be elided (see :meth:`shown_text`).
        self.full_text = text
        lines = [elide(text, max_w)] if text else []
        fm = style().fm_label
        self._lines = []
        w = 0.0
        for line in lines:
            st = QStaticText(line)
            st.setTextFormat(Qt.TextFormat.PlainText)
            self._lines.append(st)
            w = max(w, fm.horizontalAdvance(line))
        h = fm.height() * len(lines)
        self._rect = QRectF(-w / 2 - _PAD_X, -h / 2 - _PAD_Y, w + 2 * _PAD_X, h + 2 * _PAD_Y)
        self.setVisible(bool(lines))

    def shown_text(self) -> list[str]:
        """The painted lines (one at most)."""
        return [st.text() for st in self._lines]

    def size(self) -> tuple[float, float]:
        return self._rect.width(), self._rect.height()

    def toolTip(self) -> str:  # noqa: N802 - Qt API: the edge's tooltip, composed on demand
        return self.edge.toolTip()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt API
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < 0.4 and not self.edge.force_detail:
            return
        s = style()
        painter.setPen(s.label_loop_pen if self.edge.loop is not None else s.label_pen)
        painter.setBrush(s.label_warn_fill if self.edge.state == "warning" else s.label_fill)
        painter.drawRoundedRect(self._rect, 5, 5)
        painter.setFont(s.font_label)
        painter.setPen(s.text)
        y = self._rect.top() + _PAD_Y
        for st in self._lines:
            painter.drawStaticText(QPointF(self._rect.left() + _PAD_X, y), st)
            y += s.fm_label.height()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        scene = self.scene()
        if scene is not None:
            scene.clearSelection()
            self.edge.setSelected(True)
        event.accept()


def _cubic_y_at_x(p0: QPointF, c1: QPointF, c2: QPointF, p3: QPointF, x: float) -> float:
    """y of a cubic Bézier whose x grows with t, where it crosses ``x`` (bisection)."""
    lo, hi = 0.0, 1.0
    for _ in range(24):
        t = (lo + hi) / 2
        u = 1 - t
        bx = u * u * u * p0.x() + 3 * u * u * t * c1.x() + 3 * u * t * t * c2.x() + t * t * t * p3.x()
        if bx < x:
            lo = t
        else:
            hi = t
    t = (lo + hi) / 2
    u = 1 - t
    return u * u * u * p0.y() + 3 * u * u * t * c1.y() + 3 * u * t * t * c2.y() + t * t * t * p3.y()


def label_center(edge: EdgeItem, size: tuple[float, float]) -> QPointF:
    """Scene point for the centre of ``edge``'s label of ``size`` (see the module docstring)."""
    _w, h = size
    if edge.routed:
        return QPointF((edge.p1.x() + edge.p2.x()) / 2, edge.route_y)
    p1, p2 = edge.p1, edge.p2  # forward (else routed): into the gutter before the destination card
    x = p2.x() + PORT_R - _GUTTER / 2
    c1, c2 = edge.controls()
    y = _cubic_y_at_x(p1, c1, c2, p2, x)
    slope = (_cubic_y_at_x(p1, c1, c2, p2, x + 2) - _cubic_y_at_x(p1, c1, c2, p2, x - 2)) / 4
    if abs(slope) < 0.25:
        y -= _ABOVE + h / 2  # running level there: sit just above the line
    return QPointF(x, y)


def pack_labels(labels: list[EdgeLabelItem]) -> None:
    """Move apart labels that share a gutter and would overlap: in each column of anchors, from
    the top down, a label starts below the one above it."""
    columns: dict[int, list[EdgeLabelItem]] = {}
    for label in labels:
        columns.setdefault(round(label.anchor.x()), []).append(label)
    for group in columns.values():
        group.sort(key=lambda lb: (lb.anchor.y(), lb.anchor.x()))
        floor = float("-inf")
        for label in group:
            _w, h = label.size()
            top = max(label.anchor.y() - h / 2, floor)
            label.setPos(QPointF(label.anchor.x(), top + h / 2))
            floor = top + h + _PACK_GAP
