"""The debug session page in LIVE mode on a Debug run going in the editor: **Open in debugger** (the
control bar, the Run menu) opens it on the paused run; Step Forward at the run's head steps the
real run one node; with an override pending it asks first (no silent forks) — Cancel forks
nothing, confirming forks with the override; Run to End continues the run."""
from __future__ import annotations

import json
import os

import pytest
from engine_support import chain
from ide_support import click, click_at, click_menu_item, on_card, open_flow, press_shortcut, shown, wait_done
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from test_debugger_core import choose, open_dialog, right_click_menu

from axiom_ide.app.pages.debug_session import CONFIRM_TEXT
from axiom_ide.app.palette import CommandPalette
from axiom_ide.app.qt_bridge import alive


@pytest.fixture
def window(run_window):
    return run_window


def executions(qtbot, window) -> list:
    got: list = []
    window.bridge.call(lambda b: b.list_executions(), got.append)
    qtbot.waitUntil(lambda: bool(got))
    return list(got[0])


def drawn(page) -> dict[str, str | None]:
    scene = page.canvas.flow_scene
    return {n: scene.item_for_node(n).run_state for n in page.replay.node_ids}


def paused_debug_run(qtbot, window, example_workspace):
    """A Debug run of n1 → n2 → n3 (Upper) paused at its breakpoint on n2."""
    chain(example_workspace, "live3", ["Upper"] * 3)
    tab = open_flow(window, example_workspace, "live3")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    dialog = open_dialog(qtbot, window, tab, "a")
    qtbot.mouseClick(dialog.debug_button, Qt.MouseButton.LeftButton)
    run = tab.run
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == "n2", timeout=60_000)
    return tab, run


def open_live(qtbot, window, tab, run):
    bar = tab.debug_bar
    assert bar.open_button.text() == "Open in debugger" and bar.open_button.isVisible()
    click(qtbot, bar.open_button)
    sessions = window.execution_pages.sessions
    execution_id = run.state.execution_id
    qtbot.waitUntil(lambda: execution_id in sessions)
    page = sessions[execution_id]
    qtbot.waitExposed(page)
    page.canvas.fit_all()
    return page


def test_live_step_forward_steps_the_paused_run(qtbot, window, example_workspace):
    tab, run = paused_debug_run(qtbot, window, example_workspace)
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        window.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "debug_bar_open_in_debugger.png"))
    page = open_live(qtbot, window, tab, run)
    assert page.pill.text() == "LIVE"
    assert page.session_label.text() == f"Session {run.debug_session_id}"
    assert page.windowTitle() == f"Debug session {run.debug_session_id} · LIVE"
    assert page.index == len(page.replay) - 1  # at the run's head
    assert drawn(page) == {"n1": "completed", "n2": "paused", "n3": None}
    assert page.step_forward.text() == "Step Forward" and page.step_forward.isEnabled()
    assert page.run_to_end.text() == "Run to End"
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.resize(1280, 720)
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "debug_session_live.png"))

    # "." at the head: the real run executes n2 and pauses before n3; the page follows
    QTest.keyClick(page.canvas, Qt.Key.Key_Period)
    qtbot.waitUntil(lambda: run.state.paused_at == "n3", timeout=60_000)
    qtbot.waitUntil(lambda: drawn(page) == {"n1": "completed", "n2": "completed", "n3": "paused"}, timeout=20_000)
    assert tab.scene.item_for_node("n3").run_state == "paused"  # the editor's canvas agrees

    # "," looks back through the history; the run stays paused
    QTest.keyClick(page.canvas, Qt.Key.Key_Comma)
    assert page.index == len(page.replay) - 2 and run.state.status == "Debug paused"
    QTest.keyClick(page.canvas, Qt.Key.Key_Period)
    assert page.index == len(page.replay) - 1

    # Run to End continues the run to its end
    click(qtbot, page.run_to_end)
    wait_done(qtbot, tab)
    assert run.state.result.output["text"] == "A"
    qtbot.waitUntil(lambda: drawn(page) == {"n1": "completed", "n2": "completed", "n3": "completed"},
                    timeout=20_000)
    assert not page.step_forward.isEnabled() and page.run_to_end.text() == "Run to End"


