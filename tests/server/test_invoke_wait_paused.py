"""``wait: true`` on a flow that stops at an approval: the invoke answers 202 at once with the execution
id and ``status: "Paused (HITL)"`` (the wait is a human's, not the caller's), over a real ``serve``;
the result reaches the caller's webhook once the pause is approved and the run ends."""
from __future__ import annotations

import pytest
from hitl_support import approval_flow
from live_server import start_server, stop_server
from server_support import Receiver, wait_for

from axiom_ide.server.response_models import InvokeAccepted
from axiom_ide.server.routes import openapi_schema

INVOKE = "/invocations/v1/flows/invoke"


@pytest.fixture
def server(tmp_path):
    s = start_server(tmp_path)
    approval_flow(s.workspace)
    yield s
    stop_server(s)


def _status(c, execution_id: str) -> str:
    return c.get(f"/invocations/v1/executions/{execution_id}").json()["status"]


def test_a_waited_invoke_answers_at_once_when_the_run_pauses_for_approval(server):
    graph = server.compile("gated")
    # the client gives up after 30 s: a response at all proves the 600 s wait was not waited out
    with Receiver() as hook, server.client(timeout=30) as c:
        r = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "a"}, "wait": True, "timeout_seconds": 600,
                                 "webhook": {"url": hook.url}})
        assert r.status_code == 202, r.text
        eid = r.json()["execution_id"]
        assert r.json() == {"accepted": True, "execution_id": eid, "status": "Paused (HITL)"}
        assert _status(c, eid) == "Paused (HITL)"
        assert hook.received == []  # the run has not ended: nothing delivered yet
        r = c.post(f"/invocations/v1/executions/{eid}/resume", json={"action": "approve"})
        assert r.status_code == 200, r.text
        assert wait_for(lambda: hook.received)
        [got] = hook.received
        assert got.body["execution_id"] == eid
        assert got.body["result"]["success"] is True and got.body["result"]["output"]["text"] == "A"
        assert _status(c, eid) == "Completed"
    # the 202 schema every invoke operation is built from documents the field
    assert openapi_schema(InvokeAccepted)["properties"]["status"]["enum"] == ["Paused (HITL)"]


def test_a_waited_invoke_of_a_rejected_pause_is_paused_first_then_failed(server):
    graph = server.compile("gated")
    with server.client(timeout=30) as c:
        r = c.post(INVOKE, json={"graph_id": graph, "input": {"text": "b"}, "wait": True, "timeout_seconds": 600})
        eid = r.json()["execution_id"]
        assert (r.status_code, r.json()["status"]) == (202, "Paused (HITL)")
        assert "result" not in r.json()
        c.post(f"/invocations/v1/executions/{eid}/resume", json={"action": "reject", "comment": "no"})
        assert wait_for(lambda: _status(c, eid) == "Failed")
        body = c.get(f"/invocations/v1/executions/{eid}").json()
        assert body["error"] == 'node "review": approval rejected: no'
