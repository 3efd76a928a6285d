"""Every answer a real server sends matches the response schema its own OpenAPI document gives the
route (generated from the models the handlers answer with, ``server/response_models.py``).

The schemas are strict: an object allows no field it does not declare and requires the fields
always present, so a handler that adds or drops a field without its model fails here (each body
checked is also checked with one field too many and, where some are required, one too few).
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from server_support import sse_frames, wait_for

from axiom_ide.runtime.packages.node_id import node_id
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.memory import SqliteMemory

SERVER = Path(__file__).resolve().parents[2] / "axiom_ide" / "server"
INVOKE = "/invocations/v1/flows/invoke"
EXECUTIONS = "/invocations/v1/executions"
SESSIONS = "/invocations/v1/debug/sessions"
NODES = "/invocations/v1/nodes"


@pytest.fixture(scope="module")
def spec(live):
    with live.client() as c:
        return c.get("/api/openapi.json").json()


@pytest.fixture(scope="module")
def check(spec):
    """``check(response, METHOD, path template)``: the body validates against the documented schema
    of its status, and would not with an extra field or without a required one. Returns the body."""
    checked: list[tuple[str, str, int]] = []

    def run(r, method: str, template: str, *, message: bool = False):
        """``message``: the body is a node's output message, documented as any object."""
        op = spec["paths"][template][method.lower()]
        documented = op["responses"].get(str(r.status_code))
        assert documented is not None, f"{method} {template} answered undocumented {r.status_code}: {r.text}"
        if r.status_code == 204:
            assert r.content == b""
            return None
        schema = documented["content"]["application/json"]["schema"]
        body = r.json()
        validator = OAS30Validator(schema)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]
        assert not errors, f"{method} {template} {r.status_code} {body}: {errors}"
        if message:
            assert schema == {"type": "object", "additionalProperties": True}
            return body
        for variant in schema.get("oneOf", [schema]):  # a status with several shapes: each is strict
            assert variant.get("additionalProperties") is False, f"{method} {template} {r.status_code}: open schema"
        with pytest.raises(ValidationError):
            validator.validate({**body, "undocumented_field": 1})
        for name in schema.get("required", [])[:1]:
            with pytest.raises(ValidationError):
                validator.validate({k: v for k, v in body.items() if k != name})
        checked.append((method, template, r.status_code))
        return body

    run.checked = checked  # type: ignore[attr-defined]
    return run


def test_management_responses_match_their_schemas(live, check):
    with live.client() as c:
        compiled = check(c.post("/api/compile", json={"flow": "hello"}), "POST", "/api/compile")
        check(c.post("/api/compile", json={"source": "name: x\nnodes: [oops"}), "POST", "/api/compile")
        check(c.post("/api/compile", json={}), "POST", "/api/compile")
        check(c.get("/api/flows"), "GET", "/api/flows")
        check(c.get("/api/flows/hello/artifacts"), "GET", "/api/flows/{name}/artifacts")
        check(c.get(f"/api/graphs/{compiled['graph_id']}"), "GET", "/api/graphs/{graph_id}")
        check(c.get("/api/graphs/nope"), "GET", "/api/graphs/{graph_id}")
        check(c.get("/api/packages"), "GET", "/api/packages")

        check(c.put("/api/secrets/RESP_KEY", json={"value": "one"}), "PUT", "/api/secrets/{name}")
        check(c.put("/api/secrets/RESP_KEY", json={"value": "two"}), "PUT", "/api/secrets/{name}")
        check(c.put("/api/secrets/RESP_KEY", json={}), "PUT", "/api/secrets/{name}")
        check(c.get("/api/secrets"), "GET", "/api/secrets")
        check(c.delete("/api/secrets/RESP_KEY"), "DELETE", "/api/secrets/{name}")
        check(c.delete("/api/secrets/RESP_KEY"), "DELETE", "/api/secrets/{name}")

        config = check(c.post("/api/configs", json={"flow": "hello", "name": "resp", "node_timeout_seconds": 12,
                                                    "secret_overrides": {"A": "b"}}), "POST", "/api/configs")
        check(c.post("/api/configs", json={"flow": "hello", "name": "resp"}), "POST", "/api/configs")
        check(c.get("/api/configs"), "GET", "/api/configs")
        check(c.get(f"/api/configs/{config['id']}"), "GET", "/api/configs/{config_id}")
        check(c.patch(f"/api/configs/{config['id']}", json={"max_attempts": 2}), "PATCH", "/api/configs/{config_id}")
        check(c.delete(f"/api/configs/{config['id']}"), "DELETE", "/api/configs/{config_id}")
        check(c.get(f"/api/configs/{config['id']}"), "GET", "/api/configs/{config_id}")

        check(c.post("/api/keys", json={"name": "resp-key"}), "POST", "/api/keys")
        check(c.post("/api/keys", json={"name": "resp-key"}), "POST", "/api/keys")
        check(c.get("/api/keys"), "GET", "/api/keys")
        check(c.delete("/api/keys/resp-key"), "DELETE", "/api/keys/{name}")
        check(c.get("/api/whoami"), "GET", "/api/whoami")


