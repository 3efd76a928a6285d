"""Result panel docked below the canvas: one run's header, Output tab and Execution tab.

The panel binds to a :class:`~axiom_ide.app.run_state.RunState` (a live run, or one rebuilt from
history by the Executions page) and only reads it. Words follow the docs: the header shows
**Execution Failed** on failure, the **Output** tab holds the terminal output JSON or the error
text (pipeline frames as they arrive), the **Execution** tab lists the events (NODE_STARTED /
NODE_COMPLETED / NODE_FAILED with durations, NODE_INTERRUPTED for an attempt a dying runtime cut
short, LOG lines). A failure attributed to a node or an
edge shows its kind and a **Show on canvas** button; the attribution is the run's error value
(``Failure``, from the stored ``errors.Diagnostic``), never read back out of the message. A node
that raised shows its exception type and a collapsed **Traceback** section under the error.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app import run_state as rs
from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.errors import render

PLACEHOLDER = "Run the flow to see the terminal node's output here."
NO_RUN = "No run yet"
TITLES = {rs.COMPLETED: "Execution Completed", rs.FAILED: "Execution Failed", rs.CANCELLED: "Execution Cancelled"}
SHOW_ON_CANVAS = "Show on canvas"
TRACEBACK = "Traceback"
EVENT_COLUMNS = ("Time", "Event", "Node", "Duration", "Detail")
#: A compensation event's Detail verb, before the compensated node (saga, engine/compensation.py).
COMPENSATION_WORDS = {ev.COMPENSATION_STARTED: "compensating", ev.COMPENSATION_COMPLETED: "compensated",
                      ev.COMPENSATION_FAILED: "compensation failed for"}


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def event_detail(e: Any) -> str:
    d = e.data or {}
    if e.type == ev.LOG:
        return f"{d.get('level', 'info').upper()}: {d.get('message', '')}"
    if d.get("pinned") is True:  # an editor run's pin answered for the node (app/pins.py)
        return "pinned (the node was not called)"
    if e.type == ev.EXECUTION_STARTED and isinstance(d.get("pinned"), list):
        return "pinned: " + ", ".join(map(str, d["pinned"]))
    if e.type in (ev.MEMORY_READ, ev.MEMORY_WRITE, ev.MEMORY_SEARCH) and "summary" in d:  # runtime/memory/events.py
        return str(d["summary"])
    if e.type in COMPENSATION_WORDS and d.get("compensates"):  # saga (engine/compensation.py)
        what = COMPENSATION_WORDS[e.type]
        return f'{what} "{d["compensates"]}"' + (f": {d['error']}" if d.get("error") else "")
    if e.type == ev.FLOW_MUTATED:  # runtime flow mutation (engine/mutation.py)
        nodes = ", ".join(f"{n.get('id')} ({n.get('ref')})" for n in d.get("nodes") or ())
        edges = ", ".join(f"{x.get('from')} → {x.get('to')}" for x in d.get("edges") or ())
        return "; ".join(p for p in (f"added {nodes}" if nodes else "", f"edges {edges}" if edges else "") if p)
    if "error" in d:
        return str(d["error"])
    if e.type == ev.EDGE_SKIPPED and isinstance(d.get("edge"), dict):
        return f'edge "{d["edge"].get("from")}" → "{d["edge"].get("to")}": {d.get("reason", "")}'
    if e.type == ev.NODE_INTERRUPTED:
        return f"attempt {e.attempt} interrupted: {d.get('reason', 'the runtime stopped while it ran')}"
    if e.attempt and e.attempt > 1:
        return f"attempt {e.attempt}"
    if "reason" in d:  # any other event that says why (types this panel has no words for)
        return str(d["reason"])
    return ""


class ResultsPanel(QWidget):
    #: "Show on canvas": ("node", canvas id) or ("edge", (src, dst)).
    showOnCanvas = Signal(str, object)
    #: The Stop button was clicked while a run is going.
    stopRequested = Signal()
    #: The panel now follows this flow tab (None: no tab): per-tab pages (e.g. Breakpoints) rebind.
    tabFollowed = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resultsPanel")
        self.state: Any = None
        #: The flow tab whose result this panel shows (each tab has its own, see follow_tab).
        self.tab: Any = None
        self.title = QLabel(NO_RUN, objectName="resultTitle")
        self.title.setProperty("heading", True)
        self.execution_label = QLabel(objectName="resultExecution")
        self.execution_label.setProperty("hint", True)
        self.execution_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stop_button = QPushButton("■ Stop", objectName="resultStopButton")
        self.stop_button.setToolTip("Cancel the run (Esc)")
        self.stop_button.hide()
        self.stop_button.clicked.connect(self.stopRequested)
        header = QHBoxLayout()
        header.setContentsMargins(8, 4, 8, 0)
        header.setSpacing(12)  # the title and "execution <id>" never run together
        header.addWidget(self.title)
        header.addWidget(self.execution_label, 1)
        header.addWidget(self.stop_button)

        self.failure_label = QLabel(objectName="failureKind")
        self.failure_label.setProperty("error", True)
        self.failure_label.setWordWrap(True)
        self.show_button = QPushButton(SHOW_ON_CANVAS, objectName="showOnCanvasButton")
        self.show_button.clicked.connect(self._show_on_canvas)
        self.failure_bar = QWidget(objectName="failureBar")
        bar = QHBoxLayout(self.failure_bar)
        bar.setContentsMargins(8, 0, 8, 0)
        bar.addWidget(self.failure_label, 1)
        bar.addWidget(self.show_button)
        self.failure_bar.hide()

        self.tabs = QTabWidget(objectName="resultsTabs")
        self.tabs.setDocumentMode(True)
        self.output = QPlainTextEdit(objectName="resultsOutput")
        self.output.setReadOnly(True)
        self.output.setPlaceholderText(PLACEHOLDER)
        self.output.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.events = QTreeWidget(objectName="resultsEvents")
        self.events.setRootIsDecorated(False)
        self.events.setUniformRowHeights(True)
        self.events.setHeaderLabels(EVENT_COLUMNS)
        head = self.events.header()
        for i in range(4):
            head.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(True)
        # A node that raised: its traceback, collapsed under the error text until asked for.
        self.traceback_toggle = QToolButton(objectName="tracebackToggle")
        self.traceback_toggle.setCheckable(True)
        self.traceback_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.traceback_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.traceback_toggle.setAutoRaise(True)
        self.traceback_toggle.toggled.connect(self._toggle_traceback)
        self.traceback_view = QPlainTextEdit(objectName="resultsTraceback")
        self.traceback_view.setReadOnly(True)
        self.traceback_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.traceback_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.output_page = QWidget(objectName="resultsOutputPage")
        page = self._output_layout = QVBoxLayout(self.output_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(0)
        page.addWidget(self.output, 1)
        page.addWidget(self.traceback_toggle)
        page.addWidget(self.traceback_view, 4)
        self._show_traceback(None)
        self.tabs.addTab(self.output_page, "Output")
        self.tabs.addTab(self.events, "Execution")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.failure_bar)
        layout.addWidget(self.tabs, 1)

        self._ticker = QTimer(self)
        self._ticker.setInterval(200)
        self._ticker.timeout.connect(self._update_title)

    # -- binding ------------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.unbind()
        self.output.setPlainText(text)
        self._show_traceback(None)
        self.tabs.setCurrentWidget(self.output_page)

    def clear_run(self) -> None:
        """No run to show (a tab that has not run yet): "No run yet" and an empty Output tab."""
        self.unbind()
        self.events.clear()
        self.output.clear()
        self.failure_bar.hide()
        self._show_traceback(None)
        self._status_changed("")
        self.tabs.setCurrentWidget(self.output_page)

    def follow_tab(self, tab: Any) -> None:
        """The active flow tab changed: pages that hold per-tab content follow ``tabFollowed``."""
        if tab is not self.tab:
            self.tab = tab
            self.tabFollowed.emit(tab)

    def unbind(self) -> None:
        state = self.state
        if state is not None:
            for signal, slot in self._connections(state):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass
        self.state = None
        self._ticker.stop()

    def _connections(self, state: Any) -> list[tuple[Any, Any]]:
        return [(state.eventAdded, self._add_event), (state.frameAdded, self._add_frame),
                (state.statusChanged, self._status_changed), (state.finished, self._finished)]

    def bind(self, state: Any) -> None:
        """Show ``state`` (a RunState) and follow it until it ends or another is bound."""
        self.unbind()
        self.state = state
        self.events.clear()
        self.output.clear()
        self.failure_bar.hide()
        self._show_traceback(None)
        for e in state.events:
            self._add_event(e)
        for i, payload in enumerate(state.frames):
            self._add_frame(i, payload)
        for signal, slot in self._connections(state):
            signal.connect(slot)
        if state.result is not None:
            self._finished(state.result)
        else:
            self._status_changed(state.status)

    # -- updates ------------------------------------------------------------------------------
    def _status_changed(self, status: str) -> None:
        running = self.state is not None and self.state.is_running
        self.stop_button.setVisible(running)
        self.stop_button.setEnabled(running)
        if running:
            self._ticker.start()
        self._update_title()

    def progress_text(self) -> str:
        """"Running — greet · 1.2 s" while a run goes ("Debug paused — greet" while a Debug run is
        paused before greet); the docs' header once it ended."""
        state = self.state
        if state is None:
            return NO_RUN
        if state.result is not None:
            return TITLES.get(state.result.status, f"Execution {state.result.status}")
        if state.status == rs.COMPILING:
            return f"Compiling {state.flow_name}…"
        if state.status == rs.DEBUG_PAUSED:
            return f"Debug paused — {state.paused_at}" if state.paused_at else rs.DEBUG_PAUSED
        if state.status == rs.PAUSED_HITL:  # an approval gate: the flow tab's banner answers it
            waiting = next((n for n, st in state.node_states.items() if st == "paused"), None)
            return f"{rs.PAUSED_HITL} — {waiting}" if waiting else rs.PAUSED_HITL
        node = f" — {state.current_node}" if state.current_node else ""
        return f"Running{node} · {state.elapsed:.1f} s"

    def _update_title(self) -> None:
        text = self.progress_text()
        self.title.setText(text)
        state = self.state
        kind = {rs.COMPLETED: "completed", rs.FAILED: "failed", rs.DEBUG_PAUSED: "paused",
                rs.PAUSED_HITL: "paused"}.get(getattr(state, "status", ""), "")
        if self.title.property("state") != kind:
            self.title.setProperty("state", kind)
            self.title.style().unpolish(self.title)
            self.title.style().polish(self.title)
        ex_id = getattr(state, "execution_id", None)
        self.execution_label.setText(f"execution {ex_id}" if ex_id else "")
        if state is None or not state.is_running:
            self._ticker.stop()

    def _add_event(self, e: Any) -> None:
        first = self.state.events[0].time if self.state is not None and self.state.events else e.time
        duration = f"{e.duration_ms:.1f} ms" if e.duration_ms is not None else ""
        item = QTreeWidgetItem([f"+{e.time - first:.3f} s", e.type, e.node or "", duration, event_detail(e)])
        item.setData(0, Qt.ItemDataRole.UserRole, e.seq)
        if e.type in (ev.NODE_FAILED, ev.EXECUTION_FAILED):
            for col in range(len(EVENT_COLUMNS)):
                item.setForeground(col, Qt.GlobalColor.red)
        elif e.type == ev.NODE_INTERRUPTED:  # not a failure, but the node ran more than once
            for col in range(len(EVENT_COLUMNS)):
                item.setForeground(col, Qt.GlobalColor.darkYellow)
        self.events.addTopLevelItem(item)
        if self.state is not None and self.state.is_running:
            self._update_title()

    def _add_frame(self, index: int, payload: Any) -> None:
        self.output.appendPlainText(f"[{index}] {json.dumps(payload, ensure_ascii=False)}")

    def _finished(self, result: Any) -> None:
        state = self.state
        self._status_changed(result.status)
        failure = result.failure
        if result.success:
            if state is not None and state.mode == "pipeline" and (state.frames or result.output is None):
                self.output.appendPlainText(f"— {len(state.frames)} frame(s), stream complete")
            else:
                self.output.setPlainText(pretty(result.output))
            self.failure_bar.hide()
        else:
            text = failure.message if failure is not None else result.status
            if state is not None and state.mode == "pipeline" and state.frames:
                self.output.appendPlainText(text)
            else:
                self.output.setPlainText(text)
            self._show_failure(failure)
            self._show_traceback(failure)
        self.tabs.setCurrentWidget(self.output_page)

    def _show_failure(self, failure: Any) -> None:
        # The tooltip is the error as the CLI and the logs print it (errors.render).
        self.failure_label.setToolTip(render(failure.diagnostic) if failure is not None else "")
        if failure is None or (failure.node is None and failure.edge is None):
            self.failure_bar.setVisible(failure is not None and failure.kind not in ("CANCELLED",))
            self.failure_label.setText(failure.kind if failure is not None else "")
            self.show_button.hide()
            return
        self.failure_label.setText(f"{failure.kind} · {failure.diagnostic.location.canvas}")
        self.show_button.show()
        self.failure_bar.show()

    def _show_traceback(self, failure: Any) -> None:
        """The Traceback section of a node that raised (collapsed); hidden for any other end."""
        text = getattr(failure, "traceback", None) or ""
        kind = getattr(failure, "exception_type", None)
        self.traceback_toggle.setText(f"{TRACEBACK} ({kind})" if kind else TRACEBACK)
        self.traceback_toggle.setVisible(bool(text))
        self.traceback_view.setPlainText(text)
        self.traceback_toggle.setChecked(False)
        self._toggle_traceback(False)

    def _toggle_traceback(self, shown: bool) -> None:
        shown = shown and bool(self.traceback_view.toPlainText())
        self.traceback_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.traceback_view.setVisible(shown)
        # Open, the traceback takes most of the page: the error text above it is a line or two.
        self._output_layout.setStretchFactor(self.output, 1 if shown else 4)

    def _show_on_canvas(self) -> None:
        failure = getattr(getattr(self.state, "result", None), "failure", None)
        if failure is None:
            return
        if failure.edge is not None:
            self.showOnCanvas.emit("edge", tuple(failure.edge))
        elif failure.node is not None:
            self.showOnCanvas.emit("node", failure.node)
