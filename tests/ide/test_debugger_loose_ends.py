"""The debugger's loose ends (#13): the status bar reads "Debug paused" while a Debug run is paused
(as the pill does) and "Running <flow>…" again once it goes on; a Run from here paints the cards
live as the fork's events arrive (like a normal run), not only once it has ended."""
from __future__ import annotations

from engine_support import chain
from ide_support import click, open_flow, press_shortcut, wait_done
from PySide6.QtCore import Qt
from test_breakpoint_conditions import debug_run
from test_debugger_core import choose, right_click_menu
from test_payload_popover import click_card, popover_of
from test_run import run_with


def test_status_bar_reads_debug_paused_while_paused(qtbot, run_window, example_workspace):
    window = run_window
    chain(example_workspace, "dbg-status", ["Upper"] * 3)
    tab = open_flow(window, example_workspace, "dbg-status")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    run = debug_run(qtbot, window, tab, "a")
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    assert window.statusBar().currentMessage() == "Debug paused" and tab.pill.text() == "Debug paused"
    statuses: list[str] = []
    run.state.statusChanged.connect(lambda _s: statuses.append(window.statusBar().currentMessage()))
    qtbot.mouseClick(tab.debug_bar.step_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == "n3", timeout=60_000)
    assert statuses == ["Running dbg-status…", "Debug paused"]  # released, then paused again
    qtbot.mouseClick(tab.debug_bar.continue_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab)
    assert window.statusBar().currentMessage() == "dbg-status: Completed"


def test_run_from_here_paints_the_cards_while_the_fork_goes(qtbot, run_window, example_workspace):
    window = run_window
    chain(example_workspace, "fork-live", ["Upper", "Upper", "Hang"])
    tab = open_flow(window, example_workspace, "fork-live")
    run = run_with(qtbot, window, tab, text="a")
    qtbot.waitUntil(lambda: run.state.current_node == "n3", timeout=60_000)
    press_shortcut(qtbot, window, "stop-action")  # n1 and n2 are checkpointed; n3 hangs
    wait_done(qtbot, tab)
    parent = run.state.execution_id
    click_card(qtbot, window, tab, "n2")
    click(qtbot, popover_of(qtbot, window, "n2").run_from_here_button)
    dialog = window.payloads.edit_dialog
    qtbot.waitUntil(dialog.isVisible)
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: tab.run.state.execution_id not in (None, parent), timeout=30_000)
    fork = tab.run
    scene = tab.scene
    # The fork is still going (n3 hangs): the cards already show where it is.
    qtbot.waitUntil(lambda: scene.item_for_node("n3").run_state == "running"
                    and scene.item_for_node("n1").run_state == "completed", timeout=60_000)
    assert fork.state.is_running and fork.state.result is None
    assert scene.item_for_node("n2").run_state == "completed"  # re-run by the fork
    assert [e.node for e in fork.state.events if e.type == "NODE_STARTED"] == ["n2", "n3"]  # n1 reused
    click(qtbot, tab.stop_button)
    wait_done(qtbot, tab)
    assert fork.state.status == "Cancelled"


def test_a_pipeline_executions_output_is_its_frames_live_and_from_history(qtbot, run_window, example_workspace):
    import json

    from ide_support import click_header, double_click_item

    window = run_window
    tab = open_flow(window, example_workspace, "words")
    dialog = window.run_flow()
    qtbot.keyClicks(dialog.control("text"), "to be or")
    click(qtbot, dialog.run_button)
    wait_done(qtbot, tab)
    state = tab.run.state
    frames = [{"word": "TO", "index": 0}, {"word": "BE", "index": 1}, {"word": "OR", "index": 2}]
    assert state.frames == frames and state.result.output == {"frames": frames}  # the stored output
    execution_id = state.execution_id
    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: len(page.rows()) == 1)
    qtbot.waitUntil(page.table.isVisible)
    double_click_item(qtbot, page.table, page.table.topLevelItem(0))
    qtbot.waitUntil(lambda: window.results.state is not None and window.results.state.execution_id == execution_id
                    and window.results.state.result is not None)
    assert window.results.state.result.output == {"frames": frames}  # not {"frames": 3}
    assert window.results.output.toPlainText().splitlines() == [
        f"[{i}] {json.dumps(f)}" for i, f in enumerate(frames)] + ["— 3 frame(s), stream complete"]
