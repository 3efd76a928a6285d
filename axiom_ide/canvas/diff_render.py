"""Draw a flow diff (``axiom-ide flow diff A B --render out.png|svg``) with the real canvas items.

One scene holds the new flow plus what the old one had and the new one dropped
(:func:`runtime.flowdiff.merged_flow`); a coloured frame goes round each added (green), removed
(red) or changed (amber) card, the same colour over each such edge, and a legend sits above.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

#: State → colour; the legend uses the same words.
DIFF_COLORS = {"added": "#2e9e44", "removed": "#d03b3b", "changed": "#e0a100"}


def render_diff(a: Any, b: Any, out: str | Path, workspace: Any = None, width: int | None = None) -> tuple[int, int]:
    """Render the diff from flow ``a`` to flow ``b`` (runtime model Flows) into ``out``."""
    from axiom_ide.canvas.render import ensure_app, render_scene

    ensure_app()
    from PySide6.QtGui import QBrush, QColor, QFont
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

    from axiom_ide.canvas.scene import FlowScene
    from axiom_ide.document import FlowDocument
    from axiom_ide.runtime.flowdiff import diff_flows, merged_flow
    from axiom_ide.runtime.model.flow_yaml import new_flow_file

    d = diff_flows(a, b)
    doc = FlowDocument(new_flow_file(merged_flow(a, b)), workspace)
    scene = FlowScene(doc)
    try:
        scene.set_force_detail(True)
        scene.flush()
        paint_diff(scene, d.node_states(), d.edge_states())
        _legend(scene, QGraphicsSimpleTextItem, QColor, QBrush, QFont)
        return render_scene(scene, out, width)
    finally:
        scene.clear()


def paint_diff(scene: Any, node_states: dict[str, str],
               edge_states: dict[tuple[str, str], str] | None = None) -> list[Any]:
    """Colour ``scene``'s cards and edges by diff state (``added`` / ``removed`` / ``changed``, see
    :data:`DIFF_COLORS`): a frame round each card, a line over each edge — removed ones dashed.
    The one colouring the CLI's ``--render``, the IDE's **Compare with…** and **Compare runs** share;
    returns the items added (the caller may remove them)."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QBrush, QColor, QPen
    from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem

    added: list[Any] = []
    for node_id, state in node_states.items():
        item = scene.item_for_node(node_id)
        if item is None:
            continue
        color = QColor(DIFF_COLORS[state])
        frame = QGraphicsRectItem(item.mapRectToScene(item.card_rect()).adjusted(-5, -5, 5, 5))
        frame.setData(0, f"diff:{state}:{node_id}")
        pen = QPen(color, 4)
        if state == "removed":
            pen.setStyle(Qt.PenStyle.DashLine)
        frame.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(40)
        frame.setBrush(QBrush(fill))
        frame.setZValue(item.zValue() + 1)
        frame.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        scene.addItem(frame)
        added.append(frame)
    for key, state in (edge_states or {}).items():
        edge = scene.item_for_edge(key)
        if edge is None:
            continue
        pen = QPen(QColor(DIFF_COLORS[state]), 4)
        if state == "removed":
            pen.setStyle(Qt.PenStyle.DashLine)
        over = QGraphicsPathItem(edge.mapToScene(edge.path()))
        over.setData(0, f"diff:{state}:{key[0]}->{key[1]}")
        over.setPen(pen)
        over.setZValue(edge.zValue() + 1)
        over.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        scene.addItem(over)
        added.append(over)
    return added


def diff_colors_in(scene: Any) -> dict[str, str]:
    """What :func:`paint_diff` drew in ``scene``: ``{"node id" or "a->b": state}`` (tests, checks)."""
    out: dict[str, str] = {}
    for item in scene.items():
        tag = item.data(0)
        if isinstance(tag, str) and tag.startswith("diff:"):
            _, state, key = tag.split(":", 2)
            out[key] = state
    return out


def _legend(scene: Any, text_item: Any, qcolor: Any, qbrush: Any, qfont: Any) -> None:
    rect = scene.itemsBoundingRect()
    x = rect.left()
    font = qfont()
    font.setPointSize(11)
    font.setBold(True)
    for state, color in DIFF_COLORS.items():
        label = text_item(f"■ {state}")
        label.setFont(font)
        label.setBrush(qbrush(qcolor(color)))
        label.setPos(x, rect.top() - 30)
        scene.addItem(label)
        x += label.boundingRect().width() + 18
