"""Agent memory over SQLite: the ``MemoryBackend`` node hosts call for ``ax.agent.memory``.

Everything is scoped by (tenant, flow[, session]); one scope never sees another's entries.
``await backend.call(tenant_id, flow_id, op, args)`` takes the host's operation names and returns
SDK-shaped, JSON-safe results:

- ``write`` / ``session_write`` {content, importance?, session_id} → the new entry id (str)
- ``search`` / ``session_search`` {query, limit?, session_id} → [MemoryEntry dicts], ranked by
  hybrid keyword + semantic search (:mod:`axiom_ide.runtime.memory.search`)
- ``history_append`` {session_id, role, content} → None
- ``history_last`` {session_id, n} → [ConversationTurn dicts], oldest first
- ``session_end`` {session_id} → None: the session is marked ended and enqueued for consolidation
  (:mod:`axiom_ide.runtime.memory.consolidation`, a background thread); its turns and entries stay.
  Deleting is the operator's ``rm`` (:mod:`.memory_inspect`).

Contents are at most :data:`MAX_CONTENT` characters and session ids at most :data:`MAX_SESSION_ID`
printable characters. Each entry is embedded on write (when the provider answers; otherwise later,
lazily, by the first search that needs it).

Bad arguments raise :class:`MemoryError_` with ``code`` "invalid_argument" (HTTP 400).
"""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

from axiom_ide.runtime.memory import consolidation as cons
from axiom_ide.runtime.memory import embedding as emb
from axiom_ide.runtime.memory import events as mev
from axiom_ide.runtime.memory import search as srch
from axiom_ide.runtime.store.db import Database

ROLES = ("user", "assistant", "tool", "system")
#: The longest memory content or turn accepted (characters).
MAX_CONTENT = 32_768
#: The longest session id accepted (characters).
MAX_SESSION_ID = 256


class MemoryError_(Exception):  # noqa: N801 — the trailing _ keeps it apart from the builtin MemoryError
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _need(args: dict, key: str, kind: type = str) -> Any:
    value = args.get(key)
    if not isinstance(value, kind) or (kind is str and not value):
        raise MemoryError_("invalid_argument", f"{key} is required")
    return value


def check_session_id(value: Any) -> str:
    """A session id as node code may choose it: a non-empty printable string of bounded length."""
    if not isinstance(value, str) or not value:
        raise MemoryError_("invalid_argument", "session_id is required (a non-empty string)")
    if len(value) > MAX_SESSION_ID:
        raise MemoryError_("invalid_argument", f"session_id is {len(value)} characters long; "
                           f"at most {MAX_SESSION_ID} are allowed")
    bad = next((c for c in value if not c.isprintable()), None)
    if bad is not None:
        raise MemoryError_("invalid_argument", f"session_id {value[:40]!r} contains the unprintable character {bad!r}")
    return value


def check_content(value: Any, what: str = "content") -> str:
    if not isinstance(value, str):
        raise MemoryError_("invalid_argument", f"{what} must be a string")
    if len(value) > MAX_CONTENT:
        raise MemoryError_("invalid_argument", f"{what} is {len(value)} characters long; at most {MAX_CONTENT} "
                           "are allowed in one memory entry or turn")
    return value


