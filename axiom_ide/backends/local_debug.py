"""LIVE debug sessions for :class:`~axiom_ide.backends.local.LocalBackend` (guides/debug-a-flow).

The same methods and answers as :class:`~axiom_ide.backends.remote.RemoteBackend`'s debug methods
(``server/debug_routes.py`` shapes): sessions are plain dicts from ``DebugSession.to_json()`` plus
``execution_status``. LocalBackend mixes this in; everything runs on the runtime's event loop.
"""
from __future__ import annotations

from typing import Any

from axiom_ide.backends.debug_wait import wait_for_pause
from axiom_ide.runtime.engine.debug import BREAKPOINT_ID, LIVE, NOT_A_BREAKPOINT, BreakpointOptions, DebugSession
from axiom_ide.runtime.errors import AxiomError

#: ``debug_control`` actions → the DebugSession method that does them.
_ACTIONS = {"pause": "pause", "continue": "resume", "step": "step"}


def _checked(nodes: tuple[str, ...] | list[str]) -> set[str]:
    bad = next((n for n in nodes if not isinstance(n, str) or not BREAKPOINT_ID.match(n)), None)
    if bad is not None:
        raise AxiomError.of("invalid_argument", NOT_A_BREAKPOINT.format(value=repr(bad)))
    return set(nodes)


class LocalDebug:
    """Debug methods over ``self.runtime`` (an in-process Runtime); mixed into LocalBackend."""

    runtime: Any
    poll_interval: float = 0.05

    def _session_json(self, session: DebugSession) -> dict[str, Any]:
        body: dict[str, Any] = session.to_json()
        rec = self.runtime.find_execution(session.execution_id, tenant_id=session.tenant_id) if session.execution_id else None
        body["execution_status"] = rec.status if rec is not None else None
        body["breakpoint_hits"] = session.hits_json()
        return body

    async def create_debug_session(self, *, breakpoints: tuple[str, ...] | list[str] = (), mode: str = "LIVE",
                                   **fields: Any) -> dict[str, Any]:
        """A new LIVE session: pass its ``session_id`` to ``start(..., debug_session_id=...)``."""
        if mode != LIVE or fields:
            raise AxiomError.of("invalid_argument", "LocalBackend.create_debug_session makes LIVE sessions only")
        return self._session_json(self.runtime.create_debug_session(LIVE, breakpoints=_checked(breakpoints)))

    async def debug_session(self, session_id: str) -> dict[str, Any] | None:
        try:
            return self._session_json(self.runtime.debug_session(session_id))
        except AxiomError as exc:
            if exc.diagnostics and exc.diagnostics[0].code == "debug_session_not_found":
                return None
            raise

    async def set_breakpoints(self, session_id: str, nodes: tuple[str, ...] | list[str],
                              options: dict[str, dict[str, Any]] | None = None) -> list[str]:
        """Replace the breakpoints; ``options``: canvas id -> {"condition"?, "hit_count"?}
        (an invalid condition raises ``invalid_condition`` with the CEL error text)."""
        session = self.runtime.debug_session(session_id)
        session.set_breakpoints(_checked(nodes), {n: BreakpointOptions.parse(o) for n, o in (options or {}).items()})
        return list(self._session_json(session)["breakpoints"])

    async def debug_control(self, session_id: str, action: str) -> dict[str, Any]:
        """``pause`` | ``continue`` | ``step``; control that does not apply now raises its AxiomError
        (``debug_not_paused``, ...)."""
        if action not in _ACTIONS:
            raise AxiomError.of("invalid_argument", f'debug action must be pause, continue or step, not "{action}"')
        session = self.runtime.debug_session(session_id)
        getattr(session, _ACTIONS[action])()
        return self._session_json(session)

    async def debug_wait(self, session_id: str, timeout: float, *, not_at: str | None = None) -> dict[str, Any]:
        """Until the session's run pauses (at a node other than ``not_at``) or ends; TimeoutError
        after ``timeout`` seconds."""
        return await wait_for_pause(self.debug_session, session_id, timeout, not_at=not_at,
                                    poll_interval=self.poll_interval)

    async def resume_debug_run(self, execution_id: str) -> bool:
        """Continue a Debug run a previous process left paused (the app or its runtime died): it
        comes back paused where it was, attached to its session. False when it is not this
        runtime's to resume (already running here, or another live runtime's)."""
        return bool(await self.runtime.resume_incomplete(only=execution_id))
