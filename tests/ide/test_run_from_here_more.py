"""Run from here on a FAILED node (its input is what its upstream delivered), and the Stop action
(Esc / Shift+F5) following a Run from here like a ▶ Run (#13 loose ends)."""
from __future__ import annotations

import json

import pytest
from engine_support import add_faults_package, add_picky_package, chain
from ide_support import click, close_window, make_window, open_flow, press_shortcut, wait_done
from PySide6.QtCore import Qt
from test_payload_popover import click_card, popover_of
from test_run import run_with

from axiom_ide.runtime import event_types as ev


@pytest.fixture
def window(qtbot, example_workspace, tmp_path, invoker):
    add_faults_package(example_workspace)
    add_picky_package(example_workspace)
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini",
                    inline=invoker == "inline")
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_window(w)


def started(state):
    return [e.node for e in state.events if e.type == ev.NODE_STARTED]


def test_run_from_here_on_a_failed_node_opens_its_delivered_input_and_reuses_upstream(qtbot, window,
                                                                                     example_workspace):
    chain(example_workspace, "fixme", ["Upper", "Picky", "Upper"], pkg="tests/picky@0.1.0")
    tab = open_flow(window, example_workspace, "fixme")
    run_with(qtbot, window, tab, text="fixed")  # n2 receives "FIXED" and fails
    wait_done(qtbot, tab)
    parent = tab.run.state.execution_id
    assert tab.run.state.status == "Failed"
    click_card(qtbot, window, tab, "n2")
    popover = popover_of(qtbot, window, "n2")
    assert json.loads(popover.texts["Input"]) == {"text": "FIXED", "big": "0"}
    assert not popover.fork_button.isEnabled()
    click(qtbot, popover.run_from_here_button)
    dialog = window.payloads.edit_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert json.loads(dialog.editor.toPlainText()) == {"text": "FIXED", "big": "0"}
    editor = dialog.editor
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, '{"text": "fixed", "big": "0"}')
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: tab.run.state.execution_id not in (None, parent), timeout=30_000)
    wait_done(qtbot, tab)
    state = tab.run.state
    assert state.status == "Completed" and state.result.output == {"text": "OK", "big": "0"}
    assert started(state) == ["n2", "n3"]  # n1's recorded output reused, not re-run


def test_esc_stops_a_run_from_here(qtbot, window, example_workspace):
    chain(example_workspace, "fork-esc", ["Upper", "Upper", "Hang"])
    tab = open_flow(window, example_workspace, "fork-esc")
    run = run_with(qtbot, window, tab, text="a")
    qtbot.waitUntil(lambda: run.state.current_node == "n3", timeout=60_000)
    press_shortcut(qtbot, window, "stop-action")
    wait_done(qtbot, tab)
    parent = run.state.execution_id
    assert not window.actions["stop-action"].isEnabled()
    click_card(qtbot, window, tab, "n2")
    click(qtbot, popover_of(qtbot, window, "n2").run_from_here_button)
    dialog = window.payloads.edit_dialog
    qtbot.waitUntil(dialog.isVisible)
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: tab.run.state.execution_id not in (None, parent), timeout=30_000)
    fork = tab.run
    qtbot.waitUntil(lambda: tab.scene.item_for_node("n3").run_state == "running", timeout=60_000)
    assert window.actions["stop-action"].isEnabled()
    press_shortcut(qtbot, window, "stop-action")  # Esc, not the tab's Stop button
    wait_done(qtbot, tab)
    assert fork.state.status == "Cancelled"
    assert not window.actions["stop-action"].isEnabled()


def test_run_from_here_on_a_failed_node_from_the_execution_detail_page(qtbot, window, example_workspace):
    from ide_support import click_at, on_card, run_then_open_details

    chain(example_workspace, "fixme-detail", ["Upper", "Picky", "Upper"], pkg="tests/picky@0.1.0")
    execution_id, page = run_then_open_details(qtbot, window, example_workspace, "fixme-detail", {"text": "fixed"})
    pages = window.execution_pages.pages
    page.canvas.fit_all()
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node("n2")))
    qtbot.waitUntil(lambda: page.popover is not None and page.popover.isVisible())
    assert page.popover.payload.status == "failed"
    assert json.loads(page.popover.texts["Input"]) == {"text": "FIXED", "big": "0"}
    click(qtbot, page.popover.run_from_here_button)
    dialog = page.edit_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert json.loads(dialog.editor.toPlainText()) == {"text": "FIXED", "big": "0"}
    dialog.editor.setFocus()
    qtbot.keyClick(dialog.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.editor, '{"text": "fixed", "big": "0"}')
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: len(pages) == 2, timeout=30_000)
    child_id = next(e for e in pages if e != execution_id)
    qtbot.waitUntil(lambda: pages[child_id].status_label.text() == "Completed", timeout=30_000)
    child = pages[child_id].replay
    assert child.execution.parent_id == execution_id
    assert [e.node for e in child.events if e.type == ev.NODE_STARTED] == ["n2", "n3"]  # n1 reused
