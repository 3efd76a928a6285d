"""Debug session routes against a real ``axiom-ide serve``: sessions, breakpoints, pause/step/continue,
fork with overrides, replay, tenancy — and an OpenAPI operation for every route."""
from __future__ import annotations

from engine_support import chain
from server_support import test_flows, wait_for

SESSIONS = "/invocations/v1/debug/sessions"
INVOKE = "/invocations/v1/flows/invoke"


def _graph(live) -> str:
    test_flows(live)
    chain(live.workspace, "dbg-upper4", ["Upper"] * 4)
    return live.compile("dbg-upper4")


def _session(client, session_id):
    return client.get(f"{SESSIONS}/{session_id}").json()


def test_live_session_breakpoint_step_continue_through_invoke(live):
    graph_id = _graph(live)
    with live.client() as c:
        r = c.post(SESSIONS, json={"mode": "LIVE", "breakpoints": ["n3", "n2"]})
        assert r.status_code == 201
        s = r.json()
        assert {k: s[k] for k in ("mode", "execution_id", "breakpoints", "state", "paused_at", "execution_status")} == {
            "mode": "LIVE", "execution_id": None, "breakpoints": ["n2", "n3"], "state": None, "paused_at": None,
            "execution_status": None}
        sid = s["session_id"]
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "a"}},
                   headers={"X-Debug-Session-Id": sid})
        assert r.status_code == 202
        execution_id = r.json()["execution_id"]
        paused = wait_for(lambda: (b := _session(c, sid))["paused_at"] == "n2" and b)
        assert {k: paused[k] for k in ("execution_id", "state", "paused_at", "pause_reason", "execution_status")} == {
            "execution_id": execution_id, "state": "paused", "paused_at": "n2", "pause_reason": "breakpoint",
            "execution_status": "Debug paused"}
        # n3's breakpoint goes; stepping runs n2 alone and pauses before n3 anyway
        assert c.delete(f"{SESSIONS}/{sid}/breakpoints/n3").json()["breakpoints"] == ["n2"]
        assert c.post(f"{SESSIONS}/{sid}/step").status_code == 200
        stepped = wait_for(lambda: (b := _session(c, sid))["paused_at"] == "n3" and b)
        assert (stepped["pause_reason"], stepped["execution_status"]) == ("step", "Debug paused")
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n4"})
        assert r.status_code == 200 and r.json()["breakpoints"] == ["n2", "n4"]
        c.post(f"{SESSIONS}/{sid}/continue")
        wait_for(lambda: _session(c, sid)["paused_at"] == "n4")
        c.post(f"{SESSIONS}/{sid}/continue")
        done = wait_for(lambda: (b := _session(c, sid))["execution_status"] == "Completed" and b)
        assert (done["state"], done["paused_at"]) == ("run", None)
        detail = c.get(f"/invocations/v1/executions/{execution_id}").json()
        assert detail["output"] == {"text": "A", "big": "0"} and detail["debug_session_id"] == sid
        # a finished run: stepping no longer applies
        r = c.post(f"{SESSIONS}/{sid}/step")
        assert (r.status_code, r.json()) == (409, {"error": "debug_not_paused",
                                                   "message": "step is available only while the run is paused"})


