"""Canvas items after the open-speed work: behaviour that moved out of per-item Qt state.

Tooltips are composed on demand and shown by the scene's help event; cards are moved by the
scene's drag (snapped, edges following); ports and the breakpoint slot are hit-tested in the
card's own geometry; edge labels sit in the gutters, clear of cards, ports and arrowheads.
"""
from __future__ import annotations

import gc
import os
import weakref
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QStandardPaths, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QToolTip

from axiom_ide.canvas import FlowScene, FlowView
from axiom_ide.canvas.geometry import CARD_H, CARD_W, PORT_R, cell_to_pos
from axiom_ide.canvas.interactions import ConnectInteraction
from axiom_ide.canvas.items.edge_label import EdgeLabelItem
from axiom_ide.document import PIPELINE_EDGE_ERROR, FlowDocument
from axiom_ide.runtime.packages import Workspace

QStandardPaths.setTestModeEnabled(True)
EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"
TEXT = "examples/text@0.1.0"

FAN = f"""\
name: fan
mode: unary
imports: [{TEXT}]
nodes:
  - {{id: s, node: "{TEXT}:Upper", col: 0, row: 1}}
  - {{id: a, node: "{TEXT}:Upper", col: 1, row: 0}}
  - {{id: b, node: "{TEXT}:Upper", col: 1, row: 1}}
  - {{id: c, node: "{TEXT}:Upper", col: 1, row: 2}}
  - {{id: d, node: "{TEXT}:Upper", col: 3, row: 1}}
  - {{id: x, node: "{TEXT}:Upper", col: 2, row: 0}}
edges:
  - {{from: s, to: a, when: output.text == "a"}}
  - {{from: s, to: b, when: output.text == "b"}}
  - {{from: s, to: c, when: output.text == "c"}}
  - {{from: s, to: d, when: output.text == "d"}}
  - {{from: x, to: d, when: output.text == "x"}}
"""


@pytest.fixture(scope="module")
def workspace():
    return Workspace(EXAMPLES)


@pytest.fixture
def branching(qapp, workspace):
    return FlowDocument.open(EXAMPLES / "flows" / "branching.flow.yaml", workspace)


def make(qtbot, doc):
    scene = FlowScene(doc)
    view = FlowView(scene)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.reset_zoom()
    view.centerOn(500, 200)
    return scene, view


def hover_tooltip(qtbot, view, scene_point: QPointF) -> str:
    """Send the viewport the ToolTip event Qt sends after a hover pause; the text shown."""
    QToolTip.hideText()
    local = view.mapFromScene(scene_point)
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, local, view.viewport().mapToGlobal(local)))
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


def card_rects(scene) -> list[QRectF]:
    return [i.sceneBoundingRect().adjusted(PORT_R + 2, 2, -PORT_R - 2, -2) for i in scene.node_items()]


def test_hovering_an_amber_edge_shows_its_mismatch(qtbot, branching):
    scene, view = make(qtbot, branching)
    branching.set_edge(("loud", "both"), map=None)
    branching.refresh_analysis()
    edge = scene.item_for_edge(("loud", "both"))
    assert edge.state == "warning"
    text = hover_tooltip(qtbot, view, edge.path().pointAtPercent(0.5))
    assert text.startswith("<p style='white-space:nowrap'>loud → both<br>")
    assert "Message types differ: <code>examples.text.Text</code> → <code>examples.text.TextPair</code>." in text


def test_hovering_a_condition_label_shows_the_edge_tooltip(qtbot, branching):
    scene, view = make(qtbot, branching)
    label = scene.item_for_edge(("score", "loud")).label
    text = hover_tooltip(qtbot, view, label.sceneBoundingRect().center())
    assert text == "<p style='white-space:nowrap'>score → loud<br>when output.length &gt; 0</p>"


def test_hovering_a_card_shows_name_id_and_types(qtbot, branching):
    scene, view = make(qtbot, branching)
    card = scene.item_for_node("loud")
    text = hover_tooltip(qtbot, view, card.pos() + QPointF(CARD_W / 2, CARD_H / 2))
    assert "<b>Upper</b>" in text and "<code>loud</code>" in text
    assert "examples.text.Text → examples.text.Text" in text


def test_hovering_empty_canvas_shows_no_tooltip(qtbot, branching):
    scene, view = make(qtbot, branching)
    QToolTip.showText(view.mapToGlobal(QPoint(5, 5)), "stale", view)
    empty = scene.item_for_node("both").pos() + QPointF(0, 3 * 140)
    local = view.mapFromScene(empty)
    QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, local, view.viewport().mapToGlobal(local)))
    qtbot.waitUntil(lambda: not QToolTip.isVisible())


