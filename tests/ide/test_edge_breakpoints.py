"""Edge breakpoints from the IDE (issue #13 item 2, guides/debug-a-flow): right-click an edge on the
canvas → Set breakpoint / Clear breakpoint; a red dot at the edge's middle only while set; listed in
the Breakpoints tab as ``a → b`` with the source's package; persisted per flow; a Debug run pauses
when the edge fires and the control bar shows the mapped values the destination receives; a
condition over that mapped input fires on one input and not another."""
from __future__ import annotations

import json

import pytest
from engine_support import write_flow
from ide_support import close_window, make_window, on_edge, open_flow, vp, wait_done
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu
from test_breakpoint_conditions import debug_run, type_condition
from test_debugger_core import choose, tab_titles

FLOW = """\
    mode: unary
    imports: [tests/faults@0.1.0]
    nodes:
      - {id: n1, node: "tests/faults@0.1.0:Upper"}
      - {id: n2, node: "tests/faults@0.1.0:Upper"}
      - {id: n3, node: "tests/faults@0.1.0:Upper"}
    edges:
      - {from: n1, to: n2, map: {text: 'text | suffix("-mapped")', big: big}}
      - {from: n2, to: n3}
    """


@pytest.fixture
def window(run_window):
    return run_window


def mapped_flow(workspace, name):
    from engine_support import add_faults_package

    add_faults_package(workspace)
    write_flow(workspace, name, FLOW)


def right_click_edge(qtbot, tab, key) -> QMenu:
    """Right-click on the edge's curve: the press, then the context-menu event the platform sends."""
    view = tab.view
    pos = vp(view, on_edge(tab.scene.item_for_edge(key)))
    tab.breakpoint_list.menu = None
    QTest.mousePress(view.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, pos)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, pos)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                              view.viewport().mapToGlobal(pos)))
    qtbot.waitUntil(lambda: tab.breakpoint_list.menu is not None and tab.breakpoint_list.menu.isVisible())
    return tab.breakpoint_list.menu


def edge_paused_pen():
    from axiom_ide.canvas.items.style import style

    return style().edge_paused


