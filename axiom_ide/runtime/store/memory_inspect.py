"""Reading and deleting agent memory from outside node code (the ``axiom memory`` verbs).

:class:`~axiom_ide.runtime.store.memory.SqliteMemory` is what node code reaches through
``ax.agent.memory``; this module is the operator's view of the same tables, always for one tenant:
which flows have memory (``memory ls``), a flow's sessions (``ls --flow``), one session's
conversation, entries and the semantic memories consolidated from it with the consolidation's
status (``show``), a flow's (or one session's) memory search (``search --flow [--session]``),
closing a session (``end``: marked ended and consolidated in the background, nothing deleted) and
permanent deletion of a session or of all of a flow's memory (``rm``; a consolidated fact is the
flow's and stays when one of its source sessions is deleted). A flow id is the flow's name (what
the engine passes as ``ax.flow_id``); a session id is whatever string node code chose.
"""
from __future__ import annotations

import time
from typing import Any

from axiom_ide.runtime.flow_ids import flow_keys
from axiom_ide.runtime.memory.search import changed
from axiom_ide.runtime.store.db import Database
from axiom_ide.runtime.store.memory import SqliteMemory, end_session


def _ms(t: float | None) -> int | None:
    return int(t * 1000) if t is not None else None


class MemoryInspector:
    def __init__(self, db: Database, memory: SqliteMemory | None = None) -> None:
        self.db = db
        #: The node-facing store whose consolidation thread ``end`` uses (a runtime passes its own).
        self.memory = memory or SqliteMemory(db)

    def close(self) -> None:
        """Finish enqueued consolidations and stop (only for an inspector that made its own store)."""
        self.memory.close()

    def flows(self, tenant_id: str) -> list[dict[str, Any]]:
        """Flows with at least one session or entry: ``flow_id``, ``sessions``, ``last_active`` (ms)."""
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT flow_id, COUNT(DISTINCT NULLIF(session_id, '')) AS sessions, MAX(created_at) AS last "
                "FROM (SELECT flow_id, session_id, created_at FROM memory_turns WHERE tenant_id = ? "
                "      UNION ALL SELECT flow_id, session_id, created_at FROM memory_entries WHERE tenant_id = ?) "
                "GROUP BY flow_id ORDER BY last DESC, flow_id", (tenant_id, tenant_id)).fetchall()
        return [{"flow_id": r["flow_id"], "sessions": r["sessions"], "last_active": _ms(r["last"])} for r in rows]

    def sessions(self, tenant_id: str, flow_id: str) -> list[dict[str, Any]]:
        """A flow's sessions: ``session_id``, ``turns``, ``entries``, ``last_active`` and ``ended_at``
        (ms; None while open), newest first."""
        keys = flow_keys(tenant_id, flow_id)
        among = f"flow_id IN ({', '.join('?' * len(keys))})"
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT session_id, SUM(turn) AS turns, SUM(1 - turn) AS entries, MAX(created_at) AS last FROM ("
                f"  SELECT session_id, 1 AS turn, created_at FROM memory_turns WHERE tenant_id = ? AND {among}"
                "  UNION ALL SELECT session_id, 0 AS turn, created_at FROM memory_entries "
                f"  WHERE tenant_id = ? AND {among} AND session_id != '') "
                "GROUP BY session_id ORDER BY last DESC, session_id",
                (tenant_id, *keys, tenant_id, *keys)).fetchall()
            ended = dict(self.db.conn.execute(
                f"SELECT session_id, MAX(ended_at) FROM memory_sessions WHERE tenant_id = ? AND {among} "
                "GROUP BY session_id", (tenant_id, *keys)).fetchall())
        return [{"session_id": r["session_id"], "turns": r["turns"], "entries": r["entries"],
                 "last_active": _ms(r["last"]), "ended_at": _ms(ended.get(r["session_id"]))} for r in rows]

    def session(self, tenant_id: str, session_id: str, flow_id: str | None = None) -> dict[str, Any] | None:
        """One session's conversation (oldest first) and memory entries, and when it was last ended
        (``ended_at``, ms, or None); None when it has neither turns nor entries.
        Without ``flow_id`` every flow's session of that id is included (each item names its flow)."""
        scope, params = "tenant_id = ? AND session_id = ?", [tenant_id, session_id]
        if flow_id is not None:
            keys = flow_keys(tenant_id, flow_id)
            scope += f" AND flow_id IN ({', '.join('?' * len(keys))})"
            params.extend(keys)
        with self.db.lock:
            turns = self.db.conn.execute(f"SELECT * FROM memory_turns WHERE {scope} ORDER BY id", params).fetchall()
            entries = self.db.conn.execute(
                f"SELECT * FROM memory_entries WHERE {scope} ORDER BY created_at, rowid", params).fetchall()
            ended_row = self.db.conn.execute(
                f"SELECT ended_at, consolidation, consolidated_at, consolidation_note FROM memory_sessions "
                f"WHERE {scope} ORDER BY ended_at DESC LIMIT 1", params).fetchone()
            facts = self.db.conn.execute(
                f"SELECT e.* FROM memory_entries e JOIN memory_fact_sources s ON s.entry_id = e.id "
                f"WHERE s.{scope.replace(' AND ', ' AND s.')} ORDER BY e.created_at, e.rowid", params).fetchall()
        ended = ended_row["ended_at"] if ended_row else None
        if not turns and not entries:
            return None
        return {
            "session_id": session_id,
            "ended_at": _ms(ended),
            "consolidation": None if not ended_row or not ended_row["consolidation"] else {
                "status": ended_row["consolidation"], "completed_at": _ms(ended_row["consolidated_at"]),
                "note": ended_row["consolidation_note"]},
            "turns": [{"id": str(t["id"]), "flow_id": t["flow_id"], "role": t["role"], "content": t["content"],
                       "created_at": _ms(t["created_at"])} for t in turns],
            "memories": [{"id": e["id"], "flow_id": e["flow_id"], "memory_type": e["memory_type"],
                          "importance": e["importance"], "confidence": e["confidence"], "content": e["content"],
                          "created_at": _ms(e["created_at"])} for e in [*entries, *facts]],
        }

    def search(self, tenant_id: str, flow_id: str, query: str, limit: int = 10,
               session_id: str | None = None) -> dict[str, Any]:
        """The flow's memories (or one session's, with ``session_id``) ranked for ``query`` — the
        ranking node code gets — with the method and the query's latency in milliseconds."""
        bodies = [self.memory._search(tenant_id, key, {"query": query, "limit": limit, "session_id": session_id or ""})
                  for key in flow_keys(tenant_id, flow_id)]
        body = bodies[0]
        if len(bodies) > 1:  # a flow name: its id's memories and any still kept under the name
            results = sorted((e for b in bodies for e in b["entries"]), key=lambda e: -e["score"])[:limit]
            body = {**bodies[0], "entries": results, "latency_ms": sum(b["latency_ms"] for b in bodies)}
        return {"results": body["entries"], "method": body["method"], "latency_ms": body["latency_ms"]}

    def end_session(self, tenant_id: str, session_id: str, flow_id: str | None = None) -> list[str]:
        """Close a session (``axiom memory end``): marked ended in every flow that has it (or only
        ``flow_id``), turns and entries kept. Returns the flows it was ended in (none: no such session)."""
        scope, params = "tenant_id = ? AND session_id = ?", [tenant_id, session_id]
        if flow_id is not None:
            keys = flow_keys(tenant_id, flow_id)
            scope += f" AND flow_id IN ({', '.join('?' * len(keys))})"
            params.extend(keys)
        with self.db.lock:
            flows = [r[0] for r in self.db.conn.execute(
                f"SELECT flow_id FROM memory_turns WHERE {scope} UNION SELECT flow_id FROM memory_entries "
                f"WHERE {scope} ORDER BY 1", params + params).fetchall()]
        now = time.time()
        for flow in flows:
            end_session(self.db, tenant_id, flow, session_id, now)
            self.memory.consolidator.submit(tenant_id, flow, session_id)
        return flows

    def delete_session(self, tenant_id: str, session_id: str, flow_id: str | None = None) -> int:
        """Delete a session's turns and entries permanently; returns how many records went."""
        scope, params = "tenant_id = ? AND session_id = ?", [tenant_id, session_id]
        keys: tuple[str, ...] | None = None
        if flow_id is not None:
            keys = flow_keys(tenant_id, flow_id)
            scope += f" AND flow_id IN ({', '.join('?' * len(keys))})"
            params.extend(keys)
        with self.db.transaction() as conn:
            removed = conn.execute(f"DELETE FROM memory_turns WHERE {scope}", params).rowcount
            removed += conn.execute(f"DELETE FROM memory_entries WHERE {scope}", params).rowcount
            conn.execute(f"DELETE FROM memory_sessions WHERE {scope}", params)
            conn.execute(f"DELETE FROM memory_fact_sources WHERE {scope}", params)
        changed(self.db, tenant_id, keys)
        return removed

    def delete_flow(self, tenant_id: str, flow_id: str) -> int:
        """Delete every session and entry of a flow permanently; returns how many records went."""
        keys = flow_keys(tenant_id, flow_id)
        scope = f"tenant_id = ? AND flow_id IN ({', '.join('?' * len(keys))})"
        with self.db.transaction() as conn:
            removed = conn.execute(f"DELETE FROM memory_turns WHERE {scope}", (tenant_id, *keys)).rowcount
            removed += conn.execute(f"DELETE FROM memory_entries WHERE {scope}", (tenant_id, *keys)).rowcount
            conn.execute(f"DELETE FROM memory_sessions WHERE {scope}", (tenant_id, *keys))
            conn.execute(f"DELETE FROM memory_fact_sources WHERE {scope}", (tenant_id, *keys))
        changed(self.db, tenant_id, keys)
        return removed