def test_live_step_with_an_override_asks_first(qtbot, window, example_workspace):
    tab, run = paused_debug_run(qtbot, window, example_workspace)
    page = open_live(qtbot, window, tab, run)
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node("n1")))
    assert json.loads(page.output.toPlainText())["text"] == "A"
    click(qtbot, page.modify)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.key.setCurrentText("text")
    QTest.keyClicks(dialog.value, '"forked"')
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert page.step_forward.text() == "Apply 1 override(s) and Fork"

    # Step Forward: a confirmation, not a fork; Cancel leaves everything as it was
    before = len(page.replay)
    click(qtbot, page.step_forward)
    box = page.confirm
    qtbot.waitExposed(box)
    assert box.text() == CONFIRM_TEXT.format(n=1, node="n1")
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    qtbot.waitUntil(lambda: not box.isVisible())
    assert [e.id for e in executions(qtbot, window)] == [run.state.execution_id]
    assert page.overrides == {"text": "forked"} and page.step_forward.text() == "Apply 1 override(s) and Fork"
    assert run.state.status == "Debug paused" and run.state.paused_at == "n2"
    assert len(page.replay) == before and window.execution_pages.pages == {}

    # confirmed: the fork runs with the override and links to the live run; the live run stays paused
    click(qtbot, page.step_forward)
    box = page.confirm
    qtbot.waitExposed(box)
    fork_button = next(b for b in box.buttons() if b.text() == "Apply 1 override(s) and Fork")
    click(qtbot, fork_button)
    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: len(pages) == 1, timeout=20_000)
    child_id = next(iter(pages))
    qtbot.waitUntil(lambda: alive(pages[child_id]) and pages[child_id].status_label.text() == "Completed",
                    timeout=30_000)
    child = next(r for r in executions(qtbot, window) if r.id == child_id)
    assert child.parent_id == run.state.execution_id
    assert child.output["text"] == "FORKED"
    assert page.overrides == {} and page.step_forward.text() == "Step Forward"
    assert run.state.status == "Debug paused" and run.state.paused_at == "n2"


def test_open_in_debugger_from_the_run_menu_and_the_palette(qtbot, window, example_workspace):
    _tab, run = paused_debug_run(qtbot, window, example_workspace)
    click_menu_item(qtbot, window, "Run", window.actions["open-debugger-action"])
    sessions = window.execution_pages.sessions
    qtbot.waitUntil(lambda: run.state.execution_id in sessions)
    page = sessions[run.state.execution_id]
    assert page.pill.text() == "LIVE"
    page.close()
    qtbot.waitUntil(lambda: run.state.execution_id not in sessions)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    press_shortcut(qtbot, window, "command-palette-action")
    palette = shown(window, CommandPalette)
    qtbot.keyClicks(palette.search, "Open in debugger")
    assert palette.visible_labels()[0] == "Open in debugger"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: run.state.execution_id in sessions)
    assert sessions[run.state.execution_id].pill.text() == "LIVE"


def test_live_run_to_end_reads_stop_and_stop_pauses_the_run(qtbot, window, example_workspace):
    chain(example_workspace, "live-slow", ["Upper"] + ["Slow"] * 5)
    tab = open_flow(window, example_workspace, "live-slow")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    dialog = open_dialog(qtbot, window, tab, "a")
    qtbot.mouseClick(dialog.debug_button, Qt.MouseButton.LeftButton)
    run = tab.run
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    page = open_live(qtbot, window, tab, run)
    assert page.run_to_end.text() == "Run to End"
    click(qtbot, page.run_to_end)  # continue: the page reads Stop while the run goes
    qtbot.waitUntil(lambda: page.run_to_end.text() == "Stop", timeout=20_000)
    assert not page.step_forward.isEnabled()  # nothing to step while it runs
    click(qtbot, page.run_to_end)  # Stop: the run pauses before its next node
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=20_000)
    qtbot.waitUntil(lambda: page.run_to_end.text() == "Run to End" and page.step_forward.isEnabled(), timeout=20_000)
    assert "paused" in drawn(page).values()
    assert run.state.paused_at not in (None, "n1", "n2")
    click(qtbot, page.run_to_end)
    wait_done(qtbot, tab, timeout=60_000)
    assert run.state.result.output["text"] == "A+++++"
