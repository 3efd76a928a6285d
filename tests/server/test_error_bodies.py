"""Error bodies byte for byte as reference/error-catalog prints them (compact JSON), through a real
server. The rate-limit body is checked in test_limits.py (it needs a server with limits on)."""
from __future__ import annotations

import httpx

UNKNOWN_EXECUTION = "0" * 32


def test_documented_error_bodies_are_byte_exact(live):
    r = httpx.get(live.origin + "/invocations/v1/executions")
    assert (r.status_code, r.content) == (401, b'{"error":"unauthorized"}')
    with live.client() as c:
        for path in ("", "/events", "/checkpoints"):
            r = c.get(f"/invocations/v1/executions/{UNKNOWN_EXECUTION}{path}")
            assert (r.status_code, r.content) == (404, b'{"error":"execution not found"}'), path
        r = c.delete(f"/invocations/v1/flows/{UNKNOWN_EXECUTION}")
        assert (r.status_code, r.content) == (404, b'{"error":"execution not found"}')
        r = c.post("/invocations/v1/nodes/" + "0" * 26, json={})
        assert (r.status_code, r.content) == (404, b'{"error_message":"node not found or not yet deployed"}')
        r = c.get("/api/configs/nope")
        assert (r.status_code, r.content) == (404, b'{"error":"config not found"}')
        r = c.post("/invocations/v1/flows/invoke", content=b"{", headers={"Content-Type": "application/json"})
        assert r.status_code == 400
        assert r.content.startswith(b'{"accepted":false,"error_message":"invalid request body: ')


def test_an_unknown_checkpoint_is_the_documented_body(live):
    graph_id = live.compile("hello")
    with live.client() as c:
        execution_id = c.post("/invocations/v1/flows/invoke", json={"graph_id": graph_id, "input": {"name": "A"},
                                                                     "wait": True}).json()["execution_id"]
        r = c.get(f"/invocations/v1/executions/{execution_id}/checkpoints/{'0' * 32}")
    assert (r.status_code, r.content) == (404, (b'{"error":"checkpoint_not_found_or_expired",'
                                                b'"detail":"checkpoint may have been evicted by TTL policy (default 30d)"}'))


def test_router_answers_are_json_and_allow_names_only_the_paths_own_methods(live):
    with live.client() as c:
        r = c.options("/invocations/v1/flows/invoke")  # not also DELETE of an execution named "invoke"
        assert (r.status_code, r.headers["Allow"]) == (405, "POST")
        assert r.json() == {"error": "method not allowed", "message": "OPTIONS is not allowed here; allowed: POST"}
        r = c.delete("/invocations/v1/flows/invoke")
        assert (r.status_code, r.headers["Allow"]) == (405, "POST")
        r = c.get("/api/nope")
        assert (r.status_code, r.content) == (404, b'{"error":"not found"}')
        r = c.delete("/invocations/v1/flows/not-an-execution-id")
        assert (r.status_code, r.content) == (404, b'{"error":"not found"}')
