"""Checkpoints: a typed record per completed node, behind a small store protocol.

After every completed node the engine commits a :class:`Checkpoint` holding that node's input and
output (protobuf bytes) *before* it dispatches anything else; a resumed or forked run rebuilds its
state from the ordered checkpoints of its execution. A checkpoint is written once and never
changed. Payloads over :data:`INLINE_LIMIT` bytes live out of line in the ``blobs`` table.

After the TTL (default 30 days) payloads are evicted: the record stays (its step, node, id and
time still show in the Checkpoints tab) but ``expired`` is true and ``input``/``output`` are None —
views show :data:`SNAPSHOT_EXPIRED`. Events are never evicted.

Implementations: :class:`SqliteCheckpointStore` (the runtime's) and
:class:`MemoryCheckpointStore`; tests run one conformance suite over both, and wrap stores in
:class:`AssertingCheckpointStore`, which fails loudly if a saved checkpoint ever changes.
"""
from __future__ import annotations

import random
import time
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from axiom_ide.runtime.store.db import J_BLOB, J_CHECKPOINT, J_EVENT, Database

#: Payloads larger than this are stored in ``blobs`` (the docs' "stored out-of-band").
INLINE_LIMIT = 64 * 1024
DEFAULT_TTL_SECONDS = 30 * 24 * 3600
SNAPSHOT_EXPIRED = "Snapshot expired"


#: How far a time-ordered id's time may be from the checkpoint's ``created_at`` (ms).
ID_TIME_SLACK_MS = 60_000


def new_checkpoint_id(now: float | None = None) -> str:
    """32 lowercase hex: the time in ms (12 hex) then 80 random bits. Ids sort by time, so the id
    index grows at its right edge and the TTL's range scan needs no other index. The random part
    need not be unguessable (every lookup is scoped to the tenant), only unique, so it comes from
    ``random`` (reseeded in forked children) rather than a ``getrandom`` system call per step."""
    ms = int((time.time() if now is None else now) * 1000)
    return f"{ms:012x}{random.getrandbits(80):020x}"


def _time_ordered(checkpoint_id: str, created_at: float) -> bool:
    """Whether ``checkpoint_id`` starts with (about) its creation time, as new ids do."""
    head = checkpoint_id[:12]
    if len(checkpoint_id) != 32 or head.lower() != head:
        return False
    try:
        ms = int(head, 16)
    except ValueError:
        return False
    return abs(ms - created_at * 1000) <= ID_TIME_SLACK_MS


def _id_bound(cutoff: float) -> str:
    """An id prefix above every time-ordered id created before ``cutoff``."""
    return f"{int(cutoff * 1000) + ID_TIME_SLACK_MS + 1:012x}"


#: A pipeline node's checkpoint holds its frames, not one message: its ``input_type``/``output_type``
#: read ``frames:<message type>`` and its payloads are msgpack arrays of the frames' protobuf bytes
#: (the first :data:`FRAMES_KEPT` of each side; the NODE_COMPLETED event carries the full count).
FRAMES_PREFIX = "frames:"
FRAMES_KEPT = 100


def pack_frames(frames: Sequence[bytes]) -> bytes:
    import msgpack

    return bytes(msgpack.packb(list(frames[:FRAMES_KEPT]), use_bin_type=True))


def unpack_frames(payload: bytes | None) -> list[bytes]:
    import msgpack

    return list(msgpack.unpackb(payload or b"\x90", raw=False)) if payload else []


@dataclass(frozen=True)
class Checkpoint:
    #: Unique id (32 hex), what the checkpoints API and ``fork`` name.
    id: str
    execution_id: str
    #: 1-based position among this execution's checkpoints (the completion order).
    step: int
    #: Canvas id of the node that completed.
    node: str
    #: Which attempt of the node produced the output (1 unless retried).
    attempt: int
    #: Fully-qualified message types of the payloads, so they decode without the artifact.
    input_type: str
    output_type: str
    #: The node's input and output as protobuf bytes; None once expired.
    input: bytes | None
    output: bytes | None
    #: Unix seconds.
    created_at: float
    #: True once the TTL evicted the payloads.
    expired: bool = False


