"""Bad input over HTTP never costs a 500 or a hang (issue "Hardening" item 1), through a real server:
JSON nested too deep on every route that parses a body, configs of a tenant other than ``local``,
a fork whose flow config is gone, a mistyped ``graph_id``, and a body that never arrives."""
from __future__ import annotations

import socket

import pytest
from engine_support import chain
from live_server import start_server, stop_server
from server_support import count_executions, test_flows

from axiom_ide.server.envelope import MAX_JSON_DEPTH

INVOKE = "/invocations/v1/flows/invoke"
SESSIONS = "/invocations/v1/debug/sessions"
DEEP = b'{"graph_id": "x", "input": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels"


def _post(client, path, raw, method="POST"):
    return client.request(method, path, content=raw, headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("path", [INVOKE, INVOKE + "/stream"])
def test_deep_json_on_invoke_is_400_invalid_request_body(live, path):
    with live.client() as c:
        r = _post(c, path, DEEP)
    assert (r.status_code, r.json()) == (400, {"accepted": False, "error_message": f"invalid request body: {TOO_DEEP}"})


def test_json_just_under_the_parser_limit_is_refused_too(live):
    """500 levels parse in Python but are past the bound: refused before any recursive step."""
    raw = b'{"graph_id": "x", "input": ' + b"[" * 500 + b"]" * 500 + b"}"
    with live.client() as c:
        r = _post(c, INVOKE, raw)
    assert (r.status_code, r.json()["error_message"]) == (400, f"invalid request body: {TOO_DEEP}")


def test_deep_json_on_debug_sessions_secrets_configs_and_nodes_is_400(live):
    with live.client() as c:
        r = _post(c, SESSIONS, b'{"breakpoints": ' + b"[" * 10_000 + b"]" * 10_000 + b"}")
        assert (r.status_code, r.json()) == (400, {"accepted": False, "error_message": f"invalid request body: {TOO_DEEP}"})
        for method, path in (("PUT", "/api/secrets/DEEP"), ("POST", "/api/configs"), ("POST", "/api/keys"),
                             ("POST", "/api/compile")):
            r = _post(c, path, b'{"value": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", method)
            assert (r.status_code, r.json()) == (400, {"error": "invalid_argument",
                                                       "message": f"request body is not valid JSON: {TOO_DEEP}"}), path
        r = _post(c, "/invocations/v1/nodes/invoke", b"[" * 10_000 + b"]" * 10_000)
        assert (r.status_code, r.json()["error_message"]) == (400, f"invalid request body: {TOO_DEEP}")
        r = _post(c, "/invocations/v1/nodes/examples/text/0.1.0/Greet", b"[" * 10_000 + b"]" * 10_000)
        assert (r.status_code, r.json()) == (400, {"error_message": f"invalid JSON for GreetRequest: {TOO_DEEP}"})


def test_configs_of_a_tenant_other_than_local_are_created_and_patched(live):
    with live.client(live.other_key) as acme, live.client() as local:
        r = acme.post("/api/configs", json={"flow": "hello", "name": "acme-fast", "max_attempts": 2})
        assert r.status_code == 201, r.text
        created = r.json()
        assert (created["name"], created["flow"], created["max_attempts"]) == ("acme-fast", "hello", 2)
        r = acme.patch(f"/api/configs/{created['id']}", json={"max_attempts": 4})
        assert (r.status_code, r.json()["max_attempts"]) == (200, 4)
        assert acme.get(f"/api/configs/{created['id']}").json()["max_attempts"] == 4
        assert local.get(f"/api/configs/{created['id']}").status_code == 404


def test_a_fork_whose_flow_config_was_deleted_is_409_and_records_nothing(live):
    test_flows(live)
    chain(live.workspace, "bad-input-upper2", ["Upper"] * 2)
    graph_id = live.compile("bad-input-upper2")
    with live.client() as c:
        config = c.post("/api/configs", json={"flow": "bad-input-upper2", "name": "gone-soon"}).json()
        parent = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "a"}, "wait": True,
                                      "config_id": "gone-soon"}).json()
        assert parent["result"]["success"] is True, parent
        cps = c.get(f"/invocations/v1/executions/{parent['execution_id']}/checkpoints").json()["checkpoints"]
        assert c.delete(f"/api/configs/{config['id']}").status_code == 204
        before = count_executions(live)
        replay = c.post(SESSIONS, json={"mode": "REPLAY", "execution_id": parent["execution_id"]}).json()
        expected = {"error": "config_not_found", "message": 'config "gone-soon" not found for flow "bad-input-upper2"'}
        r = c.post(f"{SESSIONS}/{replay['session_id']}/fork", json={"checkpoint_id": cps[0]["checkpoint_id"]})
        assert (r.status_code, r.json()) == (409, expected)
        r = c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent["execution_id"],
                                   "checkpoint_id": cps[0]["checkpoint_id"]})
        assert (r.status_code, r.json()) == (409, expected)
        assert count_executions(live) == before


@pytest.mark.parametrize("graph_id", [42, 1.5, True, ["x"], {"a": 1}])
def test_a_mistyped_graph_id_is_400(live, graph_id):
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {}})
    assert r.status_code == 400
    assert r.json()["accepted"] is False
    assert r.json()["error_message"].startswith("invalid request body: graph_id must be a string, got ")


@pytest.fixture(scope="module")
def impatient(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("impatient"), "--body-timeout", "1")
    yield server
    stop_server(server)


def _raw_request(server, head: bytes, body: bytes) -> bytes:
    """Send a request that never completes its body; return everything the server answers."""
    host, port = server.origin.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head + b"Authorization: Bearer " + server.key.encode() + b"\r\n\r\n" + body)
        answer = b""
        while chunk := sock.recv(65536):  # the server closes the connection after its answer
            answer += chunk
    return answer


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_a_body_that_never_arrives_is_408_and_the_connection_closed(impatient, framing):
    if framing == "chunked":  # an absurd chunk size, then nothing
        head = (b"POST /invocations/v1/flows/invoke HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n")
        body = b"ffffffff\r\n{\"graph_id\""
    else:  # announces 1000 bytes, sends 10
        head = (b"POST /api/configs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n")
        body = b'{"name": "'
    answer = _raw_request(impatient, head, body)
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout", answer
    assert rest.endswith(b'{"error":"request_timeout","message":"request body not received within 1s"}')
    # the server is still there for everyone else
    with impatient.client() as c:
        assert c.get("/api/keys").status_code == 200
