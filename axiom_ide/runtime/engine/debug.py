"""Debug sessions: breakpoints, pause/step/continue for live runs, fork overrides, replay.

A LIVE session attaches a :class:`DebugGate` to a unary run; the loop awaits
``gate.before_dispatch(node)`` before each dispatch (and dispatches one node at a time while a gate
is attached). The gate pauses *before* a node with a breakpoint, before the next dispatch after
``pause()``, and after exactly one node following ``step()``; ``resume()`` continues. A FORK session
starts a new execution from a checkpoint with top-level-key overrides (:func:`apply_overrides`);
a REPLAY session only reads the stored history of an execution and never writes.

A breakpoint may carry :class:`BreakpointOptions`: a **condition** (CEL over the node's input,
bound as ``input``, e.g. ``input.score < 0.5``) and a **hit count** N. The gate counts the reaches
whose condition holds (every reach without a condition) and pauses on every Nth one (N, 2N, ...).
A condition that fails to compile or evaluate (or is not a bool) pauses the run with reason
``condition_error`` and the CEL error text as ``pause_error``: a broken condition never skips.

An **edge breakpoint** is the id ``"<src>-><dst>"`` (:func:`edge_breakpoint`) in the same set: the
run pauses before ``dst`` when that edge fired into its dispatch (reason ``breakpoint``, the
DEBUG_PAUSED event names the ``edge`` and carries ``input``: the mapped values the destination
receives, bounded by :func:`~axiom_ide.runtime.payload_bounds.bounded_json`). An edge breakpoint
takes options too: its condition sees that mapped input as ``input``, its hit count counts the
edge's firings. Canvas ids never contain ``>``, so the ids cannot clash.
"""
from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from axiom_ide.runtime.conditions import ConditionError, compile_cel
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.payload_bounds import bounded_json
from axiom_ide.runtime.store import events as ev

LIVE, REPLAY, FORK = "LIVE", "REPLAY", "FORK"
MODES = (LIVE, REPLAY, FORK)
MAX_OVERRIDE_BYTES = 1024 * 1024
CHECKPOINT_EXPIRED = "Checkpoint expired — fork unavailable"

#: The gate's control states (what :mod:`axiom_ide.runtime.store.debug_sessions` stores).
RUN, PAUSE, STEP, PAUSED = "run", "pause", "step", "paused"
#: A breakpoint id: a canvas id, or an edge ``src->dst`` of two canvas ids.
BREAKPOINT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*(->[a-z0-9][a-z0-9_-]*)?$")
NOT_A_BREAKPOINT = "{value} is not a canvas id (^[a-z0-9][a-z0-9_-]*$) or an edge src->dst of two canvas ids"


def edge_breakpoint(src: str, dst: str) -> str:
    """The breakpoint id of the edge ``src`` → ``dst``."""
    return f"{src}->{dst}"


def edge_ends(breakpoint: str) -> tuple[str, str] | None:
    """(src, dst) of an edge breakpoint id, None for a node's."""
    src, arrow, dst = breakpoint.partition("->")
    return (src, dst) if arrow else None


#: The pause reason of a breakpoint whose condition could not be evaluated.
CONDITION_ERROR = "condition_error"


@dataclass(frozen=True)
class BreakpointOptions:
    """What a breakpoint checks before it pauses (both optional)."""

    #: CEL over the node's input (``input``); the breakpoint pauses only when it is true.
    condition: str | None = None
    #: Pause on every Nth reach whose condition holds (N >= 1); None = every reach.
    hit_count: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"condition": self.condition, "hit_count": self.hit_count}

    @classmethod
    def parse(cls, value: Mapping[str, Any]) -> BreakpointOptions:
        """From ``{"condition"?, "hit_count"?}``; raises ``AxiomError`` naming the bad field."""
        condition, hit_count = value.get("condition"), value.get("hit_count")
        if condition is not None:
            if not isinstance(condition, str):
                raise AxiomError.of("invalid_argument", "condition must be a string")
            condition = condition.strip() or None
        if condition is not None:
            check_condition(condition)
        if hit_count is not None and (isinstance(hit_count, bool) or not isinstance(hit_count, int)
                                      or hit_count < 1):
            raise AxiomError.of("invalid_argument", f"hit_count must be an integer >= 1, got {hit_count!r}")
        return cls(condition, hit_count)


