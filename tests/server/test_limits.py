"""Rate limits and daily quotas: the spec, what counts, and real servers answering 429 exactly."""
from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest
from live_server import start_server, stop_server

from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.usage import UsageStore, seconds_to_utc_midnight, utc_day
from axiom_ide.server.limits import OFF, PLATFORM, Limits, classify, parse_limits

RATE_LIMITED = {"error": "rate limit exceeded"}
HISTORY = "/invocations/v1/executions"
INVOKE = "/invocations/v1/flows/invoke"


# -- the spec --------------------------------------------------------------------------------------
def test_platform_values_are_the_documented_beta_limits():
    assert parse_limits("platform") == PLATFORM == Limits(
        rate=100.0, burst=200.0, invoke_rate=5.0, invoke_burst=10.0, daily_invocations=2000, daily_executions=500)
    assert parse_limits("off") == parse_limits(None) == parse_limits("") == OFF
    assert not OFF.any and PLATFORM.any


def test_explicit_numbers_override_the_platform_values():
    assert parse_limits("daily_invocations=3, burst=2,rate=0") == Limits(
        rate=0.0, burst=2.0, daily_invocations=3)
    assert parse_limits('{"invoke_burst": 1, "daily_executions": "off"}') == Limits(
        invoke_burst=1.0, daily_executions=None)
    assert parse_limits("rate=off,invoke_rate=none") == Limits(rate=None, invoke_rate=None)


@pytest.mark.parametrize("spec, message", [
    ("fast", 'limits: expected key=value, got "fast" (or use "off" or "platform")'),
    ("speed=1", ('unknown limit "speed"; one of: rate, burst, invoke_rate, invoke_burst, daily_invocations, '
                 "daily_executions")),
    ("burst=lots", 'limit burst must be a number or "off"; got "lots"'),
    ("daily_invocations=1.5", 'limit daily_invocations must be a number or "off"; got "1.5"'),
    ("rate=-1", "limit rate must not be negative; got -1"),
    ("[1]", 'limits: expected key=value, got "[1]" (or use "off" or "platform")'),
    ("{nope", "limits JSON is malformed: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
])
def test_malformed_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError) as err:
        parse_limits(spec)
    assert str(err.value) == message


@pytest.mark.parametrize("method, path, expected", [
    ("POST", "/invocations/v1/flows/invoke", (True, True)),
    ("POST", "/invocations/v1/flows/invoke/stream", (True, True)),
    ("POST", "/invocations/v1/nodes/examples/text/0.1.0/Upper", (True, False)),
    ("POST", "/invocations/v1/nodes/invoke", (True, False)),
    ("POST", "/invocations/v1/flows/4bf92f3577b34da6a3ce929d0e0e4736/resume", (True, False)),
    ("POST", "/invocations/v1/executions/4bf92f3577b34da6a3ce929d0e0e4736/resume", (True, False)),
    ("POST", "/invocations/v1/webhooks/resume/abc", (True, False)),
    ("POST", "/api/debug/sessions/abc/fork", (True, True)),
    ("GET", "/invocations/v1/flows/invoke", (False, False)),
    ("GET", HISTORY, (False, False)),
    ("DELETE", "/invocations/v1/flows/4bf92f3577b34da6a3ce929d0e0e4736", (False, False)),
    ("POST", "/api/compile", (False, False)),
    ("POST", "/api/debug/sessions", (False, False)),
])
def test_what_counts_as_an_invocation_and_an_execution(method, path, expected):
    assert classify(method, path) == expected


def test_retry_after_counts_down_to_midnight_utc():
    midnight = dt.datetime(2030, 5, 2, tzinfo=dt.UTC).timestamp()
    assert seconds_to_utc_midnight(midnight - 74380) == 74380
    assert seconds_to_utc_midnight(midnight - 0.2) == 1
    assert seconds_to_utc_midnight(midnight) == 86400
    assert utc_day(midnight - 1) == "2030-05-01" and utc_day(midnight) == "2030-05-02"


def test_usage_store_counts_refuses_at_the_cap_and_releases(tmp_path):
    db = open_database(tmp_path)
    try:
        usage = UsageStore(db)
        caps = {"invocation_cap": 2, "execution_cap": 1}
        assert usage.reserve("t", "2030-05-01", invocations=1, executions=1, **caps) is None
        assert usage.reserve("t", "2030-05-01", invocations=1, executions=1, **caps) == "executions"
        assert usage.get("t", "2030-05-01") == {"invocations": 1, "executions": 1}  # the refusal counted nothing
        assert usage.reserve("t", "2030-05-01", invocations=1, **caps) is None
        assert usage.reserve("t", "2030-05-01", invocations=1, **caps) == "invocations"
        assert usage.reserve("t", "2030-05-02", invocations=1, executions=1, **caps) is None  # a new UTC day
        assert usage.reserve("u", "2030-05-01", invocations=1, executions=1, **caps) is None  # another tenant
        usage.release("t", "2030-05-01", invocations=1, executions=1)
        assert usage.get("t", "2030-05-01") == {"invocations": 1, "executions": 0}
    finally:
        db.close()


# -- live servers ----------------------------------------------------------------------------------
@pytest.fixture
def server(request, tmp_path):
    """A server started with the test's ``--limits`` spec (``@pytest.mark.parametrize`` indirect)."""
    s = start_server(tmp_path, "--limits", request.param)
    yield s
    stop_server(s)


def _usage(server, tenant: str = "local") -> dict[str, int]:
    db = open_database(server.data_dir)
    try:
        return UsageStore(db).get(tenant, utc_day(time.time()))
    finally:
        db.close()


