"""One execution's stored history as backend value types (what the execution detail and debug
session pages read), so no runtime ``Replay`` object crosses into the app.

:func:`replay_view` folds a runtime ``Replay`` once into frozen values: the execution (an
``Execution``, backends/values.py), the flow's node ids, the ordered events (``Event`` values, as
the Backend protocol gives them), the flow as compiled for the run, the checkpoints as :class:`~axiom_ide.backends.checkpoint_view.CheckpointView` (payloads decoded,
the same shape a remote backend serves) and, for each event index, a :class:`PointView` with every
node's :class:`NodeStateView`. No Qt here.

Checkpoint payloads are decoded lazily: :class:`LazyCheckpoints` is a read-only sequence of
``CheckpointView`` that decodes each checkpoint on its first access and keeps it; its ``rows``
(:class:`CheckpointRow`: id, step, node, attempt, created, expired) list them without decoding, which
is what a table of checkpoints needs. Opening a page of a long run decodes nothing up front.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from axiom_ide.backends.checkpoint_view import CheckpointView, checkpoint_from_json
from axiom_ide.backends.payloads import NodePayload
from axiom_ide.backends.values import Event, Execution
from axiom_ide.runtime import event_types as ev


@dataclass(frozen=True)
class NodeStateView:
    """One node's state at a point of the history."""

    node: str
    #: pending | running | completed | failed | skipped.
    status: str
    runs: int = 0
    attempt: int | None = None
    #: The checkpoint of its latest completion (its input/output), or None.
    checkpoint_id: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class PointView:
    """The run just after event ``index`` (-1: before the first event)."""

    index: int
    #: The execution's status there (the docs' spelling).
    status: str
    #: Canvas id → state, in the flow's node order.
    nodes: Mapping[str, NodeStateView]
    paused_at: str | None = None


@dataclass(frozen=True)
class CheckpointRow:
    """One checkpoint without its payloads (what listing it needs; nothing decoded)."""

    id: str
    execution_id: str
    step: int
    node: str
    attempt: int
    #: Unix seconds.
    created_at: float
    #: True once the TTL evicted its payloads ("Snapshot expired").
    expired: bool = False


class LazyCheckpoints(Sequence[CheckpointView]):
    """The checkpoints of one execution, in step order, each decoded on its first access (by
    index, iteration or :meth:`get`) and kept. ``rows`` describe them without decoding."""

    def __init__(self, rows: Sequence[CheckpointRow], decode: Callable[[str], Mapping[str, Any]]) -> None:
        self.rows: tuple[CheckpointRow, ...] = tuple(rows)
        self._decode = decode
        self._index = {row.id: i for i, row in enumerate(self.rows)}
        self._views: dict[int, CheckpointView] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> CheckpointView: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[CheckpointView, ...]: ...

    def __getitem__(self, index: int | slice) -> CheckpointView | tuple[CheckpointView, ...]:
        if isinstance(index, slice):
            return tuple(self._view(i) for i in range(len(self.rows))[index])
        return self._view(range(len(self.rows))[index])  # IndexError as a tuple raises it

    def __iter__(self) -> Iterator[CheckpointView]:
        return (self._view(i) for i in range(len(self.rows)))

    def get(self, checkpoint_id: str) -> CheckpointView | None:
        """The checkpoint ``checkpoint_id`` (decoded now if not yet), or None."""
        i = self._index.get(checkpoint_id)
        return None if i is None else self._view(i)

    def decoded_count(self) -> int:
        """How many checkpoints have been decoded so far."""
        return len(self._views)

    def _view(self, i: int) -> CheckpointView:
        with self._lock:
            view = self._views.get(i)
            if view is None:
                view = self._views[i] = checkpoint_from_json(dict(self._decode(self.rows[i].id)))
            return view


