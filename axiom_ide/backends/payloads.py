"""What one node of one execution received and returned, as the payload popover shows it.

``node_payload(runtime, execution_id, node)`` folds the execution's stored history (the runtime's
:class:`~axiom_ide.runtime.engine.replay.Replay`, read only) and hands back a :class:`NodePayload`:
the node's state, its decoded Input and Output (its latest checkpoint), and for a failed node the
error with its exception type and traceback (from its final NODE_FAILED event) and, as it has no
checkpoint, the input its upstream delivered (``runtime/history.pending_input``). Pipeline nodes
carry their frames when the engine recorded them. No Qt here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from axiom_ide.runtime import event_types as ev


@dataclass(frozen=True)
class NodePayload:
    execution_id: str
    node: str
    #: pending | running | completed | failed | skipped (the replay's node states).
    status: str
    input: Any = None
    output: Any = None
    #: True when the checkpoint passed its TTL (``input``/``output`` then read "Snapshot expired").
    expired: bool = False
    checkpoint_id: str | None = None
    #: Pipeline nodes: decoded frames in arrival order (empty for unary nodes).
    input_frames: list[Any] = field(default_factory=list)
    output_frames: list[Any] = field(default_factory=list)
    pipeline: bool = False
    error: str | None = None
    exception_type: str | None = None
    traceback: str | None = None
    #: The node was not called: its output was the run's pin (an editor pin or a flow-test mock; runtime/pins.py).
    pinned: bool = False
    #: The node's agent-memory calls in this execution: ``{"type", "summary"}`` per MEMORY_* event
    #: (runtime/memory/events.py), in order.
    memory: list[dict[str, str]] = field(default_factory=list)

    @property
    def executed(self) -> bool:
        """Whether the popover opens for it: the node completed or failed."""
        return self.status in ("completed", "failed")


def node_payload(runtime: Any, execution_id: str, node: str, *, tenant_id: str | None = None) -> NodePayload:
    replay = runtime.replay(execution_id, tenant_id=tenant_id)
    state = replay.end.nodes.get(node)
    if state is None:
        return NodePayload(execution_id, node, "pending")
    values: dict[str, Any] = {}
    if state.checkpoint_id is not None:
        decoded = replay.decoded(state.checkpoint_id)
        values = {"input": decoded.get("input"), "output": decoded.get("output"),
                  "expired": bool(decoded.get("expired")), "checkpoint_id": state.checkpoint_id}
        frames = decoded.get("frames")
        if isinstance(frames, dict):
            values.update(pipeline=True, input_frames=list(frames.get("input") or []),
                          output_frames=list(frames.get("output") or []))
    if state.status == "failed":
        failed = [e for e in replay.events if e.type == ev.NODE_FAILED and e.node == node]
        data = failed[-1].data if failed else {}
        values.update(error=data.get("error") or state.error, exception_type=data.get("exception_type") or None,
                      traceback=data.get("traceback") or None)
        if state.checkpoint_id is None:  # its input: what its upstream delivered (Run from here edits it)
            from axiom_ide.backends.local_fork import pending_input

            values["input"] = pending_input(runtime, execution_id, node, tenant_id=tenant_id)
    values["pinned"] = _pinned(replay.events, node)
    values["memory"] = memory_calls(replay.events, node)
    return NodePayload(execution_id, node, state.status, **values)


def _pinned(events: Any, node: str) -> bool:
    """Whether the node's last completion in the run was its pin (``pinned: true``)."""
    done = [e for e in events if e.type == ev.NODE_COMPLETED and e.node == node]
    return bool(done and done[-1].data.get("pinned"))


def memory_calls(events: list[Any], node: str) -> list[dict[str, str]]:
    """The node's MEMORY_READ / MEMORY_WRITE / MEMORY_SEARCH events as ``{"type", "summary"}``."""
    return [{"type": e.type, "summary": str((e.data or {}).get("summary") or "")} for e in events
            if e.node == node and e.type in (ev.MEMORY_READ, ev.MEMORY_WRITE, ev.MEMORY_SEARCH)]


def payload_from_history(execution_id: str, node: str, checkpoints: list[Any], events: list[Any]) -> NodePayload:
    """The same from decoded checkpoints (``CheckpointView``: a remote backend's) and the event log."""
    status = "pending"
    failed: Any = None
    for e in events:
        if e.node != node:
            continue
        if e.type == ev.NODE_STARTED:
            status = "running"
        elif e.type == ev.NODE_COMPLETED:
            status = "completed"
        elif e.type == ev.NODE_FAILED and e.data.get("final", True):
            status, failed = "failed", e
    own = [cp for cp in checkpoints if cp.node == node]
    if own and status == "pending":  # copied from the parent of a fork
        status = "completed"
    values: dict[str, Any] = {}
    if own and status == "completed":
        cp = own[-1]
        values = {"input": cp.input, "output": cp.output, "expired": cp.expired, "checkpoint_id": cp.id}
        frames = getattr(cp, "frames", None)
        if isinstance(frames, dict):
            values.update(pipeline=True, input_frames=list(frames.get("input") or []),
                          output_frames=list(frames.get("output") or []))
    if failed is not None:
        values.update(error=failed.data.get("error"), exception_type=failed.data.get("exception_type") or None,
                      traceback=failed.data.get("traceback") or None)
    values["pinned"] = _pinned(events, node)
    values["memory"] = memory_calls(events, node)
    return NodePayload(execution_id, node, status, **values)
