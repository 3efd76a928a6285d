"""The Executions page: one row per execution, newest first, with **Status**, **Started**,
**Duration**, **Flow** and **Execution** columns, filtered by status and by flow
(concepts/execution-model, "The executions list").

The page only displays; it asks for rows through ``fetch(status, flow, on_rows)`` (the window runs
it through the backend; it reads :attr:`limit`, a page of :data:`PAGE_SIZE` rows that **Load more**
grows) and refreshes, debounced, whenever an execution changes. Runs of other processes on the
same data dir (CLI ``flow run``, ``serve``) raise no event here: while the page is visible it polls
``probe(token, on_changed)`` (the backend's cheap change token) every :data:`POLL_MS` and reloads
when the token moved. Each status is drawn in its theme colour (Completed green, Failed red,
Running blue, Cancelled grey, paused amber). Double-clicking a row emits :attr:`openExecution`;
the window shows that execution's events and output. **Open details** (the toolbar button, the
row's context menu, Enter on the selected row) emits :attr:`openDetails`: the window opens the
execution detail page (app/pages/execution_detail.py). **Save as test case** (toolbar, context
menu) emits :attr:`saveAsTestCase` for the selected row (a completed or failed run); selecting two
rows (Ctrl/Shift+click) enables **Compare runs**, which emits :attr:`compareRuns` with both ids,
the older first (app/flow_tools.py handles both).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QHideEvent, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

COLUMNS = ("Status", "Started", "Duration", "Flow", "Execution")
ALL_STATUSES = "All statuses"
ALL_FLOWS = "All flows"
EMPTY = "No executions yet. Run a flow to see it here."
LOAD_MORE = "Load more"
OPEN_DETAILS = "Open details"
SAVE_AS_TEST = "Save as test case"
COMPARE_RUNS = "Compare runs"
#: Rows per page; **Load more** asks for one page more.
PAGE_SIZE = 50
#: How often the visible page asks whether executions changed (runs of other processes).
POLL_MS = 1000


def status_color(status: str) -> QColor:
    """The theme colour a status is drawn in (theme.STATUS_COLORS; unknown statuses: grey)."""
    from axiom_ide.app.theme import STATUS_COLORS, STATUS_MUTED

    return QColor(STATUS_COLORS.get(status, STATUS_MUTED))


def format_duration(ms: float | None) -> str:
    if ms is None:
        return "—"
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    return f"{int(ms // 60_000)} min {int(ms % 60_000 // 1000)} s"


def format_started(rec: Any) -> str:
    t = rec.started_at or rec.created_at
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "—"


class ExecutionsPanel(QWidget):
    #: A row was double-clicked: the execution id.
    openExecution = Signal(str)
    #: **Open details** on the selected row: the execution id.
    openDetails = Signal(str)
    #: **Save as test case** on the selected row: the execution id.
    saveAsTestCase = Signal(str)
    #: **Compare runs** with two rows selected: (older id, newer id).
    compareRuns = Signal(str, str)

    def __init__(self, fetch: Callable[[str | None, str | None, Callable[[list[Any]], None]], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("executionsPanel")
        self._fetch = fetch
        #: How many rows to ask for (one page; **Load more** adds one).
        self.limit = PAGE_SIZE
        #: ``probe(token, on_changed)``: calls ``on_changed(new token)`` when executions changed
        #: since ``token`` (set by the window; None: no polling).
        self.probe: Callable[[str | None, Callable[[str], None]], None] | None = None
        self._token: str | None = None
        self.records: list[Any] = []
        self._flows: set[str] = set()
        self.status_filter = QComboBox(objectName="executionsStatusFilter")
        self.status_filter.addItem(ALL_STATUSES, None)  # the statuses are added on first refresh
        self.flow_filter = QComboBox(objectName="executionsFlowFilter")
        self.flow_filter.addItem(ALL_FLOWS, None)
        self.flow_filter.setMinimumContentsLength(14)
        self.refresh_button = QPushButton("Refresh", objectName="executionsRefresh")
        self.count = QLabel(objectName="executionsCount")
        self.count.setProperty("hint", True)
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 4, 8, 0)
        bar.addWidget(QLabel("Status"))
        bar.addWidget(self.status_filter)
        bar.addWidget(QLabel("Flow"))
        bar.addWidget(self.flow_filter)
        bar.addWidget(self.refresh_button)
        bar.addStretch(1)
        bar.addWidget(self.count)
        # The actions get a row of their own: on one row with the filters they made the Result area
        # 767 px wide at least, which squeezed the Inspector to its minimum at 1280 px.
        actions = QHBoxLayout()
        actions.setContentsMargins(8, 0, 8, 0)
        self.details_button = QPushButton(OPEN_DETAILS, objectName="executionsOpenDetails")
        self.details_button.setEnabled(False)
        actions.addWidget(self.details_button)
        self.save_test_button = QPushButton(SAVE_AS_TEST, objectName="executionsSaveAsTest")
        self.save_test_button.setEnabled(False)
        actions.addWidget(self.save_test_button)
        self.compare_button = QPushButton(COMPARE_RUNS, objectName="executionsCompareRuns")
        self.compare_button.setEnabled(False)
        self.compare_button.setToolTip("Select two executions (Ctrl+click) to compare them node by node")
        actions.addWidget(self.compare_button)
        actions.addStretch(1)
        self.table = QTreeWidget(objectName="executionsTable")
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)  # two rows: Compare runs
        self.table.setHeaderLabels(COLUMNS)
        head = self.table.header()
        for i in range(4):
            head.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        self.more_button = QPushButton(LOAD_MORE, objectName="executionsLoadMore")
        self.more_button.hide()
        self.more_button.clicked.connect(self.load_more)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._probe)

        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.refresh)
        self.status_filter.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.flow_filter.currentIndexChanged.connect(lambda _i: self._filters_changed())
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemDoubleClicked.connect(self._activated)
        # Open details: the button, the row's context menu and Enter on the selected row
        self.details_action = QAction(OPEN_DETAILS, self.table, objectName="executionsOpenDetailsAction")
        self.details_action.setEnabled(False)
        self.details_action.triggered.connect(self.open_details)
        self.table.addAction(self.details_action)
        self.save_test_action = QAction(SAVE_AS_TEST, self.table, objectName="executionsSaveAsTestAction")
        self.save_test_action.setEnabled(False)
        self.save_test_action.triggered.connect(self.save_as_test_case)
        self.table.addAction(self.save_test_action)
        self.compare_action = QAction(COMPARE_RUNS, self.table, objectName="executionsCompareRunsAction")
        self.compare_action.setEnabled(False)
        self.compare_action.triggered.connect(self.compare_runs)
        self.table.addAction(self.compare_action)
        self.save_test_button.clicked.connect(self.save_as_test_case)
        self.compare_button.clicked.connect(self.compare_runs)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.details_button.clicked.connect(self.open_details)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.installEventFilter(self)  # Enter on the selected row

    # -- data ---------------------------------------------------------------------------------
    def schedule_refresh(self) -> None:
        self._timer.start()

    def load_more(self) -> None:
        """**Load more**: one page more of the same filters."""
        self.limit += PAGE_SIZE
        self.refresh()

    # -- polling for other processes' runs, only while shown -----------------------------------
    def set_shown(self, shown: bool) -> None:
        """The page came on screen (its dock's tab selected, the dock opened) or left it: poll
        for changes only while it is seen."""
        if shown and self.probe is not None:
            self._poll.start()
        else:
            self._poll.stop()

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt API)
        super().hideEvent(event)
        self._poll.stop()

    @property
    def polling(self) -> bool:
        return self._poll.isActive()

    def _probe(self) -> None:
        if self.probe is not None and self.isVisible():
            self.probe(self._token, self._changed)

    def _changed(self, token: str) -> None:
        self._token = token
        self.schedule_refresh()

    def refresh(self) -> None:
        if self.status_filter.count() == 1:
            from axiom_ide.backends.values import STATUSES  # off the startup path

            self.status_filter.blockSignals(True)
            for status in STATUSES:
                self.status_filter.addItem(status, status)
            self.status_filter.blockSignals(False)
        self._fetch(self.status_filter.currentData(), self.flow_filter.currentData(), self.set_records)

    def _filters_changed(self) -> None:
        self.limit = PAGE_SIZE  # new filters start at the first page again
        self.refresh()

    def set_records(self, records: list[Any]) -> None:
        self.records = list(records)
        self._add_flows(r.flow_name for r in self.records)
        selected = set(self.selected_ids())  # a refresh keeps every selected row (Compare runs: two)
        self.table.clear()
        for rec in self.records:
            item = QTreeWidgetItem([rec.status, format_started(rec), format_duration(rec.duration_ms),
                                    rec.flow_name, rec.id])
            item.setData(0, Qt.ItemDataRole.UserRole, rec.id)
            item.setForeground(0, QBrush(status_color(rec.status)))
            item.setData(0, Qt.ItemDataRole.DecorationRole, status_color(rec.status))
            item.setToolTip(4, rec.error or rec.id)
            self.table.addTopLevelItem(item)
            if rec.id in selected:
                item.setSelected(True)
        n = len(self.records)
        self.count.setText(EMPTY if n == 0 else f"{n} execution{'s' if n != 1 else ''}")
        self.more_button.setVisible(n >= self.limit)  # a full page: there may be more

    def add_flow_names(self, names: Any) -> None:
        self._add_flows(names)

    def _add_flows(self, names: Any) -> None:
        new = {n for n in names if n} - self._flows
        if not new:
            return
        self._flows |= new
        current = self.flow_filter.currentData()
        self.flow_filter.blockSignals(True)
        self.flow_filter.clear()
        self.flow_filter.addItem(ALL_FLOWS, None)
        for name in sorted(self._flows):
            self.flow_filter.addItem(name, name)
        self.flow_filter.setCurrentIndex(max(0, self.flow_filter.findData(current)) if current else 0)
        self.flow_filter.blockSignals(False)

    # -- reading ------------------------------------------------------------------------------
    def rows(self) -> list[list[str]]:
        items = (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
        return [[item.text(c) for c in range(len(COLUMNS))] for item in items if item is not None]

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self.openExecution.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def _selection_changed(self) -> None:
        selected = self.selected_id() is not None
        self.details_button.setEnabled(selected)
        self.details_action.setEnabled(selected)
        ids = self.selected_ids()
        by_id = {r.id: r for r in self.records}
        one_done = len(ids) == 1 and getattr(by_id.get(ids[0]), "status", None) in ("Completed", "Failed")
        self.save_test_button.setEnabled(one_done)
        self.save_test_action.setEnabled(one_done)
        self.compare_button.setEnabled(len(ids) == 2)
        self.compare_action.setEnabled(len(ids) == 2)

    def selected_ids(self) -> list[str]:
        """The selected rows' execution ids, in the table's order (newest first)."""
        return [it.data(0, Qt.ItemDataRole.UserRole) for it in self._row_items() if it.isSelected()]

    def _row_items(self) -> list[QTreeWidgetItem]:
        items = (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
        return [item for item in items if item is not None]

    def save_as_test_case(self) -> None:
        """**Save as test case**: the selected execution becomes a case of its flow's test file."""
        ids = self.selected_ids()
        if len(ids) == 1:
            self.saveAsTestCase.emit(ids[0])

    def compare_runs(self) -> None:
        """**Compare runs**: the two selected executions, the older (lower row) first."""
        ids = self.selected_ids()
        if len(ids) == 2:
            self.compareRuns.emit(ids[1], ids[0])

    def open_details(self) -> None:
        """**Open details**: the execution detail page of the selected row."""
        execution_id = self.selected_id()
        if execution_id is not None:
            self.openDetails.emit(execution_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selected_id() is not None):
            self.open_details()
            return True
        return super().eventFilter(watched, event)
