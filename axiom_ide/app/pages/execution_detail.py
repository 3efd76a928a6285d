"""The execution detail page (guides__debug-a-flow.md, "Open the execution detail page").

Built from a backend ``ReplayView`` (``backend.sessions.replay(execution_id)``,
backends/replay_view.py), it only reads history:
a status header (Started / Updated / Completed / Duration, **Forked from** link, fork descendants),
replay controls (play/pause, step, speed) and a timeline scrubber that redraws every node's state
at any event index, and the six tabs Timeline, Events, Checkpoints, Pauses, Branches, Output.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from axiom_ide.backends.replay_view import ReplayView

EVENTS_PAGE = 50
SPEEDS = (("0.5×", 1000), ("1×", 500), ("2×", 250), ("4×", 125))
SNAPSHOT_EXPIRED = "Snapshot expired"
PAUSE_TYPES = ("DEBUG_PAUSED", "DEBUG_RESUMED", "HITL_PAUSED", "HITL_RESUMED", "HITL_TIMED_OUT")
BRANCH_TYPES = ("EDGE_SKIPPED", "EDGE_FIRED", "BRANCH_TAKEN", "BRANCH_STARTED", "BRANCH_SKIPPED", "BRANCH_FINISHED",
                "GATE_WAITING", "GATE_OPENED")


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "—"


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[Any]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    table.resizeColumnsToContents()  # event types and ids in full, not elided


class ExecutionDetailPage(QWidget):
    def __init__(self, replay: ReplayView, *, children: Sequence[str] = (),
                 on_fork: Callable[[str], None] | None = None,
                 on_open: Callable[[str], None] | None = None,
                 on_debug: Callable[[], None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("executionDetailPage")
        self.replay = replay
        self.on_fork = on_fork
        self.on_open = on_open
        rec = replay.execution
        root = QVBoxLayout(self)

        # -- status header
        self.status_label = QLabel(rec.status)
        self.status_label.setObjectName("executionStatus")
        header = QHBoxLayout()
        header.addWidget(QLabel(f"Execution {rec.id}"))
        header.addWidget(self.status_label)
        duration = (f"{(rec.completed_at - rec.started_at):.2f}s"
                    if rec.completed_at and rec.started_at else "—")
        self.times = {"Started": _when(rec.started_at or rec.created_at), "Updated": _when(rec.updated_at),
                      "Completed": _when(rec.completed_at), "Duration": duration}
        times = QHBoxLayout()  # a line of its own: the page stays narrow enough for a 1280-pixel screen
        for name, value in self.times.items():
            times.addWidget(QLabel(f"{name}: {value}"))
        times.addStretch(1)
        header.addStretch(1)
        self.forked_from: QPushButton | None = None
        if rec.parent_id:
            self.forked_from = QPushButton(f"Forked from {rec.parent_id[:8]}")
            self.forked_from.setFlat(True)
            self.forked_from.clicked.connect(lambda: self._open(rec.parent_id))
            header.addWidget(self.forked_from)
        #: **Replay in debugger**: this execution on the debug session page (REPLAY).
        self.debug_button = QPushButton("Replay in debugger")
        self.debug_button.setEnabled(on_debug is not None)
        if on_debug is not None:
            self.debug_button.clicked.connect(on_debug)
        header.addWidget(self.debug_button)
        root.addLayout(header)
        root.addLayout(times)
        from axiom_ide.app.hitl_banner import HitlBanner  # Approve / Reject / Edit & approve while paused

        root.addWidget(hitl := HitlBanner.for_execution(rec.id, replay.events))
        self.hitl_banner = hitl
        self.descendants: list[QPushButton] = []
        #: The fork descendants' execution ids.
        self.children_ids = tuple(children)
        if children:
            forks = QHBoxLayout()
            forks.addWidget(QLabel("Forks:"))
            for child in children:
                link = QPushButton(child[:8])
                link.setFlat(True)
                link.clicked.connect(lambda _=False, c=child: self._open(c))
                self.descendants.append(link)
                forks.addWidget(link)
            forks.addStretch(1)
            root.addLayout(forks)

        # -- read-only replay: node states at the scrubbed index, controls, scrubber
        self.nodes_table = _table(("Node", "State", "Runs", "Error"))
        root.addWidget(self.nodes_table, 2)
        controls = QHBoxLayout()
        self.play_button = QPushButton("Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.step_button = QPushButton("Step")
        self.step_button.clicked.connect(self.step)
        self.speed = QComboBox()
        for label, ms in SPEEDS:
            self.speed.addItem(label, ms)
        self.speed.setCurrentIndex(1)
        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setObjectName("timelineScrubber")
        self.scrubber.setRange(-1, len(replay) - 1)
        self.scrubber.valueChanged.connect(self.show_index)
        self.position = QLabel()
        for w in (self.play_button, self.step_button, self.speed):
            controls.addWidget(w)
        controls.addWidget(self.scrubber, 1)
        controls.addWidget(self.position)
        root.addLayout(controls)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

        # -- six tabs
        self.tabs = QTabWidget()
        self.timeline = _table(("#", "Event", "Node", "Time"))
        _fill(self.timeline, [(e.seq, e.type, e.node, _when(e.time)) for e in replay.events])
        self.timeline.cellClicked.connect(lambda r, _c: self.scrubber.setValue(r))
        self.tabs.addTab(self.timeline, "Timeline")
        self.tabs.addTab(self._events_tab(), "Events")
        self.tabs.addTab(self._checkpoints_tab(), "Checkpoints")
        self.tabs.addTab(self._filtered_tab(PAUSE_TYPES, "No pauses in this execution."), "Pauses")
        self.tabs.addTab(self._filtered_tab(BRANCH_TYPES, "No branch activity in this execution."), "Branches")
        self.output_view = QPlainTextEdit(json.dumps(rec.output, indent=2) if rec.output is not None
                                          else (rec.error or "No output."))
        self.output_view.setReadOnly(True)
        self.tabs.addTab(self.output_view, "Output")
        root.addWidget(self.tabs, 2)
        self.scrubber.setValue(len(replay) - 1)
        self.show_index(self.scrubber.value())

    # -- replay ------------------------------------------------------------------------------
    def node_states(self) -> dict[str, str]:
        """Node id → the state drawn now (what the scrubber shows)."""
        t = self.nodes_table
        cells = [(t.item(r, 0), t.item(r, 1)) for r in range(t.rowCount())]
        return {a.text(): b.text() for a, b in cells if a is not None and b is not None}

    def show_index(self, index: int) -> None:
        point = self.replay.at(index)
        _fill(self.nodes_table, [(s.node, s.status, s.runs, s.error) for s in point.nodes.values()])
        self.position.setText(f"{index + 1}/{len(self.replay)} · {point.status}")

    def step(self) -> None:
        self.scrubber.setValue(min(self.scrubber.value() + 1, self.scrubber.maximum()))

    def toggle_play(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.play_button.setText("Play")
            return
        if self.scrubber.value() >= self.scrubber.maximum():
            self.scrubber.setValue(-1)
        self._timer.start(int(self.speed.currentData()))
        self.play_button.setText("Pause")

    def _tick(self) -> None:
        self.step()
        if self.scrubber.value() >= self.scrubber.maximum():
            self.toggle_play()

    def _open(self, execution_id: str) -> None:
        if self.on_open is not None:
            self.on_open(execution_id)

    # -- tabs --------------------------------------------------------------------------------
    def _events_tab(self) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        bar = QHBoxLayout()
        self.node_filter = QComboBox()
        self.node_filter.addItem("All nodes", None)
        for n in self.replay.node_ids:
            self.node_filter.addItem(n, n)
        self.type_filter = QComboBox()
        self.type_filter.addItem("All types", None)
        for t in sorted({e.type for e in self.replay.events}):
            self.type_filter.addItem(t, t)
        self.prev_page = QPushButton("Previous")
        self.next_page = QPushButton("Next")
        self.page_label = QLabel()
        for w in (self.node_filter, self.type_filter, self.prev_page, self.page_label, self.next_page):
            bar.addWidget(w)
        bar.addStretch(1)
        lay.addLayout(bar)
        self.events_table = _table(("#", "Event", "Node", "Attempt", "Time", "Detail"))
        lay.addWidget(self.events_table)
        self._page = 0
        self.node_filter.currentIndexChanged.connect(lambda _: self._set_page(0))
        self.type_filter.currentIndexChanged.connect(lambda _: self._set_page(0))
        self.prev_page.clicked.connect(lambda: self._set_page(self._page - 1))
        self.next_page.clicked.connect(lambda: self._set_page(self._page + 1))
        self._set_page(0)
        return box

    def filtered_events(self) -> list[Any]:
        node, kind = self.node_filter.currentData(), self.type_filter.currentData()
        return [e for e in self.replay.events if (node is None or e.node == node) and (kind is None or e.type == kind)]

    def _set_page(self, page: int) -> None:
        events = self.filtered_events()
        pages = max(1, -(-len(events) // EVENTS_PAGE))
        self._page = max(0, min(page, pages - 1))
        shown = events[self._page * EVENTS_PAGE:(self._page + 1) * EVENTS_PAGE]
        _fill(self.events_table, [(e.seq, e.type, e.node, e.attempt, _when(e.time),
                                   json.dumps(e.data) if e.data else "") for e in shown])
        self.page_label.setText(f"Page {self._page + 1} of {pages}")
        self.prev_page.setEnabled(self._page > 0)
        self.next_page.setEnabled(self._page < pages - 1)

    def _checkpoints_tab(self) -> QWidget:
        box = QWidget()
        lay = QHBoxLayout(box)
        self.checkpoints_table = _table(("Step", "Node", "Checkpoint", "Created", ""))
        rows = self.replay.checkpoints
        _fill(self.checkpoints_table, [(cp.step, cp.node, cp.id, _when(cp.created_at), None) for cp in rows])
        for r, cp in enumerate(rows):
            fork = QPushButton("Fork from here")
            fork.setEnabled(not cp.expired)
            if cp.expired:
                fork.setToolTip("Checkpoint expired — fork unavailable")
            fork.clicked.connect(lambda _=False, c=cp.id: self.on_fork(c) if self.on_fork else None)
            self.checkpoints_table.setCellWidget(r, 4, fork)
        self.checkpoints_table.cellClicked.connect(self.show_checkpoint)
        # the payload pane stands in for dbg-payload's PayloadPopover until it lands
        self.payload_view = QPlainTextEdit()
        self.payload_view.setReadOnly(True)
        self.payload_view.setPlaceholderText("Click a checkpoint to see its payload.")
        lay.addWidget(self.checkpoints_table, 3)
        lay.addWidget(self.payload_view, 2)
        return box

    def show_checkpoint(self, row: int, _column: int = 0) -> None:
        cp = self.replay.checkpoints[row]
        if cp.expired:
            self.payload_view.setPlainText(SNAPSHOT_EXPIRED)
            return
        self.payload_view.setPlainText(json.dumps({"input": cp.input, "output": cp.output},
                                                  indent=2, default=str))

    def _filtered_tab(self, types: Sequence[str], empty: str) -> QWidget:
        events = [e for e in self.replay.events if e.type in types]
        if not events:
            label = QLabel(empty)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return label
        table = _table(("#", "Event", "Node", "Time", "Detail"))
        _fill(table, [(e.seq, e.type, e.node, _when(e.time), json.dumps(e.data) if e.data else "")
                      for e in events])
        return table