def check_condition(text: str) -> None:
    """Compile a breakpoint condition; raises ``AxiomError`` with the CEL error text."""
    try:
        compile_cel(text)
    except ConditionError as exc:
        raise AxiomError.of("invalid_condition", str(exc)) from None


class DebugGate:
    """Pause/step/continue for one run. ``on_change(gate)`` is called whenever :attr:`control`
    changes, so the state can be stored; ``restore`` = (control, node, reason) rebuilds a gate from
    a stored state: a run stored as paused pauses again before its first dispatch, with the reason
    it had; a run stored as stepping runs one node, then pauses. ``node`` is where it was paused,
    or, for a run released from a pause, the node it released — when a restart dispatches that
    node again, its breakpoint is not hit a second time."""

    def __init__(self, session_id: str, breakpoints: set[str] | None = None, *,
                 on_pause: Callable[[str], None] | None = None,
                 on_resume: Callable[[], None] | None = None,
                 on_change: Callable[[DebugGate], None] | None = None,
                 restore: tuple[str, str | None, str | None] | None = None,
                 options: dict[str, BreakpointOptions] | None = None,
                 hits: dict[str, int] | None = None,
                 on_hit: Callable[[], None] | None = None) -> None:
        self.session_id = session_id
        #: The session's own set when the session made the gate: edits apply to the running gate.
        self.breakpoints: set[str] = breakpoints if breakpoints is not None else set()
        #: Condition / hit count per breakpoint (the session's own dict, shared like the set).
        self.options: dict[str, BreakpointOptions] = options if options is not None else {}
        #: Per breakpoint: how many reaches counted towards its hit count in this run (the
        #: session's own dict when it made the gate: stored with the options, so a restart keeps it).
        self.hits: dict[str, int] = hits if hits is not None else {}
        #: Called after each counted reach (the runtime stores the counts).
        self.on_hit = on_hit
        #: The CEL error text while paused for CONDITION_ERROR.
        self.pause_error: str | None = None
        self.on_pause = on_pause
        self.on_resume = on_resume
        self.on_change = on_change
        #: Canvas id the run is paused before, or None while running.
        self.paused_at: str | None = None
        #: Why it paused: "breakpoint" | "pause" | "step".
        self.pause_reason: str | None = None
        #: The node last released from a pause (its dispatch follows the release).
        self.released: str | None = None
        #: A node whose breakpoint the next dispatch does not check (it was already passed).
        self._passed: str | None = None
        #: A pause reason to apply before the next dispatch ("pause", or a restored pause's reason).
        self._pending: str | None = None
        #: True for a pause restored from the store (it is reported as such once).
        self._restored = False
        #: None = run freely; n = dispatch n more nodes, then pause.
        self._budget: int | None = None
        self._resume = asyncio.Event()
        if restore is not None:
            control, node, reason = restore
            if control == PAUSED:
                self._pending, self._restored = reason or PAUSE, True
            else:
                self._passed = self.released = node
                if control == PAUSE:
                    self._pending = PAUSE
                elif control == STEP:
                    self._budget = 1  # the node being stepped re-runs, then the run pauses

    @property
    def control(self) -> str:
        if self.paused_at is not None:
            return PAUSED
        if self._pending is not None:
            return PAUSE
        if self._budget is not None:
            return STEP
        return RUN

    @property
    def pauses_first(self) -> bool:
        """True when the run will pause before its very next dispatch (a restored pause)."""
        return self._pending is not None or self._budget == 0

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    # -- commands ------------------------------------------------------------------------------
    def pause(self) -> None:
        """Pause before the next dispatch."""
        if self.paused_at is None:
            self._pending = PAUSE
            self._changed()

    def step(self) -> None:
        """Run exactly one node, then pause again (only meaningful while paused)."""
        self._budget = 1
        self._pending = None
        self._resume.set()
        if self.paused_at is None:
            self._changed()

    def resume(self) -> None:
        """Continue until the next breakpoint or the end (also cancels a pause not yet reached)."""
        self._budget = None
        self._pending = None
        self._resume.set()
        if self.paused_at is None:
            self._changed()

    # -- the loop's hook -----------------------------------------------------------------------
    def _breakpoint(self, node: str, input_of: Callable[[], Mapping[str, Any]] | None) -> tuple[str | None, str | None]:
        """(reason, error) for the breakpoint ``node`` (a canvas id or an edge id): its condition
        (over the destination's input for an edge: the mapped values) and hit count decide."""
        opts = self.options.get(node)
        if opts is None:
            return "breakpoint", None
        if opts.condition is not None:
            try:
                value = compile_cel(opts.condition).run({"input": dict(input_of()) if input_of else {}})
            except ConditionError as exc:
                return CONDITION_ERROR, str(exc)
            except Exception as exc:  # noqa: BLE001 — e.g. an input that does not decode: pause, never skip
                return CONDITION_ERROR, f"CEL evaluation failed: {exc}"
            if not isinstance(value, bool):
                return CONDITION_ERROR, ("CEL evaluation failed: condition must evaluate to a bool, "
                                         f"got {type(value).__name__}")
            if not value:
                return None, None
        count = self.hits[node] = self.hits.get(node, 0) + 1
        if self.on_hit is not None:
            self.on_hit()
        if opts.hit_count is not None and count % opts.hit_count:
            return None, None
        return "breakpoint", None

    async def before_dispatch(self, node: str, recorder: Any,
                              input_of: Callable[[], Mapping[str, Any]] | None = None,
                              via: tuple[str, ...] = ()) -> None:
        """``input_of()`` decodes the node's input (only called when a condition needs it);
        ``via``: the sources of the edges that fired into this dispatch."""
        passed, self._passed = self._passed == node, None
        reason = error = edge = None
        if self._budget == 0:
            reason = STEP
        elif self._pending is not None:
            reason = self._pending
        elif node in self.breakpoints and not passed:
            reason, error = self._breakpoint(node, input_of)
        if reason is None and not passed and self._budget != 0:
            for candidate in (e for e in (edge_breakpoint(s, node) for s in via) if e in self.breakpoints):
                reason, error = self._breakpoint(candidate, input_of)
                if reason is not None:
                    edge = candidate
                    break
        mapped: dict[str, Any] = {}
        if edge is not None:  # what the destination receives through the edge's map, bounded
            try:
                mapped = {"input": bounded_json(dict(input_of()) if input_of else {})}
            except Exception as exc:  # noqa: BLE001 — an input that does not decode still pauses
                mapped = {"input_error": f"input could not be decoded: {exc}"}
        if reason is not None:
            restored, self._pending, self._restored = self._restored, None, False
            self.paused_at, self.pause_reason, self.pause_error = node, reason, error
            self._resume.clear()
            recorder.emit(ev.DEBUG_PAUSED, node, reason=reason, session_id=self.session_id,
                          **({"restored": True} if restored else {}), **({"error": error} if error else {}),
                          **({"edge": edge} if edge else {}), **mapped)
            recorder.flush()
            self._changed()  # the session first: a restart trusts it over the execution's status
            if self.on_pause is not None:
                self.on_pause(node)
            try:
                await self._resume.wait()
            finally:
                self.paused_at = self.pause_reason = self.pause_error = None
                self.released = node
            recorder.emit(ev.DEBUG_RESUMED, node, session_id=self.session_id,
                          mode="step" if self._budget == 1 else "continue")
            if self.on_resume is not None:
                self.on_resume()
            self._changed()
        if self._budget:
            self._budget -= 1