class SqliteMemory:
    def __init__(self, db: Database, *, embedder: emb.Embedder | emb.Unavailable | None = None,
                 consolidator: cons.Consolidator | None = None) -> None:
        self.db = db
        self._embedder = embedder
        #: Runs ended sessions' consolidation in the background (shared with :class:`MemoryInspector`).
        self.consolidator = consolidator or cons.Consolidator(db, embedder=embedder)
        #: ``fn(execution_id, node, type, data)`` for each observed call (:mod:`axiom_ide.runtime.memory.events`).
        self.on_event: Callable[[str, str, str, dict], None] | None = None

    @property
    def embedder(self) -> emb.Embedder | emb.Unavailable:
        return emb.resolve() if self._embedder is None else self._embedder

    async def call(self, tenant_id: str, flow_id: str, op: str, args: dict[str, Any]) -> Any:
        # off the event loop: a search or write may embed text (milliseconds; the first call loads the model)
        return _sdk_result(*await asyncio.to_thread(self._dispatch, tenant_id, flow_id, op, args))

    def close(self) -> None:
        """Stop the consolidation thread (before the database closes)."""
        self.consolidator.close()
        srch.forget(self.db)

    def call_sync(self, tenant_id: str, flow_id: str, op: str, args: dict[str, Any]) -> Any:
        return _sdk_result(*self._dispatch(tenant_id, flow_id, op, args))

    async def call_observed(self, tenant_id: str, flow_id: str, op: str, args: dict[str, Any], *,
                            execution_id: str, node: str) -> Any:
        """:meth:`call`, reported to :attr:`on_event` as a memory event of ``execution_id`` (the
        host's invocation calls this when present); a refused call is reported, then raised."""
        kind = mev.event_type(op)
        try:
            name, raw = await asyncio.to_thread(self._dispatch, tenant_id, flow_id, op, args)
        except MemoryError_ as exc:
            self._report(execution_id, node, kind, op, args, None, str(exc))
            raise
        self._report(execution_id, node, kind, op, args, raw, None)
        return _sdk_result(name, raw)

    def _report(self, execution_id: str, node: str, kind: str | None, op: str, args: dict[str, Any],
                raw: Any, error: str | None) -> None:
        sink = self.on_event
        if sink is None or kind is None:
            return
        try:
            sink(execution_id, node, kind, mev.event_data(op, dict(args or {}), raw, error))
        except Exception:  # noqa: BLE001 — a broken sink must not break the node's memory call
            pass

    def _dispatch(self, tenant_id: str, flow_id: str, op: str, args: dict[str, Any]) -> tuple[str, dict]:
        args = dict(args or {})
        if op.startswith("session_") and op != "session_end":
            check_session_id(args.get("session_id"))
            op = op[len("session_"):]
        elif op in ("write", "search"):
            args["session_id"] = ""
        handler = {"write": self._write, "search": self._search, "history_append": self._append,
                   "history_last": self._last, "session_end": self._end}.get(op)
        if handler is None:
            raise MemoryError_("invalid_argument", f'unknown memory operation "{op}"')
        return op, handler(tenant_id, flow_id, args)

    def _write(self, tenant: str, flow: str, args: dict) -> dict:
        content = check_content(_need(args, "content"))
        entry_id = uuid.uuid4().hex
        try:
            importance = min(max(float(args.get("importance", 0.5)), 0.0), 1.0)
        except (TypeError, ValueError):
            raise MemoryError_("invalid_argument", "importance must be a number between 0 and 1") from None
        vector, model = None, None
        embedder = self.embedder
        if not isinstance(embedder, emb.Unavailable):
            try:
                vector, model = emb.pack(embedder.embed_passages([content])[0]), embedder.name
            except emb.Unavailable:
                pass  # embedded later, by the first search that needs it
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO memory_entries (id, tenant_id, flow_id, session_id, content, memory_type, importance, "
                "confidence, embedding, embedding_model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (entry_id, tenant, flow, str(args.get("session_id") or ""), content,
                 str(args.get("memory_type") or "semantic"), importance, 1.0, vector, model, time.time()))
        srch.changed(self.db, tenant, (flow,))
        return {"id": entry_id}

    def _search(self, tenant: str, flow: str, args: dict) -> dict:
        query = check_content(str(args.get("query") or ""), "query")
        try:
            limit = max(min(int(args.get("limit") or 5), 100), 1)
        except (TypeError, ValueError):
            raise MemoryError_("invalid_argument", "limit must be a whole number") from None
        return srch.search(self.db, tenant, flow, str(args.get("session_id") or ""), query, limit, self.embedder)

    def _append(self, tenant: str, flow: str, args: dict) -> dict:
        session = check_session_id(args.get("session_id"))
        role = str(args.get("role") or "")
        if role not in ROLES:
            raise MemoryError_("invalid_argument", f"role must be one of {', '.join(ROLES)}")
        content = check_content(str(args.get("content") or ""))
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO memory_turns (tenant_id, flow_id, session_id, role, content, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", (tenant, flow, session, role, content, time.time()))
        return {}

    def _last(self, tenant: str, flow: str, args: dict) -> dict:
        session = check_session_id(args.get("session_id"))
        try:
            n = max(min(int(args.get("n") or 10), 1000), 1)
        except (TypeError, ValueError):
            raise MemoryError_("invalid_argument", "n must be a whole number") from None
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT * FROM memory_turns WHERE tenant_id = ? AND flow_id = ? AND session_id = ? "
                "ORDER BY id DESC LIMIT ?", (tenant, flow, session, n)).fetchall()
        return {"turns": [{"id": str(r["id"]), "session_id": r["session_id"], "role": r["role"],
                           "content": r["content"], "created_at": int(r["created_at"] * 1000),
                           "tool_name": "", "tool_call_id": ""}
                          for r in reversed(rows)]}

    def _end(self, tenant: str, flow: str, args: dict) -> dict:
        session = check_session_id(args.get("session_id"))
        end_session(self.db, tenant, flow, session)
        self.consolidator.submit(tenant, flow, session)
        return {}


def _sdk_result(op: str, raw: dict) -> Any:
    """What node code gets back for a dispatched call."""
    if op == "write":
        return raw["id"]
    if op == "search":
        return raw["entries"]
    if op == "history_last":
        return raw["turns"]
    return None


def end_session(db: Database, tenant: str, flow: str, session: str, now: float | None = None) -> None:
    """Mark a session ended (again: the time moves on) and enqueued for consolidation; its turns and
    entries are kept. The caller submits it to a :class:`~axiom_ide.runtime.memory.consolidation.Consolidator`."""
    cons.enqueue(db, tenant, flow, session, now)
