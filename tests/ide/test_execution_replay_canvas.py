"""The execution detail page's read-only canvas replay (#13 item 6): the scrubber redraws each
card's state at an event index, a click on an executed card opens its payload at that point, and
the Checkpoints tab opens the same popover; an expired checkpoint reads "Snapshot expired"."""
from __future__ import annotations

import json
import os
import time

import pytest
from engine_support import chain
from ide_support import click, click_at, click_tab, on_card, run_then_open_details, select_row
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from axiom_ide.app.pages.detail_tabs import DETAIL_CHARS, EVENTS_PAGE, FORK_COLUMN, SNAPSHOT_COLUMN

STATE = {"pending": None, "running": "running", "completed": "completed", "failed": "failed",
         "skipped": "skipped"}


@pytest.fixture
def window(run_window):
    return run_window


def _scrub_to(page, index: int) -> None:
    """Home, then Right arrow presses on the focused scrubber, up to event ``index``."""
    page.scrubber.setFocus()
    QTest.keyClick(page.scrubber, Qt.Key.Key_Home)
    for _ in range(index + 1):
        QTest.keyClick(page.scrubber, Qt.Key.Key_Right)
    assert page.scrubber.value() == index


def _middle(replay) -> int:
    """The first event after which echo has completed and upper has not."""
    return next(i for i in range(len(replay)) if replay.at(i).nodes["echo"].status == "completed"
                and replay.at(i).nodes["upper"].status != "completed")


def _click_card(page, node: str) -> None:
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node(node)))


def _drawn(page) -> dict:
    scene = page.canvas.flow_scene
    return {n: scene.item_for_node(n).run_state for n in page.replay.node_ids}


def test_scrubbing_redraws_each_card(qtbot, window, example_workspace):
    _, page = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "ab"})
    page.resize(1280, 720)
    replay = page.replay
    scene = page.canvas.flow_scene
    assert sorted(i.node_id for i in scene.node_items()) == ["echo", "upper"]
    assert _drawn(page) == {"echo": "completed", "upper": "completed"}  # opened at the end

    _scrub_to(page, -1)
    assert _drawn(page) == {"echo": None, "upper": None}

    # a middle event: echo done, upper not yet (or running) — each card as the history says there
    middle = _middle(replay)
    _scrub_to(page, middle)
    expected = {n: STATE[s.status] for n, s in replay.at(middle).nodes.items()}
    assert _drawn(page) == expected
    assert expected["echo"] == "completed" and expected["upper"] != "completed"

    # a Timeline row click scrubs to that event
    click_tab(qtbot, page.tabs, 0)
    page.timeline.scrollToTop()
    _click_row(page.timeline, 0)
    assert page.scrubber.value() == 0 and _drawn(page) == {"echo": None, "upper": None}
    row = next(i for i, e in enumerate(replay.events) if e.type == "NODE_STARTED" and e.node == "echo")
    _click_row(page.timeline, row)
    assert page.scrubber.value() == row and _drawn(page) == {"echo": "running", "upper": None}
    _scrub_to(page, middle)

    # Step advances one event; Play runs to the end and stops there
    QTest.mouseClick(page.step_button, Qt.MouseButton.LeftButton)
    assert page.scrubber.value() == middle + 1
    page.speed.setCurrentIndex(page.speed.count() - 1)
    QTest.mouseClick(page.play_button, Qt.MouseButton.LeftButton)
    assert page.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: page.play_button.text() == "Play", timeout=10000)
    assert page.scrubber.value() == len(replay) - 1
    assert _drawn(page) == {"echo": "completed", "upper": "completed"}

    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        _scrub_to(page, middle)
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_replay_canvas.png"))


def test_a_card_click_opens_its_payload_at_the_scrubbed_point_and_forks(qtbot, window, example_workspace):
    execution_id, page = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "ab"})
    page.resize(1280, 720)
    qtbot.waitUntil(lambda: page.canvas.viewport().width() > 600)
    middle = _middle(page.replay)
    _scrub_to(page, middle)

    _click_card(page, "upper")  # not run yet at this point: no popover
    assert page.popover is None
    _click_card(page, "echo")
    popover = page.popover
    assert popover is not None and popover.isVisible()
    assert popover.parentWidget() is page.canvas.viewport()
    assert json.loads(popover.texts["Input"]) == {"text": "ab"}
    assert json.loads(popover.texts["Output"]) == {"text": "ab"}
    assert popover.fork_button.isEnabled() and popover.run_from_here_button.isVisible()
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_replay_popover.png"))

    # at the end upper has run: its output is upper-cased; scrubbing closes the open popover
    QTest.keyClick(page.scrubber, Qt.Key.Key_End)
    assert page.popover is None
    _click_card(page, "upper")
    assert json.loads(page.popover.texts["Input"]) == {"text": "ab"}
    assert json.loads(page.popover.texts["Output"]) == {"text": "AB"}
    upper_cp = page.replay.at(len(page.replay) - 1).nodes["upper"].checkpoint_id

    # Fork from here forks at that checkpoint through the page's on_fork: the fork's page opens
    pages = window.execution_pages.pages
    click(qtbot, page.popover.fork_button)
    qtbot.waitUntil(lambda: len(pages) == 2, timeout=20000)
    child_id = next(e for e in pages if e != execution_id)
    qtbot.waitUntil(lambda: pages[child_id].status_label.text() == "Completed", timeout=20000)
    child = pages[child_id].replay.execution
    assert child.parent_id == execution_id and child.fork_checkpoint == upper_cp