def dot_drawn(item) -> bool:
    """True when the edge paints red where its breakpoint dot goes (what the user sees)."""
    rect = item.boundingRect()
    image = QImage(int(rect.width()) + 1, int(rect.height()) + 1, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.translate(-rect.topLeft())
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    item.paint(painter, QStyleOptionGraphicsItem())
    painter.end()
    at = item.breakpoint_point() - rect.topLeft()
    color = image.pixelColor(int(at.x()), int(at.y()))
    return color.red() > 200 and color.green() < 90 and color.alpha() > 200


def test_set_an_edge_breakpoint_by_right_click_and_pause_with_the_mapped_values(qtbot, window, example_workspace,
                                                                                tmp_path):
    mapped_flow(example_workspace, "edge-bp")
    tab = open_flow(window, example_workspace, "edge-bp")
    edge = tab.scene.item_for_edge(("n1", "n2"))
    assert not edge.breakpoint and not dot_drawn(edge)  # nothing drawn while none is set
    menu = right_click_edge(qtbot, tab, ("n1", "n2"))
    assert menu.objectName() == "edgeContextMenu"
    assert [a.text() for a in menu.actions()] == ["Set breakpoint"]
    choose(qtbot, menu, "Set breakpoint")
    assert tab.breakpoints == {"n1->n2"} and edge.breakpoint and dot_drawn(edge)
    assert not tab.scene.item_for_edge(("n2", "n3")).breakpoint
    assert not tab.scene.item_for_node("n2").breakpoint  # the edge's, not the card's
    key = str((example_workspace / "flows" / "edge-bp.flow.yaml").resolve())
    assert json.loads((tmp_path / "data" / "breakpoints.json").read_text()) == {key: ["n1->n2"]}
    tree = window.breakpoints_panel.tree
    package = tab.doc.flow.node("n1").node.split(":", 1)[0]
    assert [tree.topLevelItem(0).text(c) for c in range(2)] == ["n1 → n2", package]

    run = debug_run(qtbot, window, tab, "a")
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    bar = tab.debug_bar
    assert run.state.paused_at == "n2" and run.state.pause_edge == ("n1", "n2")
    assert tab.scene.item_for_node("n1").run_state == "completed"
    assert tab.scene.item_for_node("n2").run_state == "paused"
    assert run.state.pause_input["text"] == "A-mapped"  # what n2 receives through the map, not n1's "A"
    assert edge.paused and edge.pen() is edge_paused_pen()  # the edge that fired is drawn amber
    assert not tab.scene.item_for_edge(("n2", "n3")).paused
    assert "breakpoint: a Debug run pauses when this edge fires" in edge.toolTip()
    assert bar.edge_label.isVisible()
    assert bar.edge_label.text().startswith('Paused at edge n1 → n2; n2 receives: {"text": "A-mapped"')
    assert json.loads(bar.edge_label.toolTip())["text"] == "A-mapped"
    assert window.statusBar().currentMessage() == "Debug paused"
    qtbot.mouseClick(bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output["text"] == "A-MAPPED"
    assert not bar.edge_label.isVisible() and not edge.paused

    menu = right_click_edge(qtbot, tab, ("n1", "n2"))
    assert [a.text() for a in menu.actions()] == ["Clear breakpoint"]
    choose(qtbot, menu, "Clear breakpoint")
    assert tab.breakpoints == set() and not edge.breakpoint and not dot_drawn(edge)
    assert "Breakpoints" not in tab_titles(window)


def test_an_edge_condition_over_the_mapped_input_fires_on_one_input_not_another(qtbot, window, example_workspace):
    mapped_flow(example_workspace, "edge-cond")
    tab = open_flow(window, example_workspace, "edge-cond")
    choose(qtbot, right_click_edge(qtbot, tab, ("n1", "n2")), "Set breakpoint")
    panel = window.breakpoints_panel
    window.results.tabs.setCurrentWidget(panel)
    edit = panel.tree.itemWidget(panel.tree.topLevelItem(0), 2)
    type_condition(qtbot, edit, "input.text ==")
    assert panel.error.text().startswith('Condition of "n1 → n2": CEL parse error')
    type_condition(qtbot, edit, 'input.text == "B-mapped"')
    assert tab.breakpoint_options == {"n1->n2": {"condition": 'input.text == "B-mapped"', "hit_count": None}}

    run = debug_run(qtbot, window, tab, "a")  # n2 receives "A-mapped": no pause
    wait_done(qtbot, tab, timeout=60_000)
    assert run.state.status == "Completed" and "DEBUG_PAUSED" not in [e.type for e in run.state.events]

    run = debug_run(qtbot, window, tab, "b")  # n2 receives "B-mapped": it pauses at the edge
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    assert run.state.pause_edge == ("n1", "n2") and run.state.pause_input["text"] == "B-mapped"
    qtbot.mouseClick(tab.debug_bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output["text"] == "B-MAPPED"


def test_edge_breakpoints_survive_a_restart_and_a_gone_edge_is_dropped_with_a_note(qtbot, example_workspace,
                                                                                   tmp_path):
    mapped_flow(example_workspace, "edge-keep")
    data = tmp_path / "data"
    first = make_window(qtbot, example_workspace, data, tmp_path / "settings.ini")
    tab = open_flow(first, example_workspace, "edge-keep")
    choose(qtbot, right_click_edge(qtbot, tab, ("n2", "n3")), "Set breakpoint")
    close_window(first)
    stored = data / "breakpoints.json"
    key = str((example_workspace / "flows" / "edge-keep.flow.yaml").resolve())
    stored.write_text(json.dumps({key: ["n2->n3", "n1->n3"]}))
    second = make_window(qtbot, example_workspace, data, tmp_path / "settings.ini")
    try:
        tab = open_flow(second, example_workspace, "edge-keep")
        assert tab.breakpoints == {"n2->n3"} and tab.scene.item_for_edge(("n2", "n3")).breakpoint
        assert second.statusBar().currentMessage() == \
            'Breakpoint on "n1 → n3" dropped: the flow has no such edge any more'
        assert json.loads(stored.read_text()) == {key: ["n2->n3"]}
    finally:
        close_window(second)


def test_an_unsaved_flows_edge_menu_asks_to_save_first(qtbot, window, example_workspace):
    mapped_flow(example_workspace, "edge-any")
    saved = open_flow(window, example_workspace, "edge-any")
    doc = type(saved.doc).new("scratch", window.workspace)
    a = doc.add_node("tests/faults@0.1.0:Upper", node_id="a")
    b = doc.add_node("tests/faults@0.1.0:Upper", node_id="b")
    doc.connect(a, b)
    tab = window.files.add_document(doc)
    qtbot.waitUntil(lambda: window.current_tab() is tab and tab.scene.item_for_edge(("a", "b")) is not None)
    menu = right_click_edge(qtbot, tab, ("a", "b"))
    assert [(x.text(), x.isEnabled()) for x in menu.actions()] == [("Save the flow first to enable breakpoints.", False)]
    assert tab.breakpoints == set()
