"""``POST /invocations/v1/flows/invoke`` and ``DELETE /invocations/v1/flows/{id}`` on a real server.

Bodies and texts are the seed docs' (reference/http-api, reference/error-catalog,
concepts/execution-model); failures inside an accepted run are 202 with ``result.success: false``.
"""
from __future__ import annotations

import base64
import re

import pytest
from server_support import execution, test_flows, wait_for

INVOKE = "/invocations/v1/flows/invoke"
HEX32 = re.compile(r"[0-9a-f]{32}\Z")


@pytest.fixture(scope="module")
def flows(live):
    test_flows(live)
    return live


def _message_class(live, package: str, message: str):
    from axiom_ide.runtime.packages import Workspace

    return Workspace(live.workspace).packages[package].message_class(message)


def test_waited_invoke_returns_202_with_the_terminal_output(live):
    graph_id = live.compile("hello")
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True})
    assert r.status_code == 202
    body = r.json()
    assert list(body) == ["accepted", "execution_id", "result"]
    assert body["accepted"] is True and HEX32.match(body["execution_id"])
    result = body["result"]
    assert list(result) == ["success", "output", "completed_at"]
    assert result["success"] is True
    assert result["output"] == {"greeting": "Hello, Ada!"}
    assert isinstance(result["completed_at"], int) and result["completed_at"] > 1_700_000_000_000  # ms
    assert execution(live, body["execution_id"]).status == "Completed"


def test_invoke_without_wait_returns_only_accepted_and_execution_id_and_runs(live):
    graph_id = live.compile("linear")
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "hi"}})
    assert r.status_code == 202
    body = r.json()
    assert set(body) == {"accepted", "execution_id"} and body["accepted"] is True
    rec = wait_for(lambda: (x := execution(live, body["execution_id"])) is not None and x.is_final and x)
    assert rec.status == "Completed", rec.error


def test_input_that_does_not_match_the_entry_message_fails_inside_a_202(live):
    graph_id = live.compile("hello")
    with live.client() as c:
        unknown_field = c.post(INVOKE, json={"graph_id": graph_id, "input": {"nme": "Ada"}, "wait": True})
        wrong_type = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": 5}, "wait": True})
        not_an_object = c.post(INVOKE, json={"graph_id": graph_id, "input": "Ada", "wait": True})
    for r in (unknown_field, wrong_type, not_an_object):
        assert r.status_code == 202
        body = r.json()
        assert body["accepted"] is True
        assert list(body["result"])[:3] == ["success", "error", "completed_at"]  # the documented ones first
        assert body["result"]["success"] is False
        assert body["result"]["error"].startswith("invalid JSON for GreetRequest: ")
        assert execution(live, body["execution_id"]).status == "Failed"
    assert 'has no field named "nme"' in unknown_field.json()["result"]["error"]
    assert not_an_object.json()["result"]["error"] == "invalid JSON for GreetRequest: expected a JSON object, got str"


def test_a_failing_node_fails_inside_a_202_with_the_handlers_message(flows):
    graph_id = flows.compile("faults-boom")
    with flows.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "x"}, "wait": True})
    assert r.status_code == 202
    result = r.json()["result"]
    assert result["success"] is False and "output" not in result
    assert "boom: x" in result["error"]


def test_a_failure_carries_its_error_value_beside_the_documented_fields(flows):
    """One error value from engine to server: the code, the node to blame and what it raised,
    after the documented fields — in the invoke answer and in the execution's detail."""
    graph_id = flows.compile("faults-boom")
    with flows.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "x"}, "wait": True})
        body = r.json()
        detail = c.get(f"/invocations/v1/executions/{body['execution_id']}").json()
    result = body["result"]
    assert list(result)[:3] == ["success", "error", "completed_at"]
    assert (result["code"], result["location"], result["exception_type"]) == ("NODE_FAILED", {"node": "n1"}, "ValueError")
    assert (detail["error_code"], detail["location"], detail["exception_type"]) == ("NODE_FAILED", {"node": "n1"},
                                                                                   "ValueError")
    assert "traceback" not in result and "traceback" not in detail  # it names the server's paths: IDE only


def test_payload_in_payload_out(live):
    graph_id = live.compile("hello")
    request = _message_class(live, "examples/text@0.1.0", "GreetRequest")(name="Ada").SerializeToString()
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "payload": base64.b64encode(request).decode(), "wait": True})
    assert r.status_code == 202
    result = r.json()["result"]
    assert list(result) == ["success", "payload", "completed_at"]
    reply = _message_class(live, "examples/text@0.1.0", "GreetReply").FromString(base64.b64decode(result["payload"]))
    assert reply.greeting == "Hello, Ada!"
    rec = execution(live, r.json()["execution_id"])
    assert rec.input_json == {"name": "Ada"}  # history shows what the payload said


def test_input_takes_precedence_over_payload(live):
    graph_id = live.compile("hello")
    request = _message_class(live, "examples/text@0.1.0", "GreetRequest")(name="Bob").SerializeToString()
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "Ada"},
                                 "payload": base64.b64encode(request).decode(), "wait": True})
    assert r.json()["result"]["output"] == {"greeting": "Hello, Ada!"}


def test_a_payload_that_is_not_the_entry_message_fails_inside_a_202(live):
    graph_id = live.compile("hello")
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "payload": base64.b64encode(b"\xff\xff\xff").decode(),
                                 "wait": True})
    assert r.status_code == 202
    assert r.json()["result"]["success"] is False
    assert r.json()["result"]["error"].startswith("invalid payload for GreetRequest: ")


