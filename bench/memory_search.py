"""Agent memory search latency: p50 / p99 of hybrid search at 1k, 10k and 100k memories in one flow.

The memories are real rows in a real SQLite data dir (FTS5 index, embeddings as stored by a write);
to keep setup short, a pool of distinct sentences is embedded once with the configured provider (the
bundled model by default) and the rows reuse those vectors, each row's content made unique by a
suffix. Each size reports the first search (it builds the scope's in-memory vector cache: cold) and
then ``--queries`` searches with different queries (warm; the query embedding included), and the
bytes the in-memory vector index then holds (int8-quantised, runtime/memory/vectors.py).
Run: ``.venv/bin/python bench/memory_search.py [--sizes 1000,10000,100000] [--queries 200]``.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from axiom_ide.runtime.memory import embedding as emb
from axiom_ide.runtime.memory import search as srch
from axiom_ide.runtime.store.db import open_database

SUBJECTS = ["User", "The customer", "Our team", "The admin", "The billing service", "The mobile app"]
VERBS = ["prefers", "exports", "needs", "avoids", "stores", "reviews", "schedules", "downloads"]
OBJECTS = ["CSV reports", "JSON exports", "dark mode", "weekly invoices", "PDF receipts", "audit logs",
           "email digests", "API keys", "backup snapshots", "timezone settings", "SSO logins", "usage quotas"]
WHEN = ["every Monday", "at night", "before deadlines", "on request", "after each release", "monthly"]
QUERIES = ["what file types can I download", "how does the user like the interface to look",
           "when are invoices sent", "security and sign-in", "how often are backups taken",
           "limits on usage", "which format for spreadsheets", "notifications by mail"]


def pool(n: int, rng: random.Random) -> list[str]:
    out: set[str] = set()
    while len(out) < n:
        out.add(f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(WHEN)}.")
    return sorted(out)


def fill(db, size: int, sentences: list[str], vectors: list[bytes], name: str, rng: random.Random) -> None:
    now = time.time()
    rows = []
    for i in range(size):
        k = rng.randrange(len(sentences))
        rows.append((uuid.uuid4().hex, "bench", "flow", "", f"{sentences[k]} (ref {i})", "semantic",
                     round(rng.random(), 2), 1.0, vectors[k], name, now - rng.random() * 90 * 86400))
    with db.transaction() as conn:
        conn.executemany(
            "INSERT INTO memory_entries (id, tenant_id, flow_id, session_id, content, memory_type, importance, "
            "confidence, embedding, embedding_model, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    srch.changed(db)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(p / 100 * (len(ordered) - 1)), len(ordered) - 1)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--pool", type=int, default=400, help="distinct sentences embedded for the rows")
    args = ap.parse_args()
    embedder = emb.resolve()
    if isinstance(embedder, emb.Unavailable):
        print(f"embeddings unavailable ({embedder}): measuring keyword search only")
        name, vectors, sentences = "none", [], pool(args.pool, random.Random(1))
    else:
        rng = random.Random(1)
        sentences = pool(args.pool, rng)
        started = time.perf_counter()
        vectors = [emb.pack(v) for v in embedder.embed_passages(sentences)]
        per = (time.perf_counter() - started) * 1000 / len(sentences)
        print(f"embedder {embedder.name}: {per:.1f} ms per passage (batch of {len(sentences)})")
        name = embedder.name
    print(f"{'memories':>9}  {'cold ms':>8}  {'p50 ms':>7}  {'p99 ms':>7}  {'cache bytes':>12}  method")
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(Path(tmp))
            try:
                srch.ensure_fts(db)
                rng = random.Random(size)
                fill(db, size, sentences, vectors or [None] * len(sentences), name, rng)  # type: ignore[list-item]
                t = time.perf_counter()
                body = srch.search(db, "bench", "flow", "", QUERIES[0], 5, embedder)
                cold = (time.perf_counter() - t) * 1000
                times = []
                for i in range(args.queries):
                    query = f"{QUERIES[i % len(QUERIES)]} {i}" if i >= len(QUERIES) else QUERIES[i]
                    t = time.perf_counter()
                    body = srch.search(db, "bench", "flow", "", query, 5, embedder)
                    times.append((time.perf_counter() - t) * 1000)
                print(f"{size:>9}  {cold:>8.1f}  {statistics.median(times):>7.1f}  {pct(times, 99):>7.1f}  "
                      f"{srch.cache_bytes():>12,}  {body['method']}")
            finally:
                srch.forget(db)
                db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
