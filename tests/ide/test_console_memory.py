"""Console → Memory with real gestures over the real memory store (written with the store's own
API, as node code would): browse flow → session → conversation and semantic memories; search shows
score and method; End session and Delete session / Delete all ask the CLI's questions (answered by
clicking the confirmation's button) and report its confirmations; empty states."""
from __future__ import annotations

import re

import pytest
from ide_support import click, click_item, press_shortcut, shown, type_and_enter
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from axiom_ide.app.console.memory import find_row
from axiom_ide.app.console.window import ConsoleWindow
from axiom_ide.app.palette import CommandPalette
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import SqliteMemory

WHEN = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC"


def seed(data_dir, tenant: str = "local") -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    db = open_database(data_dir)
    try:
        m = SqliteMemory(db)
        m.call_sync(tenant, "chat", "history_append", {"session_id": "support-42", "role": "user",
                                                       "content": "What export formats do you support?"})
        m.call_sync(tenant, "chat", "history_append", {"session_id": "support-42", "role": "assistant",
                                                       "content": "CSV and JSON are both supported."})
        m.call_sync(tenant, "chat", "session_write", {"session_id": "support-42", "importance": 0.8,
                                                      "content": "User works with CSV and JSON exports."})
        m.call_sync(tenant, "chat", "history_append", {"session_id": "support-7", "role": "user",
                                                       "content": "Hello there"})
        m.call_sync(tenant, "chat", "write", {"content": "User prefers CSV exports.", "importance": 0.6})
    finally:
        db.close()


@pytest.fixture
def seeded(tmp_path):
    seed(tmp_path / "data")


@pytest.fixture
def shown_window(window, qtbot):
    window.show()
    qtbot.waitExposed(window)
    return window


def open_memory(qtbot, window):
    """Ctrl+K "Memory", as the user opens the page."""
    press_shortcut(qtbot, window, "command-palette-action")
    palette = shown(window, CommandPalette)
    qtbot.keyClicks(palette.search, "Memory")
    assert palette.visible_labels()[0] == "Memory"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    console = shown(window, ConsoleWindow)
    assert console.stack.currentWidget() is console.memory
    assert console.nav.currentItem().text() == "Memory"
    return console.memory


def choose(qtbot, tree, key):
    qtbot.waitUntil(lambda: find_row(tree, key) is not None, timeout=10000)
    click_item(qtbot, tree, find_row(tree, key))


def answer(qtbot, page, button_name):
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    box = page.dialog
    assert isinstance(box, QMessageBox)
    text = box.text()
    click(qtbot, box.findChild(type(box.buttons()[0]), button_name))
    return text


def rows(tree):
    return [[tree.topLevelItem(i).text(c) for c in range(tree.columnCount())] for i in range(tree.topLevelItemCount())]


def test_browse_flow_session_conversation_and_search(qtbot, seeded, shown_window):
    page = open_memory(qtbot, shown_window)
    qtbot.waitUntil(lambda: len(page.flow_rows()) == 1, timeout=10000)
    flow = page.flow_rows()[0]
    assert flow[:2] == ["chat", "2"] and re.fullmatch(WHEN, flow[2])
    assert page.flows_empty.isHidden()

    choose(qtbot, page.flows, "chat")
    qtbot.waitUntil(lambda: len(page.session_rows()) == 2, timeout=10000)
    sessions = {r[0]: r for r in page.session_rows()}
    assert sessions["support-42"][1] == "2" and sessions["support-7"][1] == "1"
    assert re.fullmatch(WHEN, sessions["support-42"][2])

    choose(qtbot, page.sessions, "support-42")
    qtbot.waitUntil(lambda: page.turn_count() == 2, timeout=10000)
    assert "• Session support-42" in page.session_title.text()
    lines = page.conversation_lines()
    assert len(lines) == 4
    assert re.fullmatch(rf"USER {WHEN}", lines[0]) and re.fullmatch(rf"ASSISTANT {WHEN}", lines[2])
    assert lines[1] == "What export formats do you support?" and lines[3] == "CSV and JSON are both supported."
    assert page.turns_footer.text() == "· 2 turn(s) total"
    assert rows(page.memories) == [["semantic", "0.80", "User works with CSV and JSON exports."]]
    assert page.memories_footer.text() == "· 1 entr(ies) found"

    choose(qtbot, page.sessions, "support-7")
    qtbot.waitUntil(lambda: page.turn_count() == 1, timeout=10000)
    assert page.memories_footer.text() == "No semantic memories yet"

    type_and_enter(qtbot, page.query, "CSV exports")
    qtbot.waitUntil(lambda: page.results_footer.text().startswith("·"), timeout=10000)
    results = rows(page.results)
    assert [r[:2] for r in results] == [["User prefers CSV exports.", "0.60"]]  # the flow's own memories
    assert re.fullmatch(r"\d+\.\d{4}", results[0][2]) and float(results[0][2]) > 0
    assert re.fullmatch(r"· 1 result\(s\) — method: hybrid, latency: \d+ms", page.results_footer.text())


