"""The human-in-the-loop banner (app/hitl_banner.py), driven with real clicks: on the flow tab a run
that reaches an approval shows Approve / Reject / Edit & approve; on the execution detail page the
banner answers too, and the Pauses and Branches tabs list the run's HITL and branch events."""
from __future__ import annotations

import os

import pytest
from hitl_support import approval_flow
from ide_support import click, click_tab, open_flow, select_row, wait_done
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from axiom_ide.app import hitl_banner as hb


@pytest.fixture
def window(run_window, example_workspace):
    approval_flow(example_workspace)
    return run_window


def _shot(widget, name: str) -> None:
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        widget.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], name))


def test_flow_tab_banner_approve(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "gated")
    run = window.start_run(tab, {"text": "a"})
    banner = tab.hitl_banner
    qtbot.waitUntil(banner.isVisible, timeout=20000)
    assert banner.text.text() == 'Paused (HITL) before "review": Ship it?'
    assert tab.pill.text() == "Paused (HITL)" and run.state.is_running  # the pill reads the docs' status
    assert run.state.node_states.get("review") == "paused"  # the canvas marks the node it waits before
    qtbot.waitUntil(lambda: window.results.progress_text() == "Paused (HITL) — review")
    assert window.statusBar().currentMessage() == "Paused (HITL)"  # not "Running gated…"
    assert [b.text().replace("&&", "&") for b in (banner.approve_button, banner.reject_button, banner.edit_button)] == [
        hb.APPROVE, hb.REJECT, hb.EDIT_APPROVE]
    _shot(window, "hitl_flow_tab.png")
    click(qtbot, banner.approve_button)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output == {"text": "A", "big": "0"}
    assert tab.pill.text() == "Completed"
    assert not banner.isVisible()


def test_flow_tab_banner_edit_and_approve(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "gated")
    run = window.start_run(tab, {"text": "a"})
    banner = tab.hitl_banner
    qtbot.waitUntil(banner.isVisible, timeout=20000)
    click(qtbot, banner.edit_button)
    dialog = banner.edit_dialog
    qtbot.waitExposed(dialog)
    editor = dialog.editor
    editor.setFocus()
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, '["not an object"]')
    assert not dialog.approve_button.isEnabled() and dialog.problem.text() == hb.NOT_AN_OBJECT
    QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, '{"text": "edited"}')
    _shot(dialog, "hitl_edit_dialog.png")
    click(qtbot, dialog.approve_button)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.state.result.output["text"] == "EDITED"


def test_detail_page_banner_reject_and_the_pauses_tab(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "gated")
    run = window.start_run(tab, {"text": "a"})
    qtbot.waitUntil(tab.hitl_banner.isVisible, timeout=20000)
    execution_id = run.state.execution_id
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: len(panel.rows()) == 1)
    select_row(qtbot, panel.table, 0)
    click(qtbot, panel.details_button)
    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: execution_id in pages)
    page = pages[execution_id]
    qtbot.waitExposed(page)
    assert page.status_label.text() == "Paused (HITL)"
    assert page.position.text().endswith("· Paused (HITL)")  # the scrubber's replay folds the pause too
    qtbot.waitUntil(page.hitl_banner.isVisible)
    _shot(page, "hitl_detail_page.png")
    click(qtbot, page.hitl_banner.reject_button)
    wait_done(qtbot, tab)
    assert run.state.status == "Failed"
    qtbot.waitUntil(lambda: alive_page(pages, execution_id).status_label.text() == "Failed", timeout=20000)
    page = pages[execution_id]
    assert not page.hitl_banner.isVisible()
    click_tab(qtbot, page.tabs, 3)
    table = page.tabs.widget(3)
    rows = [(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())]
    assert rows == [("HITL_PAUSED", "review"), ("HITL_RESUMED", "review")]
    assert '"action": "reject"' in table.item(1, 4).text()


def alive_page(pages, execution_id):
    from axiom_ide.app.qt_bridge import alive

    page = pages.get(execution_id)
    assert page is not None and alive(page)
    return page


def test_branches_tab_lists_the_branch_and_gate_events(qtbot, window, example_workspace):
    from engine_support import write_flow
    from ide_support import run_then_open_details

    pkg = "tests/faults@0.1.0"
    write_flow(example_workspace, "fork2", f"""\
mode: unary
imports: [{pkg}]
nodes:
  - id: n0
    node: {pkg}:Upper
  - id: left
    node: {pkg}:Upper
  - id: right
    node: {pkg}:Upper
  - id: j
    node: {pkg}:Upper
edges:
  - from: n0
    to: left
  - from: n0
    to: right
  - from: left
    to: j
  - from: right
    to: j
""")
    _eid, page = run_then_open_details(qtbot, window, example_workspace, "fork2", {"text": "a"})
    click_tab(qtbot, page.tabs, 4)
    table = page.tabs.widget(4)
    rows = [(table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())]
    assert rows == [("BRANCH_STARTED", "left"), ("BRANCH_STARTED", "right"), ("BRANCH_FINISHED", "left"),
                    ("GATE_WAITING", "j"), ("BRANCH_FINISHED", "right"), ("GATE_OPENED", "j")]
    _shot(page, "hitl_branches_tab.png")
