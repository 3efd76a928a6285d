"""The run-state object: one execution as the views see it (STYLE.md rule 5).

A :class:`RunState` folds engine events into view state — per-node run states ("running",
"completed", "failed", "skipped"), the event list, pipeline frames, the node running now, the
final :class:`~axiom_ide.backends.RunResult` — and announces each change as a signal. The canvas
binds to it (``canvas/run_binding.py``), the result panel and the status pill read it. It never
touches the flow document: run state is view state, never saved, never undoable.

Events reach it for every execution (``RuntimeBridge.executionEvent``); it keeps the ones of its
own execution, recognised by the compiled ``graph_id`` (each Run compiles a fresh artifact, so the
first EXECUTION_STARTED of that graph is this run) — no event is lost to the race between an
execution starting and its id reaching the GUI.
"""
from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QObject, Signal

COMPILING = "Compiling"
RUNNING = "Running"
COMPLETED = "Completed"
FAILED = "Failed"
CANCELLED = "Cancelled"
#: A Debug run stopped before a node (guides/debug-a-flow: the status pill reads "Debug paused").
DEBUG_PAUSED = "Debug paused"
#: The run waits for a human-in-the-loop approval (app/hitl_banner.py answers it).
PAUSED_HITL = "Paused (HITL)"
#: The pill's style state for each run status.
PILL_STATE = {COMPILING: "running", RUNNING: "running", COMPLETED: "completed", FAILED: "failed",
              CANCELLED: "cancelled", DEBUG_PAUSED: "paused", PAUSED_HITL: "paused"}