@dataclass(frozen=True)
class ReplayView:
    execution: Execution
    node_ids: tuple[str, ...]
    #: The ordered events (seq, type, node, attempt, time, duration_ms, data).
    events: tuple[Event, ...]
    #: In step order; a :class:`LazyCheckpoints` (decoded on first access) from :func:`replay_view`.
    checkpoints: Sequence[CheckpointView]
    #: ``points[i + 1]`` is the run just after event ``i``; ``points[0]`` the start.
    points: tuple[PointView, ...]
    #: The flow as it was compiled for this run (``Flow.to_plain()``, the artifact's ``source``):
    #: what the pages' read-only canvas draws. Empty when the backend cannot tell.
    flow: Mapping[str, Any] = field(default_factory=dict)
    #: Failed nodes (no checkpoint of their own) → the decoded input their upstream delivered.
    failed_inputs: Mapping[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        """The number of events (valid indexes: -1 … len - 1)."""
        return len(self.events)

    def at(self, index: int) -> PointView:
        """The run just after event ``index``; -1 is the start. Out-of-range indexes raise IndexError."""
        if not -1 <= index < len(self.events):
            raise IndexError(f"event index {index} out of range (-1 … {len(self.events) - 1})")
        return self.points[index + 1]

    def checkpoint(self, checkpoint_id: str) -> CheckpointView | None:
        """The checkpoint ``checkpoint_id``, decoded (only that one), or None."""
        if isinstance(self.checkpoints, LazyCheckpoints):
            return self.checkpoints.get(checkpoint_id)
        return next((cp for cp in self.checkpoints if cp.id == checkpoint_id), None)

    @property
    def checkpoint_rows(self) -> tuple[CheckpointRow, ...]:
        """The checkpoints in step order without their payloads (nothing is decoded)."""
        if isinstance(self.checkpoints, LazyCheckpoints):
            return self.checkpoints.rows
        return tuple(CheckpointRow(cp.id, cp.execution_id, cp.step, cp.node, cp.attempt, cp.created_at, cp.expired)
                     for cp in self.checkpoints)

    def payload(self, index: int, node: str) -> NodePayload:
        """What ``node`` had received and returned just after event ``index`` (the payload popover
        of a replay): its state there, the checkpoint of its latest completion up to that point and,
        when it had failed, the error of its last NODE_FAILED event up to there."""
        state = self.at(index).nodes.get(node)
        execution_id = self.execution.id
        if state is None:
            return NodePayload(execution_id, node, "pending")
        cp = self.checkpoint(state.checkpoint_id) if state.checkpoint_id is not None else None
        values = _checkpoint_values(cp) if cp is not None else {}
        if state.status == "failed":
            failed = [e for e in self.events[:index + 1] if e.type == ev.NODE_FAILED and e.node == node]
            data = failed[-1].data if failed else {}
            values.update(error=data.get("error") or state.error, exception_type=data.get("exception_type") or None,
                          traceback=data.get("traceback") or None)
            if cp is None and node in self.failed_inputs:
                values["input"] = self.failed_inputs[node]
        return NodePayload(execution_id, node, state.status, **values)

    def checkpoint_payload(self, checkpoint_id: str) -> NodePayload | None:
        """One checkpoint as the payload popover shows it (its node completed there)."""
        cp = self.checkpoint(checkpoint_id)
        if cp is None:
            return None
        return NodePayload(cp.execution_id, cp.node, "completed", **_checkpoint_values(cp))


def _checkpoint_values(cp: CheckpointView) -> dict[str, Any]:
    values: dict[str, Any] = {"input": cp.input, "output": cp.output, "expired": cp.expired, "checkpoint_id": cp.id}
    if isinstance(cp.frames, dict):
        values.update(pipeline=True, input_frames=list(cp.frames.get("input") or []),
                      output_frames=list(cp.frames.get("output") or []))
    return values


def replay_view(replay: Any, flow: Mapping[str, Any] | None = None, *,
                failed_inputs: Mapping[str, Any] | None = None) -> ReplayView:
    """The frozen view of a runtime ``Replay`` (each checkpoint decoded on first access, once);
    ``flow`` is the run's compiled flow source; ``failed_inputs`` the failed nodes' inputs."""
    def point(p: Any) -> PointView:
        nodes = {n: NodeStateView(s.node, s.status, s.runs, s.attempt, s.checkpoint_id, s.error)
                 for n, s in p.nodes.items()}
        return PointView(p.index, p.status, nodes, p.paused_at)

    return ReplayView(Execution.from_record(replay.execution), tuple(replay.node_ids),
                      tuple(Event.from_record(e) for e in replay.events),
                      LazyCheckpoints([CheckpointRow(cp.id, cp.execution_id, cp.step, cp.node, cp.attempt,
                                                     cp.created_at, cp.expired) for cp in replay.checkpoints],
                                      replay.decoded),
                      tuple(point(replay.at(i)) for i in range(-1, len(replay))), grown_flow(flow, replay),
                      dict(failed_inputs or {}))


def grown_flow(flow: Mapping[str, Any] | None, replay: Any) -> dict[str, Any]:
    """The compiled flow plus what runtime mutations added to the run (the replay's FLOW_MUTATED
    nodes and edges), so the pages' canvas draws the flow the run really executed."""
    out = dict(flow or {})
    nodes = list(getattr(replay, "added_nodes", ()) or ())
    edges = list(getattr(replay, "added_edges", ()) or ())
    if not out or not (nodes or edges):
        return out
    known = {n.get("id") for n in out.get("nodes") or ()}
    out["nodes"] = [*(out.get("nodes") or ()), *({"id": n["id"], "node": n.get("ref", "")} for n in nodes
                                                  if n["id"] not in known)]
    out["edges"] = [*(out.get("edges") or ()), *({"from": e["from"], "to": e["to"], **({"when": e["when"]} if e.get("when")
                                                                                      else {})} for e in edges)]
    return out
