"""Approval pauses and fan-out branches over real HTTP (a real ``serve`` with daily quotas): resume
approve / reject, the 409s, a resume counting as an invocation, a fan-out of 10 costing 10
executions, and a fan-out the quota cannot pay for failing the run with the documented text."""
from __future__ import annotations

import time

import pytest
from engine_support import add_faults_package, wait_for, write_flow
from live_server import start_server, stop_server

from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.usage import UsageStore, utc_day

PKG = "tests/faults@0.1.0"
INVOKE = "/invocations/v1/flows/invoke"
LIMITS = "rate=off,invoke_rate=off,daily_invocations=100,daily_executions={cap}"


def _flows(workspace) -> None:
    add_faults_package(workspace)
    write_flow(workspace, "gated", f"""\
mode: unary
imports: [{PKG}]
nodes:
  - id: n1
    node: {PKG}:Upper
  - id: review
    node: {PKG}:Upper
    approval: {{prompt: "Ship it?"}}
edges:
  - from: n1
    to: review
""")
    write_flow(workspace, "ops-only", f"""\
mode: unary
imports: [{PKG}]
nodes:
  - id: review
    node: {PKG}:Upper
    approval: {{prompt: "Ops only", approvers: [ops]}}
edges: []
""")
    branches = "".join(f"  - id: b{i}\n    node: {PKG}:Upper\n" for i in range(1, 11))
    edges = "".join(f"  - from: n0\n    to: b{i}\n  - from: b{i}\n    to: j\n" for i in range(1, 11))
    write_flow(workspace, "fanout", f"mode: unary\nimports: [{PKG}]\nnodes:\n  - id: n0\n    node: {PKG}:Upper\n"
                                    f"{branches}  - id: j\n    node: {PKG}:Upper\nedges:\n{edges}")


@pytest.fixture
def server(request, tmp_path):
    s = start_server(tmp_path, "--limits", LIMITS.format(cap=getattr(request, "param", 100)))
    _flows(s.workspace)
    yield s
    stop_server(s)


def _usage(server) -> dict[str, int]:
    db = open_database(server.data_dir)
    try:
        return UsageStore(db).get("local", utc_day(time.time()))
    finally:
        db.close()


def _status_becomes(client, execution_id: str, want: str) -> dict:
    body: dict = {}

    def reached() -> bool:
        body.update(client.get(f"/invocations/v1/executions/{execution_id}").json())
        return body["status"] == want

    wait_for(reached, timeout=60, interval=0.02)
    assert body["status"] == want, f"status stayed {body['status']}"
    return body


def _events(client, execution_id: str) -> list[dict]:
    return client.get(f"/invocations/v1/executions/{execution_id}/events").json()["events"]


def test_resume_over_http_approve_reject_and_the_409s(server):
    graph = server.compile("gated")
    with server.client() as c:
        eid = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "a"}}).json()["execution_id"]
        _status_becomes(c, eid, "Paused (HITL)")
        before = _usage(server)
        bad = c.post(f"/invocations/v1/executions/{eid}/resume", json={"action": "maybe"})
        assert bad.status_code == 400 and bad.json() == {"error": "invalid_argument",
                                                          "message": 'action must be "approve" or "reject"'}
        r = c.post(f"/invocations/v1/executions/{eid}/resume", json={"action": "approve", "input": {"text": "x"}})
        assert r.status_code == 200, r.text
        assert r.json() == {"execution_id": eid, "node": "review", "action": "approve", "status": "Running"}
        done = _status_becomes(c, eid, "Completed")
        assert done["output"] == {"text": "X", "big": "0"}
        after = _usage(server)
        # a resume is one invocation (the refused 400 gave its reservation back) and no new execution
        assert after == {"invocations": before["invocations"] + 1, "executions": before["executions"]}
        again = c.post(f"/invocations/v1/executions/{eid}/resume", json={"action": "reject"})
        assert again.status_code == 409
        assert again.json() == {"error": "already_resumed", "message": f'execution "{eid}": the approval pause before '
                                'node "review" was already resumed (approved); status: Completed'}
        plain = c.post(INVOKE, json={"graph_id": server.compile("fanout"), "input": {"text": "a"}, "wait": True})
        other = plain.json()["execution_id"]
        r = c.post(f"/invocations/v1/executions/{other}/resume", json={"action": "approve"})
        assert r.status_code == 409
        assert r.json() == {"error": "not_paused",
                            "message": f'execution "{other}" is not paused for approval (status: Completed)'}
        assert c.post("/invocations/v1/executions/" + "0" * 32 + "/resume",
                      json={"action": "approve"}).json() == {"error": "execution not found"}
        eid2 = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "a"}}).json()["execution_id"]
        _status_becomes(c, eid2, "Paused (HITL)")
        c.post(f"/invocations/v1/executions/{eid2}/resume", json={"action": "reject", "comment": "no"})
        failed = _status_becomes(c, eid2, "Failed")
        assert failed["error"] == 'node "review": approval rejected: no'
        pauses = [(e["type"], e.get("data", {}).get("action")) for e in _events(c, eid2) if e["type"].startswith("HITL_")]
        assert pauses == [("HITL_PAUSED", None), ("HITL_RESUMED", "reject")]
        spec = c.get("/api/openapi.json")
        op = spec.json()["paths"]["/invocations/v1/executions/{execution_id}/resume"]["post"]
        assert set(op["responses"]) >= {"200", "400", "404", "409", "429"}
        assert op["requestBody"]["content"]["application/json"]["schema"]["properties"]["action"]["enum"] == [
            "approve", "reject"]