class RunState(QObject):
    #: (canvas id, "running" | "completed" | "failed" | "skipped" | None).
    nodeStateChanged = Signal(str, object)
    #: An Event (backends.values) of this execution was added to :attr:`events`.
    eventAdded = Signal(object)
    #: A pipeline frame arrived: (frame index, payload).
    frameAdded = Signal(int, object)
    #: Compiling → Running → Completed | Failed | Cancelled.
    statusChanged = Signal(str)
    #: The run ended; carries the RunResult.
    finished = Signal(object)

    def __init__(self, flow_name: str, mode: str = "unary", parent: QObject | None = None):
        super().__init__(parent)
        self.flow_name = flow_name
        self.mode = mode
        self.graph_id: str | None = None
        self.execution_id: str | None = None
        self.status = COMPILING
        self.node_states: dict[str, str] = {}
        self.events: list[Any] = []
        self.frames: list[Any] = []
        self.result: Any = None
        #: Canvas id of the node running now (the latest NODE_STARTED not yet finished).
        self.current_node: str | None = None
        self.started = time.monotonic()
        self.ended: float | None = None
        self.input: Any = None
        #: Canvas id a Debug run is paused before (DEBUG_PAUSED event), else None.
        self.paused_at: str | None = None
        #: While paused for a breakpoint condition that failed to evaluate: the CEL error text.
        self.pause_error: str | None = None
        #: While paused at an edge's breakpoint: the edge ``(src, dst)`` and the mapped values the
        #: destination receives through it (decoded JSON, bounded by the runtime).
        self.pause_edge: tuple[str, str] | None = None
        self.pause_input: Any = None

    @classmethod
    def from_history(cls, record: Any, events: list[Any], result: Any, parent: QObject | None = None) -> RunState:
        """A finished (or running) execution rebuilt from the store, for the executions page."""
        state = cls(record.flow_name, record.mode, parent)
        state.graph_id, state.execution_id, state.input = record.graph_id, record.id, record.input_json
        state.status = RUNNING
        for e in events:
            state.accept(e)
        if record.is_final:
            state.finish(result)
        state.ended = state.started + (record.duration_ms or 0) / 1000.0 if record.is_final else None
        return state

    # -- feeding ------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self.status in (COMPILING, RUNNING, DEBUG_PAUSED, PAUSED_HITL)

    @property
    def elapsed(self) -> float:
        return (self.ended if self.ended is not None else time.monotonic()) - self.started

    def compiled(self, graph_id: str) -> None:
        self.graph_id = graph_id
        self._set_status(RUNNING)

    def set_execution(self, execution_id: str) -> None:
        self.execution_id = execution_id

    def accept(self, event: Any) -> None:
        """Take an engine event (of any execution); keep it if it is this run's."""
        from axiom_ide.runtime import event_types as ev

        if self.execution_id is None:
            if (event.type == ev.EXECUTION_STARTED and self.graph_id is not None
                    and event.data.get("graph_id") == self.graph_id):
                self.execution_id = event.execution_id
            else:
                return
        if event.execution_id != self.execution_id or self.result is not None:
            return
        if self.events and event.seq <= self.events[-1].seq:  # history already had it
            return
        self.events.append(event)
        self._fold(event)
        self.eventAdded.emit(event)

    def _fold(self, e: Any) -> None:
        from axiom_ide.runtime import event_types as ev

        node = e.node
        if e.type == ev.DEBUG_PAUSED:
            data = getattr(e, "data", None) or {}
            self.paused_at = node
            self.pause_error = data.get("error")
            src, arrow, dst = str(data.get("edge") or "").partition("->")
            self.pause_edge = (src, dst) if arrow else None
            self.pause_input = (data["input"] if "input" in data else data.get("input_error")) if arrow else None
            if node is not None and node not in self.node_states:
                self.set_node(node, "paused")  # the paused node is highlighted on the canvas
            self._set_status(DEBUG_PAUSED)
            return
        if e.type == ev.DEBUG_RESUMED:
            if self.paused_at is not None and self.node_states.get(self.paused_at) == "paused":
                self.set_node(self.paused_at, None)
            self.paused_at = self.pause_error = self.pause_edge = self.pause_input = None
            self._set_status(RUNNING)
            return
        if e.type == ev.HITL_PAUSED:  # an approval gate (runtime/engine/hitl.py): drawn like a debug pause
            if node is not None and node not in self.node_states:
                self.set_node(node, "paused")
            self._set_status(PAUSED_HITL)
            return
        if e.type in (ev.HITL_RESUMED, ev.HITL_TIMED_OUT):
            if node is not None and self.node_states.get(node) == "paused":
                self.set_node(node, None)
            self._set_status(RUNNING)
            return
        if node is None or "/" in node:  # subflow internals are not on this canvas
            return
        if e.type == ev.NODE_STARTED:
            self.current_node = node
            self.set_node(node, "running")
        elif e.type == ev.NODE_COMPLETED:
            self.set_node(node, "completed")
            if self.current_node == node:
                self.current_node = None
        elif e.type == ev.NODE_FAILED and e.data.get("final", True):
            self.set_node(node, "failed")
            if self.current_node == node:
                self.current_node = None
        elif e.type == ev.NODE_INTERRUPTED:  # the runtime died mid-attempt: pending until it runs again
            self.set_node(node, None)
            if self.current_node == node:
                self.current_node = None
        elif e.type == ev.EDGE_SKIPPED and node not in self.node_states:
            self.set_node(node, "skipped")

    def add_frame(self, frame: dict[str, Any]) -> None:
        if self.execution_id is None:
            self.execution_id = frame.get("execution_id")
        if frame.get("is_final"):
            return
        self.frames.append(frame.get("payload"))
        self.frameAdded.emit(frame.get("frame_index", len(self.frames) - 1), frame.get("payload"))

    def finish(self, result: Any) -> None:
        """The run ended with ``result`` (a RunResult)."""
        if self.result is not None:
            return
        self.result = result
        self.ended = time.monotonic()
        self.current_node = None
        if result.status == FAILED:
            for node, state in list(self.node_states.items()):
                if state == "running":
                    self.set_node(node, "failed")
        elif result.status == CANCELLED:
            for node, state in list(self.node_states.items()):
                if state == "running":
                    self.set_node(node, None)
        self._set_status(result.status if result.status in PILL_STATE else FAILED)
        self.finished.emit(result)

    def set_node(self, node: str, state: str | None) -> None:
        """Set one node's run state (the events set them; a fork also marks the nodes whose
        checkpoints it copied from its parent as completed)."""
        if self.node_states.get(node) == state:
            return
        if state is None:
            self.node_states.pop(node, None)
        else:
            self.node_states[node] = state
        self.nodeStateChanged.emit(node, state)

    # -- internals ----------------------------------------------------------------------------
    def _set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            self.statusChanged.emit(status)
