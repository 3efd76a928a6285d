"""**Compare Batches…** (a button of Run → Run Dataset…): two saved batches side by side, row by row.

Two pickers list the saved batches (``backend.batches.saved``: id, flow, date, rows; newest first).
**Compare** runs ``backend.batches.compare`` — the same :func:`axiom_ide.runtime.batch.compare` as
``axiom-ide flow batch --compare A B`` — and fills a table: line, change, batch A's output (or
status and error), batch B's. A row whose output changed is amber, a row only in A red, only in B
green; the status line counts each kind. At most :data:`MAX_SHOWN` rows are shown (the counts are
over all of them).
"""
from __future__ import annotations

import datetime
import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.qt_bridge import alive
from axiom_ide.app.tables import results_table
from axiom_ide.runtime.batch import CHANGED, ONLY_A, ONLY_B, SAME, shown_value

COLUMNS = ("Line", "Change", "Batch A", "Batch B")
MAX_SHOWN = 5000
CHANGE_TEXT = {SAME: "same", CHANGED: "changed", ONLY_A: "only in A", ONLY_B: "only in B"}
#: Row backgrounds: the same amber / red / green as the flow diff's changed / removed / added.
BRUSHES = {CHANGED: QBrush(QColor(255, 193, 7, 70)), ONLY_A: QBrush(QColor(217, 83, 79, 60)),
           ONLY_B: QBrush(QColor(92, 184, 92, 60))}
NO_BATCHES = "No saved batches yet: run a dataset first."


async def saved_batches(backend: Any) -> list[Any]:
    """The backend's saved batches (a RemoteBackend's are saved in the IDE's data dir too); none on
    a backend without datasets."""
    batches = getattr(backend, "batches", None)
    return [] if batches is None else list(await batches.saved())


def batch_label(info: Any) -> str:
    """How a picker names a batch: id — flow — date — rows."""
    when = datetime.datetime.fromtimestamp(info.created_at).strftime("%Y-%m-%d %H:%M") if info.created_at else "?"
    rows = f"{info.rows} row(s)" + (", cancelled" if info.cancelled else "")
    return f"{info.id} — {info.flow} — {when} — {rows}"


def fill_batches(combo: QComboBox, infos: list[Any]) -> None:
    """Fill a picker with saved batches (the batch id is each item's data)."""
    combo.clear()
    for info in infos:
        combo.addItem(batch_label(info), info.id)


def short(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


class BatchCompareDialog(QDialog):
    def __init__(self, bridge: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.setObjectName("batchCompareDialog")
        self.setWindowTitle("Compare Batches")
        #: Counts of each kind of change once compared.
        self.counts: dict[str, int] | None = None
        self.loaded = False

        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.batch_a = QComboBox(objectName="compareBatchA")
        self.batch_b = QComboBox(objectName="compareBatchB")
        form.addRow("Batch A", self.batch_a)
        form.addRow("Batch B", self.batch_b)
        layout.addLayout(form)
        self.table = results_table(COLUMNS, "batchCompareTable", stretch=(2, 3))
        layout.addWidget(self.table, 1)
        self.status = QLabel("", objectName="batchCompareStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.compare_button = QPushButton("Compare", objectName="batchCompareRun")
        self.compare_button.setDefault(True)
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.compare)
        self.close_button = QPushButton("Close", objectName="batchCompareClose")
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.resize(900, 480)
        self.refresh()

    def refresh(self) -> None:
        """(Re)list the saved batches in both pickers: A the second newest, B the newest."""
        self.bridge.call(saved_batches, self._listed, self._failed)

    def _listed(self, infos: list[Any]) -> None:
        if not alive(self):
            return
        fill_batches(self.batch_a, infos)
        fill_batches(self.batch_b, infos)
        if len(infos) >= 2:
            self.batch_a.setCurrentIndex(1)
        self.compare_button.setEnabled(len(infos) >= 1)
        self.status.setText("" if infos else NO_BATCHES)
        self.loaded = True

    def compare(self) -> None:
        a, b = self.batch_a.currentData(), self.batch_b.currentData()
        if not a or not b:
            self.status.setText(NO_BATCHES)
            return
        self.compare_button.setEnabled(False)
        self.status.setText("Comparing…")
        self.bridge.call(lambda be: be.batches.compare(a, b, MAX_SHOWN), self._compared, self._failed)

    def _compared(self, result: tuple[dict[str, int], list[Any]]) -> None:
        if not alive(self):
            return
        counts, changes = result
        self.compare_button.setEnabled(True)
        self.table.setRowCount(0)
        for change in changes:
            r = self.table.rowCount()
            self.table.insertRow(r)
            cells = (str(change.line), CHANGE_TEXT[change.kind], short(shown_value(change.a)),
                     short(shown_value(change.b)))
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                if change.kind in BRUSHES:
                    cell.setBackground(BRUSHES[change.kind])
                if c == 0:
                    cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, cell)
        self.counts = counts
        total = sum(counts.values())
        more = f" (the first {MAX_SHOWN} shown)" if total > MAX_SHOWN else ""
        self.status.setText(f"{counts[SAME]} same, {counts[CHANGED]} changed, {counts[ONLY_A]} only in A, "
                            f"{counts[ONLY_B]} only in B{more}.")

    def _failed(self, exc: BaseException) -> None:
        if not alive(self):
            return
        from axiom_ide.app.run_controller import error_text

        self.compare_button.setEnabled(self.batch_a.count() > 0)
        self.status.setText(error_text(exc))
