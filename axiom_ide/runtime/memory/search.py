"""Hybrid memory search: keyword (SQLite FTS5 BM25) + semantic (embedding cosine), fused and weighted.

For one scope (tenant, flow, session — ``""`` for flow-scoped entries):

1. **keyword**: the query's words OR-ed in an FTS5 ``MATCH`` over ``memory_fts`` (kept in step with
   ``memory_entries`` by triggers, :func:`ensure_fts`), ranked by ``bm25``; where the SQLite build
   has no FTS5, the same BM25 (k1 = 1.2, b = 0.75) computed here over the scope's rows;
2. **semantic**: the query's embedding against every entry's (:mod:`.embedding`), by cosine; the
   scope's vectors are held in memory int8-quantised, in the process's byte-budgeted LRU
   (:class:`_VectorCache`, :mod:`.vectors`), and rows without a vector of the current model are
   embedded when the cache is (re)built — the lazy backfill;
3. **relevance** = reciprocal rank fusion of the two lists, the semantic one weighed by how far
   the cosine is above the model's ``baseline`` (the cosine of unrelated texts):
   ``1 / (60 + keyword_rank) + w / (60 + semantic_rank)`` with ``w = (cos − baseline) / (1 − baseline)``
   (an entry absent from a list, or at or under the baseline, adds nothing there; ranks from 1; the
   top :data:`CANDIDATES` of each list take part) — an entry neither list finds is no result;
4. **score** = ``relevance × (0.5 + 0.5 × importance) × (0.25 + 0.75 × 0.5 ^ (age_days / 30))``:
   importance (0–1) scales a match by up to half, and recency halves the second factor every 30
   days down to a floor of a quarter — so an old low-importance match ranks below a fresh important
   one, while a strong match stays findable however old.

``method`` is ``hybrid``, or :func:`~.embedding.keyword_method` (with the reason) when no embedding
provider answers; ``latency_ms`` is the query's wall time.
"""
from __future__ import annotations

import itertools
import math
import re
import sqlite3
import threading
import time
import weakref
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from axiom_ide.runtime.memory import embedding as emb
from axiom_ide.runtime.memory.vectors import CACHE, QuantisedVectors

if TYPE_CHECKING:
    from axiom_ide.runtime.store.db import Database

_WORD = re.compile(r"\w+", re.UNICODE)
RRF_K = 60
CANDIDATES = 50
HALF_LIFE_DAYS = 30.0

_FTS_DDL = (
    ("CREATE VIRTUAL TABLE memory_fts USING fts5(content, content='memory_entries', content_rowid='rowid', "
    "tokenize='unicode61 remove_diacritics 2')"),
    ("CREATE TRIGGER IF NOT EXISTS memory_fts_ai AFTER INSERT ON memory_entries BEGIN "
    "INSERT INTO memory_fts (rowid, content) VALUES (new.rowid, new.content); END"),
    ("CREATE TRIGGER IF NOT EXISTS memory_fts_ad AFTER DELETE ON memory_entries BEGIN "
    "INSERT INTO memory_fts (memory_fts, rowid, content) VALUES ('delete', old.rowid, old.content); END"),
    ("CREATE TRIGGER IF NOT EXISTS memory_fts_au AFTER UPDATE OF content ON memory_entries BEGIN "
    "INSERT INTO memory_fts (memory_fts, rowid, content) VALUES ('delete', old.rowid, old.content); "
    "INSERT INTO memory_fts (rowid, content) VALUES (new.rowid, new.content); END"),
    "INSERT INTO memory_fts (memory_fts) VALUES ('rebuild')",
)
_TOKENS = itertools.count(1)


class _DbState:
    """What this process knows about one open database's memory tables."""

    def __init__(self) -> None:
        self.fts: bool | None = None  # None: not checked yet
        self.generation = 0  # bumped by every writer here (:func:`changed`) that names no flow
        #: Bumped per (tenant,) and (tenant, flow) by the writers that name them (:func:`changed`).
        self.generations: dict[tuple[str, ...], int] = {}
        #: Names this database in the vector cache's keys: (token, model, tenant, flow, session).
        self.token = next(_TOKENS)


_STATE: weakref.WeakKeyDictionary[Any, _DbState] = weakref.WeakKeyDictionary()
_STATE_LOCK = threading.RLock()


def _state(db: Database) -> _DbState:
    with _STATE_LOCK:
        state = _STATE.get(db)
        if state is None:
            state = _STATE[db] = _DbState()
        return state


def ensure_fts(db: Database) -> bool:
    """Create the FTS5 index of memory contents once per database (and fill it); False without FTS5."""
    state = _state(db)
    with _STATE_LOCK:
        if state.fts is not None:
            return state.fts
        with db.lock:
            exists = db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'memory_fts'").fetchone()
        ok = True
        if not exists:
            try:
                with db.transaction() as conn:
                    for statement in _FTS_DDL:
                        conn.execute(statement)
            except sqlite3.OperationalError:  # no FTS5 in this SQLite: BM25 in Python instead
                ok = False
        state.fts = ok
        return ok


