"""The execution detail page opened from the Executions view: select a row, Open details (button or
Enter), read a checkpoint's payload, Fork from here opens the fork, Forked from opens the parent."""
from __future__ import annotations

import json
import os

import pytest
from ide_support import click, open_flow, select_row, wait_done
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from axiom_ide.app.qt_bridge import alive


@pytest.fixture
def window(run_window):
    return run_window


def _click_cell(table, row: int, column: int) -> None:
    rect = table.visualItemRect(table.item(row, column))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_open_details_from_a_row_then_fork_and_follow_forked_from(qtbot, window, example_workspace):
    hello = open_flow(window, example_workspace, "hello")
    run = window.start_run(hello, {"name": "Ada"})
    wait_done(qtbot, hello)
    execution_id = run.state.execution_id
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: len(panel.rows()) == 1)
    assert not panel.details_button.isEnabled()  # nothing selected yet
    select_row(qtbot, panel.table, 0)
    click(qtbot, panel.details_button)
    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: execution_id in pages)
    page = pages[execution_id]
    qtbot.waitExposed(page)
    assert page.isVisible() and page.windowTitle() == f"Execution {execution_id}"
    assert page.status_label.text() == "Completed"
    assert page.forked_from is None and page.descendants == []
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.resize(1280, 720)
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_detail.png"))

    # Checkpoints: clicking a row opens that checkpoint's payload popover
    page.tabs.setCurrentIndex(2)
    table = page.checkpoints_table
    assert table.rowCount() >= 1
    _click_cell(table, 0, 1)
    assert json.loads(page.popover.texts["Output"]) == {"greeting": "Hello, Ada!"}

    # Fork from here: the fork runs and its page opens, linked to the parent; once the fork ended
    # its page shows the final state and the parent's page (read again in place) lists the fork
    click(qtbot, table.cellWidget(0, 4))
    qtbot.waitUntil(lambda: len(pages) == 2, timeout=20000)
    child_id = next(e for e in pages if e != execution_id)
    qtbot.waitUntil(lambda: alive(pages[child_id]) and pages[child_id].status_label.text() == "Completed",
                    timeout=20000)
    qtbot.waitUntil(lambda: [link.text() for link in pages[execution_id].descendants] == [child_id[:8]])
    child = pages[child_id]
    assert child.forked_from is not None
    assert child.forked_from.text() == f"Forked from {execution_id[:8]}"
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        child.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_detail_fork.png"))

    # the parent's page closed, reopened from the list with Enter
    pages[execution_id].close()
    qtbot.waitUntil(lambda: execution_id not in pages)
    qtbot.waitUntil(lambda: len(panel.rows()) == 2)
    row = [r[4] for r in panel.rows()].index(execution_id)
    select_row(qtbot, panel.table, row)
    panel.table.setFocus()
    QTest.keyClick(panel.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: execution_id in pages)
    assert pages[execution_id].children_ids == (child_id,)

    # Forked from on the fork's page opens the parent's page (one page per execution)
    pages[execution_id].close()
    qtbot.waitUntil(lambda: execution_id not in pages)
    click(qtbot, child.forked_from)
    qtbot.waitUntil(lambda: execution_id in pages)
    assert pages[execution_id].status_label.text() == "Completed"


def test_open_details_from_the_row_context_menu(qtbot, window, example_workspace):
    hello = open_flow(window, example_workspace, "hello")
    run = window.start_run(hello, {"name": "Ada"})
    wait_done(qtbot, hello)
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: len(panel.rows()) == 1)
    select_row(qtbot, panel.table, 0)
    chosen: list[str] = []

    def choose() -> None:  # the context menu is up: click its Open details item
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        action = next(a for a in menu.actions() if a.text() == "Open details")
        chosen.append(action.text())
        QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(0, choose)  # runs inside the menu's own event loop
    item = panel.table.topLevelItem(0)
    pos = panel.table.visualItemRect(item).center()
    # right-click the row: the press and release, then the context-menu event the platform sends with it
    viewport = panel.table.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, pos)
    QTest.mouseRelease(viewport, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier, pos)
    QApplication.sendEvent(viewport, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos)))
    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: run.state.execution_id in pages)
    assert chosen == ["Open details"]
