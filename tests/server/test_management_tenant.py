"""Secrets, configs, keys and memory under /api/ on a live server: write-only values, tenant scope."""
from __future__ import annotations

import httpx

from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import SqliteMemory


def test_a_config_renamed_by_patch_and_the_effective_values_after_the_layers(live):
    with live.client() as c, live.client(live.other_key) as other:
        assert c.get("/api/effective-config", params={"flow": "hello"}).json() == {
            "flow": "hello", "node_timeout_seconds": 300, "max_attempts": 1, "secret_overrides": [], "layers": []}
        fast = c.post("/api/configs", json={"flow": "hello", "name": "fast", "node_timeout_seconds": 3}).json()
        default = c.post("/api/configs", json={"flow": "hello", "node_timeout_seconds": 7,
                                               "secret_overrides": {"TOKEN": "v"}}).json()
        tenant = c.post("/api/configs", json={"node_timeout_seconds": 60}).json()
        r = c.patch(f"/api/configs/{fast['id']}", json={"rename": "default", "node_timeout_seconds": 5})
        assert (r.status_code, r.json()) == (409, {"error": "already_exists",
                                                   "message": 'a config named "default" already exists for flow "hello"'})
        assert c.get(f"/api/configs/{fast['id']}").json()["node_timeout_seconds"] == 3  # nothing half-saved
        r = c.patch(f"/api/configs/{fast['id']}", json={"rename": " ", "node_timeout_seconds": 5})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": "a config needs a name"})
        r = c.patch(f"/api/configs/{fast['id']}", json={"rename": "quick", "node_timeout_seconds": 4})
        assert (r.status_code, r.json()["name"], r.json()["node_timeout_seconds"]) == (200, "quick", 4)
        effective = c.get("/api/effective-config", params={"flow": "hello"}).json()
        assert effective == {"flow": "hello", "node_timeout_seconds": 7, "max_attempts": 1,
                             "secret_overrides": ["TOKEN"], "layers": [tenant["id"], default["id"]]}
        assert "\"v\"" not in str(effective)
        assert c.get("/api/effective-config").json()["node_timeout_seconds"] == 60
        assert other.get("/api/effective-config", params={"flow": "hello"}).json()["node_timeout_seconds"] == 300
        for config in (fast, default, tenant):
            assert c.delete(f"/api/configs/{config['id']}").status_code == 204


def test_usage_counts_the_callers_executions_of_the_last_30_days(live):
    with live.client() as c, live.client(live.other_key) as other:
        before = c.get("/api/usage").json()
        r = c.post("/invocations/v1/flows/invoke", json={"graph_id": live.compile("hello"), "input": {"name": "Ada"},
                                                          "wait": True})
        assert r.status_code == 202, r.text
        after = c.get("/api/usage").json()
        assert len(after["days"]) == 30 and after["days"][0]["day"] < after["days"][-1]["day"]
        assert after["executions"] == before["executions"] + 1 == sum(d["total"] for d in after["days"])
        assert after["succeeded"] == before["succeeded"] + 1 and after["success_rate"] > 0
        assert other.get("/api/usage").json()["executions"] == 0