def test_end_then_delete_session_then_delete_all(qtbot, seeded, shown_window, tmp_path):
    page = open_memory(qtbot, shown_window)
    choose(qtbot, page.flows, "chat")
    choose(qtbot, page.sessions, "support-42")
    qtbot.waitUntil(page.end_button.isEnabled, timeout=10000)

    click(qtbot, page.end_button)
    assert answer(qtbot, page, "memoryEndButton") == "End session support-42 and trigger consolidation?"
    qtbot.waitUntil(lambda: page.status.text() == "✓ Session support-42 ended. Consolidation enqueued.",
                    timeout=10000)
    qtbot.waitUntil(lambda: "ended" in page.session_title.text(), timeout=10000)
    assert page.turn_count() == 2 and len(page.conversation_lines()) == 4  # non-destructive
    # the background consolidation's completion shows on the page (a question and an answer: no facts)
    qtbot.waitUntil(lambda: page.consolidation.text().startswith("· Consolidation done"), timeout=20000)
    assert re.fullmatch(rf"· Consolidation done {WHEN} \(2 turn\(s\) read: 0 fact\(s\) stored, 0 merged\)",
                        page.consolidation.text())

    click(qtbot, page.delete_button)
    assert answer(qtbot, page, "memoryDeleteSessionButton") == "Permanently delete session support-42?"
    qtbot.waitUntil(lambda: page.status.text() == "✓ Deleted session support-42 (3 record(s) removed).",
                    timeout=10000)
    qtbot.waitUntil(lambda: [r[0] for r in page.session_rows()] == ["support-7"], timeout=10000)
    assert not page.delete_button.isEnabled()

    click(qtbot, page.delete_all_button)
    assert answer(qtbot, page, "memoryDeleteFlowButton") == "Permanently delete ALL memory for flow chat?"
    qtbot.waitUntil(lambda: page.status.text() == "✓ Deleted all memory for flow chat (2 record(s) removed).",
                    timeout=10000)
    qtbot.waitUntil(lambda: page.flow_rows() == [] and page.flows_empty.isVisible(), timeout=10000)
    assert page.flows_empty.text() == "No flows with memory yet."
    db = open_database(tmp_path / "data")
    try:
        assert db.conn.execute("SELECT COUNT(*) FROM memory_turns").fetchone()[0] == 0
    finally:
        db.close()


def test_cancelling_delete_keeps_the_session(qtbot, seeded, shown_window):
    page = open_memory(qtbot, shown_window)
    choose(qtbot, page.flows, "chat")
    choose(qtbot, page.sessions, "support-7")
    qtbot.waitUntil(page.delete_button.isEnabled, timeout=10000)
    click(qtbot, page.delete_button)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=5000)
    click(qtbot, page.dialog.button(QMessageBox.StandardButton.Cancel))
    qtbot.waitUntil(lambda: not page.dialog.isVisible(), timeout=5000)
    open_memory(qtbot, shown_window)  # reopened: read again from the store
    qtbot.waitUntil(lambda: len(page.session_rows()) == 2, timeout=10000)
    assert page.status.text() == ""


def test_empty_state(qtbot, shown_window):
    page = open_memory(qtbot, shown_window)
    qtbot.waitUntil(page.flows_empty.isVisible, timeout=10000)
    assert page.flows_empty.text() == "No flows with memory yet."
    assert page.sessions_empty.text() == "Choose a flow to see its sessions."
    assert not page.search_button.isEnabled() and not page.delete_all_button.isEnabled()


def test_a_blank_or_too_long_query_is_refused_inline(qtbot, seeded, shown_window):
    page = open_memory(qtbot, shown_window)
    choose(qtbot, page.flows, "chat")
    qtbot.waitUntil(page.search_button.isEnabled, timeout=10000)
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: page.results_footer.text() == "the search query must not be empty", timeout=10000)
    QGuiApplication.clipboard().setText("x" * 4097)  # pasted, as a user brings in a long text
    qtbot.keyClick(page.query, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(page.query.text()) == 4097
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: "at most 4096" in page.results_footer.text(), timeout=10000)
    assert page.results.topLevelItemCount() == 0
