"""The debug session page opened from the execution detail page: **Replay in debugger** opens it in
REPLAY mode on that execution; ``.`` steps with focus in the node list; Modify… then "Apply 1
override(s) and Fork" forks with the override and opens the fork's detail page."""
from __future__ import annotations

import json
import os

import pytest
from ide_support import click, click_at, on_card, run_then_open_details
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from axiom_ide.app.qt_bridge import alive


@pytest.fixture
def window(run_window):
    return run_window


def _click_card(qtbot, page, node: str) -> None:
    page.canvas.fit_all()
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node(node)))
    qtbot.waitUntil(lambda: page.selected_node() == node)


def _execution(qtbot, window, execution_id: str):
    got: list = []
    window.bridge.call(lambda b: b.get_execution(execution_id), got.append)
    qtbot.waitUntil(lambda: bool(got))
    return got[0]


def test_replay_in_debugger_steps_and_forks_with_an_override(qtbot, window, example_workspace):
    execution_id, detail = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "abc"})
    pages = window.execution_pages.pages

    # Replay in debugger: the debug session page, REPLAY, with its stored session's id
    assert detail.debug_button.text() == "Replay in debugger"
    click(qtbot, detail.debug_button)
    sessions = window.execution_pages.sessions
    qtbot.waitUntil(lambda: execution_id in sessions)
    page = sessions[execution_id]
    qtbot.waitExposed(page)
    assert page.pill.text() == "REPLAY"
    session_id = page.session_label.text().removeprefix("Session ")
    assert len(session_id) == 32 and page.windowTitle() == f"Debug session {session_id} · REPLAY"
    assert page.index == -1

    # "." with focus on the session canvas advances (a page shortcut, not the canvas's keys)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    _click_card(qtbot, page, "echo")
    page.canvas.setFocus()
    assert QApplication.focusWidget() is page.canvas
    QTest.keyClick(page.canvas, Qt.Key.Key_Period)
    assert page.index == 0
    QTest.keyClick(page.canvas, Qt.Key.Key_Comma)
    assert page.index == -1
    for _ in range(len(page.replay)):
        if page.selected_checkpoint() is not None:
            break
        QTest.keyClick(page.canvas, Qt.Key.Key_Period)
    checkpoint = page.selected_checkpoint()
    assert checkpoint is not None
    assert json.loads(page.output.toPlainText()) == {"text": "abc"}
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.resize(1280, 720)
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "debug_session.png"))

    # Modify… text → "forked", then Apply 1 override(s) and Fork: the fork's page opens; its output changed
    click(qtbot, page.modify)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.key.setCurrentText("text")
    QTest.keyClicks(dialog.value, '"forked"')
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    assert page.step_forward.text() == "Apply 1 override(s) and Fork"
    click(qtbot, page.step_forward)
    qtbot.waitUntil(lambda: len(pages) == 2, timeout=20000)
    child_id = next(e for e in pages if e != execution_id)
    qtbot.waitUntil(lambda: alive(pages[child_id]) and pages[child_id].status_label.text() == "Completed",
                    timeout=20000)
    child = _execution(qtbot, window, child_id)
    assert child.parent_id == execution_id
    assert child.output == {"text": "FORKED"}
    assert _execution(qtbot, window, execution_id).output == {"text": "ABC"}

    # the fork's FORK session page opens too, once the fork ended, over the fork's history
    qtbot.waitUntil(lambda: child_id in sessions, timeout=20000)
    fork_page = sessions[child_id]
    assert fork_page.pill.text() == "FORK"
    assert fork_page.session_label.text() != page.session_label.text()
    assert fork_page.replay.execution.id == child_id


def test_fork_from_here_opens_the_fork_session_page(qtbot, window, example_workspace):
    execution_id, detail = run_then_open_details(qtbot, window, example_workspace, "hello", {"name": "Ada"})
    pages = window.execution_pages.pages
    detail.tabs.setCurrentIndex(2)  # Checkpoints
    click(qtbot, detail.checkpoints_table.cellWidget(0, 4))  # Fork from here
    sessions = window.execution_pages.sessions
    qtbot.waitUntil(lambda: len(sessions) == 1, timeout=20000)
    child_id, page = next(iter(sessions.items()))
    assert child_id != execution_id and child_id in pages  # the fork's detail page opened as well
    qtbot.waitExposed(page)
    assert page.pill.text() == "FORK"
    assert page.windowTitle().startswith("Debug session ") and page.windowTitle().endswith(" · FORK")
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "debug_session_fork.png"))
    assert _execution(qtbot, window, child_id).parent_id == execution_id

    # the header's Fork button forks the fork at the selected node's checkpoint: its pages open in turn
    assert page.selected_checkpoint() is not None and page.fork_button.isEnabled()
    click(qtbot, page.fork_button)
    qtbot.waitUntil(lambda: len(sessions) == 2, timeout=20000)
    grandchild_id = next(e for e in sessions if e != child_id)
    assert grandchild_id in pages and sessions[grandchild_id].pill.text() == "FORK"
    assert _execution(qtbot, window, grandchild_id).parent_id == child_id
