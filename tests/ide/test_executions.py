"""The Executions page: rows from the real runtime through the backend, newest first, filters,
live updates, double-click shows the execution in the result panel."""
from __future__ import annotations

import json

import pytest
from ide_support import click_header, double_click_item, open_flow, wait_done


@pytest.fixture
def window(run_window):
    return run_window


def run(qtbot, window, tab, data):
    r = window.start_run(tab, data)
    wait_done(qtbot, tab)
    return r.state.execution_id


def test_executions_list_shows_runs_newest_first_and_filters(qtbot, window, example_workspace):
    page = window.executions_page
    click_header(qtbot, window, "executions-action")
    qtbot.waitUntil(lambda: page.count.text() == "No executions yet. Run a flow to see it here.")
    hello = open_flow(window, example_workspace, "hello")
    first = run(qtbot, window, hello, {"name": "Ada"})
    second = run(qtbot, window, hello, {"name": "Bob"})
    square = open_flow(window, example_workspace, "square")
    third = run(qtbot, window, square, {"a": 1, "b": "x"})  # invalid input: Failed
    # Live: the page follows new executions without a manual refresh.
    qtbot.waitUntil(lambda: len(page.rows()) == 3)
    rows = page.rows()
    assert [r[4] for r in rows] == [third, second, first]
    assert [r[0] for r in rows] == ["Failed", "Completed", "Completed"]
    assert [r[3] for r in rows] == ["square", "hello", "hello"]
    assert rows[1][2].endswith(("ms", " s"))
    assert page.count.text() == "3 executions"
    assert [page.table.headerItem().text(i) for i in range(5)] == ["Status", "Started", "Duration", "Flow", "Execution"]

    page.status_filter.setCurrentIndex(page.status_filter.findData("Failed"))
    qtbot.waitUntil(lambda: [r[4] for r in page.rows()] == [third])
    page.status_filter.setCurrentIndex(0)
    page.flow_filter.setCurrentIndex(page.flow_filter.findData("hello"))
    qtbot.waitUntil(lambda: [r[4] for r in page.rows()] == [second, first])


def test_double_click_shows_the_execution_events_and_output(qtbot, window, example_workspace):
    hello = open_flow(window, example_workspace, "hello")
    execution_id = run(qtbot, window, hello, {"name": "Ada"})
    window.results.show_message("")
    window.show_executions()
    page = window.executions_page
    qtbot.waitUntil(lambda: len(page.rows()) == 1)
    item = page.table.topLevelItem(0)
    double_click_item(qtbot, page.table, item)
    qtbot.waitUntil(lambda: window.results.state is not None)
    results = window.results
    assert results.title.text() == "Execution Completed"
    assert results.execution_label.text() == f"execution {execution_id}"
    assert json.loads(results.output.toPlainText()) == {"greeting": "Hello, Ada!"}
    types = [results.events.topLevelItem(i).text(1) for i in range(results.events.topLevelItemCount())]
    assert types == ["EXECUTION_STARTED", "NODE_STARTED", "LOG", "NODE_COMPLETED", "EXECUTION_COMPLETED"]
