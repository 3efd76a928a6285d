"""Consolidation: an ended session's turns become flow-scoped semantic memories, in the background.

Ending a session (:func:`enqueue`) marks it ``enqueued`` in ``memory_sessions``; a
:class:`Consolidator` (one thread per open database) then runs :func:`consolidate`: the turns are
read (never deleted), the extractor (:mod:`.extract`) turns them into facts, and each fact is
either **merged** into an existing flow-scoped semantic memory that says the same thing (embedding
cosine ≥ the embedder's ``duplicate`` threshold (:data:`MERGE_COSINE` by default), or without
embeddings word-set Jaccard ≥ :data:`MERGE_JACCARD`; and never when their names, acronyms or
numbers differ — "User prefers JSON" is not "User prefers CSV". Merging makes importance the
larger of the two and confidence ``1 − (1 − a)(1 − b)``) or **stored** as a
new one (``session_id = ''``, ``memory_type = 'semantic'``). Each fact records the sessions it came
from (``memory_fact_sources``), which is how ``memory show`` lists a session's semantic memories.
The status moves ``enqueued → running → done`` (or ``failed``), with ``consolidated_at`` and a
note ("2 fact(s) stored, 1 merged"). Enqueued sessions left by a process that stopped are picked
up by the next Consolidator of that database.

Episodic retention: turns older than ``AXIOM_IDE_MEMORY_RETENTION_DAYS`` (default 90) are deleted
by :func:`expire_turns`, which every Consolidator runs when it starts and after each job.
"""
from __future__ import annotations

import os
import queue
import re
import threading
import time
import uuid
from typing import TYPE_CHECKING, Any

from axiom_ide.runtime.memory import embedding as emb
from axiom_ide.runtime.memory import extract as ext
from axiom_ide.runtime.memory import search as srch

if TYPE_CHECKING:
    from axiom_ide.runtime.store.db import Database

#: The cosine at or above which two facts say the same thing, unless the embedder has its own
#: ``duplicate`` threshold (the bundled E5: 0.97 — "prefers JSON" / "prefers CSV" is 0.947 there).
MERGE_COSINE = 0.92
MERGE_JACCARD = 0.8
RETENTION_ENV = "AXIOM_IDE_MEMORY_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90.0

ENQUEUED, RUNNING, DONE, FAILED = "enqueued", "running", "done", "failed"


def retention_days() -> float:
    try:
        return max(float(os.environ.get(RETENTION_ENV, "") or DEFAULT_RETENTION_DAYS), 0.0)
    except ValueError:
        return DEFAULT_RETENTION_DAYS


def expire_turns(db: Database, days: float | None = None, now: float | None = None) -> int:
    """Delete conversation turns older than the retention period; returns how many went."""
    cutoff = (time.time() if now is None else now) - (retention_days() if days is None else days) * 86400.0
    with db.transaction() as conn:
        return conn.execute("DELETE FROM memory_turns WHERE created_at < ?", (cutoff,)).rowcount


def enqueue(db: Database, tenant: str, flow: str, session: str, now: float | None = None) -> None:
    """Mark a session ended (again: the time moves on) and enqueued for consolidation."""
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO memory_sessions (tenant_id, flow_id, session_id, ended_at, consolidation) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_id, flow_id, session_id) DO UPDATE SET "
            "ended_at = excluded.ended_at, consolidation = excluded.consolidation, consolidation_note = NULL",
            (tenant, flow, session, time.time() if now is None else now, ENQUEUED))


