"""Run → Run Dataset…: the current flow over a JSONL or CSV file from the IDE, with real node hosts —
progress bar, results table (input, output or error, duration), a malformed row's FILE:LINE, the
batch saved; Cancel stops a batch mid-way and keeps the rows done."""
from __future__ import annotations

import json

import pytest
from engine_support import chain
from ide_support import click, click_menu_item, open_flow, type_over
from PySide6.QtWidgets import QApplication

from axiom_ide.runtime.batch import load_batch


@pytest.fixture
def window(run_window):
    return run_window


def open_dialog(qtbot, window):
    click_menu_item(qtbot, window, "Run", window.actions["run-dataset-action"])
    qtbot.waitUntil(lambda: getattr(window, "run_dataset_dialog", None) is not None
                    and window.run_dataset_dialog.isVisible())
    return window.run_dataset_dialog


def cells(dialog):
    t = dialog.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_run_dataset_fills_the_results_table_and_saves_the_batch(qtbot, window, example_workspace, tmp_path):
    data = tmp_path / "people.jsonl"
    data.write_text('{"name": "Ada"}\n{"name": 3}\n{"name": "Bob"}\n', encoding="utf-8")
    open_flow(window, example_workspace, "greeter")
    dialog = open_dialog(qtbot, window)
    assert dialog.windowTitle() == "Run Dataset — greeter"
    type_over(qtbot, dialog.path, str(data))
    type_over(qtbot, dialog.concurrency.lineEdit(), "2")
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: dialog.summary is not None and not dialog.running, timeout=60000)
    rows = cells(dialog)
    assert [r[:3] for r in rows] == [
        ["1", '{"name": "Ada"}', '{"text": "HEY! HELLO, ADA!"}'],
        ["2", '{"name": 3}', (f"{data}:2: invalid JSON for GreetRequest: Failed to parse name field: "
                              "expected string or bytes-like object, got 'int'.")],
        ["3", '{"name": "Bob"}', '{"text": "HEY! HELLO, BOB!"}']]
    assert all(r[3].endswith(" ms") for r in rows)
    assert dialog.table.item(1, 2).foreground().color().name() == "#b3261e"  # the error, in red
    assert (dialog.progress.value(), dialog.progress.maximum()) == (3, 3)
    s = dialog.summary
    assert (s.rows, s.completed, s.failed, s.invalid) == (3, 2, 0, 1)
    assert dialog.status.text().startswith(f"Batch {s.batch_id}: 3 row(s), 2 completed, 0 failed, 1 invalid.")
    batch = load_batch(tmp_path / "data", s.batch_id)
    assert batch.header["flow"] == "greeter" and batch.header["concurrency"] == 2
    assert [r.line for r in batch.rows()] == [1, 2, 3]


def test_cancel_stops_the_batch_and_keeps_the_rows_done(qtbot, window, example_workspace, tmp_path):
    chain(example_workspace, "slowds", ["Slow"])
    data = tmp_path / "many.csv"
    data.write_text("text\n" + "".join(f"r{i}\n" for i in range(300)), encoding="utf-8")
    open_flow(window, example_workspace, "slowds")
    dialog = open_dialog(qtbot, window)
    type_over(qtbot, dialog.path, str(data))
    click(qtbot, dialog.run_button)
    assert dialog.progress.maximum() == 300
    qtbot.waitUntil(lambda: dialog.table.rowCount() >= 2, timeout=60000)
    click(qtbot, dialog.cancel_button)
    assert not dialog.running and dialog.run_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert dialog.status.text().startswith("Cancelled after ")
    done = dialog.rows_done
    batches = tmp_path / "data" / "batches"
    qtbot.waitUntil(lambda: batches.is_dir() and any(p.suffix == ".jsonl" for p in batches.iterdir()), timeout=30000)
    saved = next(p for p in batches.iterdir() if p.suffix == ".jsonl")
    summary = json.loads(saved.read_text().splitlines()[-1])["summary"]
    assert summary["cancelled"] is True and done <= summary["rows"] < 300
    QApplication.processEvents()
    assert dialog.rows_done == done  # nothing arrives after Cancel
    r = cells(dialog)[0]
    assert r[:3] == ["2", '{"text": "r0"}', '{"big": "0", "text": "r0+"}']
