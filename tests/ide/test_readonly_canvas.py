"""The read-only canvas the execution pages draw history on: it shows the flow as compiled, clicks
report a card, and no gesture edits the flow."""
from __future__ import annotations

from pathlib import Path

import pytest
from ide_support import click_at, drag, on_card
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from axiom_ide.canvas.readonly import readonly_canvas
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace

EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"


@pytest.fixture
def view(qtbot):
    source = load_flow(EXAMPLES / "flows" / "linear.flow.yaml").flow.to_plain()
    v = readonly_canvas(source, Workspace(EXAMPLES))
    qtbot.addWidget(v)
    v.resize(900, 500)
    v.show()
    qtbot.waitExposed(v)
    v.fit_all()
    return v


def test_shows_the_flow_and_draws_states(view):
    scene = view.flow_scene
    assert sorted(i.node_id for i in scene.node_items()) == ["echo", "upper"]
    assert [e.key for e in scene.edge_items()] == [("echo", "upper")]
    view.show_states({"echo": "completed", "upper": "running"})
    assert scene.item_for_node("echo").run_state == "completed"
    assert scene.item_for_node("upper").run_state == "running"
    view.show_states({"echo": "failed"})  # nodes not named are idle again
    assert scene.item_for_node("echo").run_state == "failed"
    assert scene.item_for_node("upper").run_state is None


def test_a_click_reports_the_card_and_selects_it(qtbot, view):
    upper = view.flow_scene.item_for_node("upper")
    with qtbot.waitSignal(view.nodeClicked) as got:
        click_at(view, on_card(upper))
    assert got.args == ["upper"]
    assert view.flow_scene.selected_node_ids() == ["upper"]


def test_no_gesture_edits_the_flow(qtbot, view):
    scene, doc = view.flow_scene, view.document
    echo = scene.item_for_node("echo")
    before = echo.pos()
    drag(view, on_card(echo), on_card(echo) + QPointF(300, 120))
    click_at(view, on_card(echo))
    for key, mods in ((Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
                      (Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier),
                      (Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
                      (Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)):
        QTest.keyClick(view.viewport(), key, mods)
    assert echo.pos() == before
    assert [n.id for n in doc.flow.nodes] == ["echo", "upper"]
    assert not doc.flow.nodes[0].disabled
    assert doc.undo_stack.count() == 0


def test_the_replay_canvas_draws_the_nodes_a_runtime_mutation_added(qtbot, tmp_path, example_workspace, make_runtime,
                                                                      aio):
    """A mutation-capable node grew the run: the pages' flow (ReplayView.flow) has the added node and
    edge, and the read-only canvas draws them as cards of their own."""
    from engine_support import compile_file, write_flow
    from model_support import add_probe_package

    from axiom_ide.backends.local import LocalBackend

    pkg = "tests/probe@0.1.0"
    add_probe_package(example_workspace)
    write_flow(example_workspace, "grow", f"""\
        mode: unary
        imports: [{pkg}]
        nodes:
          - {{id: a, node: "{pkg}:Look"}}
          - {{id: g, node: "{pkg}:Grow"}}
          - {{id: t, node: "{pkg}:Look"}}
        edges:
          - {{from: a, to: g}}
          - {{from: g, to: t}}
        """)
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "grow.flow.yaml", example_workspace, store=rt._artifacts)
    outcome = aio(rt.run(art, {"n": 0, "mode": ""}, timeout=30))
    assert outcome.status == "Completed", outcome.error
    flow = aio(LocalBackend(rt).sessions.replay(outcome.execution_id)).flow
    assert [n["id"] for n in flow["nodes"]] == ["a", "g", "t", "added-4"]
    assert {"from": "g", "to": "added-4"} in flow["edges"]
    view = readonly_canvas(flow, Workspace(example_workspace))
    qtbot.addWidget(view)
    scene = view.flow_scene
    assert sorted(i.node_id for i in scene.node_items()) == ["a", "added-4", "g", "t"]
    assert scene.item_for_edge(("g", "added-4")) is not None
    rects = [i.sceneBoundingRect() for i in scene.node_items()]
    assert not any(r.intersects(q) for k, r in enumerate(rects) for q in rects[k + 1:])  # each its own place
