"""The execution detail and debug session pages on a remote (a real ``axiom-ide serve`` subprocess):
switched to it in Settings → Connections, the Executions view lists the remote's run; selecting
it and clicking Open details opens its page (read through ``RemoteBackend.sessions``), a
checkpoint's payload opens, Fork from here forks on the remote and Replay in debugger opens the
REPLAY session page; Open in debugger on a remote Debug run shows the LIVE page and follows the run."""
from __future__ import annotations

import json
import os

from ide_support import click, open_flow, select_row, shown, type_over, wait_done
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_connections import config_dir, fill_remote, live, open_connections, save_and_wait  # noqa: F401  (fixtures)
from test_debug_session_canvas import drawn
from test_debugger_core import choose, right_click_menu

from axiom_ide.app.dialogs.run_graph import RunGraphDialog
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


def test_open_in_debugger_follows_a_remote_debug_run(qtbot, window, live, config_dir, example_workspace):  # noqa: F811

    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    save_and_wait(qtbot, dialog, "ok")
    click(qtbot, dialog.close_button)
    tab = open_flow(window, example_workspace, "linear")
    choose(qtbot, right_click_menu(qtbot, tab, "upper"), "Set breakpoint")
    click(qtbot, tab.run_button)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("text"), "far")
    click(qtbot, run_dialog.debug_button)
    run = tab.run
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == "upper", timeout=60_000)

    click(qtbot, tab.debug_bar.open_button)  # Open in debugger: the LIVE page over the remote's run
    sessions = window.execution_pages.sessions
    execution_id = run.state.execution_id
    qtbot.waitUntil(lambda: execution_id in sessions, timeout=30_000)
    page = sessions[execution_id]
    qtbot.waitExposed(page)
    assert page.pill.text() == "LIVE" and page.windowTitle() == f"Debug session {run.debug_session_id} · LIVE"
    assert drawn(page) == {"echo": "completed", "upper": "paused"}
    click(qtbot, page.run_to_end)  # continues the remote run; the page follows it to its end
    wait_done(qtbot, tab, timeout=60_000)
    assert run.state.result.output == {"text": "FAR"}
    qtbot.waitUntil(lambda: drawn(page) == {"echo": "completed", "upper": "completed"}, timeout=30_000)
