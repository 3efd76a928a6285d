"""``POST /invocations/v1/flows/invoke/stream``: SSE frames exactly as documented (one ``data:`` line of
compact JSON per frame, frame_index from 0, a separate final frame, ``success`` omitted on failure),
timeouts, payload input, and clients that leave or read slowly."""
from __future__ import annotations

import base64
import json
import socket

import httpx
import pytest
from httpx_sse import connect_sse
from server_support import execution, sse_frames, test_flows, wait_for

STREAM = "/invocations/v1/flows/invoke/stream"


@pytest.fixture(scope="module")
def flows(live):
    test_flows(live)
    return live


def test_frames_on_the_wire_are_data_lines_of_compact_json(live):
    graph_id = live.compile("words")
    with live.client() as c:
        r = c.post(STREAM, json={"graph_id": graph_id, "input": {"text": "hello big world"}})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/event-stream"
    execution_id = json.loads(r.text.split("\n", 1)[0][len("data: "):])["execution_id"]
    expected = [
        {"execution_id": execution_id, "frame_index": 0, "payload": {"word": "HELLO", "index": 0}, "is_final": False},
        {"execution_id": execution_id, "frame_index": 1, "payload": {"word": "BIG", "index": 1}, "is_final": False},
        {"execution_id": execution_id, "frame_index": 2, "payload": {"word": "WORLD", "index": 2}, "is_final": False},
        {"execution_id": execution_id, "frame_index": 3, "is_final": True, "success": True},
    ]
    assert r.text == "".join("data: " + json.dumps(f, separators=(",", ":")) + "\n\n" for f in expected)
    assert execution(live, execution_id).status == "Completed"


def test_an_sse_client_reads_the_same_frames(live):
    graph_id = live.compile("words")
    with live.client() as c, connect_sse(c, "POST", STREAM, json={"graph_id": graph_id, "input": {"text": "a b"}}) as src:
        frames = [json.loads(e.data) for e in src.iter_sse()]
    assert [f["frame_index"] for f in frames] == [0, 1, 2]
    assert [f.get("payload") for f in frames] == [{"word": "A", "index": 0}, {"word": "B", "index": 1}, None]
    assert frames[-1]["is_final"] is True and frames[-1]["success"] is True


def test_input_that_does_not_match_ends_the_stream_with_an_error_frame(live):
    graph_id = live.compile("words")
    with live.client() as c:
        r = c.post(STREAM, json={"graph_id": graph_id, "input": {"txt": "a"}})
    assert r.status_code == 200
    [final] = sse_frames(r.text)
    assert list(final) == ["execution_id", "frame_index", "is_final", "error"]  # no "success": never false
    assert final["frame_index"] == 0 and final["is_final"] is True
    assert final["error"].startswith("invalid JSON for Text: ")


def test_a_flow_that_fails_mid_stream_ends_with_an_error_frame_after_its_frames(flows):
    graph_id = flows.compile("streams-breaks")
    with flows.client() as c:
        r = c.post(STREAM, json={"graph_id": graph_id, "input": {"text": "x"}})
    frames = sse_frames(r.text)
    assert [f.get("payload") for f in frames] == [{"text": "x"}, None]
    assert "success" not in frames[-1] and frames[-1]["is_final"] is True
    assert "stream broke: x" in frames[-1]["error"]
    assert execution(flows, frames[0]["execution_id"]).status == "Failed"


def test_a_stream_that_outlives_timeout_seconds_ends_with_the_timeout_frame(flows):
    graph_id = flows.compile("streams-endless")
    with flows.client() as c:
        r = c.post(STREAM, json={"graph_id": graph_id, "input": {"text": "x"}, "timeout_seconds": 1})
    frames = sse_frames(r.text)
    final = frames[-1]
    assert final == {"execution_id": final["execution_id"], "frame_index": len(frames) - 1, "is_final": True,
                     "error": "timeout waiting for pipeline result"}
    assert all(f == {"execution_id": final["execution_id"], "frame_index": i, "payload": {"text": "x"},
                     "is_final": False} for i, f in enumerate(frames[:-1]))


def test_payload_input_streams_decoded_frames(flows):
    from axiom_ide.runtime.packages import Workspace

    graph_id = flows.compile("streams-words")
    text_cls = Workspace(flows.workspace).packages["tests/streams@0.1.0"].message_class("Text")
    payload = base64.b64encode(text_cls(text="one two").SerializeToString()).decode()
    with flows.client() as c:
        r = c.post(STREAM, json={"graph_id": graph_id, "payload": payload})
    assert [f.get("payload") for f in sse_frames(r.text)] == [{"text": "one"}, {"text": "two"}, None]


def test_a_client_that_disconnects_mid_stream_leaves_the_execution_running_to_its_end(flows):
    graph_id = flows.compile("streams-trickle")
    with flows.client() as c:
        with c.stream("POST", STREAM, json={"graph_id": graph_id, "input": {"text": "t"}}) as r:
            first = json.loads(next(r.iter_lines())[len("data: "):])
        # the response is closed here, with five of six frames still to come
    assert first["frame_index"] == 0 and first["payload"] == {"text": "t0"}
    rec = wait_for(lambda: (x := execution(flows, first["execution_id"])) is not None and x.is_final and x)
    assert rec.status == "Completed"
    assert rec.output == {"frames": [{"text": f"t{i}"} for i in range(6)]}  # the frames, decoded


def test_a_slow_reader_gets_every_frame_in_order(flows):
    graph_id = flows.compile("streams-words")
    text = " ".join(f"w{i}" for i in range(300))
    body = json.dumps({"graph_id": graph_id, "input": {"text": text}}).encode()
    host, port = flows.origin.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port))) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"POST " + STREAM.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                  b"Authorization: Bearer " + flows.key.encode() + b"\r\nContent-Type: application/json\r\n"
                  b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        raw = b""
        while chunk := s.recv(64):  # a trickle: 64 bytes at a time
            raw += chunk
    head, _, chunked = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    frames = sse_frames(_dechunk(chunked).decode())
    assert [f.get("payload", {}).get("text") for f in frames[:-1]] == [f"w{i}" for i in range(300)]
    assert frames[-1]["success"] is True and frames[-1]["frame_index"] == 300


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2:]
    return out


def test_cancel_ends_a_running_stream_with_cancelled(flows):
    graph_id = flows.compile("streams-endless")
    with flows.client() as c:
        with c.stream("POST", STREAM, json={"graph_id": graph_id, "input": {"text": "x"}}) as r:
            lines = r.iter_lines()
            first = json.loads(next(lines)[len("data: "):])
            cancel = c.delete(f"/invocations/v1/flows/{first['execution_id']}")
            assert cancel.json() == {"execution_id": first["execution_id"], "cancelled": True, "status": "Cancelled"}
            rest = [json.loads(line[len("data: "):]) for line in lines if line.startswith("data: ")]
    assert rest[-1]["is_final"] is True and rest[-1]["error"] == "cancelled" and "success" not in rest[-1]


def test_another_tenant_cannot_stream_this_tenants_flow(live):
    graph_id = live.compile("words")
    r = httpx.post(f"{live.origin}{STREAM}", headers=live.headers(live.other_key),
                   json={"graph_id": graph_id, "input": {"text": "a"}})
    assert (r.status_code, r.json()) == (
        500, {"accepted": False, "error_message": f'compiled artifact "{graph_id}" not found'})
