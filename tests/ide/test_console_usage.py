"""Console → Usage after real runs: the summary cards and today's row of executions per day
(one succeeded, one failed), opened from Ctrl+K "Usage"."""
from __future__ import annotations

import time

import pytest
from engine_support import chain
from ide_support import open_flow, press_shortcut, shown, type_over, wait_done
from PySide6.QtCore import Qt

from axiom_ide.app.console.window import ConsoleWindow
from axiom_ide.app.dialogs.run_graph import RunGraphDialog
from axiom_ide.app.palette import CommandPalette


@pytest.fixture
def window(run_window):
    return run_window


def run(qtbot, window, tab, field, value):
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    dialog = shown(window, RunGraphDialog)
    type_over(qtbot, dialog.control(field), value)
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab, timeout=60000)


def test_usage_counts_the_last_30_days_runs(qtbot, window, example_workspace):
    chain(example_workspace, "boom", ["Upper", "Boom"])
    run(qtbot, window, open_flow(window, example_workspace, "hello"), "name", "Ada")
    run(qtbot, window, open_flow(window, example_workspace, "boom"), "text", "x")
    press_shortcut(qtbot, window, "command-palette-action")
    palette = shown(window, CommandPalette)
    qtbot.keyClicks(palette.search, "Usage")
    assert palette.visible_labels()[0] == "Usage"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    console = shown(window, ConsoleWindow)
    page = console.usage
    assert console.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.executions.text() == "2", timeout=10000)
    assert page.success_rate.text() == "50%"
    assert page.avg_duration.text().endswith(("ms", " s"))
    rows = page.rows()
    assert len(rows) == 30
    assert rows[0] == [time.strftime("%Y-%m-%d", time.gmtime()), "2", "1", "1"]
    assert all(r[1:] == ["0", "0", "0"] for r in rows[1:])