def test_breakpoint_edits_and_their_validation(live):
    graph_id = _graph(live)
    with live.client() as c:
        sid = c.post(SESSIONS, json={}).json()["session_id"]
        assert c.put(f"{SESSIONS}/{sid}/breakpoints", json={"breakpoints": ["n4", "n1", "n4"]}).json()["breakpoints"] == [
            "n1", "n4"]
        assert c.delete(f"{SESSIONS}/{sid}/breakpoints").json()["breakpoints"] == []
        r = c.put(f"{SESSIONS}/{sid}/breakpoints", json={"breakpoints": ["n1,n2"]})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument",
                                                   "message": '"n1,n2" is not a canvas id (^[a-z0-9][a-z0-9_-]*$) '
                                                              'or an edge src->dst of two canvas ids'})
        for bad in ("n1", None, [1]):  # null is not an empty list: the spec says array
            r = c.put(f"{SESSIONS}/{sid}/breakpoints", json={"breakpoints": bad})
            assert (r.status_code, r.json()) == (400, {"error": "invalid_argument",
                                                       "message": "breakpoints must be an array of canvas ids"})
        r = c.put(f"{SESSIONS}/{sid}/breakpoints", json={})
        assert r.json() == {"error": "invalid_argument", "message": "breakpoints is required"}
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={})
        assert (r.status_code, r.json()["message"]) == (400, "node is required")
        r = c.post(f"{SESSIONS}/{sid}/pause")
        assert (r.status_code, r.json()) == (409, {"error": "debug_session_not_attached",
                                                   "message": "no run is attached to this debug session"})
        # once attached to a run, canvas ids are checked against its flow
        c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n1"})
        execution_id = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "b"}, "debug_session_id": sid}).json()[
            "execution_id"]
        wait_for(lambda: _session(c, sid)["paused_at"] == "n1")
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "zz"})
        assert r.json() == {"error": "invalid_argument", "message": 'flow "dbg-upper4" has no node "zz"'}
        c.post(f"{SESSIONS}/{sid}/continue")
        wait_for(lambda: _session(c, sid)["execution_status"] == "Completed")
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "b"}, "debug_session_id": "f" * 32})
        assert r.status_code == 500 and r.json()["error_message"] == f'debug session "{"f" * 32}" not found'
        assert execution_id


def test_conditional_and_hit_count_breakpoints(live):
    graph_id = _graph(live)
    with live.client() as c:
        sid = c.post(SESSIONS, json={}).json()["session_id"]
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n2", "condition": 'input.text == "A"'})
        assert r.status_code == 200
        assert r.json()["breakpoint_options"] == {"n2": {"condition": 'input.text == "A"', "hit_count": None}}
        skipped = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "b"}, "debug_session_id": sid}).json()
        wait_for(lambda: c.get(f"/invocations/v1/executions/{skipped['execution_id']}").json()["status"] == "Completed")
        c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "a"}, "debug_session_id": sid})
        paused = wait_for(lambda: (b := _session(c, sid))["paused_at"] == "n2" and b)
        assert (paused["pause_reason"], paused["pause_error"]) == ("breakpoint", None)
        assert paused["breakpoint_hits"] == {"n2": 1}  # "b" did not satisfy the condition: not a hit
        c.post(f"{SESSIONS}/{sid}/continue")
        wait_for(lambda: _session(c, sid)["execution_status"] == "Completed")
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n2", "condition": "input.text =="})
        assert r.status_code == 400 and r.json()["message"].startswith("condition: CEL parse error")
        for bad in (0, "2", True):
            r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n2", "hit_count": bad})
            assert (r.status_code, r.json()["message"]) == (400, "hit_count must be an integer >= 1")
        r = c.put(f"{SESSIONS}/{sid}/breakpoints",
                  json={"breakpoints": ["n3"], "options": {"n3": {"condition": "true", "hit_count": 2}}})
        assert r.json()["breakpoint_options"] == {"n3": {"condition": "true", "hit_count": 2}}
        assert r.json()["breakpoint_hits"] == {"n3": 0}  # a changed breakpoint counts from zero
        spec = c.get("/api/openapi.json").json()
        ok = spec["paths"][SESSIONS + "/{session_id}"]["get"]["responses"]["200"]["content"]["application/json"]
        schema = ok["schema"]
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        assert schema["properties"]["breakpoint_hits"]["additionalProperties"] == {"type": "integer"}
        r = c.put(f"{SESSIONS}/{sid}/breakpoints", json={"breakpoints": ["n3"], "options": {"n1": {}}})
        assert (r.status_code, r.json()["message"]) == (400, 'options name "n1", which is not among breakpoints')
        r = c.put(f"{SESSIONS}/{sid}/breakpoints", json={"breakpoints": ["n3"], "options": {"n3": {"hit_count": 0}}})
        assert r.status_code == 400 and r.json()["message"].startswith("options must map")
    from axiom_ide.server.debug_routes import BreakpointAdd

    assert {"condition", "hit_count"} <= set(BreakpointAdd.model_json_schema()["properties"])