def test_wait_timeout_returns_202_with_the_timeout_message_and_the_run_continues(flows):
    graph_id = flows.compile("faults-hang")
    with flows.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "x"}, "wait": True, "timeout_seconds": 1})
        assert r.status_code == 202
        body = r.json()
        assert body == {"accepted": True, "execution_id": body["execution_id"],
                        "error_message": "timeout waiting for flow result (1s)"}
        assert execution(flows, body["execution_id"]).status == "Running"
        # ...and cancelling it works, immediately, even inside the hanging node.
        cancel = c.delete(f"/invocations/v1/flows/{body['execution_id']}")
        assert (cancel.status_code, cancel.json()) == (
            200, {"execution_id": body["execution_id"], "cancelled": True, "status": "Cancelled"})
        again = c.delete(f"/invocations/v1/flows/{body['execution_id']}")
        assert (again.status_code, again.json()) == (
            200, {"execution_id": body["execution_id"], "cancelled": False, "status": "Cancelled"})
    assert execution(flows, body["execution_id"]).status == "Cancelled"


def test_cancel_of_an_unknown_or_another_tenants_execution_is_404(flows):
    graph_id = flows.compile("faults-hang")
    with flows.client() as c:
        started = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "x"}}).json()["execution_id"]
        with flows.client(flows.other_key) as other:
            theirs = other.delete(f"/invocations/v1/flows/{started}")
            unknown = other.delete("/invocations/v1/flows/" + "0" * 32)
        for r in (theirs, unknown):
            assert (r.status_code, r.json()) == (404, {"error": "execution not found"})
        assert execution(flows, started).status == "Running"  # untouched
        assert c.delete(f"/invocations/v1/flows/{started}").json()["cancelled"] is True


def test_config_id_by_name_or_id_and_unknown(flows):
    from axiom_ide.runtime.store.configs import ConfigStore
    from axiom_ide.runtime.store.db import open_database
    from axiom_ide.runtime.store.secrets import SecretBox, load_master_key

    db = open_database(flows.data_dir)
    try:
        config = ConfigStore(db, SecretBox(load_master_key(flows.data_dir, use_keyring=False)[0])).set(
            "staging", flow_name="faults-secret", secret_overrides={"TOKEN": "from-staging"})
    finally:
        db.close()
    graph_id = flows.compile("faults-secret")
    with flows.client() as c:
        def run(**extra):
            return c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": ""}, "wait": True, **extra}).json()

        assert run()["result"]["output"]["text"] == "missing"
        assert run(config_id="staging")["result"]["output"]["text"] == "from-staging"
        assert run(config_id=config.id)["result"]["output"]["text"] == "from-staging"
        unknown = run(config_id="nope")
    assert unknown["result"]["success"] is False
    assert unknown["result"]["error"] == 'config "nope" not found for flow "faults-secret"'


def test_config_and_secret_changes_reach_the_next_invoke_from_this_server_or_the_cli(flows):
    """Resolved configs are cached by the server; a change made through its own API or by another
    process (the CLI on the same data dir) is seen by the very next invoke."""
    import subprocess
    import sys

    graph_id = flows.compile("faults-secret")

    def cli(*args):
        subprocess.run([sys.executable, "-m", "axiom_ide", *args, "--data-dir", str(flows.data_dir)],
                       check=True, capture_output=True, text=True, timeout=60)

    with flows.client() as c:
        def token(**extra):
            r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": ""}, "wait": True, **extra}).json()
            return r["result"]["output"]["text"] if r["result"]["success"] else r["result"]["error"]

        cli("configs", "set", "cli-made", "--flow", "faults-secret", "--secret", "TOKEN=one")
        assert token(config_id="cli-made") == "one"
        assert token(config_id="cli-made") == "one"
        cli("configs", "set", "cli-made", "--flow", "faults-secret", "--secret", "TOKEN=two")
        assert token(config_id="cli-made") == "two"
        assert c.put("/api/secrets/TOKEN", json={"value": "via-api"}).status_code in (200, 201)
        assert token() == "via-api"
        cli("secrets", "set", "TOKEN", "--value", "via-cli")
        assert token() == "via-cli"
        assert token(config_id="cli-made") == "two"  # the profile's override still wins
        cli("configs", "rm", "cli-made", "--flow", "faults-secret")
        assert token(config_id="cli-made") == 'config "cli-made" not found for flow "faults-secret"'
        assert c.delete("/api/secrets/TOKEN").status_code in (200, 204)
        assert token() == "missing"


def test_unknown_debug_session_is_refused_and_the_header_wins_over_the_body(live):
    graph_id = live.compile("hello")
    with live.client() as c:
        body_only = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "A"}, "wait": True,
                                         "debug_session_id": "from-body"})
        both = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "A"}, "wait": True,
                                    "debug_session_id": "from-body"},
                      headers={"X-Debug-Session-Id": "from-header"})
    assert (body_only.status_code, body_only.json()) == (
        500, {"accepted": False, "error_message": 'debug session "from-body" not found'})
    assert (both.status_code, both.json()) == (
        500, {"accepted": False, "error_message": 'debug session "from-header" not found'})


def test_concurrent_waited_invokes_all_complete(live):
    import concurrent.futures

    graph_id = live.compile("hello")

    def one(i: int):
        with live.client() as c:
            return c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": f"n{i}"}, "wait": True}).json()

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(24)))
    assert [r["result"]["output"]["greeting"] for r in results] == [f"Hello, n{i}!" for i in range(24)]
    assert len({r["execution_id"] for r in results}) == 24