def _seed_usage(server, tenant: str, invocations: int, executions: int) -> None:
    db = open_database(server.data_dir)
    try:
        db.conn.execute("INSERT OR REPLACE INTO tenant_usage (tenant_id, day, invocations, executions) "
                        "VALUES (?, ?, ?, ?)", (tenant, utc_day(time.time()), invocations, executions))
    finally:
        db.close()


def _assert_quota_429(r: httpx.Response, budget: str, cap: int) -> None:
    assert r.status_code == 429
    body = r.json()
    wait = body["retry_after_seconds"]
    assert body == {"error": "quota_exceeded", "message": f"daily {budget} quota exceeded (cap {cap})",
                    "retry_after_seconds": wait}
    assert isinstance(wait, int) and 1 <= wait <= 86400
    assert r.headers["Retry-After"] == str(wait)


def test_limits_are_off_by_default(live):
    with live.client() as c:
        for _ in range(15):  # past the invocation routes' platform burst of 10
            assert c.get(HISTORY).status_code == 200
            assert c.post(INVOKE, content=b"not json").status_code == 400


@pytest.mark.parametrize("server", ["burst=3,rate=0,invoke_rate=off,daily_invocations=off"], indirect=True)
def test_all_routes_bucket_gives_429_with_retry_after_1_per_tenant(server):
    with server.client() as c:
        assert [c.get(HISTORY).status_code for _ in range(3)] == [200, 200, 200]
        r = c.get(HISTORY)
        assert (r.status_code, r.json(), r.headers["Retry-After"]) == (429, RATE_LIMITED, "1")
        assert r.content == b'{"error":"rate limit exceeded"}'  # byte-exact as the error catalog prints it
        assert c.get("/api/nope").status_code == 429  # every route
    with server.client(server.other_key) as other:
        assert other.get(HISTORY).status_code == 200  # another tenant has its own bucket
    r = httpx.get(server.origin + HISTORY)
    assert (r.status_code, r.content) == (401, b'{"error":"unauthorized"}')  # no key: not even limited


@pytest.mark.parametrize("server", ["rate=off,invoke_burst=2,invoke_rate=0,daily_invocations=off"], indirect=True)
def test_invocation_routes_have_their_own_smaller_bucket(server):
    with server.client() as c:
        assert [c.get(HISTORY).status_code for _ in range(2)] == [200, 200]
        r = c.post(INVOKE, json={"graph_id": server.compile("hello"), "input": {"name": "Ada"}})
        assert (r.status_code, r.json(), r.headers["Retry-After"]) == (429, RATE_LIMITED, "1")
        assert c.get("/api/keys").status_code == 200  # outside /invocations/: only the (off) all-routes bucket


@pytest.mark.parametrize("server", ["rate=off,invoke_rate=off,daily_invocations=2,daily_executions=off"],
                         indirect=True)
def test_daily_invocations_quota(server):
    graph = server.compile("hello")
    with server.client() as c:
        assert c.post(INVOKE, content=b"{oops").status_code == 400  # refused: not an invocation
        assert c.post(INVOKE, json={"graph_id": "0" * 26, "input": {}}).status_code == 500  # unknown graph
        assert _usage(server) == {"invocations": 0, "executions": 0}
        for name in ("Ada", "Bo"):
            r = c.post(INVOKE, json={"graph_id": graph, "input": {"name": name}, "wait": True})
            assert r.status_code == 202 and r.json()["result"]["success"] is True
        assert _usage(server) == {"invocations": 2, "executions": 2}
        _assert_quota_429(c.post(INVOKE, json={"graph_id": graph, "input": {"name": "Cy"}, "wait": True}),
                          "invocations", 2)
        assert c.get(HISTORY).status_code == 200  # reading history is not an invocation
        assert len(c.get(HISTORY).json()["executions"]) == 2  # the refused call started nothing
    with server.client(server.other_key) as other:
        r = other.post(INVOKE, json={"graph_id": server.compile("hello", tenant_id="acme"), "input": {"name": "A"}})
        assert r.status_code == 202  # per tenant


@pytest.mark.parametrize("server", ["rate=off,invoke_rate=off,daily_invocations=off,daily_executions=1"],
                         indirect=True)
def test_daily_executions_quota_spares_single_node_calls(server):
    graph = server.compile("hello")
    with server.client() as c:
        assert c.post(INVOKE, json={"graph_id": graph, "input": {"name": "Ada"}, "wait": True}).status_code == 202
        _assert_quota_429(c.post(INVOKE, json={"graph_id": graph, "input": {"name": "Bo"}}), "executions", 1)
        r = c.post("/invocations/v1/nodes/examples/text/0.1.0/Upper", json={"text": "hi"})
        assert (r.status_code, r.json()) == (200, {"text": "HI"})  # a single-node call is not an execution
    assert _usage(server) == {"invocations": 2, "executions": 1}


@pytest.mark.parametrize("server", ["platform"], indirect=True)
def test_quota_usage_is_read_from_the_database(server):
    _seed_usage(server, "local", 2000, 10)  # e.g. left by an earlier run of the server today
    with server.client() as c:
        _assert_quota_429(c.post(INVOKE, json={"graph_id": server.compile("hello"), "input": {"name": "Ada"}}),
                          "invocations", 2000)
    _seed_usage(server, "acme", 3, 500)
    with server.client(server.other_key) as c:
        _assert_quota_429(c.post("/invocations/v1/flows/invoke/stream",
                                 json={"graph_id": server.compile("hello", tenant_id="acme"), "input": {}}),
                          "executions", 500)
    assert _usage(server, "acme") == {"invocations": 3, "executions": 500}
