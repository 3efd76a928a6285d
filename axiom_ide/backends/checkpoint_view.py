"""One checkpoint as a backend value (:class:`CheckpointView`, the checkpoints API's JSON decoded),
shared by RemoteBackend, the replay views and the remote sessions (``remote.py`` re-exports it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CheckpointView:
    """One checkpoint as the checkpoints API serves it: payloads decoded to JSON."""

    id: str
    execution_id: str
    step: int
    node: str
    attempt: int
    input_type: str
    output_type: str
    #: Decoded input/output; ``"Snapshot expired"`` once the TTL evicted them; None when undecodable
    #: (then ``input_base64``/``output_base64`` carry the bytes).
    input: Any
    output: Any
    #: Unix seconds.
    created_at: float
    expired: bool = False
    input_base64: str | None = None
    output_base64: str | None = None
    #: A pipeline node's checkpoint: its decoded frames, ``{"input": [...], "output": [...]}``.
    frames: dict[str, Any] | None = None


def ms_seconds(ms: Any) -> float | None:
    """Unix milliseconds (as the API serves times) as seconds; None when not a number."""
    return ms / 1000.0 if isinstance(ms, (int, float)) else None


def checkpoint_from_json(d: dict[str, Any]) -> CheckpointView:
    return CheckpointView(d["checkpoint_id"], d["execution_id"], int(d["step"]), d["node"], int(d.get("attempt", 1)),
                          d.get("input_type", ""), d.get("output_type", ""), d.get("input"), d.get("output"),
                          ms_seconds(d.get("created_at")) or 0.0, bool(d.get("expired")), d.get("input_base64"),
                          d.get("output_base64"), d.get("frames"))
