"""The execution detail and debug session pages on a remote (a real ``axiom-ide serve`` subprocess):
switched to it in Settings → Connections, the Executions view lists the remote's run; selecting
it and clicking Open details opens its page (read through ``RemoteBackend.sessions``), a
checkpoint's payload opens, Fork from here forks on the remote and Replay in debugger opens the
REPLAY session page."""
from __future__ import annotations

import json
import os

from ide_support import click, select_row
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_connections import config_dir, fill_remote, live, open_connections, save_and_wait  # noqa: F401  (fixtures)

from axiom_ide.app.qt_bridge import alive


def _click_cell(table, row: int, column: int) -> None:
    rect = table.visualItemRect(table.item(row, column))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_a_remote_execution_opens_its_detail_page_forks_and_replays(qtbot, window, live, config_dir):  # noqa: F811
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    assert save_and_wait(qtbot, dialog, "ok").startswith("✓ Logged in as")
    click(qtbot, dialog.close_button)
    graph = live.compile("linear")
    with live.client() as client:
        answer = client.post("/invocations/v1/flows/invoke", json={"graph_id": graph, "input": {"text": "hi"},
                                                                    "wait": True}).json()
    execution_id = answer["execution_id"]
    assert answer["result"]["success"], answer

    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: execution_id in [r[4] for r in panel.rows()], timeout=20000)
    select_row(qtbot, panel.table, [r[4] for r in panel.rows()].index(execution_id))
    click(qtbot, panel.details_button)
    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: execution_id in pages, timeout=20000)
    page = pages[execution_id]
    qtbot.waitExposed(page)
    assert page.windowTitle() == f"Execution {execution_id}"
    assert page.status_label.text() == "Completed"
    assert page.forked_from is None and page.descendants == []
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.resize(1280, 720)
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "remote_execution_detail.png"))

    page.tabs.setCurrentIndex(2)  # Checkpoints: a row's payload, decoded by the remote
    table = page.checkpoints_table
    assert table.rowCount() == 2
    _click_cell(table, 1, 1)
    assert json.loads(page.popover.texts["Output"]) == {"text": "HI"}
    page.close_popover()

    # Fork from here: a FORK session on the remote; the fork's page opens and ends Completed
    click(qtbot, table.cellWidget(0, 4))
    qtbot.waitUntil(lambda: len(pages) == 2, timeout=30000)
    child_id = next(e for e in pages if e != execution_id)
    qtbot.waitUntil(lambda: alive(pages[child_id]) and pages[child_id].status_label.text() == "Completed",
                    timeout=30000)
    assert pages[child_id].forked_from.text() == f"Forked from {execution_id[:8]}"
    qtbot.waitUntil(lambda: alive(pages[execution_id])
                    and [link.text() for link in pages[execution_id].descendants] == [child_id[:8]], timeout=30000)
    with live.client() as client:
        assert client.get(f"/invocations/v1/executions/{child_id}").json()["parent_execution_id"] == execution_id

    # Replay in debugger: a REPLAY session stored on the remote, its page on this history
    sessions = window.execution_pages.sessions
    click(qtbot, pages[execution_id].debug_button)
    qtbot.waitUntil(lambda: execution_id in sessions and alive(sessions[execution_id]), timeout=30000)
    session_page = sessions[execution_id]
    assert session_page.mode == "REPLAY"
    session_id = session_page.windowTitle().removeprefix("Debug session ").split(" · ")[0]
    with live.client() as client:
        stored = client.get(f"/invocations/v1/debug/sessions/{session_id}").json()
    assert stored["mode"] == "REPLAY" and stored["execution_id"] == execution_id