def test_a_fan_out_of_10_costs_10_executions(server):
    graph = server.compile("fanout")
    with server.client() as c:
        before = _usage(server)
        r = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "a"}, "wait": True})
        assert r.json()["result"]["success"] is True, r.text
        events = _events(c, r.json()["execution_id"])
    after = _usage(server)
    assert after["executions"] - before["executions"] == 1 + 10  # the run itself, then its 10 branches
    assert sorted(e["data"]["branch"] for e in events if e["type"] == "BRANCH_STARTED") == sorted(
        f"n0->b{i}" for i in range(1, 11))
    assert len([e for e in events if e["type"] == "BRANCH_FINISHED"]) == 10
    (waiting,) = [e for e in events if e["type"] == "GATE_WAITING"]
    (opened,) = [e for e in events if e["type"] == "GATE_OPENED"]
    assert waiting["node"] == opened["node"] == "j" and opened["data"]["branches"] == 10


@pytest.mark.parametrize("server", [5], indirect=True)
def test_a_fan_out_the_quota_cannot_pay_for_fails_the_run(server):
    graph = server.compile("fanout")
    with server.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "a"}, "wait": True})
        assert r.status_code == 202
        assert r.json()["result"]["success"] is False
        assert r.json()["result"]["error"] == 'node "n0": fan-out into 10 branches: daily executions quota exceeded (cap 5)'
        events = _events(c, r.json()["execution_id"])
    assert not [e for e in events if e["type"] == "BRANCH_STARTED"]  # refused before any branch ran
    assert _usage(server)["executions"] == 1


def test_resume_webhook_answers_one_pause_with_its_token(server):
    import httpx

    graph = server.compile("gated")
    with server.client() as c:
        eid = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "a"}}).json()["execution_id"]
        _status_becomes(c, eid, "Paused (HITL)")
        (pause,) = [e for e in _events(c, eid) if e["type"] == "HITL_PAUSED"]
        token = pause["data"]["resume_token"]
    before = _usage(server)
    with httpx.Client(base_url=server.origin, timeout=30) as anonymous:  # no API key: the token is the credential
        wrong = anonymous.post(f"/invocations/v1/webhooks/resume/{eid}.nope", json={"action": "approve"})
        assert wrong.status_code == 404 and wrong.json() == {"error": "resume webhook not found"}
        r = anonymous.post(f"/invocations/v1/webhooks/resume/{token}", json={"action": "approve"})
        assert r.status_code == 200, r.text
        assert r.json()["node"] == "review"
        again = anonymous.post(f"/invocations/v1/webhooks/resume/{token}", json={"action": "approve"})
        assert again.status_code == 409 and again.json()["error"] == "already_resumed"
    with server.client() as c:
        _status_becomes(c, eid, "Completed")
    assert _usage(server)["invocations"] == before["invocations"] + 1  # refusals gave theirs back


def test_only_the_approvers_keys_may_resume(server):
    from axiom_ide.runtime.store.apikeys import ApiKeyStore

    db = open_database(server.data_dir)
    try:
        ops_key, _ = ApiKeyStore(db).create("ops")
    finally:
        db.close()
    graph = server.compile("ops-only")
    with server.client() as c:  # the "test" key
        eid = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "a"}}).json()["execution_id"]
        _status_becomes(c, eid, "Paused (HITL)")
        r = c.post(f"/invocations/v1/executions/{eid}/resume", json={"action": "approve"})
        assert r.status_code == 403
        assert r.json() == {"error": "not_an_approver",
                            "message": 'API key "test" may not resume the pause before node "review" (approvers: ops)'}
    with server.client(ops_key) as ops:
        assert ops.post(f"/invocations/v1/executions/{eid}/resume", json={"action": "approve"}).status_code == 200
        _status_becomes(ops, eid, "Completed")
        (resumed,) = [e for e in _events(ops, eid) if e["type"] == "HITL_RESUMED"]
        assert resumed["data"] == {"action": "approve", "by": "ops"}