def _status(db: Database, key: tuple[str, str, str], status: str, note: str | None = None) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE memory_sessions SET consolidation = ?, consolidation_note = ?, consolidated_at = ? "
                     "WHERE tenant_id = ? AND flow_id = ? AND session_id = ?",
                     (status, note, time.time() if status in (DONE, FAILED) else None, *key))


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def salient(text: str) -> set[str]:
    """The names, acronyms and numbers of a statement (its first word aside)."""
    words = re.findall(r"[\w'’]+", text)[1:]
    return {w.lower() for w in words if w[:1].isupper() or w.isupper() or any(c.isdigit() for c in w)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def consolidate(db: Database, tenant: str, flow: str, session: str, *,
                extractor: ext.Extractor | None = None,
                embedder: emb.Embedder | emb.Unavailable | None = None) -> dict[str, Any]:
    """Consolidate one session now (what the worker runs); returns ``{stored, merged, note}``."""
    key = (tenant, flow, session)
    _status(db, key, RUNNING)
    with db.lock:
        turns = [dict(r) for r in db.conn.execute(
            "SELECT role, content FROM memory_turns WHERE tenant_id = ? AND flow_id = ? AND session_id = ? ORDER BY id",
            key).fetchall()]
    extractor = extractor or ext.resolve()
    notes: list[str] = []
    try:
        facts = extractor.extract(turns)
    except Exception as exc:  # noqa: BLE001 — a failing LLM extractor falls back to the offline one
        notes.append(f"{extractor.name} failed ({exc}); used {ext.rule_based.name}")
        facts = ext.rule_based.extract(turns)
    embedder = emb.resolve() if embedder is None else embedder
    vectors: list[list[float]] | None = None
    if not isinstance(embedder, emb.Unavailable) and facts:
        try:
            vectors = embedder.embed_passages([f.content for f in facts])
        except emb.Unavailable as exc:
            notes.append(f"merged by words: {exc}")
    flow_scope = (tenant, flow, "")
    existing_near: list[list[tuple[int, float]]] = []
    if vectors is not None and not isinstance(embedder, emb.Unavailable):
        cache = srch._VectorCache.get(db, flow_scope, embedder)
        existing_near = [cache.nearest(v)[:3] for v in vectors]
    candidates = sorted({rowid for near in existing_near for rowid, _ in near})
    contents: dict[int, str] = {}
    if candidates:
        with db.lock:
            contents = {r[0]: r[1] for r in db.conn.execute(
                f"SELECT rowid, content FROM memory_entries WHERE rowid IN ({','.join('?' * len(candidates))})",
                candidates)}
    threshold = float(getattr(embedder, "duplicate", MERGE_COSINE))
    with db.lock:
        semantic = [(r["rowid"], _words(r["content"]), salient(r["content"])) for r in db.conn.execute(
            "SELECT rowid, content FROM memory_entries WHERE tenant_id = ? AND flow_id = ? AND session_id = '' "
            "AND memory_type = 'semantic'", (tenant, flow)).fetchall()] if vectors is None else []
    stored = merged = 0
    batch: list[tuple[int, list[float] | None, set[str], set[str]]] = []  # this run's: rowid, vector, words, salient
    now = time.time()
    for i, fact in enumerate(facts):
        vector = vectors[i] if vectors is not None else None
        words, names = _words(fact.content), salient(fact.content)
        target: int | None = None
        if vector is not None:
            for rowid, sim in existing_near[i]:
                if sim >= threshold and salient(contents.get(rowid, "")) == names:
                    target = rowid
                    break
            for rowid, other, _w, other_names in batch:
                if target is None and other is not None and other_names == names \
                        and emb.cosine(vector, other) >= threshold:
                    target = rowid
        else:
            for rowid, other_words, other_names in semantic + [(b[0], b[2], b[3]) for b in batch]:
                if other_names == names and _jaccard(words, other_words) >= MERGE_JACCARD:
                    target = rowid
                    break
        with db.transaction() as conn:
            if target is not None:
                row = conn.execute("SELECT id, importance, confidence FROM memory_entries WHERE rowid = ?",
                                   (target,)).fetchone()
                conn.execute("UPDATE memory_entries SET importance = ?, confidence = ?, updated_at = ? WHERE rowid = ?",
                             (max(row["importance"], fact.importance),
                              min(1 - (1 - row["confidence"]) * (1 - fact.confidence), 0.999), now, target))
                entry_id = row["id"]
                merged += 1
            else:
                entry_id = uuid.uuid4().hex
                cur = conn.execute(
                    "INSERT INTO memory_entries (id, tenant_id, flow_id, session_id, content, memory_type, importance, "
                    "confidence, embedding, embedding_model, created_at) VALUES (?, ?, ?, '', ?, 'semantic', ?, ?, ?, ?, ?)",
                    (entry_id, tenant, flow, fact.content, fact.importance, fact.confidence,
                     emb.pack(vector) if vector is not None else None,
                     embedder.name if vector is not None and not isinstance(embedder, emb.Unavailable) else None, now))
                batch.append((int(cur.lastrowid or 0), vector, words, names))
                stored += 1
            conn.execute("INSERT OR IGNORE INTO memory_fact_sources (tenant_id, flow_id, entry_id, session_id) "
                         "VALUES (?, ?, ?, ?)", (tenant, flow, entry_id, session))
    if stored:
        srch.changed(db, tenant, (flow,))
    note = f"{len(turns)} turn(s) read: {stored} fact(s) stored, {merged} merged"
    if notes:
        note += "; " + "; ".join(notes)
    _status(db, key, DONE, note)
    return {"stored": stored, "merged": merged, "note": note}


class Consolidator:
    """One background thread that consolidates ended sessions of one database, in order."""

    def __init__(self, db: Database, *, extractor: ext.Extractor | None = None,
                 embedder: emb.Embedder | emb.Unavailable | None = None) -> None:
        self.db = db
        self.extractor = extractor
        self.embedder = embedder
        self._queue: queue.Queue[tuple[str, str, str] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._started = False
        self._waiting: set[tuple[str, str, str]] = set()  # queued, not yet started

    def submit(self, tenant: str, flow: str, session: str) -> None:
        """Run the consolidation of an (already enqueued) session soon."""
        self._start()
        self._put((tenant, flow, session))

    def _put(self, key: tuple[str, str, str]) -> None:
        with self._lock:
            if key in self._waiting:
                return
            self._waiting.add(key)
        self._queue.put(key)

    def _start(self) -> None:
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
            with self.db.lock:
                left = [(r[0], r[1], r[2]) for r in self.db.conn.execute(
                    "SELECT tenant_id, flow_id, session_id FROM memory_sessions WHERE consolidation IN (?, ?) "
                    "ORDER BY ended_at", (ENQUEUED, RUNNING)).fetchall()]
            self._thread = threading.Thread(target=self._work, name="memory-consolidation", daemon=True)
            self._thread.start()
        for key in left:  # enqueued by a process that stopped before it ran them
            self._put(key)

    def resume_pending(self) -> None:
        """Expire old turns; start the worker when sessions were left enqueued (it picks them up)."""
        expire_turns(self.db)
        with self.db.lock:
            left = self.db.conn.execute("SELECT 1 FROM memory_sessions WHERE consolidation IN (?, ?) LIMIT 1",
                                        (ENQUEUED, RUNNING)).fetchone()
        if left:
            self._start()

    def _work(self) -> None:
        while True:
            key = self._queue.get()
            try:
                if key is None:
                    return
                with self._lock:
                    self._waiting.discard(key)
                try:
                    consolidate(self.db, *key, extractor=self.extractor, embedder=self.embedder)
                except Exception as exc:  # noqa: BLE001 — recorded on the session, never raised
                    try:
                        _status(self.db, key, FAILED, f"consolidation failed: {exc}")
                    except Exception:  # noqa: BLE001
                        pass
            finally:
                self._queue.task_done()
            try:
                expire_turns(self.db)
            except Exception:  # noqa: BLE001 — a closed database: the next job records its failure
                pass

    def drain(self) -> None:
        """Wait until every submitted session is consolidated."""
        if self._started:
            self._queue.join()

    def close(self) -> None:
        """Finish what was submitted, then stop the thread (before the database closes)."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()
