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
