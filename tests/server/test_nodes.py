"""Single-node calls: ``POST /invocations/v1/nodes/{owner}/{pkg}/{version}/{node}``, ``/nodes/{node_id}``
and the binary ``/nodes/invoke`` — bodies and codes from reference/error-catalog's per-node table."""
from __future__ import annotations

import base64
import json

import pytest
from server_support import count_executions, sse_frames, test_flows, wait_for

from axiom_ide.runtime.packages.node_id import is_node_id, node_id

NODES = "/invocations/v1/nodes"
GREET = f"{NODES}/examples/text/0.1.0/Greet"


@pytest.fixture(scope="module")
def flows(live):
    test_flows(live)
    # The server rescans its workspace on a lookup that misses, at most every 0.25 s.
    with live.client() as c:
        assert wait_for(lambda: c.post(f"{NODES}/tests/faults/0.1.0/Upper", json={}).status_code == 200)
    return live


def _classes(live, package: str, *names: str):
    from axiom_ide.runtime.packages import Workspace

    pkg = Workspace(live.workspace).packages[package]
    return [pkg.message_class(n) for n in names]


def test_node_ids_are_stable_ulid_shaped_and_distinct():
    a = node_id("examples/text", "0.1.0", "Greet")
    assert a == node_id("examples/text", "0.1.0", "Greet")
    assert is_node_id(a) and len(a) == 26 and a[0] in "01234567"
    assert len({a, node_id("examples/text", "0.1.1", "Greet"), node_id("examples/text", "0.1.0", "Upper"),
                node_id("examples/texts", "0.1.0", "Greet")}) == 4


def test_by_name_path_and_by_id_return_200_with_the_output_message(live):
    before = count_executions(live)
    with live.client() as c:
        by_path = c.post(GREET, json={"name": "Ada"})
        by_id = c.post(f"{NODES}/{node_id('examples/text', '0.1.0', 'Greet')}", json={"name": "Ada"})
        lower_id = c.post(f"{NODES}/{node_id('examples/math', '0.1.0', 'Add').lower()}", json={"a": 2, "b": 3})
    assert (by_path.status_code, by_path.json()) == (200, {"greeting": "Hello, Ada!"})
    assert (by_id.status_code, by_id.json()) == (200, {"greeting": "Hello, Ada!"})
    assert (lower_id.status_code, lower_id.json()) == (200, {"result": 5.0})
    assert count_executions(live) == before  # a node call is not an execution


def test_unknown_nodes_are_404_with_the_catalog_texts(live):
    with live.client() as c:
        r_path = c.post(f"{NODES}/examples/text/0.1.0/Nope", json={})
        r_version = c.post(f"{NODES}/examples/text/9.9.9/Greet", json={})
        r_id = c.post(f"{NODES}/{node_id('examples/text', '0.1.0', 'Nope')}", json={})
        r_short = c.post(f"{NODES}/not-an-id", json={})
    assert (r_path.status_code, r_path.json()) == (404, {"error_message": "node not found: examples/text/0.1.0/Nope"})
    assert (r_version.status_code, r_version.json()) == (404, {"error_message": "node not found: examples/text/9.9.9/Greet"})
    for r in (r_id, r_short):
        assert (r.status_code, r.json()) == (404, {"error_message": "node not found or not yet deployed"})


def test_input_that_does_not_match_is_400_invalid_json_for_the_message(live):
    with live.client() as c:
        unknown_field = c.post(GREET, json={"nam": "Ada"})
        not_json = c.post(GREET, content=b"", headers={"Content-Type": "application/json"})
        array = c.post(GREET, json=[1])
    assert unknown_field.status_code == 400
    assert unknown_field.json()["error_message"].startswith("invalid JSON for GreetRequest: ")
    assert 'no field named "nam"' in unknown_field.json()["error_message"]
    assert (not_json.status_code, not_json.json()) == (
        400, {"error_message": "invalid JSON for GreetRequest: Expecting value: line 1 column 1 (char 0)"})
    assert (array.status_code, array.json()) == (
        400, {"error_message": "invalid JSON for GreetRequest: expected a JSON object, got array"})


def test_a_handler_error_is_422_with_its_own_message(flows):
    with flows.client() as c:
        r = c.post(f"{NODES}/tests/faults/0.1.0/Boom", json={"text": "bad input"})
    assert (r.status_code, r.json()) == (422, {"error_message": "boom: bad input"})


def test_a_node_whose_host_dies_is_502_calling_node(flows):
    with flows.client() as c:
        r = c.post(f"{NODES}/tests/faults/0.1.0/Crash", json={"text": "x"})
        after = c.post(f"{NODES}/tests/faults/0.1.0/Upper", json={"text": "still up"})
    assert r.status_code == 502
    assert r.json()["error_message"].startswith("calling node: ")
    assert (after.status_code, after.json()) == (200, {"text": "STILL UP", "big": "0"})


