"""Debug sessions as rows, so a session and its run's pause survive a runtime restart.

A row holds the session's mode (LIVE, REPLAY, FORK), its tenant, the execution it is attached to,
its breakpoints (canvas ids) and the gate's control state: ``run`` (free), ``pause`` (pause before
the next dispatch), ``step`` (run one node, then pause) or ``paused`` (stopped before
``paused_at``, for ``pause_reason``). The engine's :class:`~axiom_ide.runtime.engine.debug.DebugGate`
writes the control state each time it changes; a runtime that resumes an execution attached to a
session rebuilds the gate from it, so a run that was paused comes back paused where it was.
"""
from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from axiom_ide.runtime.store.db import Database

#: Gate control states, as stored.
RUN, PAUSE, STEP, PAUSED = "run", "pause", "step", "paused"


@dataclass(frozen=True)
class DebugSessionRecord:
    #: 32 lowercase hex.
    id: str
    #: "LIVE" | "REPLAY" | "FORK".
    mode: str
    tenant_id: str
    #: The execution the session drives (LIVE, FORK) or reads (REPLAY); None until a run attaches.
    execution_id: str | None
    #: Canvas ids to pause before.
    breakpoints: frozenset[str]
    #: One of RUN, PAUSE, STEP, PAUSED.
    control: str = RUN
    #: The canvas id the run is stopped before, while ``control`` is PAUSED; otherwise the node it
    #: was last released at (a restart re-running that node does not stop at its breakpoint again).
    paused_at: str | None = None
    #: "breakpoint" | "pause" | "step", while ``control`` is PAUSED.
    pause_reason: str | None = None
    #: Unix seconds.
    created_at: float = 0.0
    updated_at: float | None = None
    #: Condition / hit count of some breakpoints: canvas id -> {"condition", "hit_count"} (JSON).
    breakpoint_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def _join(breakpoints: frozenset[str] | set[str]) -> str:
    # Canvas ids match ^[a-z0-9][a-z0-9_-]*$, so a comma never occurs inside one.
    return ",".join(sorted(breakpoints))


def _options(text: str | None) -> dict[str, dict[str, Any]]:
    return json.loads(text) if text else {}


class DebugSessionStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, rec: DebugSessionRecord) -> DebugSessionRecord:
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO debug_sessions (id, mode, tenant_id, execution_id, breakpoints, control, "
                "paused_at, pause_reason, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (rec.id, rec.mode, rec.tenant_id, rec.execution_id, _join(rec.breakpoints), rec.control,
                 rec.paused_at, rec.pause_reason, rec.created_at or now, now))
        return self.get(rec.id)  # type: ignore[return-value]

    def get(self, session_id: str) -> DebugSessionRecord | None:
        with self.db.lock:
            row = self.db.conn.execute("SELECT * FROM debug_sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            return None
        return DebugSessionRecord(
            id=row["id"], mode=row["mode"], tenant_id=row["tenant_id"], execution_id=row["execution_id"],
            breakpoints=frozenset(b for b in row["breakpoints"].split(",") if b), control=row["control"],
            paused_at=row["paused_at"], pause_reason=row["pause_reason"], created_at=row["created_at"],
            updated_at=row["updated_at"], breakpoint_options=_options(row["breakpoint_options"]))

    def set_breakpoints(self, session_id: str, breakpoints: frozenset[str] | set[str],
                        options: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._update(session_id, breakpoints=_join(breakpoints),
                     breakpoint_options=json.dumps(dict(sorted((options or {}).items()))))

    def set_execution(self, session_id: str, execution_id: str) -> None:
        self._update(session_id, execution_id=execution_id)

    def set_control(self, session_id: str, control: str, paused_at: str | None = None,
                    pause_reason: str | None = None) -> None:
        self._update(session_id, control=control, paused_at=paused_at, pause_reason=pause_reason)

    def _update(self, session_id: str, **columns: object) -> None:
        sets = ", ".join(f"{c} = ?" for c in columns)
        with self.db.transaction() as conn:
            conn.execute(f"UPDATE debug_sessions SET {sets}, updated_at = ? WHERE id = ?",
                         (*columns.values(), time.time(), session_id))