class DebugSession:
    """One debug session. Breakpoint edits and pause/step/continue go through here, so they reach
    the running gate and, through ``on_change``, the store (both see the same breakpoint set)."""

    def __init__(self, id: str, mode: str, execution_id: str | None = None,
                 breakpoints: set[str] | None = None, *, tenant_id: str = "local",
                 created_at: float = 0.0, on_change: Callable[[DebugSession], None] | None = None) -> None:
        self.id = id
        self.mode = mode
        self.execution_id = execution_id
        self.breakpoints: set[str] = set(breakpoints or ())
        #: Condition / hit count of some breakpoints (shared with the running gate).
        self.options: dict[str, BreakpointOptions] = {}
        #: Reaches counted towards each breakpoint's hit count in the attached run (shared with the
        #: gate; stored with the options, so a restarted runtime keeps counting where it was).
        self.hits: dict[str, int] = {}
        self.tenant_id = tenant_id
        self.created_at = created_at
        self.on_change = on_change
        self.gate: DebugGate | None = None

    # -- breakpoints ---------------------------------------------------------------------------
    def set_breakpoint(self, node: str, options: BreakpointOptions | None = None) -> None:
        """Set one breakpoint; ``options`` (condition / hit count) replace its previous ones."""
        self.breakpoints.add(node)
        self._set_options(node, options)
        self._changed()

    def _set_options(self, node: str, options: BreakpointOptions | None) -> None:
        if options is None or (options.condition is None and options.hit_count is None):
            self.options.pop(node, None)
        else:
            self.options[node] = options
        self.hits.pop(node, None)  # a changed breakpoint counts from zero
        if self.gate is not None:
            self.gate.hits.pop(node, None)

    def clear_breakpoint(self, node: str) -> None:
        self.breakpoints.discard(node)
        self.options.pop(node, None)
        self.hits.pop(node, None)
        self._changed()

    def set_breakpoints(self, nodes: Iterable[str],
                        options: Mapping[str, BreakpointOptions] | None = None) -> None:
        """Replace every breakpoint (in place: the running gate shares the set and the options)."""
        self.breakpoints.clear()
        self.breakpoints.update(nodes)
        self.options.clear()
        for node in [n for n in self.hits if n not in self.breakpoints]:
            del self.hits[node]
        for node, opts in (options or {}).items():
            if node in self.breakpoints:
                self._set_options(node, opts)
        self._changed()

    def clear_breakpoints(self) -> None:
        self.set_breakpoints(())

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def save(self) -> None:
        """Store the session as it is now (the gate calls it after counting a hit)."""
        self._changed()

    def stored_options(self) -> dict[str, dict[str, Any]]:
        """The options as stored: each breakpoint's condition / hit count and its counted ``hits``."""
        return {n: {**o.to_json(), **({"hits": self.hits[n]} if self.hits.get(n) else {})}
                for n, o in self.options.items()}

    def hits_json(self) -> dict[str, int]:
        """Each breakpoint's current hits (0 where none was counted: a plain breakpoint pauses on
        every reach and counts none), as the session replies carry them."""
        return {n: self.hits.get(n, 0) for n in sorted(self.breakpoints)}

    def load_options(self, stored: Mapping[str, Mapping[str, Any]]) -> None:
        """The inverse of :meth:`stored_options` (rows written before hits were stored have none)."""
        for node, o in stored.items():
            self.options[node] = BreakpointOptions(o.get("condition"), o.get("hit_count"))
            hits = o.get("hits")
            if isinstance(hits, int) and not isinstance(hits, bool) and hits > 0:
                self.hits[node] = hits

    # -- run control ---------------------------------------------------------------------------
    @property
    def paused_at(self) -> str | None:
        return self.gate.paused_at if self.gate is not None else None

    def _live_gate(self) -> DebugGate:
        if self.gate is None:
            raise AxiomError.of("debug_session_not_attached", "no run is attached to this debug session")
        return self.gate

    def pause(self) -> None:
        self._live_gate().pause()

    def resume(self) -> None:
        self._live_gate().resume()

    def step(self) -> None:
        gate = self._live_gate()
        if gate.paused_at is None:
            raise AxiomError.of("debug_not_paused", "step is available only while the run is paused")
        gate.step()

    def to_json(self) -> dict[str, Any]:
        gate = self.gate
        return {"session_id": self.id, "mode": self.mode, "execution_id": self.execution_id,
                "breakpoints": sorted(self.breakpoints),
                "breakpoint_options": {n: o.to_json() for n, o in sorted(self.options.items())},
                "state": gate.control if gate is not None else None,
                "paused_at": gate.paused_at if gate is not None else None,
                "pause_reason": gate.pause_reason if gate is not None else None,
                "pause_error": gate.pause_error if gate is not None else None,
                "created_at": int(self.created_at * 1000)}


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
