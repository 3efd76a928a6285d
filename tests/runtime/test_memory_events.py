"""Memory events: a node's ``ax.agent.memory`` calls, run in a real node host process, land in its
execution's event log as MEMORY_WRITE / MEMORY_READ / MEMORY_SEARCH (with the search results), and
the node's ``session.end()`` consolidates the session in the background."""
from __future__ import annotations

import pytest
from engine_support import compile_file
from memory_support import add_chat_flow


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_memory_calls_are_events_of_the_execution(example_workspace, make_runtime, tmp_path, aio):
    ws = example_workspace
    add_chat_flow(ws)
    rt = make_runtime(tmp_path / "data")
    artifact = compile_file(ws / "flows" / "chat.flow.yaml", ws, store=rt._artifacts)
    outcome = aio(rt.run(artifact, {"session_id": "user/42 ü", "text": "I prefer JSON exports."}, timeout=60))
    assert outcome.success, outcome.error
    assert outcome.output == {"text": "1|''|Exports are available as CSV or JSON spreadsheets."}

    memory = [e for e in rt.execution_events(outcome.execution_id) if e.type.startswith("MEMORY_")]
    assert [(e.type, e.node, e.data["op"]) for e in memory] == [
        ("MEMORY_WRITE", "agent", "history_append"), ("MEMORY_READ", "agent", "history_last"),
        ("MEMORY_WRITE", "agent", "write"), ("MEMORY_WRITE", "agent", "write"),
        ("MEMORY_SEARCH", "agent", "search"), ("MEMORY_WRITE", "agent", "session_end")]
    append, last, write, huge, search, end = (e.data for e in memory)
    assert append["summary"] == "history.append user in session user/42 ü: I prefer JSON exports."
    assert (last["turns"], last["summary"]) == (1, "history.last(20) in session user/42 ü → 1 turn(s)")
    assert write["id"] and write["importance"] == 0.8
    assert huge["error"] == ("content is 40000 characters long; at most 32768 are allowed in one memory entry "
                             "or turn")
    assert len(huge["content"]) == 200 and "id" not in huge
    assert search["method"] == "hybrid" and search["latency_ms"] > 0
    assert search["results"][0]["content"] == "Exports are available as CSV or JSON spreadsheets."
    assert search["results"][0]["id"] == write["id"] and search["results"][0]["score"] > 0
    assert search["summary"].startswith('search "what file types can I download" → ')
    assert end["summary"] == "session.end in session user/42 ü: consolidation enqueued"

    inspector = rt.memory_inspector()
    inspector.memory.consolidator.drain()
    body = inspector.session("local", "user/42 ü", "chat")
    assert body["consolidation"]["status"] == "done"
    assert [m["content"] for m in body["memories"]] == ["User prefers JSON exports."]