def test_memory_responses_match_their_schemas(live, check):
    db = open_database(live.data_dir)
    try:
        memory = SqliteMemory(db)
        memory.call_sync("local", "resp", "history_append", {"session_id": "s1", "role": "user", "content": "hi"})
        memory.call_sync("local", "resp", "session_write", {"session_id": "s1", "content": "likes CSV",
                                                            "importance": 0.8})
        memory.call_sync("local", "resp", "write", {"content": "prefers JSON", "importance": 0.9})
    finally:
        db.close()
    with live.client() as c:
        check(c.get("/api/memory/flows"), "GET", "/api/memory/flows")
        check(c.get("/api/memory/flows/resp/sessions"), "GET", "/api/memory/flows/{flow_id}/sessions")
        check(c.get("/api/memory/flows/resp/search", params={"q": "JSON"}), "GET", "/api/memory/flows/{flow_id}/search")
        check(c.get("/api/memory/flows/resp/search"), "GET", "/api/memory/flows/{flow_id}/search")
        check(c.get("/api/memory/sessions/s1"), "GET", "/api/memory/sessions/{session_id}")
        check(c.post("/api/memory/sessions/s1/end"), "POST", "/api/memory/sessions/{session_id}/end")
        check(c.delete("/api/memory/sessions/s1"), "DELETE", "/api/memory/sessions/{session_id}")
        check(c.delete("/api/memory/sessions/s1"), "DELETE", "/api/memory/sessions/{session_id}")
        check(c.delete("/api/memory/flows/resp"), "DELETE", "/api/memory/flows/{flow_id}")
        check(c.delete("/api/memory/flows/resp"), "DELETE", "/api/memory/flows/{flow_id}")


