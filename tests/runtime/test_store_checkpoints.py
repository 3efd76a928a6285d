"""Checkpoint-store conformance: the same tests run on every implementation (STYLE.md rule 8)."""
from __future__ import annotations

import time

import pytest

from axiom_ide.runtime.store.checkpoints import (
    INLINE_LIMIT, AssertingCheckpointStore, Checkpoint, CheckpointStore, MemoryCheckpointStore,
    SqliteCheckpointStore, new_checkpoint_id,
)
from axiom_ide.runtime.store.db import open_database


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path) -> CheckpointStore:
    if request.param == "sqlite":
        db = open_database(tmp_path)
        yield AssertingCheckpointStore(SqliteCheckpointStore(db))
        db.close()
    else:
        yield AssertingCheckpointStore(MemoryCheckpointStore())


def cp(execution_id="e" * 32, step=1, node="a", output=b"out", created_at=None, input=b"in"):
    return Checkpoint(new_checkpoint_id(), execution_id, step, node, 1, "pkg.In", "pkg.Out", input, output,
                      time.time() if created_at is None else created_at)


def test_store_satisfies_protocol(store):
    assert isinstance(store.inner, CheckpointStore)


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
    with pytest.raises(Exception):
        store.inner.put(a)
    with pytest.raises(Exception):
        store.inner.put(cp(step=1))


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