def forget(db: Database) -> None:
    """Drop what is cached about ``db`` (it is being closed)."""
    with _STATE_LOCK:
        state = _STATE.pop(db, None)
    if state is not None:
        CACHE.evict(lambda key: key[0] == state.token)


def terms(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def score(relevance: float, importance: float, age_days: float) -> float:
    """The documented combination of relevance, importance and recency (module docstring, step 4)."""
    importance = min(max(importance, 0.0), 1.0)
    recency = 0.25 + 0.75 * 0.5 ** (max(age_days, 0.0) / HALF_LIFE_DAYS)
    return relevance * (0.5 + 0.5 * importance) * recency


_SCOPE = "tenant_id = ? AND flow_id = ? AND session_id = ?"


def _keyword(db: Database, scope: tuple[str, str, str], words: list[str], fts: bool) -> list[int]:
    """Row ids of the scope's keyword matches, best first."""
    if not words:
        return []
    if fts:
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in dict.fromkeys(words))
        with db.lock:
            rows = db.conn.execute(
                "SELECT e.rowid FROM memory_fts JOIN memory_entries e ON e.rowid = memory_fts.rowid "
                f"WHERE memory_fts MATCH ? AND e.{_SCOPE.replace(' AND ', ' AND e.')} "
                "ORDER BY bm25(memory_fts) LIMIT ?", (match, *scope, CANDIDATES)).fetchall()
        return [r[0] for r in rows]
    with db.lock:
        rows = db.conn.execute(f"SELECT rowid, content FROM memory_entries WHERE {_SCOPE}", scope).fetchall()
    docs = [(r[0], Counter(terms(r[1]))) for r in rows]
    if not docs:
        return []
    avg = sum(sum(c.values()) for _, c in docs) / len(docs) or 1.0
    query = set(words)
    df = {w: sum(1 for _, c in docs if w in c) for w in query}
    scored = []
    for rowid, counts in docs:
        length = sum(counts.values())
        s = 0.0
        for w in query:
            tf = counts.get(w, 0)
            if tf:
                idf = math.log(1 + (len(docs) - df[w] + 0.5) / (df[w] + 0.5))
                s += idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * length / avg))
        if s > 0:
            scored.append((s, rowid))
    scored.sort(reverse=True)
    return [rowid for _, rowid in scored[:CANDIDATES]]


class _VectorCache:
    """The embeddings of one scope, in memory (int8, :mod:`.vectors`), rebuilt when the scope's rows
    change; kept in the process's LRU (:data:`.vectors.CACHE`) while its byte budget allows."""

    def __init__(self, stamp: tuple, rowids: np.ndarray, vectors: QuantisedVectors) -> None:
        self.stamp, self.rowids, self.vectors = stamp, rowids, vectors

    @property
    def nbytes(self) -> int:
        return int(self.rowids.nbytes) + self.vectors.nbytes

    @classmethod
    def get(cls, db: Database, scope: tuple[str, str, str], embedder: emb.Embedder) -> _VectorCache:
        state = _state(db)
        key = (state.token, embedder.name, *scope)
        with db.lock:
            count, top = db.conn.execute(f"SELECT COUNT(*), MAX(rowid) FROM memory_entries WHERE {_SCOPE}",
                                         scope).fetchone()
            stamp = (*_generations(state, scope), db.conn.execute("PRAGMA data_version").fetchone()[0], count, top)
        cached = CACHE.get(key)
        if cached is not None and cached.stamp == stamp:
            return cached
        backfill(db, scope, embedder)
        with db.lock:
            rows = db.conn.execute(f"SELECT rowid, embedding FROM memory_entries WHERE {_SCOPE} AND "
                                   "embedding_model = ?", (*scope, embedder.name)).fetchall()
            stamp = (*_generations(state, scope), db.conn.execute("PRAGMA data_version").fetchone()[0], *stamp[-2:])
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        fresh = cls(stamp, rowids, QuantisedVectors.from_blobs([r[1] for r in rows]))
        CACHE.put(key, fresh)
        return fresh

    def nearest(self, query: list[float]) -> list[tuple[int, float]]:
        """The scope's :data:`CANDIDATES` best rows for ``query``: (rowid, cosine), best first."""
        if not len(self.rowids):
            return []
        return [(int(self.rowids[i]), s) for i, s in self.vectors.top(query, CANDIDATES)]


def _generations(state: _DbState, scope: tuple[str, str, str]) -> tuple[int, int, int]:
    """The write counters a scope's cached vectors are stamped with: the database's, its tenant's, its flow's."""
    tenant, flow = scope[0], scope[1]
    with _STATE_LOCK:
        return (state.generation, state.generations.get((tenant,), 0), state.generations.get((tenant, flow), 0))