def test_press_on_output_port_starts_a_connection_and_body_press_does_not(qtbot, workspace, qapp):
    doc = FlowDocument.new("t", workspace)
    doc.add_node(f"{TEXT}:Greet", (0, 0))
    doc.add_node(f"{TEXT}:Upper", (1, 0))
    scene, view = make(qtbot, doc)
    greet = scene.item_for_node("greet")
    w = view.viewport()
    QTest.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     view.mapFromScene(greet.output_port() + QPointF(4, 3)))
    assert isinstance(scene.interaction, ConnectInteraction) and scene.interaction.from_output
    assert scene.interaction.line.scene() is scene  # the rubber curve
    QTest.keyClick(view, Qt.Key.Key_Escape)
    assert scene.interaction is None
    QTest.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       view.mapFromScene(greet.output_port() + QPointF(4, 3)))
    body = greet.pos() + QPointF(CARD_W / 2, CARD_H - 12)
    QTest.mouseClick(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(body))
    assert scene.interaction is None and scene.selected_node_ids() == ["greet"]
    assert doc.flow.edges == []


def test_backward_connect_from_input_port(qtbot, workspace, qapp):
    doc = FlowDocument.new("t", workspace)
    doc.add_node(f"{TEXT}:Echo", (0, 0))
    doc.add_node(f"{TEXT}:Upper", (1, 0))
    scene, view = make(qtbot, doc)
    a, b = scene.item_for_node("echo"), scene.item_for_node("upper")
    w = view.viewport()
    QTest.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(b.input_port()))
    QTest.mouseMove(w, view.mapFromScene(a.pos() + QPointF(CARD_W / 2, CARD_H / 2)))
    QTest.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       view.mapFromScene(a.pos() + QPointF(CARD_W / 2, CARD_H / 2)))
    assert doc.flow.edge("echo", "upper") is not None


def test_refused_target_shows_the_reason_while_hovered_then_its_own_tooltip(qtbot, workspace, qapp):
    doc = FlowDocument.new("p", workspace)
    doc.add_node(f"{TEXT}:WordStream", (0, 0))
    doc.add_node(f"{TEXT}:Upper", (1, 0))
    scene, view = make(qtbot, doc)
    a, b = scene.item_for_node("word-stream"), scene.item_for_node("upper")
    w = view.viewport()
    over = b.pos() + QPointF(CARD_W / 2, CARD_H / 2)
    QTest.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(a.output_port()))
    QTest.mouseMove(w, view.mapFromScene(over))
    assert b.port_hint == "bad" and b.toolTip() == PIPELINE_EDGE_ERROR
    QTest.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(over))
    assert b.port_hint is None and "<code>upper</code>" in b.toolTip()


def test_breakpoint_slot_click_is_an_intent_and_the_dot_is_view_state(qtbot, branching):
    scene, view = make(qtbot, branching)
    card = scene.item_for_node("loud")
    with qtbot.waitSignal(scene.breakpointToggleRequested) as sig:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         view.mapFromScene(card.pos() + QPointF(14, 17)))
    assert sig.args == ["loud"]
    assert not card.breakpoint and scene.selected_node_ids() == []  # the debugger decides
    scene.set_breakpoint("loud", True)
    assert card.breakpoint


def test_edges_follow_a_card_during_the_drag_and_snap_to_cells(qtbot, branching):
    scene, view = make(qtbot, branching)
    card = scene.item_for_node("quiet")
    into, out = scene.item_for_edge(("score", "quiet")), scene.item_for_edge(("quiet", "both"))
    start = card.pos()
    w = view.viewport()
    grab = start + QPointF(CARD_W / 2, CARD_H - 12)
    QTest.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(grab))
    QTest.mouseMove(w, view.mapFromScene(grab + QPointF(60, 20)))  # less than half a cell: stays
    assert card.pos() == start
    QTest.mouseMove(w, view.mapFromScene(grab + QPointF(0, 150)))  # a row down, snapped
    assert card.pos() == start + QPointF(0, 140)
    assert into.p2 == card.input_port() - QPointF(PORT_R, 0) and out.p1 == card.output_port()
    assert into.path().currentPosition() == into.p2  # the curve is rebuilt for the new ends
    count = branching.undo_stack.count()
    QTest.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(grab + QPointF(0, 150)))
    assert branching.undo_stack.count() == count + 1
    assert card.pos() == cell_to_pos((branching.flow.node("quiet").col, branching.flow.node("quiet").row))


