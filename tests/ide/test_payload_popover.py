"""Click an executed card → its payload popover (Input / Output, copy, failure, pipeline frames);
Run from here with an edited input re-runs the node and what is downstream only (#13 items 4, 5)."""
from __future__ import annotations

import json
import time

import pytest
from engine_support import chain
from ide_support import click, click_at, click_header, double_click_item, on_card, open_flow, wait_done
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit
from test_run import run_with

from axiom_ide.runtime import event_types as ev


@pytest.fixture
def window(run_window):
    return run_window


def click_card(qtbot, window, tab, node_id):
    """A left click in the middle of the card, on the view's viewport."""
    click_at(tab.view, on_card(tab.scene.item_for_node(node_id)))


def popover_of(qtbot, window, node_id):
    qtbot.waitUntil(lambda: window.payloads.popover is not None and window.payloads.popover.isVisible()
                    and window.payloads.popover.payload.node == node_id)
    return window.payloads.popover


def test_click_executed_card_shows_input_output_copy_and_run_from_here(qtbot, window, example_workspace):
    chain(example_workspace, "pay3", ["Upper", "Upper", "Upper"])
    tab = open_flow(window, example_workspace, "pay3")
    click_card(qtbot, window, tab, "n2")  # before any run: idle nodes open no popover
    assert window.payloads.popover is None  # decided on the click itself: no backend call is made
    run_with(qtbot, window, tab, text="a")
    wait_done(qtbot, tab)
    parent = tab.run.state.execution_id
    click_card(qtbot, window, tab, "n2")
    popover = popover_of(qtbot, window, "n2")
    assert json.loads(popover.texts["Input"]) == {"text": "A", "big": "0"}
    assert json.loads(popover.texts["Output"]) == {"text": "A", "big": "0"}
    assert popover.findChild(type(popover.fork_button), "forkFromHere").text() == "Fork from here"
    QGuiApplication.clipboard().clear()
    click(qtbot, popover.copy_buttons["Output"])
    assert json.loads(QGuiApplication.clipboard().text()) == {"text": "A", "big": "0"}

    click(qtbot, popover.run_from_here_button)
    dialog = window.payloads.edit_dialog
    qtbot.waitUntil(dialog.isVisible)
    editor = dialog.editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, '{"text": oops}')
    click(qtbot, dialog.run_button)
    assert dialog.isVisible() and dialog.error.text().startswith("Invalid JSON: Expecting value: line 1")
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, '{"text": "edited", "big": "0"}')
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: tab.run.state.execution_id not in (None, parent))
    wait_done(qtbot, tab)
    state = tab.run.state
    assert state.status == "Completed" and state.result.output == {"text": "EDITED", "big": "0"}
    assert [e.node for e in state.events if e.type == ev.NODE_STARTED] == ["n2", "n3"]  # n1 not re-run
    assert json.loads(window.results.output.toPlainText()) == {"text": "EDITED", "big": "0"}


def test_failed_card_shows_exception_type_and_traceback(qtbot, window, example_workspace):
    chain(example_workspace, "payfail", ["Upper", "Boom"])
    tab = open_flow(window, example_workspace, "payfail")
    run_with(qtbot, window, tab, text="x")
    wait_done(qtbot, tab)
    click_card(qtbot, window, tab, "n2")
    popover = popover_of(qtbot, window, "n2")
    assert popover.payload.exception_type == "ValueError"
    error = popover.findChild(type(popover.title), "payloadError").text()
    assert error.startswith("ValueError: ") and "boom: X" in error
    trace = popover.findChild(QPlainTextEdit, "payloadTraceback")
    assert trace is not None and "Traceback" in trace.toPlainText() and "ValueError" in trace.toPlainText()


def test_pipeline_card_shows_its_frames(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "words")
    dialog = window.run_flow()
    qtbot.keyClicks(dialog.control("text"), "to be or")
    click(qtbot, dialog.run_button)
    wait_done(qtbot, tab)
    click_card(qtbot, window, tab, "shout")
    popover = popover_of(qtbot, window, "shout")
    frames = popover.frame_lists["Output Frames"]
    assert [frames.topLevelItem(i).text(0) for i in range(frames.topLevelItemCount())] == [
        "Frame 0", "Frame 1", "Frame 2"]
    assert json.loads(frames.topLevelItem(1).child(0).text(0)) == {"word": "BE", "index": 1}
    assert popover.frame_lists["Input Frames"].topLevelItemCount() == 3
    assert not popover.run_from_here_button.isEnabled()


def test_an_execution_opened_from_history_shows_its_payloads(qtbot, window, example_workspace):
    chain(example_workspace, "payhist", ["Upper", "Upper"])
    tab = open_flow(window, example_workspace, "payhist")
    run_with(qtbot, window, tab, text="first")
    wait_done(qtbot, tab)
    first = tab.run.state.execution_id
    run_with(qtbot, window, tab, text="second")
    wait_done(qtbot, tab)
    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: len(page.rows()) == 2)
    qtbot.waitUntil(page.table.isVisible)
    row = next(page.table.topLevelItem(i) for i in range(2) if page.table.topLevelItem(i).text(4).startswith(first[:8]))
    double_click_item(qtbot, page.table, row)
    qtbot.waitUntil(lambda: window.results.state is not None and window.results.state.execution_id == first)
    click_card(qtbot, window, tab, "n2")
    popover = popover_of(qtbot, window, "n2")
    assert popover.payload.execution_id == first
    assert json.loads(popover.texts["Input"]) == {"text": "FIRST", "big": "0"}


def test_fork_from_here_keeps_the_node_and_an_expired_checkpoint_refuses(qtbot, window, example_workspace):
    chain(example_workspace, "payfork", ["Upper", "Upper", "Upper"])
    tab = open_flow(window, example_workspace, "payfork")
    run_with(qtbot, window, tab, text="a")
    wait_done(qtbot, tab)
    parent = tab.run.state.execution_id
    click_card(qtbot, window, tab, "n2")
    click(qtbot, popover_of(qtbot, window, "n2").fork_button)
    qtbot.waitUntil(lambda: tab.run.state.execution_id not in (None, parent))
    wait_done(qtbot, tab)
    assert tab.run.state.status == "Completed"
    assert [e.node for e in tab.run.state.events if e.type == ev.NODE_STARTED] == ["n3"]  # n1, n2 kept

    expired = []  # the store's TTL passes (a day later): evict on the runtime's loop
    window.bridge.call(lambda b: _expire(b, time.time() + 86400 * 31), expired.append)
    qtbot.waitUntil(lambda: bool(expired))
    click_card(qtbot, window, tab, "n2")
    popover = popover_of(qtbot, window, "n2")
    assert popover.payload.expired and "Input" not in popover.texts
    assert not popover.run_from_here_button.isEnabled()
    assert popover.run_from_here_button.toolTip() == "Checkpoint expired — fork unavailable"


async def _expire(backend, now):
    return backend.runtime._checkpoints.expire(now=now)
