"""Debug sessions and replay through the Runtime facade: :class:`DebugAccess`, a mixin of
:class:`~axiom_ide.runtime.runtime.Runtime`, creates and loads stored debug sessions (LIVE, REPLAY,
FORK; another tenant's reads exactly like a missing one) and folds an execution's stored history
into a :class:`~axiom_ide.runtime.engine.replay.Replay` timeline. Forking lives on the Runtime (it
starts a run)."""
from __future__ import annotations

import uuid
from typing import Any

from axiom_ide.runtime.engine.debug import LIVE, MODES, REPLAY, DebugSession
from axiom_ide.runtime.engine.replay import Replay, ReplaySession
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.checkpoints import CheckpointStore
from axiom_ide.runtime.store.debug_sessions import DebugSessionRecord, DebugSessionStore
from axiom_ide.runtime.store.events import EventStore


class DebugAccess:
    tenant_id: str
    debug_sessions: dict[str, DebugSession]
    _debug_store: DebugSessionStore
    _event_log: EventStore
    _checkpoints: CheckpointStore
    execution: Any
    compiled: Any
    artifact: Any

    def create_debug_session(self, mode: str = LIVE, *, breakpoints: set[str] | None = None,
                             execution_id: str | None = None, tenant_id: str | None = None) -> DebugSession:
        """A new, stored debug session. LIVE sessions are then passed to :meth:`start` as
        ``debug_session_id``; a REPLAY session (a :class:`ReplaySession`) needs the ``execution_id``
        it replays and only reads its history."""
        tenant = tenant_id or self.tenant_id
        if mode not in MODES:
            raise AxiomError.of("invalid_debug_mode", f'debug session mode must be LIVE, REPLAY or FORK, not "{mode}"')
        if mode == REPLAY:
            if not execution_id:
                raise AxiomError.of("invalid_debug_session", "a REPLAY session needs the execution_id it replays")
            self.execution(execution_id, tenant)
        rec = self._debug_store.create(DebugSessionRecord(uuid.uuid4().hex, mode, tenant, execution_id,
                                                         frozenset(breakpoints or ())))
        return self._session(rec)

    def debug_session(self, session_id: str, *, tenant_id: str | None = None) -> DebugSession:
        """A session by id, loaded from the store if this runtime has not used it yet. Another
        tenant's session is reported exactly like a missing one."""
        tenant = tenant_id or self.tenant_id
        session = self.debug_sessions.get(session_id)
        if session is None:
            rec = self._debug_store.get(session_id)
            session = self._session(rec) if rec is not None else None
        if session is None or session.tenant_id != tenant:
            raise AxiomError.of("debug_session_not_found", f'debug session "{session_id}" not found')
        return session

    def _session(self, rec: DebugSessionRecord) -> DebugSession:
        session: DebugSession
        if rec.mode == REPLAY:
            execution_id = rec.execution_id or ""
            session = ReplaySession(rec.id, execution_id, lambda: self.replay(execution_id, tenant_id=rec.tenant_id),
                                    tenant_id=rec.tenant_id, created_at=rec.created_at)
        else:
            session = DebugSession(rec.id, rec.mode, rec.execution_id, set(rec.breakpoints),
                                   tenant_id=rec.tenant_id, created_at=rec.created_at,
                                   on_change=lambda s: self._debug_store.set_breakpoints(
                                       s.id, s.breakpoints, s.stored_options()))
            session.load_options(rec.breakpoint_options)
        self.debug_sessions[rec.id] = session
        return session

    def replay(self, execution_id: str, *, tenant_id: str | None = None) -> Replay:
        """The stored history of an execution as a :class:`Replay` timeline (reads only)."""
        from axiom_ide.runtime.history import checkpoint_json

        rec = self.execution(execution_id, tenant_id or self.tenant_id)
        compiled = self.compiled(self.artifact(rec.graph_id, tenant_id=rec.tenant_id))
        plan = compiled.plan
        incoming = {n: [pe.src for pe in plan.incoming[n]] for n in plan.nodes}
        return Replay(rec, list(plan.nodes), incoming, self._event_log.list(rec.id, limit=1_000_000),
                      self._checkpoints.list(rec.id),
                      lambda cp: checkpoint_json(self, rec, cp, compiled=compiled))
