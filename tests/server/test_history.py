"""Execution history over HTTP: list (filters, newest first, pagination), detail, events, checkpoints.

Executions are real runs: the test runs flows in-process on the server's own data dir (the same
SQLite file the server reads), then reads them back through a live ``axiom-ide serve``.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from live_server import start_server, stop_server

from axiom_ide.runtime.runtime import Runtime

EXECUTION_NOT_FOUND = {"error": "execution not found"}
CHECKPOINT_GONE = {"error": "checkpoint_not_found_or_expired",
                   "detail": "checkpoint may have been evicted by TTL policy (default 30d)"}


def run_flows(live, runs: list[tuple[str, dict, str]]) -> list[str]:
    """Run each (flow, input, tenant) in order on the server's data dir; returns execution ids."""
    async def go() -> list[str]:
        rt = Runtime(live.data_dir, inline=True)
        try:
            ids = []
            for flow, data, tenant in runs:
                outcome = await rt.run(live.compile(flow, tenant_id=tenant), data, tenant_id=tenant, timeout=60)
                ids.append(outcome.execution_id)
            return ids
        finally:
            await rt.close()
    return asyncio.run(go())


@pytest.fixture(scope="module")
def runs(live):
    """Five local executions (oldest first) and one of tenant acme."""
    ids = run_flows(live, [
        ("hello", {"name": "Ada"}, "local"),
        ("linear", {"text": "x"}, "local"),
        ("hello", {"nam": 1}, "local"),          # fails: invalid JSON for GreetRequest
        ("greeter", {"name": "Bo"}, "local"),
        ("linear", {"text": "y"}, "local"),
        ("hello", {"name": "Acme"}, "acme"),
    ])
    return {"hello": ids[0], "linear": ids[1], "failed": ids[2], "greeter": ids[3], "linear2": ids[4],
            "acme": ids[5], "local": list(reversed(ids[:5]))}


def test_list_is_newest_first_and_only_the_callers_tenant(live, runs):
    with live.client() as c:
        body = c.get("/invocations/v1/executions").json()
    assert [e["execution_id"] for e in body["executions"]] == runs["local"]
    assert body["next_cursor"] is None
    first = body["executions"][0]
    assert first["status"] == "Completed" and first["flow"] == "linear" and first["mode"] == "unary"
    assert isinstance(first["started_at"], int) and isinstance(first["duration_ms"], float)
    assert "input" not in first and "output" not in first  # the detail route has those
    with live.client(live.other_key) as c:
        assert [e["execution_id"] for e in c.get("/invocations/v1/executions").json()["executions"]] == [runs["acme"]]


def test_list_filters_by_status_and_flow(live, runs):
    with live.client() as c:
        def ids(**params):
            r = c.get("/invocations/v1/executions", params=params)
            assert r.status_code == 200, r.text
            return [e["execution_id"] for e in r.json()["executions"]]

        assert ids(status="Failed") == [runs["failed"]]
        assert ids(status="failed") == [runs["failed"]]
        assert ids(status="Completed", flow="hello") == [runs["hello"]]
        assert ids(flow="linear") == [runs["linear2"], runs["linear"]]
        assert ids(status="Failed,Completed", flow="hello") == [runs["failed"], runs["hello"]]
        assert ids(status=["Running", "paused_hitl"]) == []
        assert ids(flow="nope") == []
        r = c.get("/invocations/v1/executions", params={"status": "Done"})
        assert r.status_code == 400
        assert r.json() == {"error": "invalid_argument", "message": 'unknown status "Done"; one of: Queued, Running, '
                            "Paused (HITL), Waiting on gate, Debug paused, Completed, Failed, Compensating, Cancelled"}


def test_list_filters_by_date_range(live, runs):
    with live.client() as c:
        rows = c.get("/invocations/v1/executions").json()["executions"]
        by_id = {r["execution_id"]: r["created_at"] for r in rows}

        def ids(**params):
            r = c.get("/invocations/v1/executions", params=params)
            assert r.status_code == 200, r.text
            return [e["execution_id"] for e in r.json()["executions"]]

        pivot = by_id[runs["failed"]]
        assert ids(since=str(pivot)) == runs["local"][:3]            # inclusive lower bound (unix ms)
        assert ids(until=str(pivot)) == runs["local"][3:]            # exclusive upper bound
        assert ids(since=str(pivot), until=str(by_id[runs["linear2"]])) == [runs["greeter"], runs["failed"]]
        today = dt.datetime.now(dt.UTC).date()
        assert ids(since=today.isoformat(), until=today.isoformat()) == runs["local"]  # a bare date: the whole day
        tomorrow = (today + dt.timedelta(days=1)).isoformat()
        assert ids(since=tomorrow) == []
        assert ids(until=(today - dt.timedelta(days=1)).isoformat()) == []
        iso = dt.datetime.fromtimestamp(pivot / 1000, dt.UTC).isoformat()
        assert ids(since=iso) == runs["local"][:3]
        r = c.get("/invocations/v1/executions", params={"since": "last tuesday"})
        assert (r.status_code, r.json()) == (400, {
            "error": "invalid_argument",
            "message": 'since must be an ISO 8601 date or date-time, or unix milliseconds; got "last tuesday"'})


