"""Debug runs from the IDE on the real runtime: the amber Debug button of the Run Graph dialog
starts a LIVE session with the tab's breakpoints; the bottom-center control bar (Pause / Continue /
Step) drives it; the status pill reads "Debug paused"; plain ▶ Run ignores breakpoints."""
from __future__ import annotations

import pytest
from engine_support import chain
from ide_support import open_flow, shown, wait_done
from PySide6.QtCore import Qt

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


def test_debug_pauses_at_the_breakpoint_then_step_and_continue(qtbot, window, example_workspace):
    chain(example_workspace, "dbg-upper3", ["Upper"] * 3)
    tab = open_flow(window, example_workspace, "dbg-upper3")
    tab.breakpoints = {"n2"}  # stand-in until breakpoints are set by right-click (app/breakpoints.py)
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
    assert tab.scene.item_for_node("n2").run_state is None  # paused before it ran
    qtbot.mouseClick(bar.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == "n3", timeout=60_000)
    assert tab.scene.item_for_node("n2").run_state == "completed"
    qtbot.mouseClick(bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output["text"] == "A"
    assert not bar.isVisible()


def test_plain_run_ignores_breakpoints_and_pipeline_has_no_debug(qtbot, window, example_workspace):
    chain(example_workspace, "dbg-upper2", ["Upper"] * 2)
    tab = open_flow(window, example_workspace, "dbg-upper2")
    tab.breakpoints = {"n2"}
    dialog = open_dialog(qtbot, window, tab, "b")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert tab.run.state.status == "Completed" and tab.run.breakpoints is None
    assert "DEBUG_PAUSED" not in [e.type for e in tab.run.state.events]
    assert not tab.debug_bar.isVisible()
    pipeline = RunGraphDialog("p", "pipeline", None)
    assert pipeline.debug_button.isHidden()
