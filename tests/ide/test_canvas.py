"""FlowScene/FlowView: the canvas mirrors the document and turns gestures into single edits."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from ide_support import click_at, drag, on_card, on_edge
from PySide6.QtCore import QPointF, QStandardPaths, Qt
from PySide6.QtTest import QTest

from axiom_ide.canvas import FlowScene, FlowView
from axiom_ide.canvas.geometry import CARD_H, CARD_W, cell_to_pos
from axiom_ide.document import PIPELINE_EDGE_ERROR, FlowDocument
from axiom_ide.runtime.compiler.layout import layout_cells
from axiom_ide.runtime.packages import Workspace

QStandardPaths.setTestModeEnabled(True)
EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"
TEXT = "examples/text@0.1.0"


@pytest.fixture(scope="module")
def workspace():
    return Workspace(EXAMPLES)


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


@pytest.fixture
def branching(qapp, workspace):
    return FlowDocument.open(EXAMPLES / "flows" / "branching.flow.yaml", workspace)


def test_scene_mirrors_model_at_layout_cells(qtbot, branching):
    scene, _ = make(qtbot, branching)
    cells = layout_cells(branching.flow)
    assert {i.node_id for i in scene.node_items()} == {n.id for n in branching.flow.nodes}
    assert {e.key for e in scene.edge_items()} == {e.key for e in branching.flow.edges}
    for nid, cell in cells.items():
        assert scene.item_for_node(nid).pos() == cell_to_pos(cell)


def test_edges_show_type_warnings_in_amber_with_mismatch_text(qtbot, branching):
    scene, _ = make(qtbot, branching)
    edge = scene.item_for_edge(("loud", "both"))
    assert edge.state == "ok"  # the join's other edge maps "right"
    branching.set_edge(("loud", "both"), map=None)
    branching.refresh_analysis()
    assert edge.state == "warning"
    assert ("Message types differ: <code>examples.text.Text</code> → <code>examples.text.TextPair</code>."
            in edge.toolTip())
    assert scene.item_for_edge(("score", "loud")).state == "ok"
    assert "when output.length &gt; 0" in scene.item_for_edge(("score", "loud")).toolTip()


def test_whole_drag_is_one_undo_step_snapped_to_grid(qtbot, branching):
    scene, view = make(qtbot, branching)
    item = scene.item_for_node("quiet")
    start = item.pos() + QPointF(CARD_W / 2, CARD_H - 12)
    count = branching.undo_stack.count()
    before = branching.flow.to_plain()
    drag(view, start, start + QPointF(330 * 2 + 40, 140 + 30), steps=10)
    assert branching.undo_stack.count() == count + 1
    assert branching.undo_stack.text(count) == "Move quiet"
    node = branching.flow.node("quiet")
    assert (node.col, node.row) == (3, 2)
    assert item.pos() == cell_to_pos((3, 2))
    branching.undo_stack.undo()
    assert branching.flow.to_plain() == before
    assert scene.item_for_node("quiet").pos() == cell_to_pos(layout_cells(branching.flow)["quiet"])


def test_connect_by_dragging_port_to_port_draws_amber_edge(qtbot, workspace, qapp):
    doc = FlowDocument.new("t", workspace)
    doc.add_node(f"{TEXT}:Greet", (0, 0))
    doc.add_node(f"{TEXT}:Upper", (1, 0))
    scene, view = make(qtbot, doc)
    a, b = scene.item_for_node("greet"), scene.item_for_node("upper")
    drag(view, a.output_port(), b.input_port())
    assert doc.flow.edge("greet", "upper") is not None
    assert doc.undo_stack.text(doc.undo_stack.count() - 1) == "Connect greet → upper"
    doc.refresh_analysis()
    edge = scene.item_for_edge(("greet", "upper"))
    assert edge.state == "warning"
    assert ("Message types differ: <code>examples.text.GreetReply</code> → <code>examples.text.Text</code>."
            in edge.toolTip())
    assert scene.selected_edge_keys() == [("greet", "upper")]


def test_connect_pipeline_to_unary_is_refused_with_reason(qtbot, workspace, qapp):
    doc = FlowDocument.new("p", workspace)
    doc.add_node(f"{TEXT}:WordStream", (0, 0))
    doc.add_node(f"{TEXT}:Upper", (1, 0))
    scene, view = make(qtbot, doc)
    a, b = scene.item_for_node("word-stream"), scene.item_for_node("upper")
    with qtbot.waitSignal(scene.connectRefused) as sig:
        drag(view, a.output_port(), b.input_port() + QPointF(30, 0))
    assert sig.args == [PIPELINE_EDGE_ERROR]
    assert doc.flow.edges == [] and scene.edge_items() == []


def test_loop_edge_is_dashed_and_labelled(qtbot, workspace, qapp):
    doc = FlowDocument.open(EXAMPLES / "flows" / "counter.flow.yaml", workspace)
    scene, _ = make(qtbot, doc)
    loop = scene.item_for_edge(("step", "bump"))
    assert loop.pen().style() == Qt.PenStyle.DashLine
    assert loop.label.isVisible()
    assert loop.label._lines[0].text().startswith("↺ 5")
    # routed below both cards
    assert loop.boundingRect().bottom() > scene.item_for_node("step").sceneBoundingRect().bottom()


def test_keys_delete_and_duplicate(qtbot, branching):
    scene, view = make(qtbot, branching)
    scene.select_nodes(["quiet"])
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert branching.flow.node("quiet-2") is not None
    assert scene.selected_node_ids() == ["quiet-2"]
    QTest.keyClick(view, Qt.Key.Key_Delete)
    assert branching.flow.node("quiet-2") is None
    scene.select_nodes(["loud"])
    QTest.keyClick(view, Qt.Key.Key_Backspace)
    assert branching.flow.node("loud") is None and scene.item_for_node("loud") is None
    assert scene.item_for_edge(("score", "loud")) is None
    branching.undo_stack.undo()
    assert scene.item_for_edge(("score", "loud")) is not None


def test_copy_paste_through_clipboard_selects_new_ids(qtbot, branching):
    scene, view = make(qtbot, branching)
    scene.select_nodes(["loud", "both"])
    view.copy_selected()
    new = view.paste()
    assert len(new) == 2 and set(new).isdisjoint({"loud", "both"})
    assert sorted(scene.selected_node_ids()) == sorted(new)
    assert scene.item_for_edge((new[0], new[1])) is not None


def test_selection_intents(qtbot, branching):
    scene, view = make(qtbot, branching)
    with qtbot.waitSignal(scene.selectionTargetChanged) as sig:
        click_at(view, on_card(scene.item_for_node("score")))
    assert sig.args == ["node", "score"]
    assert scene.selected_node_ids() == ["score"]
    with qtbot.waitSignal(scene.selectionTargetChanged) as sig:
        click_at(view, on_edge(scene.item_for_edge(("score", "loud"))))
    assert sig.args == ["edge", ("score", "loud")]
    assert scene.selected_edge_keys() == [("score", "loud")] and scene.selected_node_ids() == []


def test_rubber_band_selects_cards(qtbot, branching):
    scene, view = make(qtbot, branching)
    top_left = scene.item_for_node("loud").pos() + QPointF(-40, -20)
    drag(view, top_left, top_left + QPointF(CARD_W + 60, 140 + CARD_H + 30))
    assert sorted(scene.selected_node_ids()) == ["loud", "quiet"]


def test_zoom_fit_find_and_run_state_are_view_state(qtbot, branching):
    scene, view = make(qtbot, branching)
    plain = branching.flow.to_plain()
    count = branching.undo_stack.count()
    view.zoom_in()
    assert view.zoom() == pytest.approx(1.2)
    QTest.keyClick(view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom() == pytest.approx(1.0)
    view.fit_all()
    assert view.visible_scene_rect().contains(scene.item_for_node("both").sceneBoundingRect())
    assert view.find_node("quiet") and scene.selected_node_ids() == ["quiet"]
    scene.set_run_state("score", "running")
    assert scene.item_for_node("score").run_state == "running"
    assert branching.flow.to_plain() == plain and branching.undo_stack.count() == count


def test_auto_layout_and_undo_move_cards(qtbot, branching):
    scene, _ = make(qtbot, branching)
    branching.move_nodes({"both": (5, 4)})
    assert scene.item_for_node("both").pos() == cell_to_pos((5, 4))
    branching.auto_layout()
    assert scene.item_for_node("both").pos() == cell_to_pos((2, 0))
    branching.undo_stack.undo()
    assert scene.item_for_node("both").pos() == cell_to_pos((5, 4))


def test_unresolved_node_drawn_as_error_with_reason(qtbot, workspace, qapp):
    doc = FlowDocument.new("u", workspace)
    doc.add_node("examples/text@0.1.0:Nope", (0, 0))
    doc.refresh_analysis()
    scene, _ = make(qtbot, doc)
    item = scene.item_for_node("nope")
    assert item.spec is None
    assert 'node "Nope" not found in package examples/text@0.1.0' in item.toolTip()


def test_label_joins_the_scene_when_an_edge_gets_a_condition(qtbot, branching):
    scene, _ = make(qtbot, branching)
    key = next(e.key for e in branching.flow.edges if not e.when and e.loop is None)
    item = scene.item_for_edge(key)
    assert item.label.scene() is None  # empty labels are not added (5,000-edge flows open faster)
    branching.set_edge(key, when='output.text != ""')
    assert item.label.scene() is scene and item.label.isVisible()
    branching.remove(edge_keys=[key])
    assert scene.item_for_edge(key) is None and item.label.scene() is None