def test_list_paginates_with_a_cursor_unaffected_by_new_executions(live, runs):
    with live.client() as c:
        page1 = c.get("/invocations/v1/executions", params={"limit": 2}).json()
        assert [e["execution_id"] for e in page1["executions"]] == runs["local"][:2]
        assert page1["next_cursor"]
        newer = run_flows(live, [("hello", {"name": "Late"}, "local")])[0]  # must not shift page 2
        page2 = c.get("/invocations/v1/executions", params={"limit": 2, "cursor": page1["next_cursor"]}).json()
        assert [e["execution_id"] for e in page2["executions"]] == runs["local"][2:4]
        page3 = c.get("/invocations/v1/executions", params={"limit": 2, "cursor": page2["next_cursor"]}).json()
        assert [e["execution_id"] for e in page3["executions"]] == runs["local"][4:]
        assert page3["next_cursor"] is None
        assert c.get("/invocations/v1/executions", params={"limit": 1}).json()["executions"][0]["execution_id"] == newer
        for params, message in (({"limit": 0}, 'limit must be an integer from 1 to 500; got "0"'),
                                ({"limit": "ten"}, 'limit must be an integer from 1 to 500; got "ten"'),
                                ({"cursor": "!!"}, ("cursor is not one this server issued; "
                                                    "pass a response's next_cursor unchanged"))):
            r = c.get("/invocations/v1/executions", params=params)
            assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": message})


def test_detail_has_status_timestamps_graph_input_output(live, runs):
    with live.client() as c:
        body = c.get(f"/invocations/v1/executions/{runs['greeter']}").json()
    assert body["execution_id"] == runs["greeter"]
    assert body["status"] == "Completed" and body["flow"] == "greeter"
    assert body["graph_id"] == live.compile("greeter")
    assert body["input"] == {"name": "Bo"}
    assert body["output"] == {"text": "HEY! HELLO, BO!"}
    assert body["created_at"] <= body["started_at"] <= body["updated_at"] and body["completed_at"] == body["updated_at"]
    assert body["duration_ms"] >= 0 and body["forks"] == []
    assert "error" not in body and "parent_execution_id" not in body


def test_detail_of_a_failed_execution_carries_the_catalog_error(live, runs):
    with live.client() as c:
        body = c.get(f"/invocations/v1/executions/{runs['failed']}").json()
    assert body["status"] == "Failed" and "output" not in body
    assert body["error"].startswith("invalid JSON for GreetRequest: ")


def test_unknown_and_other_tenants_ids_are_404_execution_not_found(live, runs):
    with live.client() as c:
        for suffix in ("", "/events", "/checkpoints", "/checkpoints/" + "0" * 32):
            for eid in (runs["acme"], "0" * 32, "not-an-id"):
                r = c.get(f"/invocations/v1/executions/{eid}{suffix}")
                assert (r.status_code, r.json()) == (404, EXECUTION_NOT_FOUND), (eid, suffix)
    with live.client(live.other_key) as c:
        assert c.get(f"/invocations/v1/executions/{runs['acme']}").json()["input"] == {"name": "Acme"}
        r = c.get(f"/invocations/v1/executions/{runs['hello']}/checkpoints")
        assert (r.status_code, r.json()) == (404, EXECUTION_NOT_FOUND)