def test_a_failed_card_shows_its_error(qtbot, window, example_workspace):
    chain(example_workspace, "boomy", ["Upper", "Boom"])
    _, page = run_then_open_details(qtbot, window, example_workspace, "boomy", {"text": "ab"})
    page.resize(1280, 720)
    qtbot.waitUntil(lambda: page.canvas.viewport().width() > 600)
    assert page.status_label.text() == "Failed"
    assert page.node_states() == {"n1": "completed", "n2": "failed"}
    _click_card(page, "n2")
    popover = page.popover
    assert popover is not None
    assert "Error" in popover.texts and "boom" in popover.texts["Error"].lower()
    assert not popover.fork_button.isEnabled()  # no output to fork from
    # its NODE_FAILED event in the Events tab: the data cut short in the cell, in full in its tooltip
    click_tab(qtbot, page.tabs, 1)
    _choose(page.type_filter, "NODE_FAILED")
    table = page.events_table
    assert table.rowCount() >= 1
    cell = table.item(table.rowCount() - 1, 5)
    failed = [e for e in page.replay.events if e.type == "NODE_FAILED"][-1]
    assert json.loads(cell.toolTip()) == failed.data and len(cell.text()) <= DETAIL_CHARS


async def _expire_all(backend):
    return backend.runtime._checkpoints.expire(now=time.time() + 86400 * 31)


def _click_row(table, row: int, column: int = 1) -> None:
    rect = table.visualItemRect(table.item(row, column))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_checkpoint_rows_open_the_popover_and_expired_ones_refuse_to_fork(qtbot, window, example_workspace):
    execution_id, page = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "ab"})
    page.resize(1280, 720)
    assert page.replay.checkpoints.decoded_count() == 0  # the page opened without decoding a payload
    click_tab(qtbot, page.tabs, 2)
    table = page.checkpoints_table
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == ["echo", "upper"]
    assert table.item(1, 2).text() == page.replay.checkpoints[1].id
    assert table.item(1, SNAPSHOT_COLUMN).text() == ""
    _click_row(table, 1)
    popover = page.popover
    assert popover is not None and popover.isVisible() and popover.parentWidget() is page
    assert json.loads(popover.texts["Output"]) == {"text": "AB"}
    assert page.replay.checkpoints.decoded_count() == 1
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_checkpoint_popover.png"))

    # the TTL passes: the page read again lists the checkpoints as "Snapshot expired"
    page.close()
    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: execution_id not in pages)
    expired: list[int] = []
    window.bridge.call(_expire_all, expired.append)
    qtbot.waitUntil(lambda: bool(expired))
    assert expired == [2]
    panel = window.executions_page
    select_row(qtbot, panel.table, 0)
    click(qtbot, panel.details_button)
    qtbot.waitUntil(lambda: execution_id in pages)
    page = pages[execution_id]
    qtbot.waitExposed(page)
    page.resize(1280, 720)
    click_tab(qtbot, page.tabs, 2)
    table = page.checkpoints_table
    assert [table.item(r, SNAPSHOT_COLUMN).text() for r in range(2)] == ["Snapshot expired"] * 2
    fork = table.cellWidget(0, FORK_COLUMN)
    assert not fork.isEnabled() and fork.toolTip() == "Checkpoint expired — fork unavailable"
    QTest.mouseClick(fork, Qt.MouseButton.LeftButton)  # a disabled button: nothing forks
    _click_row(table, 0)
    popover = page.popover
    assert popover.payload.expired and "Input" not in popover.texts
    labels = [w.text() for w in popover.findChildren(QLabel)]
    assert labels.count("Snapshot expired") == 2
    assert not popover.fork_button.isEnabled()
    assert popover.fork_button.toolTip() == "Checkpoint expired — fork unavailable"
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_checkpoint_expired.png"))
    QTest.mouseClick(popover.fork_button, Qt.MouseButton.LeftButton)
    assert list(pages) == [execution_id]  # no fork was started
    # a card's popover at the end reads the same
    click_tab(qtbot, page.tabs, 0)
    _click_card(page, "upper")
    assert page.popover.payload.expired and not page.popover.fork_button.isEnabled()


def _choose(combo, text: str) -> None:
    """Pick ``text`` in ``combo`` with the keyboard: Home, then Down until it is current."""
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText() == text:
            return
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentText() == text


