"""Flow ids in the documented ULID form (guides/inspect-agent-memory: ``01JX4Q4VJ4N4CW9V1T08CYJWWG``):
derived per tenant and flow, what node code's memory is keyed by (a real node host run), accepted
beside the flow's name by the memory inspector, and memory kept under a flow name before ids moves to
the id when the database is upgraded."""
from __future__ import annotations

import re

import pytest
from engine_support import compile_file
from memory_support import add_chat_flow

from axiom_ide.runtime.flow_ids import flow_id, flow_keys, is_flow_id
from axiom_ide.runtime.store.db import MIGRATIONS, open_database
from axiom_ide.runtime.store.memory import SqliteMemory
from axiom_ide.runtime.store.memory_inspect import MemoryInspector

ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")


def test_a_flow_id_is_ulid_form_stable_and_per_tenant_and_flow():
    chat = flow_id("local", "chat")
    assert ULID.fullmatch(chat) and is_flow_id(chat)
    assert flow_id("local", "chat") == chat  # every machine, run and compile
    assert len({chat, flow_id("acme", "chat"), flow_id("local", "chat2")}) == 3
    assert flow_id("local", "") == ""  # memory written outside a flow
    assert not is_flow_id("chat") and not is_flow_id(chat.lower())  # flow names are lower-case
    assert flow_keys("local", chat) == (chat,)
    assert flow_keys("local", "chat") == (chat, "chat")
    assert flow_keys("local", "") == ("",)


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_node_memory_is_keyed_by_the_flow_id_and_found_by_id_or_name(example_workspace, make_runtime, tmp_path, aio):
    add_chat_flow(example_workspace)
    rt = make_runtime(tmp_path / "data")
    artifact = compile_file(example_workspace / "flows" / "chat.flow.yaml", example_workspace, store=rt._artifacts)
    outcome = aio(rt.run(artifact, {"session_id": "s-1", "text": "I prefer JSON exports."}, timeout=60))
    assert outcome.success, outcome.error
    chat = flow_id("local", "chat")
    inspector = rt.memory_inspector()
    inspector.memory.consolidator.drain()
    assert [f["flow_id"] for f in inspector.flows("local")] == [chat]
    for flow in (chat, "chat"):
        assert [s["session_id"] for s in inspector.sessions("local", flow)] == ["s-1"]
        found = inspector.search("local", flow, "what file types can I download")["results"]
        assert found and found[0]["content"] == "Exports are available as CSV or JSON spreadsheets."
        session = inspector.session("local", "s-1", flow)
        assert session is not None and {t["flow_id"] for t in session["turns"]} == {chat}
    assert inspector.sessions("local", flow_id("local", "other")) == []
    assert inspector.delete_flow("local", "chat") > 0  # by name: the id's rows go
    assert inspector.flows("local") == []


def test_memory_kept_under_a_flow_name_moves_to_its_id_on_upgrade(tmp_path):
    db = open_database(tmp_path)
    try:  # rows as a runtime before flow ids wrote them, then the schema set back before the migration
        memory = SqliteMemory(db)
        memory.call_sync("local", "chat", "history_append", {"session_id": "s-1", "role": "user", "content": "hi"})
        memory.call_sync("local", "chat", "session_write", {"session_id": "s-1", "content": "User says hi."})
        memory.call_sync("acme", "chat", "write", {"content": "Acme fact."})
        memory.call_sync("local", "", "write", {"content": "No flow."})
        memory.call_sync("local", "chat", "session_end", {"session_id": "s-1"})
        memory.close()
    finally:
        db.close()
    db = open_database(tmp_path)
    try:  # the upgrade's migration runs over them (only it: later migrations are not re-runnable)
        db.conn.executescript(next(m for m in MIGRATIONS if "axiom_flow_id(" in m))
        rows = {(r[0], r[1]) for r in db.conn.execute(
            "SELECT tenant_id, flow_id FROM memory_turns UNION SELECT tenant_id, flow_id FROM memory_entries")}
        assert rows == {("local", flow_id("local", "chat")), ("acme", flow_id("acme", "chat")), ("local", "")}
        ended = db.conn.execute("SELECT flow_id FROM memory_sessions").fetchall()
        assert [r[0] for r in ended] == [flow_id("local", "chat")]
        inspector = MemoryInspector(db)
        try:  # node code (ax.flow_id) and the name both find the old memory
            assert [s["session_id"] for s in inspector.sessions("local", flow_id("local", "chat"))] == ["s-1"]
            assert [s["session_id"] for s in inspector.sessions("local", "chat")] == ["s-1"]
        finally:
            inspector.close()
    finally:
        db.close()