@runtime_checkable
class CheckpointStore(Protocol):
    """What the engine needs from checkpoint storage."""

    def put(self, checkpoint: Checkpoint) -> None:
        """Durably save a new checkpoint; (execution_id, step) and id must be new."""

    def list(self, execution_id: str) -> list[Checkpoint]:
        """Every checkpoint of an execution, by step."""

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        """One checkpoint by id, or None."""

    def expire(self, now: float | None = None, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> int:
        """Evict payloads older than the TTL; returns how many checkpoints were evicted."""


def _expired_view(cp: Checkpoint, now: float, ttl: float) -> Checkpoint:
    if not cp.expired and cp.created_at < now - ttl:
        return replace(cp, input=None, output=None, expired=True)
    return cp


class MemoryCheckpointStore:
    """An in-process store (fast engine tests, the pure-scheduler benchmark)."""

    def __init__(self, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self._by_execution: dict[str, list[Checkpoint]] = {}
        self._by_id: dict[str, Checkpoint] = {}
        self._steps: dict[str, set[int]] = {}

    def put(self, checkpoint: Checkpoint) -> None:
        if checkpoint.id in self._by_id:
            raise ValueError(f"checkpoint {checkpoint.id} already exists")
        items = self._by_execution.setdefault(checkpoint.execution_id, [])
        steps = self._steps.setdefault(checkpoint.execution_id, set())
        if checkpoint.step in steps:
            raise ValueError(f"execution {checkpoint.execution_id} already has step {checkpoint.step}")
        steps.add(checkpoint.step)
        items.append(checkpoint)
        if len(items) > 1 and items[-2].step > checkpoint.step:
            items.sort(key=lambda c: c.step)
        self._by_id[checkpoint.id] = checkpoint

    def list(self, execution_id: str) -> list[Checkpoint]:
        now = time.time()
        return [_expired_view(c, now, self.ttl_seconds) for c in self._by_execution.get(execution_id, [])]

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        cp = self._by_id.get(checkpoint_id)
        return _expired_view(cp, time.time(), self.ttl_seconds) if cp is not None else None

    def expire(self, now: float | None = None, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> int:
        now = time.time() if now is None else now
        count = 0
        for items in self._by_execution.values():
            for i, cp in enumerate(items):
                if not cp.expired and cp.created_at < now - ttl_seconds:
                    items[i] = replace(cp, input=None, output=None, expired=True)
                    self._by_id[cp.id] = items[i]
                    count += 1
        return count


#: The checkpoints the TTL evicts: time-ordered ids by a range of the id index, others by the
#: partial ``checkpoints_unordered_by_time`` index.
_STALE = ("SELECT id FROM checkpoints WHERE id < :bound AND unordered = 0 AND expired = 0 AND created_at < :cutoff "
          "UNION ALL SELECT id FROM checkpoints INDEXED BY checkpoints_unordered_by_time "
          "WHERE expired = 0 AND unordered = 1 AND created_at < :cutoff")


class SqliteCheckpointStore:
    """Checkpoints in the runtime database; large payloads go to ``blobs``."""

    #: Executions whose steps :meth:`put` remembers (the most recently written).
    RECENT = 1024

    def __init__(self, db: Database, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> None:
        self.db = db
        self.ttl_seconds = ttl_seconds
        #: execution id → the steps stored for it, for the most recently written executions.
        self._steps: OrderedDict[str, set[int]] = OrderedDict()

    def put(self, checkpoint: Checkpoint, *, events: Sequence[tuple] = ()) -> None:
        """Save durably (one step-journal append when the database has a journal, else one
        transaction), with ``events`` — event rows (:func:`.events.event_row`) — in the same write.
        A step the execution already has is refused (ValueError) here, not when the journal is
        folded: the steps of recently written executions are kept, others read once."""
        cp = checkpoint
        steps = self._steps_of(cp.execution_id)
        if cp.step in steps:
            raise ValueError(f"execution {cp.execution_id} already has step {cp.step}")
        rows = [(J_EVENT, e) for e in events]
        in_inline, in_blob = self._payload(rows, cp.input, cp.created_at)
        out_inline, out_blob = self._payload(rows, cp.output, cp.created_at)
        rows.append((J_CHECKPOINT, (cp.id, cp.execution_id, cp.step, cp.node, cp.attempt,
                                    cp.input_type, cp.output_type, in_inline, in_blob, out_inline,
                                    out_blob, cp.created_at, 0 if _time_ordered(cp.id, cp.created_at) else 1)))
        self.db.write(rows)
        steps.add(cp.step)

    def _steps_of(self, execution_id: str) -> set[int]:
        steps = self._steps.get(execution_id)
        if steps is not None:
            self._steps.move_to_end(execution_id)
            return steps
        with self.db.lock:  # what the database has, and what the journal holds for it unfolded
            steps = {r[0] for r in self.db.conn.execute("SELECT step FROM checkpoints WHERE execution_id = ?",
                                                        (execution_id,))}
            journal = self.db.journal
            if journal is not None:
                steps.update(params[2] for code, params in journal.pending.rows
                             if code == J_CHECKPOINT and params[1] == execution_id)
        self._steps[execution_id] = steps
        if len(self._steps) > self.RECENT:
            self._steps.popitem(last=False)
        return steps

    @staticmethod
    def _payload(rows: list, data: bytes | None, created_at: float) -> tuple[bytes | None, str | None]:
        if data is None or len(data) <= INLINE_LIMIT:
            return data, None
        blob_id = uuid.uuid4().hex
        rows.append((J_BLOB, (blob_id, data, created_at)))
        return None, blob_id

    def _record(self, row, now: float) -> Checkpoint:
        def payload(inline, blob_id):
            if blob_id is None:
                return bytes(inline) if inline is not None else None
            blob = self.db.conn.execute("SELECT data FROM blobs WHERE id = ?", (blob_id,)).fetchone()
            return bytes(blob[0]) if blob is not None else None

        cp = Checkpoint(
            id=row["id"], execution_id=row["execution_id"], step=row["step"], node=row["node"],
            attempt=row["attempt"], input_type=row["input_type"], output_type=row["output_type"],
            input=None if row["expired"] else payload(row["input"], row["input_blob"]),
            output=None if row["expired"] else payload(row["output"], row["output_blob"]),
            created_at=row["created_at"], expired=bool(row["expired"]),
        )
        return _expired_view(cp, now, self.ttl_seconds)

    def list(self, execution_id: str) -> list[Checkpoint]:
        now = time.time()
        self.db.sync()
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT * FROM checkpoints WHERE execution_id = ? ORDER BY step", (execution_id,)
            ).fetchall()
            return [self._record(r, now) for r in rows]

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        self.db.sync()
        with self.db.lock:
            row = self.db.conn.execute("SELECT * FROM checkpoints WHERE id = ?", (checkpoint_id,)).fetchone()
            return self._record(row, time.time()) if row is not None else None

    def count(self, execution_id: str) -> int:
        self.db.sync()
        with self.db.lock:
            return self.db.conn.execute("SELECT COUNT(*) FROM checkpoints WHERE execution_id = ?",
                                        (execution_id,)).fetchone()[0]

    def expire(self, now: float | None = None, ttl_seconds: float | None = None) -> int:
        now = time.time() if now is None else now
        cutoff = now - (self.ttl_seconds if ttl_seconds is None else ttl_seconds)
        args = {"bound": _id_bound(cutoff), "cutoff": cutoff}
        with self.db.transaction() as conn:
            conn.execute(
                f"DELETE FROM blobs WHERE id IN (SELECT input_blob FROM checkpoints WHERE id IN ({_STALE}) "
                f"UNION SELECT output_blob FROM checkpoints WHERE id IN ({_STALE}))", args,
            )
            cur = conn.execute(
                "UPDATE checkpoints SET input = NULL, output = NULL, input_blob = NULL, output_blob = NULL, "
                f"expired = 1 WHERE id IN ({_STALE})", args,
            )
            return cur.rowcount


class AssertingCheckpointStore:
    """Wraps a store and asserts, on every call, that no saved checkpoint ever changed.

    It keeps its own copy of everything put; ``list``/``get`` results are compared with it (payloads
    may only ever become None through expiry). Use it in tests around any store.
    """

    def __init__(self, inner: CheckpointStore) -> None:
        self.inner = inner
        self.saved: dict[str, Checkpoint] = {}

    def put(self, checkpoint: Checkpoint) -> None:
        assert checkpoint.id not in self.saved, f"checkpoint {checkpoint.id} saved twice"
        self.inner.put(checkpoint)
        self.saved[checkpoint.id] = checkpoint
        self._check(self.inner.list(checkpoint.execution_id))

    def _check(self, items: Sequence[Checkpoint]) -> None:
        for cp in items:
            original = self.saved.get(cp.id)
            if original is None:
                continue
            if cp.expired:
                assert replace(cp, input=None, output=None, expired=False) == replace(
                    original, input=None, output=None), f"checkpoint {cp.id} changed"
            else:
                assert cp == original, f"checkpoint {cp.id} changed: {cp} != {original}"

    def list(self, execution_id: str) -> list[Checkpoint]:
        items = self.inner.list(execution_id)
        self._check(items)
        return items

    def get(self, checkpoint_id: str) -> Checkpoint | None:
        cp = self.inner.get(checkpoint_id)
        if cp is not None:
            self._check([cp])
        return cp

    def expire(self, now: float | None = None, ttl_seconds: float = DEFAULT_TTL_SECONDS) -> int:
        return self.inner.expire(now, ttl_seconds)
