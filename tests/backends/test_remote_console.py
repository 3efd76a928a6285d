"""RemoteConsole against a real ``serve`` subprocess: a key minted through it authenticates an
invoke and fails after revoke; secrets are listed by name only, an existing name needs ``replace``;
a bad key is a 401 shown as such; the pages the remote does not offer yet refuse clearly; the
Memory page's calls browse, search, end and delete over ``/api/memory/...``."""
from __future__ import annotations

import os

import httpx
import live_server as server_live
import pytest

from axiom_ide.backends.remote import RemoteBackend
from axiom_ide.runtime.errors import AxiomError

live = server_live.live_fixture("remote-console")


def test_keys_and_secrets_through_the_remote(live, aio):
    backend = RemoteBackend(live.origin, live.key)
    console = backend.console
    graph_id = live.compile("hello")

    async def go():
        raw, key = await console.create_key("remote-ci")
        listed = [k for k in await console.list_keys() if k.name == "remote-ci"]
        return raw, key, listed

    raw, key, listed = aio(go())
    assert len(raw) == 64 and key.masked == f"{raw[:8]}…{raw[-4:]}"
    assert [k.masked for k in listed] == [key.masked] and listed[0].last_used is None
    invoke = lambda: httpx.post(f"{live.origin}/invocations/v1/flows/invoke",  # noqa: E731
                                headers={"Authorization": f"Bearer {raw}"},
                                json={"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True}, timeout=30)
    assert invoke().status_code == 202
    with pytest.raises(AxiomError, match="remote-ci"):
        aio(console.create_key("remote-ci"))
    assert aio(console.revoke_key("remote-ci")) is True
    assert invoke().status_code == 401
    assert aio(console.revoke_key("remote-ci")) is False  # a 404: no active key of that name

    assert aio(console.set_secret("TOKEN", "one")) is False
    with pytest.raises(AxiomError, match="I understand, replace it"):
        aio(console.set_secret("TOKEN", "two"))
    assert aio(console.set_secret("TOKEN", "two", replace=True)) is True
    rows = aio(console.list_secrets())
    assert [r["name"] for r in rows] == ["TOKEN"] and "two" not in str(rows)
    aio(console.delete_secret("TOKEN"))
    assert aio(console.list_secrets()) == []
    usage = aio(console.usage())  # limits off: the numbers, no quotas
    assert usage.executions >= 1 and len(usage.days) == 30 and usage.quotas is None
    aio(backend.close())


def test_configs_through_the_remote(live, aio):
    backend = RemoteBackend(live.origin, live.key)
    console = backend.console
    assert aio(console.effective("hello")) == (300.0, ())
    made = aio(console.create_config("", flow_name="hello", node_timeout_seconds=7))
    assert (made.name, made.flow_name, made.node_timeout_seconds) == ("default", "hello", 7)
    assert aio(console.effective("hello")) == (7.0, ())
    with pytest.raises(AxiomError, match='a config named "default" already exists for flow "hello"'):
        aio(console.create_config("default", flow_name="hello", node_timeout_seconds=8))
    aio(console.create_config("fast", flow_name="hello", node_timeout_seconds=3, secret_overrides={"TOKEN": "x"}))
    with pytest.raises(AxiomError, match='"default" already exists'):  # a refused rename saves nothing
        aio(console.update_config("fast", flow_name="hello", new_name="default", node_timeout_seconds=5))
    with pytest.raises(AxiomError, match="between 1 and 3600"):
        aio(console.update_config("fast", flow_name="hello", new_name="quick", node_timeout_seconds=9999))
    assert [(c.name, c.node_timeout_seconds) for c in aio(console.list_configs("hello"))] == [("default", 7),
                                                                                             ("fast", 3)]
    edited = aio(console.update_config("fast", flow_name="hello", new_name="quick", remove_overrides=("TOKEN",)))
    assert (edited.name, edited.secret_overrides) == ("quick", ())
    aio(console.set_config("default", flow_name="", node_timeout_seconds=42))  # the tenant default, upserted
    aio(console.set_config("default", flow_name="", node_timeout_seconds=43))
    assert aio(console.effective("")) == (43.0, ())
    assert aio(console.delete_config("quick", flow_name="hello")) is True
    assert aio(console.delete_config("quick", flow_name="hello")) is False
    for name, flow in (("default", "hello"), ("default", "")):
        aio(console.delete_config(name, flow_name=flow))
    aio(backend.close())



def test_a_refusing_remote_is_shown_as_such(live, aio):
    backend = RemoteBackend(live.origin, "0" * 64)
    with pytest.raises(AxiomError) as info:
        aio(backend.console.list_keys())
    assert "401" in info.value.message or "unauthorized" in info.value.message.lower()
    aio(backend.close())


def test_memory_through_the_remote(live, aio):
    """The Memory page's calls over ``/api/memory/...``: the same records LocalConsole returns."""
    from axiom_ide.runtime.store.db import open_database
    from axiom_ide.runtime.store.memory import SqliteMemory

    db = open_database(live.data_dir)
    try:
        m = SqliteMemory(db)
        for role, text in (("user", "Which formats?"), ("assistant", "CSV and JSON.")):
            m.call_sync("local", "remote-chat", "history_append", {"session_id": "s-1", "role": role, "content": text})
        m.call_sync("local", "remote-chat", "write", {"content": "User prefers CSV exports.", "importance": 0.6})
    finally:
        db.close()
    backend = RemoteBackend(live.origin, live.key)
    console = backend.console
    flows = aio(console.memory_flows())
    assert [(f["flow_id"], f["sessions"]) for f in flows if f["flow_id"] == "remote-chat"] == [("remote-chat", 1)]
    sessions = aio(console.memory_sessions("remote-chat"))
    assert [(s["session_id"], s["turns"]) for s in sessions] == [("s-1", 2)]
    body = aio(console.memory_session("s-1", "remote-chat"))
    assert [(t["role"], t["content"]) for t in body["turns"]] == [("user", "Which formats?"),
                                                                  ("assistant", "CSV and JSON.")]
    found = aio(console.memory_search("remote-chat", "CSV exports"))
    assert [r["content"] for r in found["results"]] == ["User prefers CSV exports."]
    assert found["results"][0]["score"] > 0 and found["method"] == "hybrid"
    assert aio(console.memory_end("s-1", "remote-chat")) is True
    assert aio(console.memory_session("s-1", "remote-chat"))["ended_at"] is not None
    assert aio(console.memory_delete_session("s-1", "remote-chat")) == 2
    assert aio(console.memory_session("s-1", "remote-chat")) is None
    assert aio(console.memory_end("s-1", "remote-chat")) is False
    assert aio(console.memory_delete_flow("remote-chat")) == 1
    assert [f for f in aio(console.memory_flows()) if f["flow_id"] == "remote-chat"] == []
    aio(backend.close())


def test_usage_through_a_limited_remote_shows_the_quota_meters(tmp_path, aio, qtbot):
    """``serve --limits platform``: /api/usage carries today's quota use (2,000 invocations, 500
    executions a day); the Usage page shows the meters with the used/limit numbers after real runs."""
    import time

    from axiom_ide.app.console.usage import UsagePage

    server = server_live.start_server(tmp_path, "--limits", "platform")
    backend = RemoteBackend(server.origin, server.key)
    try:
        graph_id = server.compile("hello")
        for name in ("Ada", "Bo"):
            r = httpx.post(f"{server.origin}/invocations/v1/flows/invoke", headers=server.headers(),
                           json={"graph_id": graph_id, "input": {"name": name}, "wait": True}, timeout=30)
            assert r.status_code == 202
        body = httpx.get(f"{server.origin}/api/usage", headers=server.headers(), timeout=30).json()
        assert body["quotas"] == {"invocations": {"used": 2, "limit": 2000}, "executions": {"used": 2, "limit": 500}}
        assert 0 < body["resets_in_seconds"] <= 86400
        today = time.strftime("%Y-%m-%d", time.gmtime())
        assert body["days"][-1] == {"day": today, "total": 2, "succeeded": 2, "failed": 0}
        usage = aio(backend.console.usage())
        assert usage.quotas == {"invocations": (2, 2000), "executions": (2, 500)}

        def call(fn, ok, _err):  # the page's bridge call, run here on the remote backend
            ok(aio(fn(backend)))

        page = UsagePage(call)
        qtbot.addWidget(page)
        page.show()
        page.refresh()
        assert page.executions.text() == "2" and page.quotas.isVisible()
        assert page.quotas.texts["invocations"].text() == "2 / 2,000"
        assert page.quotas.texts["executions"].text() == "2 / 500"
        assert page.quotas.bars["executions"].value() == 2 and page.quotas.bars["executions"].maximum() == 500
        if os.environ.get("AXIOM_SCREENSHOT_DIR"):
            page.resize(1280, 720)
            page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "console_usage_quotas.png"))
    finally:
        aio(backend.close())
        server_live.stop_server(server)
