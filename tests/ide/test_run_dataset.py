"""Run → Run Dataset…: the current flow over a JSONL or CSV file from the IDE, with real node hosts —
progress bar, results table (input, output or error, duration), a malformed row's FILE:LINE, the
batch saved; Cancel stops a batch mid-way and keeps the rows done."""
from __future__ import annotations

import json

import pytest
from engine_support import chain
from ide_support import click, click_menu_item, open_flow, type_over
from PySide6.QtCore import Qt
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
    qtbot.waitUntil(lambda: dialog.saved.count() == 1)  # the cancelled batch is listed once saved
    assert dialog.saved.itemData(0) == saved.stem and dialog.saved.itemText(0).endswith(", cancelled")
    QApplication.processEvents()
    assert dialog.rows_done == done  # nothing arrives after Cancel
    r = cells(dialog)[0]
    assert r[:3] == ["2", '{"text": "r0"}', '{"big": "0", "text": "r0+"}']


def choose(qtbot, combo, index: int) -> None:
    """Pick a combo's item with the keyboard, as a user does (Home, then Down)."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentIndex() == index


def run_rows(qtbot, dialog, data):
    type_over(qtbot, dialog.path, str(data))
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: dialog.summary is not None and not dialog.running, timeout=60000)
    qtbot.waitUntil(lambda: dialog.saved.findData(dialog.summary.batch_id) >= 0)
    return dialog.summary.batch_id


def test_reopen_a_saved_batch_and_compare_two(qtbot, window, example_workspace, tmp_path):
    first, second = tmp_path / "v1.jsonl", tmp_path / "v2.jsonl"
    first.write_text('{"name": "Ada"}\n{"name": "Bob"}\n', encoding="utf-8")
    second.write_text('{"name": "Ada"}\n{"name": "Cyd"}\n{"name": "Dee"}\n', encoding="utf-8")
    open_flow(window, example_workspace, "greeter")
    dialog = open_dialog(qtbot, window)
    a = run_rows(qtbot, dialog, first)
    b = run_rows(qtbot, dialog, second)
    # Saved batch: newest first, named by id, flow, date and rows.
    assert dialog.saved.itemData(0) == b and dialog.saved.itemData(1) == a
    label = dialog.saved.itemText(1)
    assert label.startswith(f"{a} — greeter — ") and label.endswith(" — 2 row(s)")

    choose(qtbot, dialog.saved, 1)
    click(qtbot, dialog.open_button)
    qtbot.waitUntil(lambda: dialog.status.text().startswith(f"Batch {a} (greeter): 2 row(s)"))
    assert [r[:3] for r in cells(dialog)] == [["1", '{"name": "Ada"}', '{"text": "HEY! HELLO, ADA!"}'],
                                             ["2", '{"name": "Bob"}', '{"text": "HEY! HELLO, BOB!"}']]

    click(qtbot, dialog.compare_button)
    cmp = dialog.compare_dialog
    qtbot.waitUntil(lambda: cmp.loaded)
    assert (cmp.batch_a.currentData(), cmp.batch_b.currentData()) == (a, b)  # the two newest
    click(qtbot, cmp.compare_button)
    qtbot.waitUntil(lambda: cmp.counts is not None)
    t = cmp.table
    rows = [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]
    assert rows == [["1", "same", '{"text": "HEY! HELLO, ADA!"}', '{"text": "HEY! HELLO, ADA!"}'],
                    ["2", "changed", '{"text": "HEY! HELLO, BOB!"}', '{"text": "HEY! HELLO, CYD!"}'],
                    ["3", "only in B", "", '{"text": "HEY! HELLO, DEE!"}']]
    assert t.item(0, 2).background().style() == Qt.BrushStyle.NoBrush  # same: not highlighted
    assert t.item(1, 2).background().color().name() == "#ffc107"  # changed: amber
    assert t.item(2, 3).background().color().name() == "#5cb85c"  # only in B: green
    assert cmp.status.text() == "1 same, 1 changed, 0 only in A, 1 only in B."
    # The CLI's --compare walks the same rows (one comparison for both).
    from axiom_ide.runtime.batch import compare

    assert [c.kind for c in compare(load_batch(tmp_path / "data", a), load_batch(tmp_path / "data", b))] == [
        "same", "changed", "only_b"]
    # A batch deleted since it was listed: a precise message, no crash; Compare works again after.
    (tmp_path / "data" / "batches" / f"{a}.jsonl").unlink()
    click(qtbot, cmp.compare_button)
    qtbot.waitUntil(lambda: cmp.status.text().startswith(f'no batch "{a}" in '))
    assert cmp.compare_button.isEnabled()