def changed(db: Database, tenant: str | None = None, flows: Iterable[str] | None = None) -> None:
    """Memory rows of ``db`` were written or deleted here — of ``flows`` (stored ``flow_id`` values)
    of ``tenant``, of every flow of ``tenant`` when ``flows`` is None, of anything when ``tenant``
    is None: those cached vectors are stale, and go now (not at the next search) so they hold no
    memory meanwhile. Other flows' vectors stay cached."""
    names = frozenset(flows) if flows is not None else None
    with _STATE_LOCK:
        state = _state(db)
        if tenant is None:
            state.generation += 1
        elif names is None:
            state.generations[(tenant,)] = state.generations.get((tenant,), 0) + 1
        else:
            for flow in names:
                state.generations[(tenant, flow)] = state.generations.get((tenant, flow), 0) + 1
    token = state.token

    def stale(key: Any) -> bool:  # search.py's keys: (token, model, tenant, flow, session)
        if key[0] != token or (tenant is not None and key[2] != tenant):
            return False
        return names is None or key[3] in names

    CACHE.evict(stale)


def cached_scopes(db: Database) -> list[tuple[str, str, str, str]]:
    """The (model, tenant, flow, session) whose vectors of ``db`` are held now, least recently used first."""
    token = _state(db).token
    return [key[1:] for key in CACHE.keys() if key[0] == token]


def cache_bytes() -> int:
    """The bytes the process's memory vector indexes hold now (bench/memory_search.py prints it)."""
    return CACHE.nbytes


def backfill(db: Database, scope: tuple[str, str, str], embedder: emb.Embedder, batch: int = 64) -> int:
    """Embed the scope's rows that have no vector of ``embedder``'s model; returns how many."""
    with db.lock:
        rows = db.conn.execute(f"SELECT rowid, content FROM memory_entries WHERE {_SCOPE} AND "
                               "(embedding_model IS NULL OR embedding_model != ?)", (*scope, embedder.name)).fetchall()
    for i in range(0, len(rows), batch):
        chunk = rows[i:i + batch]
        vectors = embedder.embed_passages([r[1] for r in chunk])
        with db.transaction() as conn:
            conn.executemany("UPDATE memory_entries SET embedding = ?, embedding_model = ? WHERE rowid = ?",
                             [(emb.pack(v), embedder.name, r[0]) for v, r in zip(vectors, chunk, strict=True)])
    if rows:
        changed(db, scope[0], (scope[1],))
    return len(rows)


def search(db: Database, tenant: str, flow: str, session: str, query: str, limit: int = 5,
           embedder: emb.Embedder | emb.Unavailable | None = None, now: float | None = None) -> dict[str, Any]:
    """The scope's entries ranked for ``query``: ``{"entries", "method", "latency_ms"}``."""
    started = time.perf_counter()
    scope = (tenant, flow, session)
    if embedder is None:
        embedder = emb.resolve()
    words = terms(query)
    keyword = _keyword(db, scope, words, ensure_fts(db))
    semantic: list[tuple[int, float]] = []
    method = "hybrid"
    if isinstance(embedder, emb.Unavailable):
        method = emb.keyword_method(embedder)
    else:
        try:
            cache = _VectorCache.get(db, scope, embedder)
            semantic = cache.nearest(embedder.embed_query(query)) if len(cache.rowids) else []
        except emb.Unavailable as exc:
            method = emb.keyword_method(exc)
    relevance: dict[int, float] = {}
    for rank, rowid in enumerate(keyword, 1):
        relevance[rowid] = relevance.get(rowid, 0.0) + 1.0 / (RRF_K + rank)
    if semantic and not isinstance(embedder, emb.Unavailable):
        base = float(getattr(embedder, "baseline", 0.0))
        weighed = [(rowid, (sim - base) / (1.0 - base)) for rowid, sim in semantic if sim > base]
        for rank, (rowid, weight) in enumerate(weighed, 1):
            relevance[rowid] = relevance.get(rowid, 0.0) + min(weight, 1.0) / (RRF_K + rank)
    entries: list[dict[str, Any]] = []
    if relevance:
        marks = ",".join("?" * len(relevance))
        with db.lock:
            rows = db.conn.execute(
                f"SELECT rowid, id, content, session_id, memory_type, importance, confidence, created_at "
                f"FROM memory_entries WHERE rowid IN ({marks})", list(relevance)).fetchall()
        now = time.time() if now is None else now
        for r in rows:
            s = score(relevance[r["rowid"]], float(r["importance"]), (now - r["created_at"]) / 86400.0)
            entries.append({
                "id": r["id"], "content": r["content"], "scope_level": "session" if r["session_id"] else "flow",
                "memory_type": r["memory_type"], "importance": r["importance"], "confidence": r["confidence"],
                "score": s, "created_at": int(r["created_at"] * 1000)})
        entries.sort(key=lambda e: (e["score"], e["created_at"]), reverse=True)
        for e in entries:
            e["score"] = round(e["score"], 4)
    return {"entries": entries[:max(int(limit), 0)], "method": method,
            "latency_ms": round((time.perf_counter() - started) * 1000.0, 3)}
