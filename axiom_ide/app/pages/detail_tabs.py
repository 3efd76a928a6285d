"""The execution detail page's tabs that list history (app/pages/execution_detail.py uses them).

:class:`EventsTab` is the **Events** tab: the full event log, filtered by node and by event type,
``EVENTS_PAGE`` events a page with **Previous** / **Next**. :class:`CheckpointsTab` is the
**Checkpoints** tab: one row per checkpoint (step, node, checkpoint id, created) with a
**Fork from here** button each; a row whose checkpoint passed its TTL reads "Snapshot expired" and
its fork is disabled with the docs' tooltip. A row click asks the page to open the payload popover
(``rowClicked``). Rows come from ``ReplayView.checkpoint_rows``: listing decodes no payload.
"""
from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.panels.payload_popover import CHECKPOINT_EXPIRED, PIPELINE_NO_FORK, SNAPSHOT_EXPIRED

EVENTS_PAGE = 50
#: The Checkpoints table's columns: the Fork from here button's, then the snapshot note's.
FORK_COLUMN, SNAPSHOT_COLUMN = 4, 5


def when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "—"


#: A history row's height beyond its text's: one line of text, compact (a style's default is ~30 px).
ROW_PADDING = 8


def table(headers: Sequence[str]) -> QTableWidget:
    """A read-only history table: compact one-line rows, the last column taking the spare width
    (columns are sized to their contents by :func:`fill`; the last one still stretches)."""
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(list(headers))
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    rows = t.verticalHeader()
    rows.setVisible(False)
    rows.setMinimumSectionSize(0)
    rows.setDefaultSectionSize(t.fontMetrics().height() + ROW_PADDING)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _stretch_last(t: QTableWidget) -> None:
    """``resizeColumnsToContents`` sizes the last column too, which a stretched last section only
    takes back on the header's next resize: re-apply the stretch now."""
    header = t.horizontalHeader()
    header.setStretchLastSection(False)
    header.setStretchLastSection(True)


def fill(t: QTableWidget, rows: Sequence[Sequence[Any]]) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            t.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    t.resizeColumnsToContents()  # event types and ids in full, not elided
    _stretch_last(t)


#: A Detail cell shows this many characters of an event's data; its tooltip has all of it.
DETAIL_CHARS = 160


def detail(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str) if data else ""


def fill_events(t: QTableWidget, rows: Sequence[Sequence[Any]], data: Sequence[Any]) -> None:
    """:func:`fill`, the last column each event's data: cut to ``DETAIL_CHARS`` (a traceback would
    make the table scroll sideways), in full in the cell's tooltip."""
    fill(t, [(*row, None) for row in rows])
    for r, value in enumerate(data):
        text = detail(value)
        item = QTableWidgetItem(text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS - 1] + "…")
        if text:
            item.setToolTip(text)
        t.setItem(r, len(rows[r]), item)
    t.resizeColumnsToContents()
    _stretch_last(t)


class EventsTab(QWidget):
    """The full event log, filterable by node and by type, paginated."""

    def __init__(self, replay: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replay = replay
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.node_filter = QComboBox(objectName="eventsNodeFilter")
        self.node_filter.addItem("All nodes", None)
        for n in replay.node_ids:
            self.node_filter.addItem(n, n)
        self.type_filter = QComboBox(objectName="eventsTypeFilter")
        self.type_filter.addItem("All types", None)
        for kind in sorted({e.type for e in replay.events}):
            self.type_filter.addItem(kind, kind)
        self.prev_page = QPushButton("Previous")
        self.next_page = QPushButton("Next")
        self.page_label = QLabel()
        for w in (self.node_filter, self.type_filter, self.prev_page, self.page_label, self.next_page):
            bar.addWidget(w)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.table = table(("#", "Event", "Node", "Attempt", "Time", "Detail"))
        lay.addWidget(self.table)
        self.page = 0
        self.node_filter.currentIndexChanged.connect(lambda _: self.set_page(0))
        self.type_filter.currentIndexChanged.connect(lambda _: self.set_page(0))
        self.prev_page.clicked.connect(lambda: self.set_page(self.page - 1))
        self.next_page.clicked.connect(lambda: self.set_page(self.page + 1))
        self.set_page(0)

    def filtered(self) -> list[Any]:
        node, kind = self.node_filter.currentData(), self.type_filter.currentData()
        return [e for e in self.replay.events
                if (node is None or e.node == node) and (kind is None or e.type == kind)]

    def set_page(self, page: int) -> None:
        events = self.filtered()
        pages = max(1, -(-len(events) // EVENTS_PAGE))
        self.page = max(0, min(page, pages - 1))
        shown = events[self.page * EVENTS_PAGE:(self.page + 1) * EVENTS_PAGE]
        fill_events(self.table, [(e.seq, e.type, e.node, e.attempt, when(e.time)) for e in shown],
                    [e.data for e in shown])
        self.page_label.setText(f"Page {self.page + 1} of {pages}")
        self.prev_page.setEnabled(self.page > 0)
        self.next_page.setEnabled(self.page < pages - 1)


class CheckpointsTab(QWidget):
    """One row per checkpoint; a row click → ``rowClicked``; **Fork from here** → ``forkClicked``."""

    #: (checkpoint id, the row's rect in this tab's coordinates) a row was clicked.
    rowClicked = Signal(str, QRect)
    #: (checkpoint id) a row's Fork from here was clicked.
    forkClicked = Signal(str)

    def __init__(self, replay: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.rows = replay.checkpoint_rows
        pipeline = getattr(replay.execution, "mode", "unary") == "pipeline"
        self.table = table(("Step", "Node", "Checkpoint", "Created", "", ""))
        fill(self.table, [(cp.step, cp.node, cp.id, when(cp.created_at), None,
                           SNAPSHOT_EXPIRED if cp.expired else None) for cp in self.rows])
        for r, cp in enumerate(self.rows):
            fork = QPushButton("Fork from here")
            fork.setEnabled(not cp.expired and not pipeline)
            if pipeline:
                fork.setToolTip(PIPELINE_NO_FORK)
            elif cp.expired:
                fork.setToolTip(CHECKPOINT_EXPIRED)
            if cp.expired:
                note = self.table.item(r, SNAPSHOT_COLUMN)
                if note is not None:
                    note.setToolTip("Its payloads passed the checkpoint TTL; the Events tab keeps the history.")
            fork.clicked.connect(lambda _=False, c=cp.id: self.forkClicked.emit(c))
            self.table.setCellWidget(r, FORK_COLUMN, fork)
        self.table.resizeColumnToContents(FORK_COLUMN)
        self.table.resizeRowsToContents()  # a row holds its Fork from here button whole
        self.table.cellClicked.connect(self._clicked)
        if not self.rows:
            empty = QLabel("No checkpoints in this execution.")
            empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(empty)
        lay.addWidget(self.table)

    def _clicked(self, row: int, _column: int) -> None:
        rect = self.table.visualRect(self.table.model().index(row, 0))
        rect.setWidth(self.table.viewport().width())
        top_left = self.table.viewport().mapTo(self, rect.topLeft())
        self.rowClicked.emit(self.rows[row].id, QRect(top_left, rect.size()))


def filtered_tab(replay: Any, types: Sequence[str], empty: str) -> QWidget:
    """The events of ``types`` (Pauses, Branches), or ``empty`` centred when there are none."""
    events = [e for e in replay.events if e.type in types]
    if not events:
        label = QLabel(empty)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        return label
    t = table(("#", "Event", "Node", "Time", "Detail"))
    fill_events(t, [(e.seq, e.type, e.node, when(e.time)) for e in events], [e.data for e in events])
    return t