def test_invocation_and_history_responses_match_their_schemas(live, check):
    graph_id = live.compile("linear")
    hello = live.compile("hello")
    with live.client() as c:
        done = check(c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "a"}, "wait": True}), "POST", INVOKE)
        failed = check(c.post(INVOKE, json={"graph_id": hello, "input": {"nam": 1}, "wait": True}), "POST", INVOKE)
        assert failed["result"]["success"] is False
        check(c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "b"}}), "POST", INVOKE)
        check(c.post(INVOKE, json={"graph_id": 3, "input": {}}), "POST", INVOKE)
        check(c.post(INVOKE, json={"input": {}}), "POST", INVOKE)
        check(c.post(INVOKE, json={"graph_id": graph_id, "payload": base64.b64encode(b"").decode(), "wait": True}),
              "POST", INVOKE)
        check(c.delete(f"/invocations/v1/flows/{done['execution_id']}"), "DELETE", "/invocations/v1/flows/{execution_id}")
        check(c.delete(f"/invocations/v1/flows/{'0' * 32}"), "DELETE", "/invocations/v1/flows/{execution_id}")

        page = check(c.get(EXECUTIONS, params={"limit": 1}), "GET", EXECUTIONS)
        assert page["next_cursor"]
        check(c.get(EXECUTIONS), "GET", EXECUTIONS)
        check(c.get(EXECUTIONS, params={"limit": 0}), "GET", EXECUTIONS)
        for eid in (done["execution_id"], failed["execution_id"], "0" * 32):
            check(c.get(f"{EXECUTIONS}/{eid}"), "GET", EXECUTIONS + "/{execution_id}")
            check(c.get(f"{EXECUTIONS}/{eid}/events"), "GET", EXECUTIONS + "/{execution_id}/events")
            check(c.get(f"{EXECUTIONS}/{eid}/checkpoints"), "GET", EXECUTIONS + "/{execution_id}/checkpoints")
        check(c.get(f"{EXECUTIONS}/{done['execution_id']}/events", params={"limit": 1}), "GET",
              EXECUTIONS + "/{execution_id}/events")
        cps = c.get(f"{EXECUTIONS}/{done['execution_id']}/checkpoints").json()["checkpoints"]
        one = EXECUTIONS + "/{execution_id}/checkpoints/{checkpoint_id}"
        check(c.get(f"{EXECUTIONS}/{done['execution_id']}/checkpoints/{cps[0]['checkpoint_id']}"), "GET", one)
        check(c.get(f"{EXECUTIONS}/{done['execution_id']}/checkpoints/nope"), "GET", one)

        session = SESSIONS + "/{session_id}"
        live_s = check(c.post(SESSIONS, json={"mode": "LIVE", "breakpoints": ["n2"]}), "POST", SESSIONS)
        check(c.post(SESSIONS, json={"mode": "WATCH"}), "POST", SESSIONS)
        check(c.post(SESSIONS, content=b"{", headers={"Content-Type": "application/json"}), "POST", SESSIONS)
        sid = live_s["session_id"]
        check(c.get(f"{SESSIONS}/{sid}"), "GET", session)
        check(c.get(f"{SESSIONS}/{'f' * 32}"), "GET", session)
        check(c.put(f"{SESSIONS}/{sid}/breakpoints", json={"breakpoints": ["n1"]}), "PUT", session + "/breakpoints")
        check(c.put(f"{SESSIONS}/{sid}/breakpoints", json={"breakpoints": None}), "PUT", session + "/breakpoints")
        check(c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n3"}), "POST", session + "/breakpoints")
        check(c.delete(f"{SESSIONS}/{sid}/breakpoints/n3"), "DELETE", session + "/breakpoints/{node}")
        check(c.post(f"{SESSIONS}/{sid}/step"), "POST", session + "/step")

        replay = check(c.post(SESSIONS, json={"mode": "REPLAY", "execution_id": done["execution_id"]}), "POST", SESSIONS)
        check(c.post(SESSIONS, json={"mode": "REPLAY", "execution_id": "0" * 32}), "POST", SESSIONS)
        rid = replay["session_id"]
        check(c.get(f"{SESSIONS}/{rid}/replay", params={"timeline": "true"}), "GET", session + "/replay")
        check(c.get(f"{SESSIONS}/{rid}/replay", params={"index": 99}), "GET", session + "/replay")
        fork = check(c.post(f"{SESSIONS}/{rid}/fork", json={"checkpoint_id": cps[0]["checkpoint_id"],
                                                            "overrides": {"text": "forked"}}), "POST", session + "/fork")
        assert wait_for(lambda: c.get(f"{SESSIONS}/{fork['session_id']}").json()["execution_status"] == "Completed")
        check(c.get(f"{SESSIONS}/{fork['session_id']}"), "GET", session)
        check(c.get(f"{EXECUTIONS}/{fork['execution_id']}"), "GET", EXECUTIONS + "/{execution_id}")
        check(c.get(f"{EXECUTIONS}/{done['execution_id']}"), "GET", EXECUTIONS + "/{execution_id}")
    with live.client("0" * 64) as stranger:
        check(stranger.get(EXECUTIONS), "GET", EXECUTIONS)


def test_node_invocation_responses_match_their_schemas(live, check):
    from axiom_ide.runtime.packages import Workspace

    request_cls = Workspace(live.workspace).packages["examples/text@0.1.0"].message_class("GreetRequest")
    payload = base64.b64encode(request_cls(name="Ada").SerializeToString()).decode()
    greet = NODES + "/{owner}/{pkg}/{version}/{node}"
    with live.client() as c:
        check(c.post(f"{NODES}/examples/text/0.1.0/Greet", json={"name": "Ada"}), "POST", greet, message=True)
        check(c.post(f"{NODES}/examples/text/0.1.0/Nope", json={}), "POST", greet)
        check(c.post(f"{NODES}/examples/text/0.1.0/Greet", content=b"{"), "POST", greet)
        check(c.post(f"{NODES}/not-an-id", json={}), "POST", NODES + "/{node_id}")
        binary = NODES + "/invoke"
        check(c.post(binary, json={"node_id": node_id("examples/text", "0.1.0", "Greet"), "payload": payload}),
              "POST", binary)
        check(c.post(binary, json={"node_id": node_id("x/y", "1.0.0", "Z"), "payload": ""}), "POST", binary)
        check(c.post(binary, json={"payload": payload}), "POST", binary)


def _all_valid(schema: dict, bodies: list[dict], components: dict | None = None) -> None:
    root = {**schema, "components": components} if components else schema
    validator = OAS30Validator(root)
    """Each body (a frame, a response) is valid, and would not be with an undocumented field."""
    for body in bodies:
        errors = [e.message for e in validator.iter_errors(body)]
        assert not errors, (body, errors)
        with pytest.raises(ValidationError):
            validator.validate({**body, "undocumented_field": 1})


def test_stream_frames_match_the_documented_frame_schema(live, spec):
    words = live.compile("words")
    with live.client() as c:
        r = c.post("/invocations/v1/flows/invoke/stream", json={"graph_id": words, "input": {"text": "a b"}})
        node = c.post(f"{NODES}/examples/text/0.1.0/WordStream", json={"text": "to be"})
        graph = c.get(f"/api/graphs/{words}/openapi.json").json()
        hello = live.compile("hello")
        waited = c.post(INVOKE, json={"graph_id": hello, "input": {"name": "Ada"}, "wait": True})
        hello_spec = c.get(f"/api/graphs/{hello}/openapi.json").json()
    frames = sse_frames(r.text)
    assert [f["is_final"] for f in frames] == [False, False, True]
    server_op = spec["paths"]["/invocations/v1/flows/invoke/stream"]["post"]
    _all_valid(server_op["responses"]["200"]["content"]["text/event-stream"]["schema"], frames)
    flow_op = graph["paths"]["/v1/flows/invoke/stream"]["post"]  # payload typed as the flow's output message
    _all_valid(flow_op["responses"]["200"]["content"]["text/event-stream"]["schema"], frames, graph["components"])
    with pytest.raises(ValidationError):  # the typed payload is checked: a word must be a string
        OAS30Validator({**flow_op["responses"]["200"]["content"]["text/event-stream"]["schema"],
                        "components": graph["components"]}).validate({**frames[0], "payload": {"word": 1}})
    node_op = spec["paths"][NODES + "/{owner}/{pkg}/{version}/{node}"]["post"]
    _all_valid(node_op["responses"]["200"]["content"]["text/event-stream"]["schema"], sse_frames(node.text))
    unary = hello_spec["paths"]["/v1/flows/invoke"]["post"]["responses"]["202"]["content"]["application/json"]
    assert waited.status_code == 202
    _all_valid(unary["schema"], [waited.json()], hello_spec["components"])
    _all_valid(unary["schema"], [unary["example"]], hello_spec["components"])


def test_no_writes_to_aiohttp_private_attributes():
    """Handlers and middlewares use aiohttp's public API only (``app[key]``, ``request[key]``)."""
    private_write = re.compile(r"\b(?:request|response|resp|app|web|self\._?app|transport|protocol)\.(_[a-z]\w*)\s*=[^=]")
    offenders = [f"{p.name}:{n}: {line.strip()}" for p in sorted(SERVER.glob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if private_write.search(line) or re.search(r"setattr\((?:request|response|app)\b", line)]
    assert offenders == []


def test_client_builder_responses_match_their_schemas(live, check):
    from engine_support import wait_for

    base = "/api/clients"
    greet = {"kind": "node", "target": "examples/text@0.1.0:Greet", "alias": "greet"}
    with live.client() as c:
        check(c.post(base, json={"name": "schemas"}), "POST", base)
        check(c.post(base, json={"name": "schemas"}), "POST", base)
        check(c.post(base, json={"name": ""}), "POST", base)
        check(c.get(base), "GET", base)
        check(c.get(f"{base}/schemas"), "GET", f"{base}/{{name}}")
        check(c.get(f"{base}/nope"), "GET", f"{base}/{{name}}")
        check(c.post(f"{base}/schemas/members", json={"members": [greet]}), "POST", f"{base}/{{name}}/members")
        check(c.post(f"{base}/schemas/members", json={"members": [greet]}), "POST", f"{base}/{{name}}/members")
        check(c.post(f"{base}/schemas/members", json={"members": [{**greet, "target": "x/y@1.0.0:Z", "alias": "z"}]}),
              "POST", f"{base}/{{name}}/members")
        check(c.request("DELETE", f"{base}/schemas/members", params={"alias": "zz"}), "DELETE", f"{base}/{{name}}/members")
        check(c.post(f"{base}/schemas/versions", json={"languages": ["python"]}), "POST", f"{base}/{{name}}/versions")
        check(c.post(f"{base}/schemas/versions", json={"languages": ["cobol"]}), "POST", f"{base}/{{name}}/versions")
        assert wait_for(lambda: c.get(f"{base}/schemas/versions/1").json()["builds"][0]["status"] == "succeeded",
                        timeout=120)
        check(c.get(f"{base}/schemas/versions"), "GET", f"{base}/{{name}}/versions")
        check(c.get(f"{base}/schemas/versions/1"), "GET", f"{base}/{{name}}/versions/{{number}}")
        check(c.get(f"{base}/schemas/versions/9"), "GET", f"{base}/{{name}}/versions/{{number}}")
        check(c.post(f"{base}/schemas/versions/1/languages", json={"language": "python"}), "POST",
              f"{base}/{{name}}/versions/{{number}}/languages")
        check(c.get(f"{base}/schemas/versions/1/sdk/go"), "GET", f"{base}/{{name}}/versions/{{number}}/sdk/{{language}}")
        check(c.post(f"{base}/schemas/versions/1/languages", json={"language": "go"}), "POST",
              f"{base}/{{name}}/versions/{{number}}/languages")
        check(c.request("DELETE", f"{base}/schemas/members", params={"alias": "greet"}), "DELETE",
              f"{base}/{{name}}/members")
        check(c.delete(f"{base}/schemas"), "DELETE", f"{base}/{{name}}")
        check(c.delete(f"{base}/schemas"), "DELETE", f"{base}/{{name}}")