def test_secrets_set_list_delete_and_values_never_come_back(live):
    with live.client() as c, live.client(live.other_key) as other:
        r = c.put("/api/secrets/OPENAI_KEY", json={"value": "sk-first"})
        assert (r.status_code, r.json()) == (201, {"name": "OPENAI_KEY", "replaced": False})
        r = c.put("/api/secrets/OPENAI_KEY", json={"value": "sk-second"})
        assert (r.status_code, r.json()) == (200, {"name": "OPENAI_KEY", "replaced": True})
        listed = c.get("/api/secrets")
        assert [s["name"] for s in listed.json()["secrets"]] == ["OPENAI_KEY"]
        assert set(listed.json()["secrets"][0]) == {"name", "created_at", "updated_at"}
        assert "sk-" not in listed.text
        assert other.get("/api/secrets").json() == {"secrets": []}
        r = other.delete("/api/secrets/OPENAI_KEY")
        assert (r.status_code, r.json()) == (404, {"error": "secret not found"})
        r = c.put("/api/secrets/bad name", json={"value": "x"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_argument"
        r = c.put("/api/secrets/X", json={"val": "x"})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": '"value" (a string) is required'})
        assert c.delete("/api/secrets/OPENAI_KEY").status_code == 204
        assert c.get("/api/secrets").json() == {"secrets": []}


def test_configs_create_update_delete_with_write_only_overrides(live):
    with live.client() as c, live.client(live.other_key) as other:
        r = c.post("/api/configs", json={"flow": "hello", "name": "load-test", "node_timeout_seconds": 12,
                                         "secret_overrides": {"TOKEN": "override-value"}})
        assert r.status_code == 201, r.text
        created = r.json()
        assert {k: created[k] for k in ("flow", "name", "node_timeout_seconds", "max_attempts", "secret_overrides")} == {
            "flow": "hello", "name": "load-test", "node_timeout_seconds": 12.0, "max_attempts": None,
            "secret_overrides": ["TOKEN"]}
        cid = created["id"]
        r = c.post("/api/configs", json={"flow": "hello", "name": "load-test"})
        assert (r.status_code, r.json()) == (409, {"error": "already_exists",
                                                   "message": 'a config named "load-test" already exists for flow "hello"'})
        tenant_default = c.post("/api/configs", json={"node_timeout_seconds": 60}).json()
        assert (tenant_default["flow"], tenant_default["name"]) == (None, "default")

        r = c.patch(f"/api/configs/{cid}", json={"max_attempts": 3, "remove_overrides": ["TOKEN"],
                                                  "secret_overrides": {"OTHER": "v"}})
        assert r.status_code == 200
        assert (r.json()["node_timeout_seconds"], r.json()["max_attempts"], r.json()["secret_overrides"]) == (
            12.0, 3, ["OTHER"])
        assert c.get(f"/api/configs/{cid}").json() == r.json()
        assert [x["name"] for x in c.get("/api/configs", params={"flow": "hello"}).json()["configs"]] == ["load-test"]
        listing = c.get("/api/configs")
        assert {x["id"] for x in listing.json()["configs"]} == {cid, tenant_default["id"]}
        assert "override-value" not in listing.text and '"v"' not in listing.text

        for bad, message in (({"node_timeout_seconds": 0}, "node_timeout_seconds must be between 1 and 3600"),
                             ({"node_timeout_seconds": "fast"}, "node_timeout_seconds must be a number"),
                             ({"name": "x"}, ("a config's name and flow are not PATCH fields; rename it with \"rename\", "
                                              "or create another config for another flow")),
                             ({"colour": "red"}, "unknown config field(s): colour")):
            r = c.patch(f"/api/configs/{cid}", json=bad)
            assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": message})

        for call in (other.get, other.delete):  # another tenant's config id is "not found"
            r = call(f"/api/configs/{cid}")
            assert (r.status_code, r.json()) == (404, {"error": "config not found"})
        assert other.patch(f"/api/configs/{cid}", json={"max_attempts": 1}).status_code == 404
        assert other.get("/api/configs").json() == {"configs": []}

        assert c.delete(f"/api/configs/{cid}").status_code == 204
        assert c.delete(f"/api/configs/{tenant_default['id']}").status_code == 204
        assert c.get(f"/api/configs/{cid}").status_code == 404


def test_keys_create_list_revoke_for_the_callers_tenant(live):
    with live.client() as c, live.client(live.other_key) as other:
        r = c.post("/api/keys", json={"name": "ci-http"})
        assert r.status_code == 201
        new = r.json()
        assert (new["name"], new["tenant"], new["masked"]) == ("ci-http", "local", f"{new['key'][:8]}…{new['key'][-4:]}")
        listed = c.get("/api/keys")
        rows = {k["name"]: k for k in listed.json()["keys"]}
        assert rows["ci-http"] == {"name": "ci-http", "key": new["masked"], "created_at": new["created_at"],
                                   "last_used": None}
        assert new["key"] not in listed.text
        assert "ci-http" not in {k["name"] for k in other.get("/api/keys").json()["keys"]}
        r = c.post("/api/keys", json={"name": "ci-http"})
        assert (r.status_code, r.json()["error"]) == (409, "already_exists")
        r = c.post("/api/keys", json={})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": '"name" (a string) is required'})

        with httpx.Client(base_url=live.origin, headers={"Authorization": f"Bearer {new['key']}"}) as fresh:
            assert fresh.get("/api/keys").status_code == 200
            r = other.delete("/api/keys/ci-http")  # acme cannot revoke local's key
            assert (r.status_code, r.json()) == (404, {"error": "key not found"})
            assert fresh.delete("/api/keys/ci-http").status_code == 204  # a key may revoke itself
            r = fresh.get("/api/keys")
            assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})
        assert c.delete("/api/keys/ci-http").status_code == 404


def test_reusing_a_revoked_keys_name_keeps_the_revoked_row(live):
    from axiom_ide.runtime.store.apikeys import ApiKeyStore

    with live.client() as c:
        first = c.post("/api/keys", json={"name": "rotated"}).json()
        assert c.delete("/api/keys/rotated").status_code == 204
        r = c.post("/api/keys", json={"name": "rotated"})
        assert r.status_code == 201, r.text
        second = r.json()
        assert [k["name"] for k in c.get("/api/keys").json()["keys"]].count("rotated") == 1
    db = open_database(live.data_dir)
    try:
        rows = [k for k in ApiKeyStore(db).list(include_revoked=True) if k.name == "rotated"]
    finally:
        db.close()
    assert [(k.masked, k.revoked_at is not None) for k in rows] == [(first["masked"], True), (second["masked"], False)]
    assert httpx.get(live.origin + "/api/keys", headers={"Authorization": f"Bearer {first['key']}"}).status_code == 401
    assert httpx.get(live.origin + "/api/keys", headers={"Authorization": f"Bearer {second['key']}"}).status_code == 200


