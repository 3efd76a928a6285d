"""Console → Usage after real runs: the summary cards and today's row of executions per day
(one succeeded, one failed), opened from Ctrl+K "Usage"."""
from __future__ import annotations

import os
import time

import pytest
from engine_support import chain
from ide_support import open_flow, press_shortcut, shown, type_over, wait_done
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

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


def hover(chart, index):
    """Move the pointer onto bar ``index``: mouse-move events on the plot's viewport, from just
    below the bar's middle up onto it. (QTest.mouseMove's moves never reach the viewport here once
    the main window has been shown, under offscreen and Xvfb alike, so the events are sent.)"""
    viewport = chart.viewport()
    at = chart.bar_center(index)
    for dy in (4.0, 0.0):
        local = QPointF(at.x(), at.y() + dy)
        QApplication.sendEvent(viewport, QMouseEvent(QEvent.Type.MouseMove, local, QPointF(viewport.mapToGlobal(local)),
                                                     Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                                     Qt.KeyboardModifier.NoModifier))


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
    assert not page.quotas.isVisible()  # the in-process runtime has no daily limits

    # the chart: hovering today's bar (the last) shows its date, total and split; an empty day its zeros
    chart = page.chart
    qtbot.waitExposed(chart)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    hover(chart, 29)
    qtbot.waitUntil(lambda: chart.hover_text == f"{today} · 2 executions · 1 succeeded, 1 failed")
    assert chart.label.isVisible()
    hover(chart, 3)
    qtbot.waitUntil(lambda: chart.hover_text.endswith(" · 0 executions · 0 succeeded, 0 failed"))
    assert chart.hover_text.startswith(rows[26][0])  # the table is newest first: day 3 is row 26
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        console.resize(1280, 720)
        qtbot.waitUntil(lambda: chart.viewport().width() > 900)
        hover(chart, 29)
        qtbot.waitUntil(lambda: chart.hover_text.startswith(today))
        console.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "console_usage.png"))
