"""Through a real server with two tenants' keys, each tenant reads only its own run history: the
other's execution, events, checkpoints (listed or by id), debug REPLAY and cancel answer exactly
like a missing execution (404 ``execution not found``)."""
from __future__ import annotations

INVOKE = "/invocations/v1/flows/invoke"
EXECUTIONS = "/invocations/v1/executions"
NOT_FOUND = (404, {"error": "execution not found"})


def _run(live, key, tenant: str, text: str) -> str:
    graph_id = live.compile("linear", tenant_id=tenant)
    with live.client(key) as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": text}, "wait": True})
    assert r.status_code == 202 and r.json()["result"]["success"] is True, r.text
    return r.json()["execution_id"]


def test_each_tenant_reads_only_its_own_events_and_checkpoints(live):
    mine = _run(live, live.key, "local", "local's")
    theirs = _run(live, live.other_key, "acme", "acme's")
    for key, own, other in ((live.key, mine, theirs), (live.other_key, theirs, mine)):
        with live.client(key) as c:
            events = c.get(f"{EXECUTIONS}/{own}/events").json()["events"]
            assert [e["type"] for e in events][-1] == "EXECUTION_COMPLETED"
            own_cps = c.get(f"{EXECUTIONS}/{own}/checkpoints").json()["checkpoints"]
            assert [cp["node"] for cp in own_cps] == ["echo", "upper"]
            for suffix in ("", "/events", "/checkpoints", f"/checkpoints/{own_cps[0]['checkpoint_id']}"):
                r = c.get(f"{EXECUTIONS}/{other}{suffix}")
                assert (r.status_code, r.json()) == NOT_FOUND, (key == live.key, suffix)
            assert other not in [e["execution_id"] for e in c.get(EXECUTIONS).json()["executions"]]
            r = c.delete(f"/invocations/v1/flows/{other}")
            assert (r.status_code, r.json()) == NOT_FOUND
