"""The runtime database: migrations, executions, the event log."""
from __future__ import annotations

import sqlite3

import pytest

from axiom_ide.runtime.store.db import MIGRATIONS, SchemaError, open_database
from axiom_ide.runtime.store.events import EventRecord, EventStore
from axiom_ide.runtime.store.executions import STATUSES, ExecutionRecord, ExecutionStore, new_execution_id


def test_statuses_are_the_docs_exactly():
    assert STATUSES == ("Queued", "Running", "Paused (HITL)", "Waiting on gate", "Debug paused", "Completed",
                        "Failed", "Compensating", "Cancelled")


def test_database_is_wal_and_refuses_newer_schema(tmp_path):
    db = open_database(tmp_path)
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    db.conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(SchemaError, match="newer Axiom IDE"):
        open_database(tmp_path)
    full = open_database(tmp_path / "f", durability="full")
    assert full.conn.execute("PRAGMA synchronous").fetchone()[0] == 2


def test_execution_lifecycle_and_incomplete_listing(tmp_path):
    store = ExecutionStore(open_database(tmp_path))
    rec = store.create(ExecutionRecord(new_execution_id(), "G", "f", "unary", "local", "Queued", input=b"\x01",
                                       input_json={"a": 1}))
    running = store.update(rec.id, status="Running")
    assert running.started_at is not None
    assert [r.id for r in store.incomplete()] == [rec.id]
    done = store.update(rec.id, status="Completed", output={"x": 1})
    assert done.completed_at >= done.started_at and store.incomplete() == []
    assert store.get(rec.id).to_json()["output"] == {"x": 1}
    child = store.create(ExecutionRecord(new_execution_id(), "G", "f", "unary", "local", "Queued", parent_id=rec.id))
    assert [c.id for c in store.children(rec.id)] == [child.id]
    assert [r.id for r in store.list()] == [child.id, rec.id]


def test_event_log_is_ordered_and_filterable(tmp_path):
    store = EventStore(open_database(tmp_path))
    store.append([EventRecord("e", i, "NODE_STARTED" if i % 2 else "NODE_COMPLETED", f"n{i}", float(i))
                  for i in range(1, 6)])
    assert [e.seq for e in store.list("e")] == [1, 2, 3, 4, 5]
    assert [e.seq for e in store.list("e", types=["NODE_COMPLETED"])] == [2, 4]
    assert [e.seq for e in store.list("e", after_seq=3)] == [4, 5]
    assert store.last_seq("e") == 5 and store.last_seq("x") == 0
    with pytest.raises(sqlite3.IntegrityError):
        store.append([EventRecord("e", 5, "LOG", None, 9.0)])  # append-only: seq cannot repeat


def test_change_token_moves_on_create_and_update_seen_from_another_connection(tmp_path):
    writer = ExecutionStore(open_database(tmp_path))
    reader = ExecutionStore(open_database(tmp_path))  # another process's view of the same data dir
    empty = reader.change_token("local")
    rec = writer.create(ExecutionRecord(new_execution_id(), "G", "f", "unary", "local", "Queued"))
    created = reader.change_token("local")
    assert created != empty
    assert reader.change_token("other") == reader.change_token("other")  # unchanged: the same token
    writer.update(rec.id, status="Completed", output={"x": 1})
    assert reader.change_token("local") not in (empty, created)
    assert reader.change_token("other") == "0:0:0"  # another tenant's executions are not counted