def _seed_memory(live) -> None:
    """What node code writes through ax.agent.memory, for two flows of tenant local and one of acme."""
    db = open_database(live.data_dir)
    try:
        m = SqliteMemory(db)
        m.call_sync("local", "chat", "history_append", {"session_id": "thread-1", "role": "user",
                                                        "content": "What export formats do you support?"})
        m.call_sync("local", "chat", "history_append", {"session_id": "thread-1", "role": "assistant",
                                                        "content": "CSV and JSON are both supported."})
        m.call_sync("local", "chat", "session_write", {"session_id": "thread-1",
                                                       "content": "User works with CSV exports.", "importance": 0.8})
        m.call_sync("local", "chat", "history_append", {"session_id": "thread-2", "role": "user", "content": "hi"})
        m.call_sync("local", "chat", "write", {"content": "Prefers JSON output format", "importance": 0.9})
        m.call_sync("local", "notes", "history_append", {"session_id": "n1", "role": "user", "content": "note"})
        m.call_sync("acme", "chat", "history_append", {"session_id": "thread-1", "role": "user",
                                                       "content": "acme secret plans"})
    finally:
        db.close()


def test_memory_list_show_search_and_delete(live):
    _seed_memory(live)
    with live.client() as c, live.client(live.other_key) as other:
        flows = c.get("/api/memory/flows").json()["flows"]
        assert {(f["flow_id"], f["sessions"]) for f in flows} == {("chat", 2), ("notes", 1)}
        sessions = c.get("/api/memory/flows/chat/sessions").json()["sessions"]
        assert {(s["session_id"], s["turns"], s["entries"]) for s in sessions} == {("thread-1", 2, 1),
                                                                                   ("thread-2", 1, 0)}
        show = c.get("/api/memory/sessions/thread-1", params={"flow": "chat"}).json()
        assert [(t["role"], t["content"]) for t in show["turns"]] == [
            ("user", "What export formats do you support?"), ("assistant", "CSV and JSON are both supported.")]
        assert [(e["content"], e["importance"]) for e in show["memories"]] == [("User works with CSV exports.", 0.8)]
        assert "acme" not in c.get("/api/memory/sessions/thread-1").text

        found = c.get("/api/memory/flows/chat/search", params={"q": "JSON output"}).json()
        assert [r["content"] for r in found["results"]] == ["Prefers JSON output format"]
        assert found["method"] == "hybrid" and found["latency_ms"] >= 0 and 0 < found["results"][0]["score"] < 1
        r = c.get("/api/memory/flows/chat/search")
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": '"q" (the search query) is required: 1 to 4096 characters'})

        assert [f["flow_id"] for f in other.get("/api/memory/flows").json()["flows"]] == ["chat"]
        assert other.get("/api/memory/flows/notes/sessions").json()["sessions"] == []
        assert other.get("/api/memory/flows/chat/search", params={"q": "JSON"}).json()["results"] == []
        r = other.delete("/api/memory/flows/notes")
        assert (r.status_code, r.json()) == (404, {"error": "flow memory not found"})

        r = other.post("/api/memory/sessions/thread-2/end")  # acme has no thread-2: exactly like none
        assert (r.status_code, r.json()) == (404, {"error": "memory session not found"})
        assert show["ended_at"] is None
        r = c.post("/api/memory/sessions/thread-1/end", params={"flow": "chat"})  # `end` keeps the history
        assert r.status_code == 200 and r.json()["flows"] == ["chat"] and r.json()["ended_at"] > 1_700_000_000_000
        ended = c.get("/api/memory/sessions/thread-1", params={"flow": "chat"}).json()
        assert ended["ended_at"] == r.json()["ended_at"]
        assert (ended["turns"], ended["memories"]) == (show["turns"], show["memories"])
        assert {s["session_id"]: s["ended_at"] for s in c.get("/api/memory/flows/chat/sessions").json()["sessions"]} == {
            "thread-1": ended["ended_at"], "thread-2": None}
        assert other.get("/api/memory/sessions/thread-1").json()["ended_at"] is None

        r = c.delete("/api/memory/sessions/thread-1", params={"flow": "chat"})  # `rm` deletes
        assert (r.status_code, r.json()) == (200, {"session_id": "thread-1", "deleted": 3})
        r = c.get("/api/memory/sessions/thread-1")
        assert (r.status_code, r.json()) == (404, {"error": "memory session not found"})
        assert other.get("/api/memory/sessions/thread-1").json()["turns"][0]["content"] == "acme secret plans"
        r = c.delete("/api/memory/flows/chat")
        assert (r.status_code, r.json()) == (200, {"flow_id": "chat", "deleted": 2})
        assert [f["flow_id"] for f in c.get("/api/memory/flows").json()["flows"]] == ["notes"]
