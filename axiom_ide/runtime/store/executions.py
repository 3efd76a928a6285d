"""Executions: one row per run of a compiled artifact, with its status and timestamps.

Statuses are exactly the docs' (concepts/execution-model): Queued, Running, Paused (HITL),
Waiting on gate, Debug paused, Completed, Failed, Compensating, Cancelled. Completed, Failed and
Cancelled are final; every other status is *incomplete* and is resumed when a runtime opens the
data dir again. Ids are 32 lowercase hex characters (also the trace id).
"""
from __future__ import annotations

import builtins
import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from axiom_ide.runtime.errors import Diagnostic
from axiom_ide.runtime.statuses import (  # noqa: F401 — the one definition, re-exported: ``ex.COMPLETED``
    CANCELLED,
    COMPENSATING,
    COMPLETED,
    DEBUG_PAUSED,
    FAILED,
    FINAL_STATUSES,
    PAUSED_HITL,
    QUEUED,
    RUNNING,
    STATUSES,
    WAITING_ON_GATE,
)
from axiom_ide.runtime.store.db import J_EVENT, J_EXECUTION, J_EXECUTION_UPDATE, Database
from axiom_ide.runtime.store.events import EventRecord, event_row


def new_execution_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class ExecutionRecord:
    #: 32 lowercase hex.
    id: str
    #: The compiled artifact this run executes.
    graph_id: str
    flow_name: str
    #: "unary" | "pipeline".
    mode: str
    tenant_id: str
    #: One of :data:`STATUSES`.
    status: str
    #: The entry input as protobuf bytes (what a resumed run starts from).
    input: bytes | None = None
    #: The input as the caller sent it (JSON object), for display.
    input_json: Any = None
    #: The terminal output decoded to JSON, once Completed.
    output: Any = None
    #: The failure text (the catalog's words), once Failed/Cancelled.
    error: str | None = None
    error_code: str | None = None
    config_id: str | None = None
    #: The execution this one was forked from, and the checkpoint it forked at.
    parent_id: str | None = None
    fork_checkpoint: str | None = None
    debug_session: str | None = None
    created_at: float = 0.0
    started_at: float | None = None
    updated_at: float = 0.0
    completed_at: float | None = None
    #: The open database (``Database.instance``, one per runtime process) that runs it; while that
    #: process lives no other runtime resumes the execution.
    owner: str | None = None
    #: The failure as an error value (:meth:`Diagnostic.to_json`): code, message, location and, for
    #: a node that raised, its exception type and traceback. None for executions stored before the column.
    error_detail: dict[str, Any] | None = None

    @property
    def diagnostic(self) -> Diagnostic | None:
        """The stored error value, or None (a success, or an execution stored before it was kept)."""
        return Diagnostic.from_json(self.error_detail) if self.error_detail is not None else None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def duration_ms(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.completed_at if self.completed_at is not None else self.updated_at
        return round((end - self.started_at) * 1000.0, 3)

    def to_json(self) -> dict[str, Any]:
        """The shape the executions API serves (timestamps in unix milliseconds)."""
        ms = lambda t: int(t * 1000) if t is not None else None  # noqa: E731
        out: dict[str, Any] = {
            "execution_id": self.id, "graph_id": self.graph_id, "flow": self.flow_name,
            "mode": self.mode, "tenant_id": self.tenant_id, "status": self.status,
            "input": self.input_json, "created_at": ms(self.created_at),
            "started_at": ms(self.started_at), "updated_at": ms(self.updated_at),
            "completed_at": ms(self.completed_at), "duration_ms": self.duration_ms,
        }
        if self.status == COMPLETED:
            out["output"] = self.output
        if self.error is not None:
            out["error"] = self.error
        if self.error_code:
            out["error_code"] = self.error_code
        if self.config_id:
            out["config_id"] = self.config_id
        if self.parent_id:
            out["parent_execution_id"] = self.parent_id
            out["fork_checkpoint_id"] = self.fork_checkpoint
        if self.debug_session:
            out["debug_session_id"] = self.debug_session
        return out


def _row(rec: ExecutionRecord) -> tuple:
    """The row in :data:`EXECUTION_COLUMNS` order."""
    return (rec.id, rec.graph_id, rec.flow_name, rec.mode, rec.tenant_id, rec.status, rec.input,
            json.dumps(rec.input_json) if rec.input_json is not None else None,
            json.dumps(rec.output) if rec.output is not None else None,
            rec.error, rec.error_code, rec.config_id, rec.parent_id, rec.fork_checkpoint,
            rec.debug_session, rec.created_at, rec.started_at, rec.updated_at, rec.completed_at, rec.owner,
            json.dumps(rec.error_detail, ensure_ascii=False) if rec.error_detail is not None else None)


_SELECT = "SELECT * FROM executions WHERE id = ?"


def _record(row: Any) -> ExecutionRecord:
    d = dict(row)
    return ExecutionRecord(
        id=d["id"], graph_id=d["graph_id"], flow_name=d["flow_name"], mode=d["mode"],
        tenant_id=d["tenant_id"], status=d["status"], input=d["input"],
        input_json=json.loads(d["input_json"]) if d["input_json"] is not None else None,
        output=json.loads(d["output_json"]) if d["output_json"] is not None else None,
        error=d["error"], error_code=d["error_code"], config_id=d["config_id"],
        parent_id=d["parent_id"], fork_checkpoint=d["fork_checkpoint"],
        debug_session=d["debug_session"], created_at=d["created_at"], started_at=d["started_at"],
        updated_at=d["updated_at"], completed_at=d["completed_at"], owner=d["owner"],
        error_detail=_detail(d.get("error_detail")),
    )


def _detail(text: str | None) -> dict[str, Any] | None:
    """The stored error value; a damaged one reads as absent (the error text is still there)."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _stamped(rec: ExecutionRecord) -> ExecutionRecord:
    """``completed_at`` set once final, ``started_at`` once Running."""
    if rec.status in FINAL_STATUSES and rec.completed_at is None:
        rec = replace(rec, completed_at=rec.updated_at)
    if rec.status == RUNNING and rec.started_at is None:
        rec = replace(rec, started_at=rec.updated_at)
    return rec


class ExecutionStore:
    """Executions in SQLite. Records are immutable values; updates write a new version of a row.

    Writes go through :meth:`Database.write` — with the runtime's step journal, a run is accepted
    without a SQLite commit of its own. A final status is committed before :meth:`update` (or
    :meth:`create`) returns, with whatever the journal holds, so a run any caller has been told
    ended is in the database for every process. The records of executions this process is running
    are kept (:attr:`_live`), so an update needs no read; reads fold the journal first.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        #: Not-yet-final executions this store wrote, by id: the latest version of each row.
        self._live: dict[str, ExecutionRecord] = {}

    def create(self, rec: ExecutionRecord, *, events: Sequence[EventRecord] = ()) -> ExecutionRecord:
        """Insert a new execution; ``events`` (its first log entries) go in the same write, so a
        run is accepted, announced and marked Running at once."""
        now = time.time()
        rec = _stamped(replace(rec, created_at=rec.created_at or now, updated_at=rec.updated_at or now))
        with self.db.lock:
            self.db.write([(J_EXECUTION, _row(rec)), *((J_EVENT, event_row(e)) for e in events)])
            self._remember(rec)
        return rec

    def update(self, execution_id: str, *, events: Sequence[EventRecord] = (), **changes: Any) -> ExecutionRecord:
        """Set fields (``status=..., error=...``); ``updated_at`` always moves forward. ``events``
        are appended in the same write (a run's last events land with its final status). An
        ``error`` without an ``error_detail`` is kept as an error value with no location."""
        with self.db.lock:
            current = self._live.get(execution_id) or self.get(execution_id)
            if current is None:
                raise KeyError(execution_id)
            if "error" in changes and "error_detail" not in changes:  # a bare text: its value has no location
                text, code = changes["error"], changes.get("error_code", current.error_code)
                changes["error_detail"] = Diagnostic(code or "", text).to_json() if text is not None else None
            rec = _stamped(replace(current, **changes, updated_at=max(time.time(), current.updated_at)))
            self.db.write([*((J_EVENT, event_row(e)) for e in events),
                           (J_EXECUTION_UPDATE, _row(rec)[1:] + (rec.id,))])
            self._remember(rec)
        return rec

    def _remember(self, rec: ExecutionRecord) -> None:
        """Keep a running execution's latest row; a finished one is forgotten and committed now."""
        if rec.is_final:
            self._live.pop(rec.id, None)
            self.db.sync()
        else:
            self._live[rec.id] = rec

    def claim(self, execution_id: str, owner: str, previous: str | None) -> bool:
        """Make ``owner`` run the execution if ``previous`` still does (compare-and-set): False when
        another runtime claimed it first."""
        with self.db.transaction() as conn:
            cur = conn.execute("UPDATE executions SET owner = ? WHERE id = ? AND owner IS ?",
                               (owner, execution_id, previous))
            self._live.pop(execution_id, None)
            return cur.rowcount == 1

    def get(self, execution_id: str) -> ExecutionRecord | None:
        self.db.sync()
        with self.db.lock:
            row = self.db.conn.execute(_SELECT, (execution_id,)).fetchone()
        return _record(row) if row is not None else None

    def list(self, *, status: str | None = None, flow_name: str | None = None,
             tenant_id: str | None = None, limit: int = 100, offset: int = 0) -> builtins.list[ExecutionRecord]:
        """Newest first."""
        where, params = [], []
        for column, value in (("status", status), ("flow_name", flow_name), ("tenant_id", tenant_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "SELECT * FROM executions" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?"
        self.db.sync()
        with self.db.lock:
            rows = self.db.conn.execute(sql, (*params, limit, offset)).fetchall()
        return [_record(r) for r in rows]

    def page(self, *, tenant_id: str, statuses: tuple[str, ...] = (), flow_name: str | None = None,
             created_from: float | None = None, created_to: float | None = None,
             before: tuple[float, str] | None = None, limit: int = 50) -> builtins.list[ExecutionRecord]:
        """One page of a tenant's executions, newest first (``created_at``, then ``id``, descending).

        ``before`` is the (created_at, id) of the previous page's last row — keyset pagination, so
        executions accepted meanwhile never shift a later page. ``created_from`` is inclusive,
        ``created_to`` exclusive (unix seconds).
        """
        where = ["tenant_id = ?"]
        params: builtins.list[object] = [tenant_id]
        if statuses:
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if flow_name is not None:
            where.append("flow_name = ?")
            params.append(flow_name)
        if created_from is not None:
            where.append("created_at >= ?")
            params.append(created_from)
        if created_to is not None:
            where.append("created_at < ?")
            params.append(created_to)
        if before is not None:
            where.append("(created_at < ? OR (created_at = ? AND id < ?))")
            params.extend((before[0], before[0], before[1]))
        sql = f"SELECT * FROM executions WHERE {' AND '.join(where)} ORDER BY created_at DESC, id DESC LIMIT ?"
        self.db.sync()
        with self.db.lock:
            rows = self.db.conn.execute(sql, (*params, limit)).fetchall()
        return [_record(r) for r in rows]

    def incomplete(self) -> builtins.list[ExecutionRecord]:
        """Every execution not in a final status, oldest first (the resume order)."""
        marks = ", ".join("?" * len(FINAL_STATUSES))
        self.db.sync()
        with self.db.lock:
            rows = self.db.conn.execute(
                f"SELECT * FROM executions WHERE status NOT IN ({marks}) ORDER BY created_at, rowid",
                tuple(FINAL_STATUSES),
            ).fetchall()
        return [_record(r) for r in rows]

    def change_token(self, tenant_id: str | None = None) -> str:
        """A cheap fingerprint of the (tenant's) executions as committed, for any process: it
        differs as soon as an execution is created or updated — by this runtime or by another
        process on the same data dir (``flow run``, ``serve``) — so a view can poll it and reload
        only when something changed."""
        sql = "SELECT count(*), max(updated_at), max(rowid) FROM executions"
        params: tuple[object, ...] = ()
        if tenant_id is not None:
            sql, params = sql + " WHERE tenant_id = ?", (tenant_id,)
        self.db.sync()
        with self.db.lock:
            count, updated, rowid = self.db.conn.execute(sql, params).fetchone()
        return f"{count}:{updated or 0!r}:{rowid or 0}"

    def children(self, execution_id: str) -> builtins.list[ExecutionRecord]:
        self.db.sync()
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT * FROM executions WHERE parent_id = ? ORDER BY created_at", (execution_id,)
            ).fetchall()
        return [_record(r) for r in rows]
