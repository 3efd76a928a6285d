"""Debug sessions: breakpoints, pause/step/continue for live runs, fork overrides, replay.

A LIVE session attaches a :class:`DebugGate` to a unary run; the loop awaits
``gate.before_dispatch(node)`` before each dispatch (and dispatches one node at a time while a gate
is attached). The gate pauses *before* a node with a breakpoint, before the next dispatch after
``pause()``, and after exactly one node following ``step()``; ``resume()`` continues. A FORK session
starts a new execution from a checkpoint with top-level-key overrides (:func:`apply_overrides`);
a REPLAY session only reads the stored history of an execution and never writes.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Callable

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store import events as ev

LIVE, REPLAY, FORK = "LIVE", "REPLAY", "FORK"
MAX_OVERRIDE_BYTES = 1024 * 1024
CHECKPOINT_EXPIRED = "Checkpoint expired — fork unavailable"


class DebugGate:
    def __init__(self, session_id: str, breakpoints: set[str] | None = None, *,
                 on_pause: Callable[[str], None] | None = None,
                 on_resume: Callable[[], None] | None = None) -> None:
        self.session_id = session_id
        self.breakpoints: set[str] = set(breakpoints or ())
        self.on_pause = on_pause
        self.on_resume = on_resume
        #: Canvas id the run is paused before, or None while running.
        self.paused_at: str | None = None
        self._pause_requested = False
        #: None = run freely; n = dispatch n more nodes, then pause.
        self._budget: int | None = None
        self._resume = asyncio.Event()

    # -- commands ------------------------------------------------------------------------------
    def pause(self) -> None:
        """Pause before the next dispatch."""
        self._pause_requested = True

    def step(self) -> None:
        """Run exactly one node, then pause again (only meaningful while paused)."""
        self._budget = 1
        self._resume.set()

    def resume(self) -> None:
        """Continue until the next breakpoint or the end."""
        self._budget = None
        self._resume.set()

    # -- the loop's hook -----------------------------------------------------------------------
    async def before_dispatch(self, node: str, recorder: Any) -> None:
        reason = None
        if self._budget == 0:
            reason = "step"
        elif self._pause_requested:
            reason = "pause"
        elif node in self.breakpoints:
            reason = "breakpoint"
        if reason is not None:
            self._pause_requested = False
            self.paused_at = node
            self._resume.clear()
            recorder.emit(ev.DEBUG_PAUSED, node, reason=reason, session_id=self.session_id)
            recorder.flush()
            if self.on_pause is not None:
                self.on_pause(node)
            try:
                await self._resume.wait()
            finally:
                self.paused_at = None
            recorder.emit(ev.DEBUG_RESUMED, node, session_id=self.session_id,
                          mode="step" if self._budget == 1 else "continue")
            if self.on_resume is not None:
                self.on_resume()
        if self._budget:
            self._budget -= 1


@dataclass
class DebugSession:
    id: str
    mode: str
    execution_id: str | None = None
    breakpoints: set[str] = field(default_factory=set)
    gate: DebugGate | None = None

    def to_json(self) -> dict[str, Any]:
        return {"session_id": self.id, "mode": self.mode, "execution_id": self.execution_id,
                "breakpoints": sorted(self.breakpoints),
                "paused_at": self.gate.paused_at if self.gate else None}


def apply_overrides(output: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Replace top-level keys of a checkpointed output; null and values over 1 MB are refused."""
    result = dict(output)
    for key, value in overrides.items():
        if value is None:
            raise AxiomError.of("invalid_override", f'override for "{key}" is null; remove the key instead')
        size = len(json.dumps(value).encode("utf-8"))
        if size > MAX_OVERRIDE_BYTES:
            raise AxiomError.of("invalid_override",
                                f'override for "{key}" is {size} bytes; values over 1 MB are refused')
        result[key] = value
    return result
