"""Run → Run Dataset…: run the current flow once per row of a JSONL or CSV file.

The dialog takes the file (typed, or **Browse…**) and a concurrency, compiles the canvas like ▶ Run
does, and streams the batch through ``backend.batches.rows`` (``backends/local_batch.py``): a
progress bar (rows done of the file's rows), **Cancel** (the rows done so far are still saved as the
batch), and a results table — line, input, output or error (red), duration. A malformed row shows
its ``FILE:LINE: what is wrong``; the other rows still run. **Saved batch** lists the saved batches
(id, flow, date, rows) and **Open** reopens one in the results table (``backend.batches.results``);
**Compare Batches…** opens :mod:`.batch_compare` (two batches row by row, as ``axiom-ide flow batch
--compare``; ``--show`` is the CLI's reopen).
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.qt_bridge import alive
from axiom_ide.app.tables import results_table

COLUMNS = ("Line", "Input", "Output or error", "Duration")
#: Rows shown in the table at most (the batch file has them all).
MAX_SHOWN = 5000
ERROR_BRUSH = QBrush(QColor("#b3261e"))


def count_rows(path: str) -> int:
    """Rows in a dataset for the progress bar: non-empty lines (a CSV's header aside). Streamed."""
    n = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                n += 1
    return max(0, n - 1) if path.lower().endswith(".csv") else n


def _short(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value is not None else ""


class RunDatasetDialog(QDialog):
    def __init__(self, bridge: Any, doc: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.doc = doc
        self.setObjectName("runDatasetDialog")
        self.setWindowTitle(f"Run Dataset — {doc.flow.name or 'untitled'}")
        #: The batch's Summary once it ended; the future of the running batch while it runs.
        self.summary: Any = None
        self.future: Any = None
        self.total = 0
        self.rows_done = 0
        self.cancelled = False

        layout = QVBoxLayout(self)
        form = QFormLayout()
        row = QHBoxLayout()
        self.path = QLineEdit(objectName="datasetPath")
        self.path.setPlaceholderText("a .jsonl or .csv file, one case per row")
        row.addWidget(self.path, 1)
        self.browse = QPushButton("Browse…", objectName="datasetBrowse")
        self.browse.clicked.connect(self._browse)
        row.addWidget(self.browse)
        form.addRow("Dataset", row)
        self.concurrency = QSpinBox(objectName="datasetConcurrency")
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(4)
        form.addRow("Concurrency", self.concurrency)
        saved = QHBoxLayout()
        self.saved = QComboBox(objectName="datasetSavedBatch")
        saved.addWidget(self.saved, 1)
        self.open_button = QPushButton("Open", objectName="datasetOpenBatch")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_batch)
        saved.addWidget(self.open_button)
        self.compare_button = QPushButton("Compare Batches…", objectName="datasetCompareBatches")
        self.compare_button.clicked.connect(self.compare_batches)
        saved.addWidget(self.compare_button)
        form.addRow("Saved batch", saved)
        layout.addLayout(form)
        #: The Compare Batches dialog last opened (kept alive while it shows).
        self.compare_dialog: Any = None

        self.progress = QProgressBar(objectName="datasetProgress")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("%v / %m rows")
        layout.addWidget(self.progress)
        self.table = results_table(COLUMNS, "datasetResults", stretch=(1, 2))
        layout.addWidget(self.table, 1)
        self.status = QLabel("", objectName="datasetStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.run_button = QPushButton("Run", objectName="datasetRun")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel", objectName="datasetCancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close", objectName="datasetClose")
        self.close_button.clicked.connect(self.close)
        for b in (self.run_button, self.cancel_button, self.close_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.resize(880, 480)  # wide enough for a saved batch's whole name
        self.refresh_saved()

    # -- gestures --------------------------------------------------------------------------------
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Dataset", "", "Datasets (*.jsonl *.ndjson *.csv);;All files (*)")
        if path:
            self.path.setText(path)

    def refresh_saved(self) -> None:
        """List the saved batches in **Saved batch** (newest first)."""
        from axiom_ide.app.dialogs.batch_compare import fill_batches, saved_batches

        def listed(infos: list[Any]) -> None:
            if alive(self):
                fill_batches(self.saved, infos)
                self.open_button.setEnabled(bool(infos) and not self.running)

        self.bridge.call(saved_batches, listed, self._failed)

    def open_batch(self) -> None:
        """**Open**: the chosen saved batch's rows in the results table."""
        batch_id = self.saved.currentData()
        if not batch_id or self.running:
            return

        def opened(result: tuple[Any, list[Any]]) -> None:
            if not alive(self):
                return
            batch, rows = result
            self.table.setRowCount(0)
            for item in rows:
                self._add_row(item)
            s = batch.summary
            self.rows_done = len(rows)
            self.progress.setRange(0, max(1, int(s.get("rows") or len(rows))))
            self.progress.setValue(int(s.get("rows") or len(rows)))
            more = f" (the first {MAX_SHOWN} shown)" if (s.get("rows") or 0) > MAX_SHOWN else ""
            self.status.setText(f"Batch {batch.header.get('id')} ({batch.header.get('flow')}): {s.get('rows', 0)} "
                                f"row(s), {s.get('completed', 0)} completed, {s.get('failed', 0)} failed, "
                                f"{s.get('invalid', 0)} invalid{more}."
                                + (" Cancelled." if s.get("cancelled") else ""))

        self.bridge.call(lambda b: b.batches.results(batch_id, MAX_SHOWN), opened, self._failed)

    def compare_batches(self) -> None:
        """**Compare Batches…**: two saved batches row by row."""
        from axiom_ide.app.dialogs.batch_compare import BatchCompareDialog

        self.compare_dialog = BatchCompareDialog(self.bridge, self)
        self.compare_dialog.show()

    @property
    def running(self) -> bool:
        return self.future is not None

    def start(self) -> None:
        path = self.path.text().strip()
        if not path:
            self.status.setText("Choose a .jsonl or .csv file.")
            return
        try:
            self.total = count_rows(path)
        except OSError as exc:
            self.status.setText(f"Cannot read {path}: {exc.strerror or exc}")
            return
        self.table.setRowCount(0)
        self.rows_done, self.summary, self.cancelled = 0, None, False
        self.progress.setRange(0, max(1, self.total))
        self.progress.setValue(0)
        self._set_running(True)
        self.status.setText("Compiling…")
        snapshot = self.doc.flow.clone()
        concurrency = self.concurrency.value()

        async def rows(b: Any) -> Any:
            compiled = await b.compile(snapshot)
            async for item in b.batches.rows(compiled.graph_id, path, concurrency=concurrency):
                yield item

        self.future = self.bridge.iterate(rows, self._item, self._finished, self._failed)

    def cancel(self) -> None:
        """Stop the batch; the rows done so far stay saved."""
        if self.future is not None:
            self.cancelled = True
            self.future.cancel()
            self.future = None
            self._set_running(False)
            self.refresh_saved()
            self.status.setText(f"Cancelled after {self.rows_done} row(s); the rows done are saved as a batch.")

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        self.cancel()
        super().closeEvent(event)

    # -- results ---------------------------------------------------------------------------------
    def _item(self, item: Any) -> None:
        if not alive(self) or self.cancelled:
            return
        if not hasattr(item, "line"):  # the Summary ends the stream
            self.summary = item
            return
        self.rows_done += 1
        self.progress.setValue(min(self.rows_done, self.progress.maximum()))
        if self.status.text() == "Compiling…":
            self.status.setText("Running…")
        if self.table.rowCount() >= MAX_SHOWN:
            return
        self._add_row(item)

    def _add_row(self, item: Any) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        ok = item.status == "completed"
        cells = (str(item.line), _short(item.input), _short(item.output) if ok else (item.error or item.status),
                 f"{item.duration_ms:.1f} ms")
        for c, text in enumerate(cells):
            cell = QTableWidgetItem(text)
            cell.setToolTip(text)
            if c == 2 and not ok:
                cell.setForeground(ERROR_BRUSH)
            if c in (0, 3):
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, c, cell)

    def _finished(self, _count: int) -> None:
        if not alive(self) or self.cancelled:
            return
        self.future = None
        self._set_running(False)
        s = self.summary
        if s is None:
            return
        self.progress.setRange(0, max(1, s.rows))
        self.progress.setValue(s.rows)
        more = f" (the first {MAX_SHOWN} shown)" if s.rows > MAX_SHOWN else ""
        self.status.setText(f"Batch {s.batch_id}: {s.rows} row(s), {s.completed} completed, {s.failed} failed, "
                            f"{s.invalid} invalid{more}. Saved to {s.file}")
        self.refresh_saved()

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        from axiom_ide.app.run_controller import error_text

        self.future = None
        self._set_running(False)
        self.status.setText(error_text(exc))

    def _set_running(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.browse.setEnabled(not on)
        self.path.setEnabled(not on)
        self.concurrency.setEnabled(not on)
        self.open_button.setEnabled(not on and self.saved.count() > 0)
        self.cancel_button.setEnabled(on)


def open_for(window: Any) -> RunDatasetDialog | None:
    """Run → Run Dataset… for the active tab's flow (a status-bar note when no flow is open)."""
    tab = window.current_tab()
    if tab is None:
        window.statusBar().showMessage("Open a flow to run it over a dataset.", 6000)
        return None
    dialog = RunDatasetDialog(window.bridge, tab.doc, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    dialog.show()
    window.run_dataset_dialog = dialog  # kept alive while it shows
    return dialog
