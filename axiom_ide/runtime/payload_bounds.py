"""Bounds on decoded payloads kept in events and execution outputs (a debug pause's mapped input,
a pipeline execution's output frames): the store never holds an unbounded JSON value.

A value whose JSON fits in ``limit`` bytes is kept as it is. One that does not becomes
``{"truncated": true, "bytes": N, "preview": "<the first part of its JSON>"}`` — a clear marker,
never a silently cut value. A list of frames keeps the leading frames that fit and says how many
there were (:func:`bounded_frames`).
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


def bounded_frames(frames: list[Any], limit: int = LIMIT) -> dict[str, Any]:
    """A pipeline execution's output: ``{"frames": [...]}``; when the frames' JSON is over
    ``limit`` bytes, the leading frames that fit plus ``"truncated": true`` and ``"total_frames"``."""
    kept: list[Any] = []
    used = 2  # the list's brackets
    for frame in frames:
        size = _size(frame) + 1
        if used + size > limit:
            return {"frames": kept, "truncated": True, "total_frames": len(frames)}
        kept.append(frame)
        used += size
    return {"frames": kept}
