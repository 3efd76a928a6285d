"""The Executions view (#13 item 8): statuses in their theme colours, a page that shows more than
five rows and loads more, and live rows for runs of other processes on the same data dir (a real
``axiom-ide flow run`` subprocess), polled only while the page is visible."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from ide_support import click, click_header, open_flow, wait_done

from axiom_ide.app import theme
from axiom_ide.app.panels import executions


@pytest.fixture
def window(run_window):
    return run_window


def run(qtbot, window, tab, data):
    r = window.start_run(tab, data)
    wait_done(qtbot, tab)
    return r.state.execution_id


def test_statuses_are_drawn_in_their_theme_colours(qtbot, window, example_workspace):
    hello = open_flow(window, example_workspace, "hello")
    run(qtbot, window, hello, {"name": "Ada"})
    square = open_flow(window, example_workspace, "square")
    run(qtbot, window, square, {"a": 1, "b": "x"})  # invalid input: Failed
    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["Failed", "Completed"])
    colours = [page.table.topLevelItem(i).foreground(0).color().name() for i in range(2)]
    assert colours == [theme.RED, theme.GREEN]
    assert executions.status_color("Running").name() == theme.ACCENT
    assert executions.status_color("Cancelled").name() == theme.STATUS_MUTED


def test_the_page_shows_more_than_five_rows_and_loads_more(qtbot, window, example_workspace, monkeypatch):
    hello = open_flow(window, example_workspace, "hello")
    ids = [run(qtbot, window, hello, {"name": f"n{i}"}) for i in range(7)]
    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: len(page.rows()) == 7)
    # All seven rows are on screen at once: the page is taller than a five-row strip.
    table = page.table
    last = table.visualItemRect(table.topLevelItem(6))
    assert last.isValid() and table.viewport().rect().contains(last)
    assert not page.more_button.isVisible()

    monkeypatch.setattr(executions, "PAGE_SIZE", 4)
    page.limit = 4
    click(qtbot, page.refresh_button)
    qtbot.waitUntil(lambda: len(page.rows()) == 4)
    assert page.more_button.isVisible() and page.more_button.text() == "Load more"
    click(qtbot, page.more_button)
    qtbot.waitUntil(lambda: len(page.rows()) == 7)
    assert [r[4] for r in page.rows()] == ids[::-1]
    assert not page.more_button.isVisible()


def test_a_cli_run_of_another_process_appears_without_user_action(qtbot, window, example_workspace):
    hello = open_flow(window, example_workspace, "hello")
    own = run(qtbot, window, hello, {"name": "Ada"})
    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: [r[4] for r in page.rows()] == [own])
    qtbot.waitUntil(lambda: page.polling)

    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(window.data_dir))
    out = subprocess.run([sys.executable, "-m", "axiom_ide", "flow", "run",
                          str(example_workspace / "flows" / "hello.flow.yaml"), "-d", '{"name": "Cli"}',
                          "--json", "--workspace", str(example_workspace)],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    cli_id = json.loads(out.stdout)["execution_id"]
    qtbot.waitUntil(lambda: [r[4] for r in page.rows()] == [cli_id, own], timeout=10000)
    assert page.rows()[0][0] == "Completed"

    # Hidden (another bottom tab raised), the page stops asking.
    window.results_dock.raise_()
    qtbot.waitUntil(lambda: not page.polling)
