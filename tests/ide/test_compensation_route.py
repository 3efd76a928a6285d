"""A compensation link never runs behind another card: where the direct curve would pass one (a →
undo-a with undo-b between them), the link takes an orthogonal route along the gutters; with
nothing in the way it is the direct curve again. Checked on the real scene's link items."""
from __future__ import annotations

from itertools import pairwise

import pytest
from engine_support import write_flow
from model_support import add_probe_package
from PySide6.QtCore import QLineF, QPointF, QRectF

from axiom_ide.canvas.geometry import CARD_H, CARD_W
from axiom_ide.canvas.link_route import orthogonal_route
from axiom_ide.canvas.scene import FlowScene
from axiom_ide.document import FlowDocument
from axiom_ide.runtime.packages import Workspace

PKG = "tests/probe@0.1.0"
#: a → undo-a straight down passes through undo-b; c → undo-c (two columns left, three rows down)
#: has cards all around its way.
BEHIND = f"""\
    mode: unary
    imports: [{PKG}]
    nodes:
      - {{id: a, node: "{PKG}:Look", compensate: undo-a, col: 0, row: 0}}
      - {{id: b, node: "{PKG}:Look", compensate: undo-b, col: 1, row: 0}}
      - {{id: c, node: "{PKG}:Fail", compensate: undo-c, col: 2, row: 0}}
      - {{id: undo-b, node: "{PKG}:Undo", col: 0, row: 1}}
      - {{id: undo-a, node: "{PKG}:Undo", col: 0, row: 2}}
      - {{id: undo-c, node: "{PKG}:Undo", col: 0, row: 3}}
    edges:
      - {{from: a, to: b}}
      - {{from: b, to: c}}
    """


@pytest.fixture
def scene(qapp, example_workspace):
    add_probe_package(example_workspace)
    write_flow(example_workspace, "behind", BEHIND)
    doc = FlowDocument.open(example_workspace / "flows" / "behind.flow.yaml", Workspace(example_workspace))
    scene = FlowScene(doc)
    yield scene
    scene.clear()


def card(scene, node_id) -> QRectF:
    pos = scene.item_for_node(node_id).pos()
    return QRectF(pos.x(), pos.y(), CARD_W, CARD_H)


def samples(link, n: int = 600) -> list[QPointF]:
    path = link.mapToScene(link.path())
    return [path.pointAtPercent(i / n) for i in range(n + 1)]


def cards_crossed(scene, link) -> set[str]:
    """The cards (other than the link's two) that a point of the drawn link lies in."""
    others = {i.node_id: card(scene, i.node_id) for i in scene.node_items() if i.node_id not in (link.node, link.compensator)}
    return {nid for nid, rect in others.items() for p in samples(link) if rect.contains(p)}


def straight_crosses(scene, link) -> set[str]:
    line = QLineF(card(scene, link.node).center(), card(scene, link.compensator).center())
    return {i.node_id for i in scene.node_items() if i.node_id not in (link.node, link.compensator)
            and any(card(scene, i.node_id).contains(line.pointAt(k / 200)) for k in range(201))}


def on_border(rect: QRectF, p: QPointF) -> bool:
    return rect.adjusted(-0.5, -0.5, 0.5, 0.5).contains(p) and not rect.adjusted(0.5, 0.5, -0.5, -0.5).contains(p)


def test_links_route_around_the_cards_a_straight_line_would_pass(scene):
    links = scene.compensation_links.links()
    assert set(links) == {("a", "undo-a"), ("b", "undo-b"), ("c", "undo-c")}
    assert straight_crosses(scene, links[("a", "undo-a")]) == {"undo-b"}  # the layout the issue names
    for (node, compensator), link in links.items():
        assert cards_crossed(scene, link) == set(), (node, compensator)
        points = samples(link)
        assert on_border(card(scene, node), points[0]) and on_border(card(scene, compensator), points[-1])
    # The arrowhead sits at the compensator's card, pointing into it.
    arrow = links[("a", "undo-a")]._arrow
    assert on_border(card(scene, "undo-a"), arrow[0]) and not card(scene, "undo-a").contains(arrow.boundingRect().center())


def test_the_direct_curve_when_nothing_is_in_the_way_and_a_reroute_when_a_card_moves_in(qtbot, scene):
    link = scene.compensation_links.links()[("a", "undo-a")]
    scene.document.move_nodes({"undo-b": (3, 1)})  # out of the way: a → undo-a is a clear drop
    scene.flush()
    qtbot.waitUntil(lambda: samples(link)[-1] == QPointF(CARD_W / 2, 2 * 140))  # undo-a's top middle
    assert cards_crossed(scene, link) == set()
    scene.document.move_nodes({"undo-b": (0, 1)})  # back between them
    scene.flush()
    qtbot.waitUntil(lambda: samples(link)[-1] != QPointF(CARD_W / 2, 2 * 140))
    assert cards_crossed(scene, link) == set()


def test_the_router_keeps_every_segment_clear_and_axis_aligned():
    src, dst = QRectF(0, 0, CARD_W, CARD_H), QRectF(0, 280, CARD_W, CARD_H)
    between = [QRectF(0, 140, CARD_W, CARD_H), QRectF(330, 140, CARD_W, CARD_H), QRectF(-330, 140, CARD_W, CARD_H)]
    corners = orthogonal_route(src, dst, between)
    assert corners is not None and len(corners) >= 3
    for a, b in pairwise(corners):
        assert a.x() == b.x() or a.y() == b.y()
        segment = QRectF(a, b).normalized().adjusted(-0.01, -0.01, 0.01, 0.01)
        assert not any(segment.intersects(r) for r in between)
