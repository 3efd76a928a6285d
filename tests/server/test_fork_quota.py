"""A debug-session fork is an invocation and an execution of the daily quotas (reference/http-api
"Daily quotas"), whichever way it is asked for — ``POST .../sessions/{id}/fork`` from a REPLAY session
or ``POST .../sessions`` with mode FORK — over a real ``serve`` with low caps."""
from __future__ import annotations

import time

import pytest
from engine_support import add_faults_package, chain
from live_server import start_server, stop_server

from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.usage import UsageStore, utc_day

SESSIONS = "/invocations/v1/debug/sessions"
INVOKE = "/invocations/v1/flows/invoke"
HISTORY = "/invocations/v1/executions"


@pytest.fixture
def server(request, tmp_path):
    s = start_server(tmp_path, "--limits", request.param)
    add_faults_package(s.workspace)
    chain(s.workspace, "fork-upper2", ["Upper"] * 2)
    yield s
    stop_server(s)


def _usage(server) -> dict[str, int]:
    db = open_database(server.data_dir)
    try:
        return UsageStore(db).get("local", utc_day(time.time()))
    finally:
        db.close()


def _assert_quota_429(r, budget: str, cap: int) -> None:
    assert r.status_code == 429
    body = r.json()
    wait = body["retry_after_seconds"]
    assert body == {"error": "quota_exceeded", "message": f"daily {budget} quota exceeded (cap {cap})",
                    "retry_after_seconds": wait}
    assert isinstance(wait, int) and 1 <= wait <= 86400 and r.headers["Retry-After"] == str(wait)


def _parent(server, c) -> tuple[str, str]:
    """One completed run and its first checkpoint id."""
    r = c.post(INVOKE, json={"graph_id": server.compile("fork-upper2"), "input": {"text": "a"}, "wait": True})
    assert r.status_code == 202 and r.json()["result"]["success"] is True
    parent = r.json()["execution_id"]
    cps = c.get(f"{HISTORY}/{parent}/checkpoints").json()["checkpoints"]
    return parent, cps[0]["checkpoint_id"]


def _forks(c, parent: str) -> list[str]:
    return c.get(f"{HISTORY}/{parent}").json()["forks"]


@pytest.mark.parametrize("server", ["rate=off,invoke_rate=off,daily_invocations=100,daily_executions=3"],
                         indirect=True)
def test_each_fork_draws_one_invocation_and_one_execution_and_the_cap_refuses(server):
    with server.client() as c:
        parent, checkpoint = _parent(server, c)
        assert _usage(server) == {"invocations": 1, "executions": 1}
        replay = c.post(SESSIONS, json={"mode": "REPLAY", "execution_id": parent})
        assert replay.status_code == 201
        assert _usage(server) == {"invocations": 1, "executions": 1}  # a REPLAY session runs nothing
        session = replay.json()["session_id"]
        r = c.post(f"{SESSIONS}/{session}/fork", json={"checkpoint_id": checkpoint})
        assert r.status_code == 201 and r.json()["mode"] == "FORK"
        assert _usage(server) == {"invocations": 2, "executions": 2}
        r = c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent, "checkpoint_id": checkpoint})
        assert r.status_code == 201 and r.json()["mode"] == "FORK"
        assert _usage(server) == {"invocations": 3, "executions": 3}
        assert len(_forks(c, parent)) == 2
        # the execution cap (3) is spent: both ways are refused and nothing is forked
        _assert_quota_429(c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent,
                                                 "checkpoint_id": checkpoint}), "executions", 3)
        _assert_quota_429(c.post(f"{SESSIONS}/{session}/fork", json={"checkpoint_id": checkpoint}), "executions", 3)
        assert _usage(server) == {"invocations": 3, "executions": 3}
        assert len(_forks(c, parent)) == 2
        assert len(c.get(HISTORY).json()["executions"]) == 3


@pytest.mark.parametrize("server", ["rate=off,invoke_rate=off,daily_invocations=2,daily_executions=off"],
                         indirect=True)
def test_a_fork_over_the_invocation_cap_is_429_and_a_refused_fork_gives_its_draw_back(server):
    with server.client() as c:
        parent, checkpoint = _parent(server, c)
        # refused before any compute: a bad checkpoint, a bad breakpoint — not an invocation
        r = c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent, "checkpoint_id": "0" * 32})
        assert r.status_code == 404 and r.json()["error"] == "checkpoint_not_found_or_expired"
        r = c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent, "checkpoint_id": checkpoint,
                                   "breakpoints": ["n9"]})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument",
                                                   "message": 'flow "fork-upper2" has no node "n9"'})
        assert _usage(server) == {"invocations": 1, "executions": 1}
        r = c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent, "checkpoint_id": checkpoint})
        assert r.status_code == 201
        _assert_quota_429(c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent,
                                                 "checkpoint_id": checkpoint}), "invocations", 2)
        assert _usage(server) == {"invocations": 2, "executions": 2}
        assert len(_forks(c, parent)) == 1
        # LIVE and REPLAY sessions are not invocations: still created at the cap
        assert c.post(SESSIONS, json={"mode": "LIVE"}).status_code == 201
        assert c.post(SESSIONS, json={"mode": "REPLAY", "execution_id": parent}).status_code == 201
