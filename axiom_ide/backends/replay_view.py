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

from axiom_ide.backends.remote import CheckpointView, checkpoint_from_json


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
