"""Run → Run Dataset… with the IDE switched to a remote (Settings → Connections → Remote, a real
``axiom-ide serve`` in a subprocess): the rows run on the remote (its executions), the results table
shows outputs and per-row errors as on local, Cancel stops the batch mid-way and keeps the rows done,
and the batches are saved in the IDE's data dir, where Compare Batches compares them."""
from __future__ import annotations

import json

import live_server
import pytest
import server_support
from engine_support import add_faults_package, chain
from ide_support import click, open_flow, type_over
from PySide6.QtWidgets import QApplication
from test_connections import fill_remote, open_connections, save_and_wait
from test_run_dataset import cells, open_dialog

from axiom_ide.runtime.batch import load_batch


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = live_server.start_server(tmp_path_factory.mktemp("remote-dataset"))
    server_support.test_flows(server)  # tests/faults on the remote
    yield server
    live_server.stop_server(server)


@pytest.fixture
def remote_window(qtbot, window, live, tmp_path, monkeypatch, example_workspace):
    add_faults_package(example_workspace)
    return switch_to_remote(qtbot, window, live, tmp_path, monkeypatch)


def switch_to_remote(qtbot, window, live, tmp_path, monkeypatch):
    """Settings → Connections → Remote with the live server's URL and key, saved (real clicks)."""
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(tmp_path / "config"))
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    save_and_wait(qtbot, dialog, "ok")
    click(qtbot, dialog.close_button)
    assert window.backend_status.text() == f"Remote: {live.origin.removeprefix('http://')}"
    return window


def test_run_dataset_on_the_remote_fills_the_table_and_saves_the_batch_here(qtbot, remote_window, live,
                                                                           example_workspace, tmp_path):
    window = remote_window
    data = tmp_path / "people.jsonl"
    data.write_text('{"name": "Ada"}\n{"name": 3}\n{"name": "Bob"}\n', encoding="utf-8")
    open_flow(window, example_workspace, "greeter")
    dialog = open_dialog(qtbot, window)
    type_over(qtbot, dialog.path, str(data))
    type_over(qtbot, dialog.concurrency.lineEdit(), "2")
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: dialog.summary is not None and not dialog.running, timeout=60000)
    rows = cells(dialog)
    assert [r[:3] for r in rows] == [  # the same table as on local
        ["1", '{"name": "Ada"}', '{"text": "HEY! HELLO, ADA!"}'],
        ["2", '{"name": 3}', (f"{data}:2: invalid JSON for GreetRequest: Failed to parse name field: "
                              "expected string or bytes-like object, got 'int'.")],
        ["3", '{"name": "Bob"}', '{"text": "HEY! HELLO, BOB!"}']]
    assert dialog.table.item(1, 2).foreground().color().name() == "#b3261e"
    assert (dialog.progress.value(), dialog.progress.maximum()) == (3, 3)
    s = dialog.summary
    assert (s.rows, s.completed, s.failed, s.invalid) == (3, 2, 0, 1)
    assert dialog.status.text().startswith(f"Batch {s.batch_id}: 3 row(s), 2 completed, 0 failed, 1 invalid.")
    batch = load_batch(tmp_path / "data", s.batch_id)  # saved in the IDE's data dir
    assert batch.header["remote"] == live.origin
    ids = [r.execution_id for r in batch.rows() if r.execution_id]
    with live.client() as client:  # the rows ran on the remote
        for execution_id in ids:
            assert client.get(f"/invocations/v1/executions/{execution_id}").json()["status"] == "Completed"
    qtbot.waitUntil(lambda: dialog.saved.findData(s.batch_id) >= 0)


def test_cancel_a_remote_batch_keeps_the_rows_done_and_compare_lists_it(qtbot, remote_window, live,
                                                                       example_workspace, tmp_path):
    window = remote_window
    chain(example_workspace, "faults-slow", ["Slow"])  # the remote has the same flow (server_support)
    data = tmp_path / "many.csv"
    data.write_text("text\n" + "".join(f"r{i}\n" for i in range(200)), encoding="utf-8")
    open_flow(window, example_workspace, "faults-slow")
    dialog = open_dialog(qtbot, window)
    type_over(qtbot, dialog.path, str(data))
    click(qtbot, dialog.run_button)
    assert dialog.progress.maximum() == 200
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 2, timeout=60000)
    click(qtbot, dialog.cancel_button)
    assert not dialog.running and dialog.run_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert dialog.status.text().startswith("Cancelled after ")
    done = dialog.rows_done
    qtbot.waitUntil(lambda: dialog.saved.count() == 1, timeout=30000)  # listed once saved
    batch = load_batch(tmp_path / "data", dialog.saved.itemData(0))
    assert batch.summary["cancelled"] is True and done <= batch.summary["rows"] < 200
    assert dialog.saved.itemText(0).endswith(", cancelled")
    QApplication.processEvents()
    assert dialog.rows_done == done  # nothing arrives after Cancel
    assert cells(dialog)[0][:3] == ["2", '{"text": "r0"}', '{"big": "0", "text": "r0+"}']  # CSV typed by the remote's message
    with live.client() as client:  # nothing of the batch is left running on the remote
        running = client.get("/invocations/v1/executions", params={"status": "Running", "flow": "faults-slow"}).json()
    assert running["executions"] == []

    click(qtbot, dialog.compare_button)
    cmp = dialog.compare_dialog
    qtbot.waitUntil(lambda: cmp.loaded)
    assert cmp.batch_a.currentData() == batch.header["id"]
    click(qtbot, cmp.compare_button)
    qtbot.waitUntil(lambda: cmp.counts is not None)
    assert cmp.counts["same"] == batch.summary["rows"]  # a batch compared with itself
    assert json.loads(cmp.table.item(0, 2).text()) == {"big": "0", "text": "r0+"}
