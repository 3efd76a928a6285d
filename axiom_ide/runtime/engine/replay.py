"""Replay: one execution's stored history as a timeline a scrubber walks. Reads only, never writes.

A :class:`Replay` is built from plain values — the execution record, the flow's node ids and
forward edges, the event log and the checkpoints — and answers, for any event index, what the
run looked like just after that event: the execution's status, each node's state (``pending``,
``running``, ``completed``, ``failed``, ``skipped``), and the decoded input and output of the
checkpoint each completed node had by then. It is a pure function of those values; rendering the
same history always gives the same timeline (the execution detail page's promise). Decoding is a
callable handed in (``decode(checkpoint) -> {"input": ..., "output": ..., "expired": ...}``) so
payloads are decoded only when a view asks, with the same rendering as the checkpoints API.

Rules, applied event by event:
- NODE_STARTED → running; NODE_FAILED → failed when it was the final attempt (an earlier attempt
  keeps it running, with the error); NODE_COMPLETED → completed, and its ``checkpoint_id`` becomes
  the node's current checkpoint (a loop round replaces the previous one). NODE_INTERRUPTED (the
  runtime died while the attempt ran) → pending again, until the resumed run starts it anew.
- EDGE_SKIPPED on a forward edge settles it; a pending node whose incoming edges have all been
  skipped is skipped.
- A forked execution starts with the checkpoints it copied from its parent: those nodes are
  completed before the first event (``from_parent``).
- When the execution ends, nodes still running end failed (cancelled or aborted with the run) and
  nodes still pending are skipped.
Events of nodes inside subflows (``outer/inner``) stay in :attr:`Replay.events` but are not nodes
of this flow's canvas.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from axiom_ide.runtime.engine.debug import REPLAY, DebugSession
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex
from axiom_ide.runtime.store.checkpoints import Checkpoint
from axiom_ide.runtime.store.events import EventRecord
from axiom_ide.runtime.store.executions import ExecutionRecord

PENDING, RUNNING, COMPLETED, FAILED, SKIPPED = "pending", "running", "completed", "failed", "skipped"

_STATUS_AFTER = {
    ev.EXECUTION_STARTED: ex.RUNNING, ev.EXECUTION_RESUMED: ex.RUNNING, ev.DEBUG_RESUMED: ex.RUNNING,
    ev.DEBUG_PAUSED: ex.DEBUG_PAUSED, ev.EXECUTION_COMPLETED: ex.COMPLETED,
    ev.EXECUTION_FAILED: ex.FAILED, ev.EXECUTION_CANCELLED: ex.CANCELLED,
    # approval pauses (engine/hitl.py) and gates (engine/gates.py)
    ev.HITL_PAUSED: ex.PAUSED_HITL, ev.HITL_RESUMED: ex.RUNNING, ev.HITL_TIMED_OUT: ex.RUNNING,
    ev.GATE_WAITING: ex.WAITING_ON_GATE, ev.GATE_OPENED: ex.RUNNING,
}


@dataclass(frozen=True)
class NodeState:
    node: str
    #: pending | running | completed | failed | skipped.
    status: str = PENDING
    #: The attempt running or last finished.
    attempt: int | None = None
    #: How many times the node has completed so far (loop rounds count).
    runs: int = 0
    #: The checkpoint of its latest completion, whose input/output the views show.
    checkpoint_id: str | None = None
    #: True when that checkpoint was copied from the parent of a fork (no event of this run).
    from_parent: bool = False
    #: The failure text of its latest failed attempt.
    error: str | None = None
    duration_ms: float | None = None
    #: For pipeline nodes: frames produced (from NODE_COMPLETED).
    frames: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"node": self.node, "status": self.status, "runs": self.runs}
        for key in ("attempt", "checkpoint_id", "error", "duration_ms", "frames"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.from_parent:
            out["from_parent"] = True
        return out


@dataclass(frozen=True)
class ReplayPoint:
    """The run just after event ``index`` (``index == -1``: before the first event)."""

    index: int
    event: EventRecord | None
    #: The execution's status at that point (the docs' spelling).
    status: str
    #: Canvas id → state, in the flow's node order.
    nodes: Mapping[str, NodeState]
    #: The node the run was paused before, while ``status`` is Debug paused.
    paused_at: str | None


class Replay:
    def __init__(self, execution: ExecutionRecord, nodes: Sequence[str],
                 incoming: Mapping[str, Sequence[str]], events: Sequence[EventRecord],
                 checkpoints: Sequence[Checkpoint],
                 decode: Callable[[Checkpoint], dict[str, Any]] | None = None) -> None:
        self.execution = execution
        from axiom_ide.runtime.engine.mutation import added_by

        #: Nodes and edges runtime mutations added (FLOW_MUTATED events): drawn with the flow's own.
        self.added_nodes, self.added_edges = added_by(events)
        nodes = [*nodes, *(n["id"] for n in self.added_nodes if n["id"] not in nodes)]
        incoming = {n: [*incoming.get(n, ()), *(e["from"] for e in self.added_edges if e["to"] == n)] for n in nodes}
        self.node_ids = tuple(nodes)
        self.incoming = {n: frozenset(incoming.get(n, ())) for n in self.node_ids}
        self.events: tuple[EventRecord, ...] = tuple(events)
        self.checkpoints: tuple[Checkpoint, ...] = tuple(checkpoints)
        self._decode = decode
        self._by_id = {cp.id: cp for cp in self.checkpoints}
        self._decoded: dict[str, dict[str, Any]] = {}
        self._points = self._fold()

    def __len__(self) -> int:
        """The number of events (valid indexes: -1 … len - 1)."""
        return len(self.events)

    def __iter__(self) -> Iterator[ReplayPoint]:
        return iter(self._points[1:])

    def at(self, index: int) -> ReplayPoint:
        """The run just after event ``index``; -1 is the start. Out-of-range indexes raise IndexError."""
        if not -1 <= index < len(self.events):
            raise IndexError(f"event index {index} out of range (-1 … {len(self.events) - 1})")
        return self._points[index + 1]

    @property
    def end(self) -> ReplayPoint:
        return self._points[-1]

    def checkpoint(self, checkpoint_id: str) -> Checkpoint | None:
        return self._by_id.get(checkpoint_id)

    def payloads(self, node: str, index: int) -> dict[str, Any] | None:
        """The decoded input/output of the checkpoint ``node`` had just after event ``index``
        (None when it had none yet)."""
        state = self.at(index).nodes.get(node)
        if state is None or state.checkpoint_id is None:
            return None
        return self.decoded(state.checkpoint_id)

    def decoded(self, checkpoint_id: str) -> dict[str, Any]:
        cached = self._decoded.get(checkpoint_id)
        if cached is None:
            cp = self._by_id[checkpoint_id]
            cached = self._decode(cp) if self._decode is not None else {"input": None, "output": None,
                                                                         "expired": cp.expired}
            self._decoded[checkpoint_id] = cached
        return cached

    def to_json(self, index: int | None = None, *, payloads: bool = True) -> dict[str, Any]:
        """One point (``index``; the end when None) as JSON, with each checkpointed node's decoded
        ``input``/``output`` when ``payloads``."""
        point = self.end if index is None else self.at(index)
        nodes = []
        for state in point.nodes.values():
            row = state.to_json()
            if payloads and state.checkpoint_id is not None:
                d = self.decoded(state.checkpoint_id)
                row.update({k: d[k] for k in ("input", "output", "expired") if k in d})
            nodes.append(row)
        return {"execution_id": self.execution.id, "index": point.index, "events": len(self.events),
                "event": point.event.to_json() if point.event is not None else None,
                "status": point.status, "paused_at": point.paused_at, "nodes": nodes}

    # -- the fold --------------------------------------------------------------------------------
    def _fold(self) -> list[ReplayPoint]:
        nodes: dict[str, NodeState] = {n: NodeState(n) for n in self.node_ids}
        announced = {e.data.get("checkpoint_id") for e in self.events if e.type == ev.NODE_COMPLETED}
        for cp in self.checkpoints:  # a fork's inherited history: completed before its first event
            if cp.id not in announced and cp.node in nodes:
                prev = nodes[cp.node]
                nodes[cp.node] = replace(prev, status=COMPLETED, attempt=cp.attempt, runs=prev.runs + 1,
                                         checkpoint_id=cp.id, from_parent=True)
        status, paused_at = ex.QUEUED, None
        gates_waiting: set[str] = set()  # a resume (or a gate opening) goes back to Waiting on gate while one waits
        skipped_edges: dict[str, set[str]] = {n: set() for n in self.node_ids}
        points = [ReplayPoint(-1, None, status, dict(nodes), None)]
        for i, e in enumerate(self.events):
            if e.type == ev.GATE_WAITING and e.node is not None:
                gates_waiting.add(e.node)
            elif e.type == ev.GATE_OPENED:
                gates_waiting.discard(e.node or "")
            status = _STATUS_AFTER.get(e.type, status)
            if status == ex.RUNNING and gates_waiting and e.type in _STATUS_AFTER:
                status = ex.WAITING_ON_GATE
            paused_at = e.node if e.type == ev.DEBUG_PAUSED else (None if status != ex.DEBUG_PAUSED else paused_at)
            state = nodes.get(e.node) if e.node is not None else None
            if state is not None and e.node is not None:
                if e.type == ev.NODE_STARTED:
                    nodes[e.node] = replace(state, status=RUNNING, attempt=e.attempt, error=None)
                elif e.type == ev.NODE_INTERRUPTED:  # cut short by a dying runtime: it waits to run again
                    nodes[e.node] = replace(state, status=PENDING, attempt=e.attempt)
                elif e.type == ev.NODE_FAILED:
                    final = e.data.get("final", True)
                    nodes[e.node] = replace(state, status=FAILED if final else RUNNING, attempt=e.attempt,
                                            error=e.data.get("error"), duration_ms=e.duration_ms)
                elif e.type == ev.NODE_COMPLETED:
                    nodes[e.node] = replace(state, status=COMPLETED, attempt=e.attempt, runs=state.runs + 1,
                                            checkpoint_id=e.data.get("checkpoint_id", state.checkpoint_id),
                                            from_parent=False, error=None, duration_ms=e.duration_ms,
                                            frames=e.data.get("frames", state.frames))
                elif e.type == ev.EDGE_SKIPPED:
                    src = (e.data.get("edge") or {}).get("from")
                    if src in self.incoming[e.node]:
                        skipped_edges[e.node].add(src)
                        if state.status == PENDING and skipped_edges[e.node] >= self.incoming[e.node]:
                            nodes[e.node] = replace(state, status=SKIPPED)
            if e.type in (ev.EXECUTION_COMPLETED, ev.EXECUTION_FAILED, ev.EXECUTION_CANCELLED):
                for n, s in nodes.items():
                    if s.status == RUNNING:
                        nodes[n] = replace(s, status=FAILED, error=s.error or e.data.get("error"))
                    elif s.status == PENDING:
                        nodes[n] = replace(s, status=SKIPPED)
            points.append(ReplayPoint(i, e, status, dict(nodes), paused_at))
        return points


class ReplaySession(DebugSession):
    """A REPLAY debug session: the timeline of one execution, loaded from history on first use
    (:meth:`refresh` reloads it, e.g. while the execution is still running). It has no run to
    control and no breakpoints; those calls are refused."""

    def __init__(self, id: str, execution_id: str, load: Callable[[], Replay], *, tenant_id: str = "local",
                 created_at: float = 0.0) -> None:
        super().__init__(id, REPLAY, execution_id, tenant_id=tenant_id, created_at=created_at)
        self._load = load
        self._replay: Replay | None = None

    @property
    def replay(self) -> Replay:
        if self._replay is None:
            self._replay = self._load()
        return self._replay

    def refresh(self) -> Replay:
        self._replay = None
        return self.replay

    def __len__(self) -> int:
        return len(self.replay)

    def at(self, index: int) -> ReplayPoint:
        return self.replay.at(index)

    def _read_only(self, *_: Any) -> None:
        raise AxiomError.of("debug_session_read_only",
                            "a REPLAY session only reads history: it has no breakpoints and no run to control")

    set_breakpoint = clear_breakpoint = set_breakpoints = _read_only  # type: ignore[assignment]

    def _live_gate(self) -> Any:
        self._read_only()

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["events"] = len(self.replay)
        return out
