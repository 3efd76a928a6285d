"""The result panel reads the run's error value (issue 10 item 7): Show on canvas selects the node the
engine blamed — not the first one the message names — and a node that raised shows its exception
type and a collapsed Traceback section. Once in process and once through real node hosts."""
from __future__ import annotations

import sqlite3

import pytest
from error_value_support import BLAME_TEXT, blame_flow
from ide_support import click, double_click_item, open_flow, shown, wait_done
from PySide6.QtCore import Qt

from axiom_ide.app.dialogs.run_graph import RunGraphDialog
from axiom_ide.runtime.store.db import DB_FILENAME


@pytest.fixture
def window(run_window):
    return run_window


def run_flow(qtbot, window, tab, text: str) -> None:
    click(qtbot, tab.run_button)
    dialog = shown(window, RunGraphDialog)
    field = dialog.control("text")
    field.clear()
    qtbot.keyClicks(field, text)
    click(qtbot, dialog.run_button)
    wait_done(qtbot, tab)


def test_show_on_canvas_and_traceback_come_from_the_error_value(qtbot, window, example_workspace):
    blame_flow(example_workspace)
    window.refresh_packages()  # the package was added after the window scanned the workspace
    tab = open_flow(window, example_workspace, "blames")
    run_flow(qtbot, window, tab, "x")
    results = window.results
    assert results.title.text() == "Execution Failed"
    assert results.output.toPlainText() == BLAME_TEXT
    assert results.failure_label.text() == 'NODE_FAILED · node "n2"'
    assert results.failure_label.toolTip() == f"error: {BLAME_TEXT}"  # errors.render, as the CLI prints it
    # The traceback is there, collapsed, until its toggle is clicked.
    toggle, view = results.traceback_toggle, results.traceback_view
    assert toggle.isVisible() and toggle.text() == "Traceback (RuntimeError)" and not view.isVisible()
    handler = example_workspace / "packages" / "blame" / "nodes" / "blame.py"
    assert f'File "{handler}", line 2, in blame' in view.toPlainText()
    assert view.toPlainText().rstrip().endswith(f"RuntimeError: {BLAME_TEXT}")
    click(qtbot, toggle)
    qtbot.waitUntil(view.isVisible)
    assert toggle.arrowType() == Qt.ArrowType.DownArrow
    # The traceback starts at the handler: the host's own frames are left out.
    assert view.toPlainText().splitlines()[:2] == ["Traceback (most recent call last):",
                                                   f'  File "{handler}", line 2, in blame']
    window.grab().save("/tmp/w1_traceback.png")
    results.grab().save("/tmp/w1_traceback_panel.png")
    # The message names n1 first; the error value says n2.
    click(qtbot, results.show_button)
    assert tab.scene.selected_node_ids() == ["n2"]
    click(qtbot, toggle)
    qtbot.waitUntil(lambda: not view.isVisible())


def test_a_run_without_a_raised_exception_has_no_traceback_section(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    click(qtbot, tab.run_button)
    dialog = shown(window, RunGraphDialog)
    click(qtbot, dialog.run_button)  # hello's input left empty: the run completes
    wait_done(qtbot, tab)
    assert window.results.title.text() == "Execution Completed"
    assert not window.results.traceback_toggle.isVisible()
    assert not window.results.traceback_view.isVisible()


def test_an_execution_stored_before_the_error_value_still_shows_on_canvas(qtbot, window, example_workspace,
                                                                          tmp_path):
    """An old row in history (no error_detail, as before the store kept it), opened from the Executions
    page: the fallback attributes it to the node the engine recorded; no traceback section."""
    blame_flow(example_workspace)
    window.refresh_packages()  # the package was added after the window scanned the workspace
    tab = open_flow(window, example_workspace, "blames")
    run_flow(qtbot, window, tab, "x")
    eid = tab.run.state.execution_id
    with sqlite3.connect(tmp_path / "data" / DB_FILENAME) as conn:
        conn.execute("UPDATE executions SET error_detail = NULL WHERE id = ?", (eid,))
    window.results.show_message("")
    window.show_executions()
    page = window.executions_page
    qtbot.waitUntil(lambda: [r[4] for r in page.rows()] == [eid])
    double_click_item(qtbot, page.table, page.table.topLevelItem(0))
    qtbot.waitUntil(lambda: window.results.state is not None)
    results = window.results
    assert results.title.text() == "Execution Failed"
    assert results.failure_label.text() == 'NODE_FAILED · node "n2"'
    assert not results.traceback_toggle.isVisible()
    assert results.traceback_view.toPlainText() == ""
