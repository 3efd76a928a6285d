"""Bounds on decoded payloads kept in events and execution outputs (a debug pause's mapped input,
a pipeline execution's output frames): the store never holds an unbounded JSON value.

A value whose JSON fits in ``limit`` bytes is kept as it is. One that does not becomes
``{"truncated": true, "bytes": N, "preview": "<the first part of its JSON>"}`` — a clear marker,
never a silently cut value. A list of frames keeps the leading frames that fit and says how many
there were (:class:`FrameOutput`).
"""
from __future__ import annotations

import json
from typing import Any

#: The bound (as the checkpoint store's inline limit): 64 KiB of JSON.
LIMIT = 64 * 1024
#: How much of an over-limit value's JSON the marker keeps.
PREVIEW_CHARS = 2048


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))


def bounded_json(value: Any, limit: int = LIMIT) -> Any:
    """``value`` if its JSON fits in ``limit`` bytes, else the truncated marker."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    size = len(text.encode("utf-8"))
    if size <= limit:
        return value
    return {"truncated": True, "bytes": size, "preview": text[:PREVIEW_CHARS]}


class FrameOutput:
    """A pipeline execution's output, collected as its frames are produced: ``{"frames": [...]}``
    — the decoded output frames in order. Once their JSON would pass ``limit`` bytes no more are
    kept: the output then also says ``"truncated": true`` and ``"total_frames"``."""

    def __init__(self, limit: int = LIMIT) -> None:
        self.limit = limit
        self.kept: list[Any] = []
        self.total = 0
        self._used = 2  # the list's brackets
        self._full = False

    def add(self, frame: Any) -> None:
        self.total += 1
        if self._full:
            return
        size = _size(frame) + 1
        if self._used + size > self.limit:
            self._full = True
            return
        self.kept.append(frame)
        self._used += size

    def output(self) -> dict[str, Any]:
        if not self._full:
            return {"frames": list(self.kept)}
        return {"frames": list(self.kept), "truncated": True, "total_frames": self.total}


def bounded_frames(frames: list[Any], limit: int = LIMIT) -> dict[str, Any]:
    """:class:`FrameOutput` of a whole list of frames."""
    out = FrameOutput(limit)
    for frame in frames:
        out.add(frame)
    return out.output()
