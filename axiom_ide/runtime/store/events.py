"""The per-execution event log: append-only, ordered by ``seq`` (1, 2, 3, … per execution).

An event is never updated or deleted; it outlives checkpoint payloads (the TTL only evicts
payloads). The log drives live views, replay and the Events API alike.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from axiom_ide.runtime.event_types import (  # noqa: F401 — the one definition, re-exported: ``ev.NODE_STARTED``
    BRANCH_FINISHED,
    BRANCH_SKIPPED,
    BRANCH_STARTED,
    COMPENSATION_COMPLETED,
    COMPENSATION_FAILED,
    COMPENSATION_STARTED,
    DEBUG_PAUSED,
    DEBUG_RESUMED,
    EDGE_SKIPPED,
    EXECUTION_CANCELLED,
    EXECUTION_COMPLETED,
    EXECUTION_FAILED,
    EXECUTION_RESUMED,
    EXECUTION_STARTED,
    FRAME,
    GATE_OPENED,
    GATE_WAITING,
    HITL_PAUSED,
    HITL_RESUMED,
    HITL_TIMED_OUT,
    LOG,
    MEMORY_READ,
    MEMORY_SEARCH,
    MEMORY_WRITE,
    NODE_COMPLETED,
    NODE_FAILED,
    NODE_INTERRUPTED,
    NODE_RETRY,
    NODE_STARTED,
)
from axiom_ide.runtime.store.db import J_EVENT, JOURNALED, Database


@dataclass(frozen=True)
class EventRecord:
    execution_id: str
    #: 1-based position in this execution's log; strictly increasing, no gaps.
    seq: int
    type: str
    #: Canvas id the event concerns (``outer/inner`` inside a subflow), or None.
    node: str | None
    #: Unix seconds.
    time: float
    duration_ms: float | None = None
    attempt: int | None = None
    #: Type-specific detail: ``error``, ``edge``, ``reason``, ``level``/``message``, …
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"execution_id": self.execution_id, "seq": self.seq, "type": self.type,
                               "time": int(self.time * 1000)}
        if self.node is not None:
            out["node"] = self.node
        if self.duration_ms is not None:
            out["duration_ms"] = self.duration_ms
        if self.attempt is not None:
            out["attempt"] = self.attempt
        if self.data:
            out["data"] = self.data
        return out


#: ``json.dumps(..., separators=...)`` builds an encoder per call; a row is written per event.
_encode = json.JSONEncoder(separators=(",", ":")).encode


def event_row(ev: EventRecord) -> tuple:
    return (ev.execution_id, ev.seq, ev.type, ev.node, ev.time, ev.duration_ms, ev.attempt,
            _encode(ev.data) if ev.data else None)


INSERT_EVENT = JOURNALED[J_EVENT]


class EventStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def append(self, events: Iterable[EventRecord]) -> None:
        rows = [event_row(e) for e in events]
        if rows:
            with self.db.transaction() as conn:
                conn.executemany(INSERT_EVENT, rows)

    def list(self, execution_id: str, *, after_seq: int = 0, node: str | None = None,
             types: Iterable[str] | None = None, limit: int = 10_000) -> list[EventRecord]:
        sql = "SELECT * FROM events WHERE execution_id = ? AND seq > ?"
        params: list[Any] = [execution_id, after_seq]
        if node is not None:
            sql += " AND node = ?"
            params.append(node)
        types = list(types or ())
        if types:
            sql += f" AND type IN ({', '.join('?' * len(types))})"
            params.extend(types)
        sql += " ORDER BY seq LIMIT ?"
        params.append(limit)
        self.db.sync()
        with self.db.lock:
            rows = self.db.conn.execute(sql, params).fetchall()
        return [EventRecord(r["execution_id"], r["seq"], r["type"], r["node"], r["time"],
                            r["duration_ms"], r["attempt"], json.loads(r["data"]) if r["data"] else {})
                for r in rows]

    def last_by_node(self, execution_id: str, types: Iterable[str]) -> dict[str, EventRecord]:
        """Per node, its latest event of ``types`` (one pass over the log, whatever its length)."""
        types = list(types)
        sql = (f"SELECT * FROM events WHERE execution_id = ? AND node IS NOT NULL "
               f"AND type IN ({', '.join('?' * len(types))}) ORDER BY seq")
        self.db.sync()
        out: dict[str, EventRecord] = {}
        with self.db.lock:
            for r in self.db.conn.execute(sql, [execution_id, *types]):
                out[r["node"]] = EventRecord(r["execution_id"], r["seq"], r["type"], r["node"], r["time"],
                                             r["duration_ms"], r["attempt"], json.loads(r["data"]) if r["data"] else {})
        return out

    def last_seq(self, execution_id: str) -> int:
        self.db.sync()
        with self.db.lock:
            row = self.db.conn.execute("SELECT MAX(seq) FROM events WHERE execution_id = ?",
                                       (execution_id,)).fetchone()
        return row[0] or 0
