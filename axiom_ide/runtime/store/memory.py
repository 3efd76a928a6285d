"""Agent memory over SQLite: the ``MemoryBackend`` node hosts call for ``ax.agent.memory``.

Everything is scoped by (tenant, flow[, session]); one scope never sees another's entries.
``await backend.call(tenant_id, flow_id, op, args)`` takes the host's operation names and returns
SDK-shaped, JSON-safe results:

- ``write`` / ``session_write`` {content, importance?, session_id} → the new entry id (str)
- ``search`` / ``session_search`` {query, limit?, session_id} → [MemoryEntry dicts], ranked by
  keyword overlap, then importance and recency (a keyword search, not embeddings)
- ``history_append`` {session_id, role, content} → None
- ``history_last`` {session_id, n} → [ConversationTurn dicts], oldest first
- ``session_end`` {session_id} → None: the session is marked ended (``ended_at``); its turns and
  entries stay readable (the docs: ending is non-destructive and enqueues consolidation — there is
  no consolidation here yet, so nothing else happens). Deleting is the operator's ``rm``
  (:mod:`.memory_inspect`).

Bad arguments raise :class:`MemoryError_` with ``code`` "invalid_argument" (HTTP 400).
"""
from __future__ import annotations

import re
import time
import uuid
from typing import Any

from axiom_ide.runtime.store.db import Database

_WORD = re.compile(r"\w+", re.UNICODE)
ROLES = ("user", "assistant", "tool", "system")


class MemoryError_(Exception):  # noqa: N801 — the trailing _ keeps it apart from the builtin MemoryError
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _need(args: dict, key: str, kind: type = str) -> Any:
    value = args.get(key)
    if not isinstance(value, kind) or (kind is str and not value):
        raise MemoryError_("invalid_argument", f"{key} is required")
    return value


class SqliteMemory:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def call(self, tenant_id: str, flow_id: str, op: str, args: dict[str, Any]) -> Any:
        return self.call_sync(tenant_id, flow_id, op, args)

    def call_sync(self, tenant_id: str, flow_id: str, op: str, args: dict[str, Any]) -> Any:
        args = dict(args or {})
        if op.startswith("session_") and op != "session_end":
            _need(args, "session_id")
            op = op[len("session_"):]
        elif op in ("write", "search"):
            args["session_id"] = ""
        handler = {"write": self._write, "search": self._search, "history_append": self._append,
                   "history_last": self._last, "session_end": self._end}.get(op)
        if handler is None:
            raise MemoryError_("invalid_argument", f'unknown memory operation "{op}"')
        result = handler(tenant_id, flow_id, args)
        if op == "write":
            return result["id"]
        if op == "search":
            return result["entries"]
        if op == "history_last":
            return result["turns"]
        return None

    def _write(self, tenant: str, flow: str, args: dict) -> dict:
        content = _need(args, "content")
        entry_id = uuid.uuid4().hex
        importance = float(args.get("importance", 0.5))
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO memory_entries (id, tenant_id, flow_id, session_id, content, memory_type, importance, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (entry_id, tenant, flow, str(args.get("session_id") or ""), content,
                 str(args.get("memory_type") or "semantic"), importance, time.time()))
        return {"id": entry_id}

    def _search(self, tenant: str, flow: str, args: dict) -> dict:
        query = str(args.get("query") or "")
        limit = int(args.get("limit") or 5)
        session = str(args.get("session_id") or "")
        terms = {w.lower() for w in _WORD.findall(query)}
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT * FROM memory_entries WHERE tenant_id = ? AND flow_id = ? AND session_id = ?",
                (tenant, flow, session)).fetchall()
        scored = []
        for r in rows:
            words = {w.lower() for w in _WORD.findall(r["content"])}
            hits = len(terms & words)
            if terms and not hits:
                continue
            score = hits / len(terms) if terms else 0.0
            scored.append((score, r["importance"], r["created_at"], r))
        scored.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
        return {"entries": [{
            "id": r["id"], "content": r["content"], "scope_level": "session" if session else "flow",
            "memory_type": r["memory_type"], "importance": r["importance"], "confidence": 1.0,
            "score": round(score, 4), "created_at": int(r["created_at"] * 1000)}
            for score, _, _, r in scored[:limit]]}

    def _append(self, tenant: str, flow: str, args: dict) -> dict:
        session = _need(args, "session_id")
        role = str(args.get("role") or "")
        if role not in ROLES:
            raise MemoryError_("invalid_argument", f"role must be one of {', '.join(ROLES)}")
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO memory_turns (tenant_id, flow_id, session_id, role, content, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (tenant, flow, session, role, str(args.get("content") or ""),
                                                        time.time()))
        return {}

    def _last(self, tenant: str, flow: str, args: dict) -> dict:
        session = _need(args, "session_id")
        n = int(args.get("n") or 10)
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT * FROM memory_turns WHERE tenant_id = ? AND flow_id = ? AND session_id = ? "
                "ORDER BY id DESC LIMIT ?", (tenant, flow, session, n)).fetchall()
        return {"turns": [{"id": str(r["id"]), "session_id": r["session_id"], "role": r["role"],
                           "content": r["content"], "created_at": int(r["created_at"] * 1000)}
                          for r in reversed(rows)]}

    def _end(self, tenant: str, flow: str, args: dict) -> dict:
        end_session(self.db, tenant, flow, _need(args, "session_id"))
        return {}


def end_session(db: Database, tenant: str, flow: str, session: str, now: float | None = None) -> None:
    """Mark a session ended (again: the time moves on). Its turns and entries are kept."""
    with db.transaction() as conn:
        conn.execute("INSERT INTO memory_sessions (tenant_id, flow_id, session_id, ended_at) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (tenant_id, flow_id, session_id) DO UPDATE SET ended_at = excluded.ended_at",
                     (tenant, flow, session, time.time() if now is None else now))
