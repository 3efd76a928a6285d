"""The execution detail page (guides__debug-a-flow.md, "Open the execution detail page").

Built from a backend ``ReplayView`` (``backend.sessions.replay(execution_id)``,
backends/replay_view.py), it only reads history:
a status header (Started / Updated / Completed / Duration, **Forked from** link, fork descendants),
the flow as compiled for the run on a read-only canvas (canvas/readonly.py) with replay controls
(play/pause, step, speed) and a timeline scrubber that redraws every card's state at any event
index, and the six tabs Timeline, Events, Checkpoints, Pauses, Branches, Output (Events and
Checkpoints: app/pages/detail_tabs.py).

A click on a card that had completed or failed at the scrubbed point, or on a Checkpoints row,
opens the payload popover (app/panels/payload_popover.py) with that checkpoint's Input/Output;
its **Fork from here** calls ``on_fork(checkpoint_id)``, its **Run from here** (the recorded input,
editable) ``on_run_from_here(node, edited input)``.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.pages.detail_tabs import CheckpointsTab, EventsTab, fill, filtered_tab, table, when
from axiom_ide.app.qt_bridge import alive
from axiom_ide.canvas.readonly import readonly_canvas

if TYPE_CHECKING:
    from axiom_ide.backends.replay_view import ReplayView

SPEEDS = (("0.5×", 1000), ("1×", 500), ("2×", 250), ("4×", 125))
PAUSE_TYPES = ("DEBUG_PAUSED", "DEBUG_RESUMED", "HITL_PAUSED", "HITL_RESUMED", "HITL_TIMED_OUT")
BRANCH_TYPES = ("EDGE_SKIPPED", "EDGE_FIRED", "BRANCH_TAKEN", "BRANCH_STARTED", "BRANCH_SKIPPED", "BRANCH_FINISHED",
                "GATE_WAITING", "GATE_OPENED")


def _bare_flow(replay: ReplayView) -> dict[str, Any]:
    """The flow to draw when the backend cannot tell how it was compiled: one card per node id,
    in flow order, no edges (the replay still tints every card)."""
    return {"name": replay.execution.flow_name, "nodes": [{"id": n, "node": n} for n in replay.node_ids]}


class ExecutionDetailPage(QWidget):
    def __init__(self, replay: ReplayView, *, children: Sequence[str] = (),
                 on_fork: Callable[[str], None] | None = None,
                 on_open: Callable[[str], None] | None = None,
                 on_debug: Callable[[], None] | None = None, workspace: Any = None,
                 on_run_from_here: Callable[[str, Any], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("executionDetailPage")
        self.replay = replay
        self.on_fork = on_fork
        #: Run from here: ``(node, edited input or None)`` re-runs the node and what is downstream.
        self.on_run_from_here = on_run_from_here
        #: The Run from here dialog last opened (the node's recorded input, editable).
        self.edit_dialog: Any = None
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
        self.times = {"Started": when(rec.started_at or rec.created_at), "Updated": when(rec.updated_at),
                      "Completed": when(rec.completed_at), "Duration": duration}
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

        # -- read-only canvas replay: node states at the scrubbed index, controls, scrubber
        replay_box = QWidget()
        replay_lay = QVBoxLayout(replay_box)
        replay_lay.setContentsMargins(0, 0, 0, 0)
        #: The flow as it was compiled for this run, drawn read-only; the scrubber tints its cards.
        self.canvas = readonly_canvas(replay.flow or _bare_flow(replay), workspace)
        self.canvas.setMinimumHeight(220)
        self.canvas.nodeClicked.connect(self.node_clicked)
        #: The payload popover open now (one at a time: a card's or a checkpoint row's).
        self.popover: Any = None
        self._fitted = False
        replay_lay.addWidget(self.canvas, 1)
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
        replay_lay.addLayout(controls)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)

        # -- six tabs
        self.tabs = QTabWidget()
        self.timeline = table(("#", "Event", "Node", "Time"))
        fill(self.timeline, [(e.seq, e.type, e.node, when(e.time)) for e in replay.events])
        self.timeline.cellClicked.connect(lambda r, _c: self.scrubber.setValue(r))
        self.tabs.addTab(self.timeline, "Timeline")
        self.events_tab = EventsTab(replay)
        self.node_filter, self.type_filter = self.events_tab.node_filter, self.events_tab.type_filter
        self.prev_page, self.next_page = self.events_tab.prev_page, self.events_tab.next_page
        self.page_label, self.events_table = self.events_tab.page_label, self.events_tab.table
        self.tabs.addTab(self.events_tab, "Events")
        self.checkpoints_tab = CheckpointsTab(replay)
        self.checkpoints_table = self.checkpoints_tab.table
        self.checkpoints_tab.rowClicked.connect(self.checkpoint_clicked)
        self.checkpoints_tab.forkClicked.connect(self._fork)
        self.tabs.addTab(self.checkpoints_tab, "Checkpoints")
        self.tabs.addTab(filtered_tab(replay, PAUSE_TYPES, "No pauses in this execution."), "Pauses")
        self.tabs.addTab(filtered_tab(replay, BRANCH_TYPES, "No branch activity in this execution."), "Branches")
        self.output_view = QPlainTextEdit(json.dumps(rec.output, indent=2) if rec.output is not None
                                          else (rec.error or "No output."))
        self.output_view.setReadOnly(True)
        self.tabs.addTab(self.output_view, "Output")
        self.tabs.setMinimumHeight(150)
        #: Canvas (with its controls) over the tabs; the user drags the handle between them.
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(replay_box)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([400, 260])
        root.addWidget(self.splitter, 1)
        self.scrubber.setValue(len(replay) - 1)
        self.show_index(self.scrubber.value())

    # -- replay ------------------------------------------------------------------------------
    def node_states(self) -> dict[str, str | None]:
        """Card id → the run state drawn on it now (None: idle), what the scrubber shows."""
        return {item.node_id: item.run_state for item in self.canvas.flow_scene.node_items()}

    def show_index(self, index: int) -> None:
        """Redraw every card as the run was just after event ``index`` (pending → idle)."""
        point = self.replay.at(index)
        self.canvas.show_states({n: None if s.status == "pending" else s.status for n, s in point.nodes.items()})
        self.close_popover()  # a payload of another point
        self.position.setText(f"{index + 1}/{len(self.replay)} · {point.status}")
        if hasattr(self, "timeline"):  # the Timeline tab marks the event scrubbed to
            if index >= 0:
                self.timeline.selectRow(index)
            else:
                self.timeline.clearSelection()

    # -- payload popover ---------------------------------------------------------------------
    def node_clicked(self, node: str) -> None:
        """A card clicked: its payload at the scrubbed point, when it had completed or failed
        there (idle and running cards open none)."""
        self.close_popover()
        payload = self.replay.payload(self.scrubber.value(), node)
        if not payload.executed:
            return
        item = self.canvas.flow_scene.item_for_node(node)
        view = self.canvas
        card = (view.mapFromScene(item.mapToScene(item.boundingRect())).boundingRect() if item is not None
                else QRect(view.viewport().rect().center(), QSize(1, 1)))
        self._open_popover(payload, view.viewport(), card)

    def _open_popover(self, payload: Any, parent: QWidget, anchor: QRect) -> None:
        from axiom_ide.app.panels.payload_popover import PayloadPopover

        self.close_popover()
        popover = PayloadPopover(payload, parent)
        # Fork from here: at the node's checkpoint (the page's on_fork); Run from here: the node's
        # recorded input, editable first (hidden when the page cannot run)
        if self.on_run_from_here is None:
            popover.run_from_here_button.hide()
        popover.runFromHereRequested.connect(lambda _eid, _node, p=payload: self.ask_run_from_here(p))
        popover.forkRequested.connect(lambda _eid, _node, cp=payload.checkpoint_id: self._fork(cp))
        popover.show_at(anchor)
        self.popover = popover

    def checkpoint_clicked(self, checkpoint_id: str, row: QRect) -> None:
        """A Checkpoints row clicked: that checkpoint's payload popover over the page, beside the
        row ("Snapshot expired" when its TTL passed; its Fork from here is then disabled)."""
        payload = self.replay.checkpoint_payload(checkpoint_id)
        if payload is None:
            return
        top_left = self.checkpoints_tab.mapTo(self, row.topLeft())
        # anchored at the row's right end: the popover sits over the page's right side
        anchor = QRect(top_left.x() + row.width() - 1, top_left.y(), 1, row.height())
        self._open_popover(payload, self, anchor)

    def ask_run_from_here(self, payload: Any) -> Any:
        """**Run from here**: the node's recorded input in the editor's dialog; **Run** re-runs the
        node and everything downstream, upstream reused (``on_run_from_here``)."""
        from axiom_ide.app.payload_commands import EditInputDialog

        self.close_popover()
        dialog = EditInputDialog(payload.node, payload.input, self)
        dialog.accepted.connect(lambda: self.on_run_from_here(payload.node, dialog.override)
                                if self.on_run_from_here is not None else None)
        dialog.open()  # window-modal, does not block the event loop
        self.edit_dialog = dialog
        return dialog

    def close_popover(self) -> None:
        if self.popover is not None and alive(self.popover):
            self.popover.close()
            self.popover.deleteLater()
        self.popover = None

    def _fork(self, checkpoint_id: str | None) -> None:
        self.close_popover()
        if checkpoint_id is not None and self.on_fork is not None:
            self.on_fork(checkpoint_id)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if not self._fitted:  # the canvas's size is known once shown: every card in view
            self._fitted = True
            QTimer.singleShot(0, self.canvas, self.canvas.fit_all)

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
