"""The error envelope on the invoke routes (reference/http-api "Error envelope"): exact statuses and
bodies for a non-JSON body, a missing/unknown/foreign graph_id, the wrong flow mode, bad fields and
the 16 MiB hard cap (declared and chunked bodies)."""
from __future__ import annotations

import json

import httpx
import pytest

INVOKE = "/invocations/v1/flows/invoke"
STREAM = "/invocations/v1/flows/invoke/stream"
CAP = 16 * 1024 * 1024


def _json_error(text: str) -> str:
    try:
        json.loads(text)
    except ValueError as exc:
        return str(exc)
    raise AssertionError("valid JSON")


@pytest.mark.parametrize("path", [INVOKE, STREAM])
@pytest.mark.parametrize("raw", [b"{nope", b"", b"graph_id=1", b"\xff\xfe"])
def test_a_body_that_is_not_json_is_400_invalid_request_body(live, path, raw):
    with live.client() as c:
        r = c.post(path, content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    body = r.json()
    assert list(body) == ["accepted", "error_message"] and body["accepted"] is False
    assert body["error_message"].startswith("invalid request body: ")
    if raw != b"\xff\xfe":
        assert body["error_message"] == "invalid request body: " + _json_error(raw.decode())


@pytest.mark.parametrize("path", [INVOKE, STREAM])
def test_a_json_body_that_is_not_an_object_is_400(live, path):
    with live.client() as c:
        r = c.post(path, json=[1, 2])
    assert (r.status_code, r.json()) == (
        400, {"accepted": False, "error_message": "invalid request body: expected a JSON object, got array"})


@pytest.mark.parametrize("path", [INVOKE, STREAM])
def test_a_missing_graph_id_is_500(live, path):
    with live.client() as c:
        missing = c.post(path, json={"input": {"name": "Ada"}, "wait": True})
        empty = c.post(path, json={"graph_id": "", "input": {"name": "Ada"}})
    for r in (missing, empty):
        assert (r.status_code, r.json()) == (500, {"accepted": False, "error_message": "graph_id is required"})


@pytest.mark.parametrize("path", [INVOKE, STREAM])
def test_an_unknown_and_another_tenants_graph_id_get_the_same_answer(live, path):
    theirs = live.compile("hello", tenant_id="acme")
    unknown = "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD"
    with live.client() as c:
        r_theirs = c.post(path, json={"graph_id": theirs, "input": {"name": "Ada"}, "wait": True})
        r_unknown = c.post(path, json={"graph_id": unknown, "input": {"name": "Ada"}, "wait": True})
    assert (r_theirs.status_code, r_theirs.json()) == (
        500, {"accepted": False, "error_message": f'compiled artifact "{theirs}" not found'})
    assert (r_unknown.status_code, r_unknown.json()) == (
        500, {"accepted": False, "error_message": f'compiled artifact "{unknown}" not found'})
    # ...while its own tenant runs it.
    with live.client(live.other_key) as c:
        if path == INVOKE:
            ok = c.post(path, json={"graph_id": theirs, "input": {"name": "Ada"}, "wait": True})
            assert ok.json()["result"]["output"] == {"greeting": "Hello, Ada!"}


def test_a_pipeline_flow_on_invoke_and_a_unary_flow_on_stream_are_clear_errors(live):
    words, hello = live.compile("words"), live.compile("hello")
    with live.client() as c:
        r1 = c.post(INVOKE, json={"graph_id": words, "input": {"text": "a"}, "wait": True})
        r2 = c.post(STREAM, json={"graph_id": hello, "input": {"name": "Ada"}})
    assert (r1.status_code, r1.json()) == (500, {
        "accepted": False,
        "error_message": f'graph "{words}" is a pipeline flow: stream it with POST /invocations/v1/flows/invoke/stream'})
    assert (r2.status_code, r2.json()) == (500, {
        "accepted": False,
        "error_message": f'graph "{hello}" is a unary flow: invoke it with POST /invocations/v1/flows/invoke'})


def test_neither_input_nor_payload_is_500(live):
    graph_id = live.compile("hello")
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "wait": True})
    assert (r.status_code, r.json()) == (500, {"accepted": False, "error_message": "one of input or payload is required"})


@pytest.mark.parametrize("field, value, message", [
    ("wait", "yes", "wait must be true or false, got string"),
    ("timeout_seconds", 0, "timeout_seconds must be a positive integer, got 0"),
    ("timeout_seconds", "30", 'timeout_seconds must be a positive integer, got "30"'),
    ("timeout_seconds", 1.5, "timeout_seconds must be a positive integer, got 1.5"),
    ("timeout_seconds", True, "timeout_seconds must be a positive integer, got true"),
    ("graph_id", 7, "graph_id must be a string, got number"),
    ("config_id", 7, "config_id must be a string, got number"),
    ("debug_session_id", [], "debug_session_id must be a string, got array"),
    ("webhook", {"url": "ftp://x"}, "webhook.url must be an http:// or https:// URL"),
    ("webhook", {"url": "http://x", "headers": {"a": 1}}, "webhook.headers must be an object of string values"),
])
def test_a_field_of_the_wrong_type_is_400(live, field, value, message):
    graph_id = live.compile("hello")
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "A"}, field: value})
    assert (r.status_code, r.json()) == (400, {"accepted": False, "error_message": "invalid request body: " + message})


def test_a_payload_that_is_not_base64_is_400(live):
    graph_id = live.compile("hello")
    with live.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "payload": "not base64!"})
    assert r.status_code == 400
    assert r.json()["error_message"].startswith("invalid request body: payload is not valid base64: ")


def _too_large(actual: int) -> dict:
    return {"error": "payload_too_large", "message": f"payload exceeds hard cap: actual={actual} max={CAP}",
            "max_bytes": CAP, "actual_bytes": actual}


@pytest.mark.parametrize("path", [INVOKE, STREAM, "/invocations/v1/nodes/examples/text/0.1.0/Greet"])
def test_a_body_over_16_mib_is_413_with_both_sizes(live, path):
    size = CAP + 1
    with live.client() as c:
        r = c.post(path, content=b" " * size, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (413, _too_large(size))


def test_a_chunked_body_over_16_mib_is_counted_while_read(live):
    size = 18 * 1024 * 1024

    def chunks():
        for _ in range(18):
            yield b" " * (1024 * 1024)

    with live.client() as c:
        r = c.post(INVOKE, content=chunks(), headers={"Content-Type": "application/json"})
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert (r.status_code, r.json()) == (413, _too_large(size))


def test_the_size_cap_is_checked_before_the_key(live):
    r = httpx.post(f"{live.origin}{INVOKE}", content=b"x" * (CAP + 10))
    assert (r.status_code, r.json()) == (413, _too_large(CAP + 10))


def test_a_body_of_exactly_16_mib_is_accepted(live):
    graph_id = live.compile("hello")
    head = json.dumps({"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True}).encode()
    body = head[:-1] + b" " * (CAP - len(head)) + b"}"
    assert len(body) == CAP
    with live.client() as c:
        r = c.post(INVOKE, content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 202
    assert r.json()["result"]["output"] == {"greeting": "Hello, Ada!"}


def test_no_key_is_401_on_every_invocation_route(live):
    for path in (INVOKE, STREAM, "/invocations/v1/nodes/invoke", "/invocations/v1/nodes/examples/text/0.1.0/Greet"):
        r = httpx.post(f"{live.origin}{path}", json={})
        assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})
    r = httpx.delete(f"{live.origin}/invocations/v1/flows/{'0' * 32}")
    assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})
