"""Overview drawing: zoomed far out, every card and edge in a few bulk calls instead of per item.

A canvas of thousands of cards is unreadable below ``LOD_DETAIL`` anyway; there the scene turns
its items' contents off (they stay in the scene for selection, rubber-band and hit tests) and
paints these batches from ``drawBackground``: one ``drawRects`` per fill (normal, error,
selected, run state) and one ``drawLines`` per edge pen. The minimap paints the same batches.
The batches are cached and dropped by the scene whenever a card, an edge, the selection or a run
state changes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen

from axiom_ide.canvas.items.style import style

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.canvas.scene import FlowScene


def _cosmetic(pen: QPen) -> QPen:
    """A 1-px cosmetic solid copy of ``pen`` for the overview."""
    out = QPen(pen.color(), 1.0)
    out.setCosmetic(True)
    return out


class Overview:
    """The cached bulk picture of one scene's cards and edges (the scene passes itself in: no
    reference cycle between the two)."""

    def __init__(self) -> None:
        self._cache: Any = None
        self._pens: dict[int, QPen] = {}

    def invalidate(self) -> None:
        self._cache = None

    def _batches(self, scene: FlowScene) -> Any:
        if self._cache is not None:
            return self._cache
        st = style()
        rects: dict[int, tuple[QBrush, list[QRectF]]] = {}
        for item in scene.node_items():
            if item.isSelected():
                brush = st.lod_sel_fill
            elif item.run_state in st.run_fill:
                brush = st.run_pen[item.run_state].brush()
            elif item.spec is None or item.problems:
                brush = st.lod_error_fill
            else:
                brush = st.lod_fill
            rects.setdefault(id(brush), (brush, []))[1].append(item.card_rect().translated(item.pos()))
        lines: dict[int, tuple[QPen, list[QLineF]]] = {}
        for edge in scene.edge_items():
            pen = self._pens.setdefault(id(edge.pen()), _cosmetic(edge.pen()))
            lines.setdefault(id(pen), (pen, []))[1].append(QLineF(edge.src.output_port(), edge.dst.input_port()))
        self._cache = (list(rects.values()), list(lines.values()))
        return self._cache

    def paint(self, painter: QPainter, scene: FlowScene) -> None:
        """Bulk-draw all of ``scene``'s cards (rectangles) and edges (straight lines)."""
        rect_groups, line_groups = self._batches(scene)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for pen, group in line_groups:
            painter.setPen(pen)
            painter.drawLines(group)
        painter.setPen(Qt.PenStyle.NoPen)
        for brush, group in rect_groups:
            painter.setBrush(brush)
            painter.drawRects(group)
        painter.restore()
