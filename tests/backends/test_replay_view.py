"""ReplayView decodes checkpoints lazily: listing them decodes nothing; each is decoded on first
access (by id, index or iteration) and kept; the frozen value API stays the same."""
from __future__ import annotations

import dataclasses
import time

import pytest
from engine_support import add_faults_package, chain, compile_file

from axiom_ide.backends.local import LocalBackend
from axiom_ide.backends.remote import CheckpointView
from axiom_ide.backends.replay_view import CheckpointRow, LazyCheckpoints


@pytest.fixture
def ran(tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    chain(example_workspace, "three", ["Upper", "Upper", "Upper"])
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "three.flow.yaml", example_workspace, store=rt._artifacts)
    result = aio(rt.run(art, {"text": "a"}))
    return rt, LocalBackend(rt), result.execution_id


def test_checkpoints_decode_on_first_access_once(ran, aio):
    _, backend, execution_id = ran
    replay = aio(backend.sessions.replay(execution_id))
    lazy = replay.checkpoints
    assert isinstance(lazy, LazyCheckpoints) and lazy.decoded_count() == 0
    rows = replay.checkpoint_rows
    assert [(r.step, r.node, r.expired) for r in rows] == [(1, "n1", False), (2, "n2", False), (3, "n3", False)]
    assert all(isinstance(r, CheckpointRow) for r in rows) and lazy.decoded_count() == 0
    assert len(lazy) == 3 and lazy.decoded_count() == 0

    second = replay.checkpoint(rows[1].id)
    assert isinstance(second, CheckpointView) and second.node == "n2" and second.output == {"text": "A", "big": "0"}
    assert lazy.decoded_count() == 1
    assert replay.checkpoint(rows[1].id) is second and lazy[1] is second and lazy[-2] is second  # kept
    assert replay.checkpoint("no-such-id") is None
    with pytest.raises(IndexError):
        lazy[3]
    # the payload popover's values at a point read the same checkpoint
    end = len(replay) - 1
    assert replay.payload(end, "n2").output == {"text": "A", "big": "0"}
    assert [cp.node for cp in lazy] == ["n1", "n2", "n3"] and lazy.decoded_count() == 3
    assert [cp.id for cp in lazy[0:2]] == [r.id for r in rows[:2]]
    with pytest.raises(dataclasses.FrozenInstanceError):
        replay.checkpoints = ()  # type: ignore[misc]


def test_an_expired_checkpoint_reads_snapshot_expired(ran, aio):
    rt, backend, execution_id = ran
    assert rt._checkpoints.expire(now=time.time() + 86400 * 31) == 3
    replay = aio(backend.sessions.replay(execution_id))
    assert all(r.expired for r in replay.checkpoint_rows)
    cp = replay.checkpoints[0]
    assert cp.expired and cp.input == cp.output == "Snapshot expired"
    payload = replay.checkpoint_payload(cp.id)
    assert payload is not None and payload.expired and payload.status == "completed"
