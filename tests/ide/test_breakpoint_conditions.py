"""Conditional breakpoints from the IDE (guides/debug-a-flow): the Breakpoints tab's Condition cell
takes CEL over the node's input; an invalid condition is refused as you type with the CEL error and
not saved; a valid one persists in breakpoints.json and a Debug run pauses only when it holds."""
from __future__ import annotations

import json

import pytest
from engine_support import chain
from ide_support import close_window, make_window, open_flow, wait_done
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_debugger_core import choose, open_dialog, right_click_menu


@pytest.fixture
def window(run_window):
    return run_window


def type_condition(qtbot, edit, text):
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    QTest.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(edit, Qt.Key.Key_Delete)
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def debug_run(qtbot, window, tab, text):
    dialog = open_dialog(qtbot, window, tab, text)
    qtbot.mouseClick(dialog.debug_button, Qt.MouseButton.LeftButton)
    return tab.run


def test_condition_refused_as_typed_then_fires_on_one_input_not_another(qtbot, window, example_workspace, tmp_path):
    chain(example_workspace, "dbg-cond", ["Upper"] * 3)
    tab = open_flow(window, example_workspace, "dbg-cond")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    panel = window.breakpoints_panel
    window.results.tabs.setCurrentWidget(panel)
    tree = panel.tree
    assert [tree.headerItem().text(c) for c in range(4)] == ["Node", "Package", "Condition", "Hit count"]
    edit = tree.itemWidget(tree.topLevelItem(0), 2)
    stored = tmp_path / "data" / "breakpoints.json"  # run_window's data dir
    key = str((example_workspace / "flows" / "dbg-cond.flow.yaml").resolve())

    type_condition(qtbot, edit, "input.text ==")
    assert panel.error.isVisible()
    assert panel.error.text().startswith('Condition of "n2": CEL parse error')
    assert edit.toolTip().startswith("CEL parse error")
    assert tab.breakpoint_options == {}  # refused: nothing saved
    assert json.loads(stored.read_text()) == {key: ["n2"]}

    type_condition(qtbot, edit, 'input.text == "A"')
    assert not panel.error.isVisible()
    assert tab.breakpoint_options == {"n2": {"condition": 'input.text == "A"', "hit_count": None}}
    assert json.loads(stored.read_text()) == {key: [{"node": "n2", "condition": 'input.text == "A"',
                                                     "hit_count": None}]}

    run = debug_run(qtbot, window, tab, "b")  # n2 sees "B": the condition is false, no pause
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output["text"] == "B"
    assert run.state.paused_at is None

    run = debug_run(qtbot, window, tab, "a")  # n2 sees "A": it pauses there
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    assert run.state.paused_at == "n2"
    qtbot.mouseClick(tab.debug_bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output["text"] == "A"


def test_hit_count_cell_persists_across_a_restart(qtbot, example_workspace, tmp_path):
    chain(example_workspace, "dbg-hits", ["Upper"] * 2)
    window = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    tab = open_flow(window, example_workspace, "dbg-hits")
    choose(qtbot, right_click_menu(qtbot, tab, "n1"), "Set breakpoint")
    panel = window.breakpoints_panel
    window.results.tabs.setCurrentWidget(panel)
    tree = panel.tree
    hits = tree.itemWidget(tree.topLevelItem(0), 3)
    assert hits.text() == "every"
    qtbot.mouseClick(hits, Qt.MouseButton.LeftButton)
    QTest.keyClick(hits, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(hits, "2")
    QTest.keyClick(hits, Qt.Key.Key_Return)
    assert tab.breakpoint_options == {"n1": {"condition": None, "hit_count": 2}}
    key = str((example_workspace / "flows" / "dbg-hits.flow.yaml").resolve())
    stored = json.loads((tmp_path / "data" / "breakpoints.json").read_text())
    assert stored == {key: [{"node": "n1", "condition": None, "hit_count": 2}]}
    close_window(window)
    again = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    try:
        tab = open_flow(again, example_workspace, "dbg-hits")
        assert tab.breakpoint_options == {"n1": {"condition": None, "hit_count": 2}}
        tree = again.breakpoints_panel.tree
        assert tree.itemWidget(tree.topLevelItem(0), 3).value() == 2
    finally:
        close_window(again)


def test_a_condition_that_fails_to_evaluate_pauses_with_its_error(qtbot, window, example_workspace):
    chain(example_workspace, "dbg-bad", ["Upper"] * 2)
    tab = open_flow(window, example_workspace, "dbg-bad")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    panel = window.breakpoints_panel
    window.results.tabs.setCurrentWidget(panel)
    edit = panel.tree.itemWidget(panel.tree.topLevelItem(0), 2)
    type_condition(qtbot, edit, "input.text")  # compiles, but is a string, not a bool
    assert not panel.error.isVisible()
    run = debug_run(qtbot, window, tab, "a")
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    bar = tab.debug_bar
    assert run.state.paused_at == "n2"
    assert bar.error_label.isVisible()
    assert bar.error_label.text() == ("Breakpoint condition failed: CEL evaluation failed: "
                                      "condition must evaluate to a bool, got str")
    qtbot.mouseClick(bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and not bar.error_label.isVisible()