def test_fork_with_overrides_refusals_and_tenancy(live):
    graph_id = _graph(live)
    with live.client() as c, live.client(live.other_key) as other:
        parent = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "a"}, "wait": True}).json()["execution_id"]
        cps = c.get(f"/invocations/v1/executions/{parent}/checkpoints").json()["checkpoints"]
        replay = c.post(SESSIONS, json={"mode": "REPLAY", "execution_id": parent}).json()
        r = c.post(f"{SESSIONS}/{replay['session_id']}/fork",
                   json={"checkpoint_id": cps[1]["checkpoint_id"], "overrides": {"text": "forked"}, "breakpoints": ["n4"]})
        assert r.status_code == 201
        fork = r.json()
        assert (fork["mode"], fork["parent_execution_id"], fork["fork_checkpoint_id"], fork["breakpoints"]) == (
            "FORK", parent, cps[1]["checkpoint_id"], ["n4"])
        wait_for(lambda: _session(c, fork["session_id"])["paused_at"] == "n4")
        c.post(f"{SESSIONS}/{fork['session_id']}/continue")
        wait_for(lambda: _session(c, fork["session_id"])["execution_status"] == "Completed")
        child = c.get(f"/invocations/v1/executions/{fork['execution_id']}").json()
        assert child["output"] == {"text": "FORKED", "big": "0"} and child["parent_execution_id"] == parent
        # the same through POST /sessions with mode FORK
        r = c.post(SESSIONS, json={"mode": "FORK", "execution_id": parent, "checkpoint_id": cps[2]["checkpoint_id"]})
        assert r.status_code == 201 and r.json()["mode"] == "FORK"
        body = {"checkpoint_id": cps[1]["checkpoint_id"]}
        r = c.post(f"{SESSIONS}/{replay['session_id']}/fork", json={**body, "overrides": {"text": None}})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_override",
                                                   "message": 'override for "text" is null; remove the key instead'})
        r = c.post(f"{SESSIONS}/{replay['session_id']}/fork", json={**body, "overrides": {"text": "x" * (1024 * 1024)}})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_override",
                                                   "message": 'override for "text" is 1048578 bytes; values over 1 MB are refused'})
        r = c.post(f"{SESSIONS}/{replay['session_id']}/fork", json={"checkpoint_id": "0" * 32})
        assert r.status_code == 404 and r.json()["error"] == "checkpoint_not_found_or_expired"
        # another tenant: the execution and the session do not exist for it
        r = other.post(SESSIONS, json={"mode": "FORK", "execution_id": parent, **body})
        assert (r.status_code, r.json()) == (404, {"error": "execution not found"})
        r = other.post(SESSIONS, json={"mode": "REPLAY", "execution_id": parent})
        assert (r.status_code, r.json()) == (404, {"error": "execution not found"})
        for method, path in (("GET", ""), ("POST", "/fork"), ("GET", "/replay"), ("POST", "/pause")):
            r = other.request(method, f"{SESSIONS}/{replay['session_id']}{path}", json=body if method == "POST" else None)
            assert (r.status_code, r.json()) == (404, {"error": "debug session not found"})
        forks = c.get(f"/invocations/v1/executions/{parent}").json()["forks"]
        assert len(forks) == 2 and fork["execution_id"] in forks