def test_dragging_one_of_two_selected_cards_moves_both(qtbot, branching):
    scene, view = make(qtbot, branching)
    scene.select_nodes(["loud", "quiet"])
    loud, quiet = scene.item_for_node("loud"), scene.item_for_node("quiet")
    a, b = loud.pos(), quiet.pos()
    grab = b + QPointF(CARD_W / 2, CARD_H - 12)
    w = view.viewport()
    QTest.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(grab))
    QTest.mouseMove(w, view.mapFromScene(grab + QPointF(10, 290)))
    QTest.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, view.mapFromScene(grab + QPointF(10, 290)))
    assert loud.pos() == a + QPointF(0, 280) and quiet.pos() == b + QPointF(0, 280)
    assert branching.undo_stack.text(branching.undo_stack.count() - 1) == "Move 2 nodes"


def test_condition_label_clears_cards_ports_and_arrowhead(qtbot, branching):
    scene, _ = make(qtbot, branching)
    edge = scene.item_for_edge(("score", "loud"))
    label = edge.label.sceneBoundingRect()
    for rect in card_rects(scene):
        assert not label.intersects(rect)
    for port in (edge.p1, edge.p2 + QPointF(PORT_R, 0)):
        assert not label.intersects(QRectF(port.x() - PORT_R, port.y() - PORT_R, 2 * PORT_R, 2 * PORT_R))
    assert not label.intersects(edge.arrow().boundingRect())
    assert label.bottom() < edge.p1.y()  # the level edge runs below its label, visible


def test_labels_of_a_fan_out_never_overlap_each_other_or_cards(qtbot, workspace, tmp_path):
    path = tmp_path / "fan.flow.yaml"
    path.write_text(FAN)
    scene, _ = make(qtbot, FlowDocument.open(path, workspace))
    labels = [e.label.sceneBoundingRect() for e in scene.edge_items()]
    assert len(labels) == 5
    for i, a in enumerate(labels):
        assert not any(a.intersects(b) for b in labels[i + 1:])
        assert not any(a.intersects(r) for r in card_rects(scene))


def test_loop_label_is_one_line_in_the_gutter_below_the_cards(qtbot, workspace, qapp):
    doc = FlowDocument.open(EXAMPLES / "flows" / "counter.flow.yaml", workspace)
    scene, _ = make(qtbot, doc)
    label = scene.item_for_edge(("step", "bump")).label
    assert [st.text() for st in label._lines] == ["↺ 5 · when output.value < 10.0"]
    assert not any(label.sceneBoundingRect().intersects(r) for r in card_rects(scene))


def test_edge_without_loop_or_condition_has_no_label_item(qtbot, branching):
    scene, _ = make(qtbot, branching)
    edge = scene.item_for_edge(("loud", "both"))
    assert edge.label_if_any is None
    assert len([i for i in scene.items() if isinstance(i, EdgeLabelItem)]) == 2  # the two conditions


def test_edge_into_a_card_below_in_the_same_column_goes_around_cards(qtbot, branching):
    scene, _ = make(qtbot, branching)
    both = scene.item_for_node("both")
    branching.move_nodes({"both": (1, 2)})  # under "quiet", which feeds it
    edge = scene.item_for_edge(("quiet", "both"))
    assert scene.item_for_node("both") is both and edge.routed
    path = edge.path()
    samples = [path.pointAtPercent(i / 100) for i in range(101)]
    for rect in card_rects(scene):  # the ends touch the cards' edges at the ports, never inside
        assert not any(rect.adjusted(1, 1, -1, -1).contains(p) for p in samples)
    assert samples[-1] == both.input_port() - QPointF(PORT_R, 0)


def test_a_closed_view_is_freed_without_the_cycle_collector(qtbot, branching):
    # The minimap used to keep a Python reference to its view (a cycle): the collector then
    # cleared the view's attributes while Qt still sent it teardown events (AttributeError in
    # resizeEvent/scrollContentsBy). Freed by reference counting, it dies whole.
    scene = FlowScene(branching)
    view = FlowView(scene)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    ref = weakref.ref(view)
    view.close()
    automatic = gc.isenabled()  # off when gc_guard collects on the GUI thread: leave it so
    gc.disable()
    try:
        del view
        assert ref() is None
    finally:
        if automatic:
            gc.enable()


def test_a_dropped_scene_is_freed_at_once_and_leaves_no_flow_listener(qtbot, branching):
    # The flow's events hold the scene weakly: no flow -> scene -> document -> flow cycle waiting
    # for the collector (which may run on a worker thread, where destroying a QObject crashes).
    before = len(branching.flow.node_added)
    scene = FlowScene(branching)
    assert len(branching.flow.node_added) == before + 2  # the scene and its compensation links
    ref = weakref.ref(scene)
    automatic = gc.isenabled()
    gc.disable()
    try:
        del scene
        assert ref() is None
    finally:
        if automatic:
            gc.enable()
    assert len(branching.flow.node_added) == before
    branching.add_node(f"{TEXT}:Echo", (4, 4))  # nothing listens for the dead scene any more
