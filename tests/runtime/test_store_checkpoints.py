"""Checkpoint-store conformance: the same tests run on every implementation (STYLE.md rule 8)."""
from __future__ import annotations

import time

import pytest
from protocol_support import protocol_gaps, protocol_methods

from axiom_ide.runtime.store.checkpoints import (
    INLINE_LIMIT,
    AssertingCheckpointStore,
    Checkpoint,
    CheckpointStore,
    MemoryCheckpointStore,
    SqliteCheckpointStore,
    new_checkpoint_id,
)
from axiom_ide.runtime.store.db import open_database


@pytest.fixture(params=["sqlite", "sqlite+journal", "memory"])
def store(request, tmp_path) -> CheckpointStore:
    if request.param.startswith("sqlite"):
        db = open_database(tmp_path, journal=request.param.endswith("journal"))
        yield AssertingCheckpointStore(SqliteCheckpointStore(db))
        db.close()
    else:
        yield AssertingCheckpointStore(MemoryCheckpointStore())


def cp(execution_id="e" * 32, step=1, node="a", output=b"out", created_at=None, input=b"in"):
    return Checkpoint(new_checkpoint_id(), execution_id, step, node, 1, "pkg.In", "pkg.Out", input, output,
                      time.time() if created_at is None else created_at)


def test_store_satisfies_protocol(store):
    assert protocol_methods(CheckpointStore) == ["expire", "get", "list", "put"]
    assert protocol_gaps(CheckpointStore, store.inner) == {}
    assert protocol_gaps(CheckpointStore, store) == {}  # the asserting wrapper is a drop-in too


def test_put_then_list_and_get_round_trip(store):
    a, b = cp(step=1, node="a"), cp(step=2, node="b", output=b"")
    store.put(b)
    store.put(a)
    assert store.list("e" * 32) == [a, b]
    assert store.get(a.id) == a
    assert store.get("missing") is None
    assert store.list("f" * 32) == []


def test_duplicate_step_or_id_is_refused(store):
    a = cp()
    store.inner.put(a)
    with pytest.raises(ValueError, match="already"):
        store.inner.put(a)
    with pytest.raises(ValueError, match="already has step 1"):
        store.inner.put(cp(step=1))


def test_a_duplicate_step_is_refused_after_the_store_forgot_the_execution(tmp_path):
    db = open_database(tmp_path, journal=True)
    db._schedule_fold = lambda: None
    store = SqliteCheckpointStore(db)
    store.RECENT = 1
    store.put(cp("a" * 32, step=1))  # pending in the journal
    store.put(cp("b" * 32, step=1))  # pushes "a" out of the recent executions
    with pytest.raises(ValueError, match="already has step 1"):
        store.put(cp("a" * 32, step=1))
    db.sync()
    store.put(cp("b" * 32, step=2))
    store.put(cp("c" * 32, step=1))
    with pytest.raises(ValueError, match="already has step 2"):
        store.put(cp("b" * 32, step=2))  # read back from the database
    db.close()


def test_large_payloads_round_trip_out_of_line(store):
    big = bytes(range(256)) * (INLINE_LIMIT // 256 + 10)
    a = cp(output=big, input=big[:10])
    store.put(a)
    assert store.get(a.id).output == big


def test_ttl_evicts_payloads_but_keeps_records(store):
    old = cp(step=1, created_at=time.time() - 31 * 24 * 3600, output=b"x" * (INLINE_LIMIT + 1))
    new = cp(step=2)
    store.put(old)
    store.put(new)
    assert store.expire() == 1
    listed = store.list("e" * 32)
    assert listed[0].expired and listed[0].output is None and listed[0].input is None
    assert listed[0].id == old.id and listed[0].node == old.node
    assert not listed[1].expired and listed[1].output == b"out"


def test_reading_past_ttl_shows_expired_before_eviction_runs(store):
    old = cp(created_at=time.time() - 31 * 24 * 3600)
    store.put(old)
    got = store.get(old.id)
    assert got.expired and got.output is None


def test_asserting_store_detects_a_modified_checkpoint(tmp_path):
    db = open_database(tmp_path)
    store = AssertingCheckpointStore(SqliteCheckpointStore(db))
    a = cp()
    store.put(a)
    db.conn.execute("UPDATE checkpoints SET output = ? WHERE id = ?", (b"tampered", a.id))
    with pytest.raises(AssertionError, match="changed"):
        store.list(a.execution_id)


def test_ttl_evicts_old_checkpoints_whatever_their_ids(store):
    month_ago = time.time() - 31 * 24 * 3600
    in_order = Checkpoint(new_checkpoint_id(month_ago), "e" * 32, 1, "a", 1, "pkg.In", "pkg.Out", b"i", b"o", month_ago)
    made_up = Checkpoint("0" * 31 + "1", "e" * 32, 2, "b", 1, "pkg.In", "pkg.Out", b"i", b"o", month_ago)
    recent = cp(step=3)
    for c in (in_order, made_up, recent):
        store.put(c)
    assert store.expire() == 2
    assert [c.expired for c in store.list("e" * 32)] == [True, True, False]
    assert store.expire() == 0


def test_checkpoint_ids_are_32_hex_that_sort_by_time():
    ids = [new_checkpoint_id(t) for t in (1_700_000_000.0, 1_700_000_000.002, 1_800_000_000.0)]
    assert all(len(i) == 32 and int(i, 16) >= 0 and i == i.lower() for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == 3


def test_checkpoints_written_before_time_ordered_ids_still_expire(tmp_path):
    """A database from before migration 6 (random checkpoint ids, an index on created_at) upgrades,
    and the TTL still finds its old checkpoints."""
    import sqlite3
    import uuid

    from axiom_ide.runtime.store.db import DB_FILENAME, MIGRATIONS, _split

    conn = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
    for script in MIGRATIONS[:5]:
        for statement in _split(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version=5")
    month_ago = time.time() - 31 * 24 * 3600
    for step, created in ((1, month_ago), (2, time.time())):
        conn.execute("INSERT INTO checkpoints (id, execution_id, step, node, attempt, input_type, output_type, "
                     "input, output, created_at) VALUES (?, ?, ?, 'a', 1, 'pkg.In', 'pkg.Out', x'01', x'02', ?)",
                     (uuid.uuid4().hex, "e" * 32, step, created))
    conn.close()
    db = open_database(tmp_path)
    try:
        store = SqliteCheckpointStore(db)
        assert store.expire() == 1
        assert [c.expired for c in store.list("e" * 32)] == [True, False]
        indexes = {r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "checkpoints_by_time" not in indexes and "checkpoints_unordered_by_time" in indexes
    finally:
        db.close()
