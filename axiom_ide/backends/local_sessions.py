"""REPLAY and FORK debug sessions over an in-process runtime (the execution detail and debug
session pages read these). LocalBackend exposes one :class:`LocalSessions` as ``.sessions``.

``replay`` only reads stored history (returned as ``replay_view.ReplayView`` values) (no execution, event or checkpoint row is written);
``fork`` starts a new execution from a checkpoint with top-level-key overrides, exactly as the
server's ``POST /debug/sessions`` with ``mode: FORK`` does.
"""
from __future__ import annotations

from typing import Any

from axiom_ide.backends.replay_view import ReplayView, replay_view


class LocalSessions:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    async def replay(self, execution_id: str) -> ReplayView:
        """The execution's stored history as a :class:`ReplayView` (backend value types; reads only)."""
        from axiom_ide.backends.local_fork import pending_input

        replay = self.runtime.replay(execution_id)
        rec = replay.execution
        # A failed node has no checkpoint: its input (Run from here edits it) is rebuilt once here
        failed = {n: pending_input(self.runtime, execution_id, n, tenant_id=rec.tenant_id)
                  for n, s in replay.end.nodes.items() if s.status == "failed" and s.checkpoint_id is None}
        return replay_view(replay, self.runtime.artifact(rec.graph_id, tenant_id=rec.tenant_id).source,
                           failed_inputs={n: v for n, v in failed.items() if v is not None})

    async def forks(self, execution_id: str) -> list[str]:
        """The ids of the executions forked from ``execution_id`` (its fork descendants), oldest first."""
        return [child.id for child in self.runtime.forks(execution_id)]

    async def fork(self, execution_id: str, checkpoint_id: str,
                   overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """A FORK session continuing ``execution_id`` from ``checkpoint_id``; returns the session
        JSON (``session_id``, ``mode``, ``execution_id`` of the new run). Refusals (null override,
        over 1 MB, expired checkpoint) raise the runtime's AxiomError with its message."""
        child_id, session = await self.runtime.fork(execution_id, checkpoint_id, overrides or None)
        return {"session_id": session.id, "mode": session.mode, "execution_id": child_id}

    async def replay_session(self, execution_id: str) -> dict[str, Any]:
        """A stored REPLAY session over ``execution_id`` (the debug session page's **Replay in
        debugger**); returns the session JSON (``session_id``, ``mode``, ``execution_id``). It only
        reads history."""
        session = self.runtime.create_debug_session("REPLAY", execution_id=execution_id)
        return {"session_id": session.id, "mode": session.mode, "execution_id": execution_id}
