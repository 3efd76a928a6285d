"""Debug runs from the IDE on the real runtime: the amber Debug button of the Run Graph dialog
starts a LIVE session with the tab's breakpoints; the bottom-center control bar (Pause / Continue /
Step) drives it; the status pill reads "Debug paused"; plain ▶ Run ignores breakpoints."""
from __future__ import annotations

import json

import pytest
from engine_support import chain
from ide_support import close_window, make_window, on_card, open_flow, shown, vp, wait_done
from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from axiom_ide.app.dialogs.run_graph import RunGraphDialog


@pytest.fixture
def window(run_window):
    return run_window


def open_dialog(qtbot, window, tab, text):
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    dialog = shown(window, RunGraphDialog)
    widget = dialog.control("text")
    widget.clear()
    qtbot.keyClicks(widget, text)
    return dialog


def right_click_menu(qtbot, tab, node_id) -> QMenu:
    """Right-click the card: the press, then the context-menu event the platform sends with it."""
    view = tab.view
    pos = vp(view, on_card(tab.scene.item_for_node(node_id)))
    QTest.mousePress(view.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, pos)
    QTest.mouseRelease(view.viewport(), Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, pos)
    QApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                              view.viewport().mapToGlobal(pos)))
    menu = tab.breakpoint_list.menu
    qtbot.waitUntil(lambda: menu is not None and menu.isVisible())
    return menu


def choose(qtbot, menu, text) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_debug_pauses_at_the_breakpoint_then_step_and_continue(qtbot, window, example_workspace):
    chain(example_workspace, "dbg-upper3", ["Upper"] * 3)
    tab = open_flow(window, example_workspace, "dbg-upper3")
    menu = right_click_menu(qtbot, tab, "n2")
    assert [a.text() for a in menu.actions()][:1] == ["Set breakpoint"]
    choose(qtbot, menu, "Set breakpoint")
    assert tab.breakpoints == {"n2"} and tab.scene.item_for_node("n2").breakpoint
    assert not tab.scene.item_for_node("n1").breakpoint
    dialog = open_dialog(qtbot, window, tab, "a")
    assert dialog.debug_button.text() == "Debug" and dialog.debug_button.isVisible()
    qtbot.mouseClick(dialog.debug_button, Qt.MouseButton.LeftButton)
    run = tab.run
    bar = tab.debug_bar
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    assert run.state.paused_at == "n2" and tab.pill.text() == "Debug paused"
    assert bar.isVisible() and bar.continue_button.isVisible() and not bar.pause_button.isVisible()
    assert bar.step_button.isEnabled()
    assert tab.scene.item_for_node("n1").run_state == "completed"
    assert tab.scene.item_for_node("n2").run_state == "paused"  # highlighted, paused before it ran
    qtbot.mouseClick(bar.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == "n3", timeout=60_000)
    assert tab.scene.item_for_node("n2").run_state == "completed"
    assert tab.scene.item_for_node("n3").run_state == "paused"
    qtbot.mouseClick(bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output["text"] == "A"
    assert not bar.isVisible()


def test_plain_run_ignores_breakpoints_and_pipeline_has_no_debug(qtbot, window, example_workspace):
    chain(example_workspace, "dbg-upper2", ["Upper"] * 2)
    tab = open_flow(window, example_workspace, "dbg-upper2")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    assert tab.breakpoints == {"n2"}
    dialog = open_dialog(qtbot, window, tab, "b")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert tab.run.state.status == "Completed" and tab.run.breakpoints is None
    assert "DEBUG_PAUSED" not in [e.type for e in tab.run.state.events]
    assert not tab.debug_bar.isVisible()
    pipeline = RunGraphDialog("p", "pipeline", None)
    assert pipeline.debug_button.isHidden()


def test_breakpoints_survive_a_restart_and_a_missing_node_is_dropped_with_a_note(qtbot, example_workspace, tmp_path):
    chain(example_workspace, "dbg-keep", ["Upper"] * 2)
    data = tmp_path / "data"
    first = make_window(qtbot, example_workspace, data, tmp_path / "settings.ini")
    tab = open_flow(first, example_workspace, "dbg-keep")
    choose(qtbot, right_click_menu(qtbot, tab, "n1"), "Set breakpoint")
    close_window(first)
    stored = data / "breakpoints.json"
    assert stored.stat().st_mode & 0o777 == 0o600
    key = str((example_workspace / "flows" / "dbg-keep.flow.yaml").resolve())
    assert json.loads(stored.read_text()) == {key: ["n1"]}
    assert "breakpoint" not in (example_workspace / "flows" / "dbg-keep.flow.yaml").read_text()
    stored.write_text(json.dumps({key: ["n1", "gone"]}))

    second = make_window(qtbot, example_workspace, data, tmp_path / "settings.ini")
    try:
        tab = open_flow(second, example_workspace, "dbg-keep")
        assert tab.breakpoints == {"n1"} and tab.scene.item_for_node("n1").breakpoint
        assert second.statusBar().currentMessage() == \
            'Breakpoint on "gone" dropped: the flow has no such node any more'
        assert json.loads(stored.read_text()) == {key: ["n1"]}
        menu = right_click_menu(qtbot, tab, "n1")
        assert [a.text() for a in menu.actions()][:1] == ["Clear breakpoint"]
        choose(qtbot, menu, "Clear breakpoint")
        assert tab.breakpoints == set() and not tab.scene.item_for_node("n1").breakpoint
        assert "Breakpoints" not in tab_titles(second)
    finally:
        close_window(second)


def tab_titles(window):
    tabs = window.results.tabs
    return [tabs.tabText(i) for i in range(tabs.count())]


def test_breakpoints_tab_lists_node_and_package_with_clear_and_clear_all(qtbot, window, example_workspace):
    chain(example_workspace, "dbg-list", ["Upper"] * 3)
    tab = open_flow(window, example_workspace, "dbg-list")
    assert "Breakpoints" not in tab_titles(window)
    for node in ("n1", "n3"):
        choose(qtbot, right_click_menu(qtbot, tab, node), "Set breakpoint")
    assert "Breakpoints" in tab_titles(window)
    panel = window.breakpoints_panel
    tree = panel.tree
    rows = [[tree.topLevelItem(i).text(c) for c in range(2)] for i in range(tree.topLevelItemCount())]
    package = tab.doc.flow.node("n1").node.split(":", 1)[0]
    assert rows == [["n1", package], ["n3", package]]
    qtbot.mouseClick(tree.itemWidget(tree.topLevelItem(0), 4), Qt.MouseButton.LeftButton)
    assert tab.breakpoints == {"n3"} and not tab.scene.item_for_node("n1").breakpoint
    window.results.tabs.setCurrentWidget(panel)
    qtbot.mouseClick(panel.clear_all, Qt.MouseButton.LeftButton)
    assert tab.breakpoints == set() and "Breakpoints" not in tab_titles(window)
