"""The engine's event recorder: numbers events, publishes them live, persists them in order.

Events get consecutive ``seq`` numbers per execution. They are published to live listeners the
moment they happen and buffered for the database; the buffer is written in the same write as the
next checkpoint (one step-journal record, so a checkpoint and the NODE_COMPLETED that announces it
land together), and flushed at pauses and at the end of the run (with a checkpoint store that is
not the runtime database, e.g. the in-memory one, events are written in batches instead). A process
killed mid-run loses at most the events after its last checkpoint — except a node's NODE_STARTED,
written ahead of the node's invocation (:meth:`Recorder.write_ahead`) so the resumed run can tell
which attempts were cut short; the resumed run continues numbering after the last stored one.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from axiom_ide.runtime.store.checkpoints import Checkpoint, CheckpointStore, SqliteCheckpointStore
from axiom_ide.runtime.store.db import J_EVENT
from axiom_ide.runtime.store.events import EventRecord, EventStore, event_row

#: With a checkpoint store outside the runtime database, events are written in batches this big.
FLUSH_EVERY = 256


class Recorder:
    def __init__(self, execution_id: str, store: EventStore | None = None,
                 publish: Callable[[EventRecord], None] | None = None, *, last_seq: int = 0) -> None:
        self.execution_id = execution_id
        self.store = store
        self.publish = publish
        self.seq = last_seq
        self.buffer: list[EventRecord] = []

    def emit(self, type: str, node: str | None = None, *, duration_ms: float | None = None,
             attempt: int | None = None, **data: Any) -> EventRecord:
        self.seq += 1
        ev = EventRecord(self.execution_id, self.seq, type, node, time.time(), duration_ms, attempt, data)
        if self.store is not None:
            self.buffer.append(ev)
        if self.publish is not None:
            self.publish(ev)
        return ev

    def flush(self) -> None:
        if self.buffer and self.store is not None:
            events, self.buffer = self.buffer, []
            self.store.append(events)

    def drain(self, db: Any) -> list[EventRecord]:
        """Hand the buffered events to a caller that writes them in its own transaction on ``db``
        (the runtime database); when the events live elsewhere they are flushed here instead."""
        if self.store is None or self.store.db is not db:
            self.flush()
            return []
        events, self.buffer = self.buffer, []
        return events

    def write_ahead(self, store: CheckpointStore | None) -> None:
        """Make the buffered events — a NODE_STARTED last — durable before the node is invoked, so
        a runtime killed while the node runs leaves that attempt in the log and the resumed run
        reports it (NODE_INTERRUPTED). One step-journal append (~2 µs), only when the checkpoints
        are journaled in this log's database; an append that fails leaves the events buffered (the
        node's checkpoint write reports the failure)."""
        if not self.buffer or self.store is None or not isinstance(store, SqliteCheckpointStore):
            return
        db = self.store.db
        if store.db is not db or db.journal is None:
            return
        events, self.buffer = self.buffer, []
        try:
            db.write([(J_EVENT, event_row(e)) for e in events])
        except Exception:  # noqa: BLE001 — the checkpoint write that follows reports it
            self.buffer[:0] = events

    def commit_checkpoint(self, store: CheckpointStore, cp: Checkpoint) -> None:
        """Save ``cp`` durably, with the buffered events in the same write when possible."""
        if (self.buffer and isinstance(store, SqliteCheckpointStore) and self.store is not None
                and store.db is self.store.db):
            events, self.buffer = self.buffer, []
            try:
                store.put(cp, events=[event_row(e) for e in events])
            except BaseException:
                self.buffer[:0] = events
                raise
            return
        store.put(cp)
        if len(self.buffer) >= FLUSH_EVERY:  # checkpoints live elsewhere: batch the event writes
            self.flush()

    def child(self, prefix: str) -> ChildRecorder:
        return ChildRecorder(self, prefix)


class ChildRecorder:
    """A subflow's view of its parent's recorder: node ids become ``outer/inner``."""

    def __init__(self, parent: Recorder | ChildRecorder, prefix: str) -> None:
        self.parent = parent
        self.prefix = prefix

    def emit(self, type: str, node: str | None = None, **kw: Any) -> EventRecord:
        return self.parent.emit(type, f"{self.prefix}/{node}" if node else self.prefix, **kw)

    def flush(self) -> None:
        self.parent.flush()

    def commit_checkpoint(self, store: Any, cp: Any) -> None:  # subflow steps are not checkpointed
        pass

    def child(self, prefix: str) -> ChildRecorder:
        return ChildRecorder(self, prefix)