def test_events_filter_by_node_and_type_and_paginate(qtbot, window, example_workspace):
    chain(example_workspace, "long", ["Upper"] * 30)
    _, page = run_then_open_details(qtbot, window, example_workspace, "long", {"text": "ab"})
    page.resize(1280, 720)
    click_tab(qtbot, page.tabs, 1)
    events = page.replay.events
    table = page.events_table
    pages = -(-len(events) // EVENTS_PAGE)
    assert pages >= 2
    assert page.page_label.text() == f"Page 1 of {pages}"
    assert table.rowCount() == EVENTS_PAGE
    assert [table.item(r, 0).text() for r in (0, EVENTS_PAGE - 1)] == [str(events[0].seq), str(events[EVENTS_PAGE - 1].seq)]
    assert not page.prev_page.isEnabled()
    click(qtbot, page.next_page)
    assert page.page_label.text() == f"Page 2 of {pages}"
    assert table.item(0, 0).text() == str(events[EVENTS_PAGE].seq)
    assert page.prev_page.isEnabled()
    click(qtbot, page.prev_page)
    assert table.item(0, 0).text() == str(events[0].seq)

    # by node: only n7's events, one page; then by type too: its one NODE_COMPLETED
    _choose(page.node_filter, "n7")
    own = [e for e in events if e.node == "n7"]
    assert page.page_label.text() == "Page 1 of 1"
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == [e.type for e in own]
    assert {table.item(r, 2).text() for r in range(table.rowCount())} == {"n7"}
    _choose(page.type_filter, "NODE_COMPLETED")
    assert table.rowCount() == 1
    assert (table.item(0, 1).text(), table.item(0, 2).text()) == ("NODE_COMPLETED", "n7")
    # by type alone: one NODE_COMPLETED per node
    _choose(page.node_filter, "All nodes")
    assert [table.item(r, 2).text() for r in range(table.rowCount())] == [f"n{i}" for i in range(1, 31)]


def test_run_from_here_on_a_past_execution_reruns_only_downstream(qtbot, window, example_workspace):
    execution_id, page = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "ab"})
    page.resize(1280, 720)
    qtbot.waitUntil(lambda: page.canvas.viewport().width() > 600)
    _click_card(page, "upper")
    click(qtbot, page.popover.run_from_here_button)
    dialog = page.edit_dialog
    qtbot.waitExposed(dialog)
    assert json.loads(dialog.editor.toPlainText()) == {"text": "ab"}  # what upper received
    dialog.editor.setFocus()
    QTest.keyClick(dialog.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(dialog.editor, '{"text": "xy"}')
    click(qtbot, dialog.run_button)

    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: len(pages) == 2, timeout=20000)
    child_id = next(e for e in pages if e != execution_id)
    qtbot.waitUntil(lambda: pages[child_id].status_label.text() == "Completed", timeout=20000)
    child = pages[child_id]
    assert json.loads(child.output_view.toPlainText()) == {"text": "XY"}
    assert child.replay.execution.parent_id == execution_id
    started = [e.node for e in child.replay.events if e.type == "NODE_STARTED"]
    assert started == ["upper"]  # echo was not re-run: its recorded output was reused
    assert child.node_states() == {"echo": "completed", "upper": "completed"}


def test_a_pipeline_execution_shows_frames_and_does_not_fork(qtbot, window, example_workspace):
    _, page = run_then_open_details(qtbot, window, example_workspace, "words", {"text": "to be or"})
    page.resize(1280, 720)
    qtbot.waitUntil(lambda: page.canvas.viewport().width() > 600)
    assert page.node_states() == {"split": "completed", "shout": "completed"}
    _click_card(page, "shout")
    frames = page.popover.frame_lists["Output Frames"]
    assert frames.topLevelItemCount() == 3
    assert json.loads(frames.topLevelItem(1).child(0).text(0)) == {"word": "BE", "index": 1}
    assert not page.popover.fork_button.isEnabled() and not page.popover.run_from_here_button.isEnabled()
    click_tab(qtbot, page.tabs, 2)
    table = page.checkpoints_table
    assert table.rowCount() >= 1
    fork = table.cellWidget(0, FORK_COLUMN)
    assert not fork.isEnabled() and fork.toolTip() == "A pipeline run cannot be forked; run the flow again."


def test_the_detail_tables_have_compact_rows_that_fill_the_width(qtbot, window, example_workspace):
    from test_debug_session_canvas import assert_compact_and_filling

    _, page = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "ab"})
    page.resize(1280, 720)
    click_tab(qtbot, page.tabs, 0)
    qtbot.waitUntil(page.timeline.isVisible)
    assert_compact_and_filling(page.timeline)
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_detail_timeline.png"))
    click_tab(qtbot, page.tabs, 2)  # a checkpoint row holds its Fork from here button whole
    table = page.checkpoints_table
    qtbot.waitUntil(table.isVisible)
    fork = table.cellWidget(0, FORK_COLUMN)
    assert table.rowHeight(0) >= fork.sizeHint().height()
    assert fork.geometry().height() >= fork.sizeHint().height()