def test_a_package_added_while_serving_is_found(flows):
    # tests/faults was written into the workspace after the server started.
    with flows.client() as c:
        r = c.post(f"{NODES}/{node_id('tests/faults', '0.1.0', 'Upper')}", json={"text": "ok"})
    assert (r.status_code, r.json()) == (200, {"text": "OK", "big": "0"})


def test_a_pipeline_node_streams_sse_frames(live):
    with live.client() as c:
        r = c.post(f"{NODES}/examples/text/0.1.0/WordStream", json={"text": "to be"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/event-stream"
    assert sse_frames(r.text) == [
        {"frame_index": 0, "payload": {"word": "to", "index": 0}, "is_final": False},
        {"frame_index": 1, "payload": {"word": "be", "index": 1}, "is_final": False},
        {"frame_index": 2, "is_final": True, "success": True},
    ]


def test_accept_event_stream_streams_a_unary_node(live):
    with live.client() as c:
        r = c.post(GREET, json={"name": "Ada"}, headers={"Accept": "text/event-stream"})
    assert r.headers["content-type"] == "text/event-stream"
    assert sse_frames(r.text) == [
        {"frame_index": 0, "payload": {"greeting": "Hello, Ada!"}, "is_final": False},
        {"frame_index": 1, "is_final": True, "success": True},
    ]


def test_a_failing_pipeline_node_ends_its_stream_with_an_error_frame(flows):
    with flows.client() as c:
        r = c.post(f"{NODES}/tests/streams/0.1.0/Breaks", json={"text": "x"})
    frames = sse_frames(r.text)
    assert frames[0] == {"frame_index": 0, "payload": {"text": "x"}, "is_final": False}
    assert frames[1]["is_final"] is True and "success" not in frames[1]
    assert "stream broke: x" in frames[1]["error"]


def test_binary_invoke_takes_and_returns_base64_protobuf(live):
    request_cls, reply_cls = _classes(live, "examples/text@0.1.0", "GreetRequest", "GreetReply")
    payload = base64.b64encode(request_cls(name="Ada").SerializeToString()).decode()
    with live.client() as c:
        by_id = c.post(f"{NODES}/invoke", json={"node_id": node_id("examples/text", "0.1.0", "Greet"), "payload": payload})
        by_path = c.post(f"{NODES}/invoke", json={"node_id": "examples/text/0.1.0/Greet", "payload": payload})
    for r in (by_id, by_path):
        assert r.status_code == 200
        body = r.json()
        assert list(body) == ["success", "payload", "error_message"]
        assert body["success"] is True and body["error_message"] == ""
        assert reply_cls.FromString(base64.b64decode(body["payload"])).greeting == "Hello, Ada!"


def test_binary_invoke_errors(flows):
    text_cls, = _classes(flows, "tests/faults@0.1.0", "Text")
    boom = base64.b64encode(text_cls(text="z").SerializeToString()).decode()
    with flows.client() as c:
        unknown = c.post(f"{NODES}/invoke", json={"node_id": node_id("x/y", "1.0.0", "Z"), "payload": ""})
        failing = c.post(f"{NODES}/invoke", json={"node_id": node_id("tests/faults", "0.1.0", "Boom"), "payload": boom})
        bad_b64 = c.post(f"{NODES}/invoke", json={"node_id": node_id("tests/faults", "0.1.0", "Boom"), "payload": "%%"})
        no_id = c.post(f"{NODES}/invoke", json={"payload": boom})
        not_json = c.post(f"{NODES}/invoke", content=b"{", headers={"Content-Type": "application/json"})
    assert (unknown.status_code, unknown.json()) == (
        404, {"success": False, "payload": "", "error_message": "node not found or not yet deployed"})
    assert (failing.status_code, failing.json()) == (422, {"success": False, "payload": "", "error_message": "boom: z"})
    assert bad_b64.status_code == 400 and bad_b64.json()["error_message"].startswith("invalid payload: ")
    assert (no_id.status_code, no_id.json()) == (
        400, {"success": False, "payload": "", "error_message": "invalid request body: node_id is required"})
    assert not_json.status_code == 400
    assert not_json.json()["error_message"].startswith("invalid request body: ")


def test_binary_invoke_of_a_pipeline_node_streams_base64_frames(live):
    text_cls, word_cls = _classes(live, "examples/text@0.1.0", "Text", "Word")
    payload = base64.b64encode(text_cls(text="a b").SerializeToString()).decode()
    with live.client() as c:
        r = c.post(f"{NODES}/invoke", json={"node_id": "examples/text/0.1.0/WordStream", "payload": payload})
    frames = sse_frames(r.text)
    assert [word_cls.FromString(base64.b64decode(f["payload"])).word for f in frames[:-1]] == ["a", "b"]
    assert frames[-1] == {"frame_index": 2, "is_final": True, "success": True}
    json.dumps(frames)  # plain JSON all the way