def test_events_are_ordered_and_filter_by_node_and_type(live, runs):
    eid = runs["linear"]
    with live.client() as c:
        body = c.get(f"/invocations/v1/executions/{eid}/events").json()
        events = body["events"]
        assert body["execution_id"] == eid and body["next_after_seq"] is None
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert events[0]["type"] == "EXECUTION_STARTED" and events[-1]["type"] == "EXECUTION_COMPLETED"
        assert [(e["type"], e["node"]) for e in events if e["type"].startswith("NODE_")] == [
            ("NODE_STARTED", "echo"), ("NODE_COMPLETED", "echo"), ("NODE_STARTED", "upper"), ("NODE_COMPLETED", "upper")]
        upper = c.get(f"/invocations/v1/executions/{eid}/events", params={"node": "upper"}).json()["events"]
        assert [e["type"] for e in upper if e["type"] != "LOG"] == ["NODE_STARTED", "NODE_COMPLETED"]
        assert {e["node"] for e in upper} == {"upper"}
        done = c.get(f"/invocations/v1/executions/{eid}/events",
                     params={"type": "node_completed,EXECUTION_COMPLETED"}).json()["events"]
        assert [(e["type"], e.get("node")) for e in done] == [
            ("NODE_COMPLETED", "echo"), ("NODE_COMPLETED", "upper"), ("EXECUTION_COMPLETED", None)]
        assert all(isinstance(e["duration_ms"], float) for e in done[:2])


def test_events_paginate_by_sequence_number(live, runs):
    eid = runs["linear"]
    with live.client() as c:
        everything = c.get(f"/invocations/v1/executions/{eid}/events").json()["events"]
        seen, after = [], 0
        while True:
            body = c.get(f"/invocations/v1/executions/{eid}/events", params={"limit": 2, "after_seq": after}).json()
            seen += body["events"]
            if body["next_after_seq"] is None:
                break
            assert len(body["events"]) == 2 and body["next_after_seq"] == body["events"][-1]["seq"]
            after = body["next_after_seq"]
        assert seen == everything
        r = c.get(f"/invocations/v1/executions/{eid}/events", params={"after_seq": -1})
        assert r.status_code == 400 and r.json()["error"] == "invalid_argument"


def test_checkpoints_list_and_one_with_decoded_input_and_output(live, runs):
    eid = runs["linear"]
    with live.client() as c:
        body = c.get(f"/invocations/v1/executions/{eid}/checkpoints").json()
        cps = body["checkpoints"]
        assert [(cp["step"], cp["node"], cp["input"], cp["output"], cp["expired"]) for cp in cps] == [
            (1, "echo", {"text": "x"}, {"text": "x"}, False), (2, "upper", {"text": "x"}, {"text": "X"}, False)]
        one = c.get(f"/invocations/v1/executions/{eid}/checkpoints/{cps[1]['checkpoint_id']}").json()
        assert one == cps[1]
        assert one["execution_id"] == eid and one["output_type"] == "examples.text.Text"
        # a checkpoint of another execution, or an unknown id, is "not found or expired"
        other = c.get(f"/invocations/v1/executions/{runs['linear2']}/checkpoints").json()["checkpoints"][0]
        for cp_id in (other["checkpoint_id"], "0" * 32):
            r = c.get(f"/invocations/v1/executions/{eid}/checkpoints/{cp_id}")
            assert (r.status_code, r.json()) == (404, CHECKPOINT_GONE)
        assert c.get(f"/invocations/v1/executions/{runs['failed']}/checkpoints").json()["checkpoints"] == []


def test_expired_checkpoints_show_snapshot_expired_and_404_alone(tmp_path):
    server = start_server(tmp_path)
    try:
        eid = run_flows(server, [("linear", {"text": "old"}, "local")])[0]
        from axiom_ide.runtime.store.checkpoints import SqliteCheckpointStore
        from axiom_ide.runtime.store.db import open_database

        db = open_database(server.data_dir)
        try:  # the TTL policy, run as if 31 days had passed
            assert SqliteCheckpointStore(db).expire(now=time.time() + 31 * 86400) == 2
        finally:
            db.close()
        with server.client() as c:
            cps = c.get(f"/invocations/v1/executions/{eid}/checkpoints").json()["checkpoints"]
            assert [(cp["node"], cp["expired"], cp["input"], cp["output"]) for cp in cps] == [
                ("echo", True, "Snapshot expired", "Snapshot expired"),
                ("upper", True, "Snapshot expired", "Snapshot expired")]
            r = c.get(f"/invocations/v1/executions/{eid}/checkpoints/{cps[0]['checkpoint_id']}")
            assert (r.status_code, r.json()) == (404, CHECKPOINT_GONE)
            events = c.get(f"/invocations/v1/executions/{eid}/events").json()["events"]
            assert events[-1]["type"] == "EXECUTION_COMPLETED"  # history outlives the payloads
    finally:
        stop_server(server)