def test_replay_timeline_as_json(live):
    graph_id = _graph(live)
    with live.client() as c:
        parent = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "a"}, "wait": True}).json()["execution_id"]
        r = c.post(SESSIONS, json={"mode": "REPLAY", "execution_id": parent})
        assert r.status_code == 201
        s = r.json()
        assert (s["mode"], s["execution_id"], s["events"], s["execution_status"]) == ("REPLAY", parent, 10, "Completed")
        url = f"{SESSIONS}/{s['session_id']}/replay"
        start = c.get(url, params={"index": -1}).json()
        assert (start["status"], start["event"], [n["status"] for n in start["nodes"]]) == (
            "Queued", None, ["pending"] * 4)
        mid = c.get(url, params={"index": 4, "timeline": "true"}).json()
        assert mid["event"]["type"] == "NODE_COMPLETED" and mid["event"]["node"] == "n2"
        assert [(n["node"], n["status"]) for n in mid["nodes"]] == [
            ("n1", "completed"), ("n2", "completed"), ("n3", "pending"), ("n4", "pending")]
        assert (mid["nodes"][1]["input"], mid["nodes"][1]["output"]) == ({"text": "A", "big": "0"}, {"text": "A", "big": "0"})
        assert [(t["index"], t["type"], t["node"], t["status"]) for t in mid["timeline"]][:3] == [
            (0, "EXECUTION_STARTED", None, "Running"), (1, "NODE_STARTED", "n1", "Running"),
            (2, "NODE_COMPLETED", "n1", "Running")]
        end = c.get(url, params={"payloads": "false"}).json()
        assert end["index"] == 9 and end["status"] == "Completed" and "output" not in end["nodes"][3]
        r = c.get(url, params={"index": 10})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": "index must be between -1 and 9, got 10"})
        r = c.post(f"{SESSIONS}/{s['session_id']}/pause")
        assert r.status_code == 409 and r.json()["error"] == "debug_session_read_only"
        r = c.post(SESSIONS, json={"mode": "REPLAY"})
        assert r.json() == {"error": "invalid_argument", "message": "execution_id is required"}
        r = c.post(SESSIONS, json={"mode": "WATCH"})
        assert r.json() == {"error": "invalid_argument", "message": 'mode must be one of LIVE, REPLAY, FORK; got "WATCH"'}
        r = c.post(SESSIONS, content=b"{not json", headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["error_message"].startswith("invalid request body: ")


def test_every_debug_route_has_an_openapi_operation():
    from aiohttp import web

    from axiom_ide.server import debug_routes

    app = web.Application()
    debug_routes.setup(app)
    routes = {(r.method, r.resource.canonical) for r in app.router.routes() if r.method != "HEAD"}
    assert routes == set(debug_routes.OPERATIONS)
    for op in debug_routes.OPERATIONS.values():
        assert op["summary"] and "401" in op["responses"] and op["tags"] == ["debug"]


def test_edge_breakpoint_over_http_pauses_with_the_mapped_input(live):
    graph_id = _graph(live)
    with live.client() as c:
        sid = c.post(SESSIONS, json={"breakpoints": ["n1->n2"]}).json()["session_id"]
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n2->n3", "condition": 'input.text == "B"'})
        assert r.status_code == 200 and r.json()["breakpoints"] == ["n1->n2", "n2->n3"]
        assert r.json()["breakpoint_options"] == {"n2->n3": {"condition": 'input.text == "B"', "hit_count": None}}
        execution_id = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "a"},
                                            "debug_session_id": sid}).json()["execution_id"]
        paused = wait_for(lambda: (b := _session(c, sid))["paused_at"] == "n2" and b)
        assert (paused["pause_reason"], paused["execution_status"]) == ("breakpoint", "Debug paused")
        events = c.get(f"/invocations/v1/executions/{execution_id}/events", params={"type": "DEBUG_PAUSED"}).json()
        [event] = events["events"]
        assert (event["node"], event["data"]["edge"], event["data"]["input"]["text"]) == ("n2", "n1->n2", "A")
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n1->n3"})
        assert r.json() == {"error": "invalid_argument", "message": 'flow "dbg-upper4" has no edge "n1" → "n3"'}
        r = c.post(f"{SESSIONS}/{sid}/breakpoints", json={"node": "n1->"})
        assert r.status_code == 400 and r.json()["message"].startswith('"n1->" is not a canvas id')
        c.post(f"{SESSIONS}/{sid}/continue")  # n2 → n3 carries "A", not "B": its condition is false
        done = wait_for(lambda: (b := _session(c, sid))["execution_status"] == "Completed" and b)
        assert done["paused_at"] is None
        assert c.delete(f"{SESSIONS}/{sid}/breakpoints/n1-%3En2").json()["breakpoints"] == ["n2->n3"]
