"""One execution's stored history as backend value types (what the execution detail and debug
session pages read), so no runtime ``Replay`` object crosses into the app.

:func:`replay_view` folds a runtime ``Replay`` once into frozen values: the execution record, the
flow's node ids, the ordered events (the runtime's ``EventRecord``, as the Backend protocol gives
them), the flow as compiled for the run, the checkpoints as :class:`~axiom_ide.backends.remote.CheckpointView` (payloads decoded,
the same shape a remote backend serves) and, for each event index, a :class:`PointView` with every
node's :class:`NodeStateView`. No Qt here.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from axiom_ide.backends.payloads import NodePayload
from axiom_ide.backends.remote import CheckpointView, checkpoint_from_json
from axiom_ide.runtime.store import events as ev


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
class ReplayView:
    execution: Any  # ExecutionRecord, as Backend.get_execution returns it
    node_ids: tuple[str, ...]
    #: The ordered events (seq, type, node, attempt, time, duration_ms, data).
    events: tuple[Any, ...]
    checkpoints: tuple[CheckpointView, ...]
    #: ``points[i + 1]`` is the run just after event ``i``; ``points[0]`` the start.
    points: tuple[PointView, ...]
    #: The flow as it was compiled for this run (``Flow.to_plain()``, the artifact's ``source``):
    #: what the pages' read-only canvas draws. Empty when the backend cannot tell.
    flow: Mapping[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        """The number of events (valid indexes: -1 … len - 1)."""
        return len(self.events)

    def at(self, index: int) -> PointView:
        """The run just after event ``index``; -1 is the start. Out-of-range indexes raise IndexError."""
        if not -1 <= index < len(self.events):
            raise IndexError(f"event index {index} out of range (-1 … {len(self.events) - 1})")
        return self.points[index + 1]

    def checkpoint(self, checkpoint_id: str) -> CheckpointView | None:
        return next((cp for cp in self.checkpoints if cp.id == checkpoint_id), None)

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


def replay_view(replay: Any, flow: Mapping[str, Any] | None = None) -> ReplayView:
    """The frozen view of a runtime ``Replay`` (every checkpoint decoded once); ``flow`` is the
    run's compiled flow source."""
    def point(p: Any) -> PointView:
        nodes = {n: NodeStateView(s.node, s.status, s.runs, s.attempt, s.checkpoint_id, s.error)
                 for n, s in p.nodes.items()}
        return PointView(p.index, p.status, nodes, p.paused_at)

    return ReplayView(replay.execution, tuple(replay.node_ids), tuple(replay.events),
                      tuple(checkpoint_from_json(replay.decoded(cp.id)) for cp in replay.checkpoints),
                      tuple(point(replay.at(i)) for i in range(-1, len(replay))), dict(flow or {}))
