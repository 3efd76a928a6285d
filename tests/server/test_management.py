"""Management routes on a live server: compile (workspace flow, file, posted YAML), flows, graphs, packages."""
from __future__ import annotations

import asyncio

from axiom_ide.runtime.runtime import Runtime

BROKEN_EDGE = """\
name: broken
imports: [examples/text@0.1.0]
nodes:
  - id: greet
    node: examples/text@0.1.0:Greet
  - id: shout
    node: examples/text@0.1.0:Upper
edges:
  - from: greet
    to: shout
    map:
      text: greeting
  - from: shout
    to: greet
    map:
      name: text
"""


def test_compile_a_workspace_flow_by_name_stores_it_for_the_callers_tenant(live):
    with live.client() as c:
        r = c.post("/api/compile", json={"flow": "greeter"})
        assert r.status_code == 201, r.text
        body = r.json()
        assert {k: body[k] for k in ("ok", "flow", "mode", "entry", "terminal", "input_type", "output_type")} == {
            "ok": True, "flow": "greeter", "mode": "unary", "entry": "greet", "terminal": "shout",
            "input_type": "examples.text.GreetRequest", "output_type": "examples.text.Text"}
        assert len(body["graph_id"]) == 26 and body["warnings"] == []
        graph = c.get(f"/api/graphs/{body['graph_id']}").json()
    assert graph["flow"] == "greeter" and [n["id"] for n in graph["nodes"]] == ["greet", "shout"]
    assert graph["source"]["name"] == "greeter"
    with live.client(live.other_key) as other:  # another tenant's graph id is "not found"
        r = other.get(f"/api/graphs/{body['graph_id']}")
        assert (r.status_code, r.json()) == (404, {"error": "graph not found"})

    async def run() -> tuple[str, object]:  # the artifact runs for its tenant, and only for it
        rt = Runtime(live.data_dir, inline=True)
        try:
            outcome = await rt.run(body["graph_id"], {"name": "Ada"})
            try:
                await rt.run(body["graph_id"], {"name": "Ada"}, tenant_id="acme")
                foreign = None
            except Exception as exc:  # noqa: BLE001
                foreign = exc
            return outcome.output, foreign
        finally:
            await rt.close()
    output, foreign = asyncio.run(run())
    assert output == {"text": "HEY! HELLO, ADA!"}
    assert str(foreign) == f'error: compiled artifact "{body["graph_id"]}" not found'


def test_compile_a_file_or_posted_yaml(live):
    source = (live.workspace / "flows" / "linear.flow.yaml").read_text()
    with live.client() as c:
        by_file = c.post("/api/compile", json={"file": "flows/linear.flow.yaml"})
        posted = c.post("/api/compile", json={"source": source.replace("name: linear", "name: linear2")})
        raw = c.post("/api/compile", content=source.encode(), headers={"Content-Type": "application/yaml"})
    assert [r.status_code for r in (by_file, posted, raw)] == [201, 201, 201]
    assert [r.json()["flow"] for r in (by_file, posted, raw)] == ["linear", "linear2", "linear"]
    assert len({r.json()["graph_id"] for r in (by_file, posted, raw)}) == 3  # every compile is a new artifact


def test_compile_errors_are_400_with_file_line_col(live):
    with live.client() as c:
        r = c.post("/api/compile", json={"source": BROKEN_EDGE, "filename": "flows/broken.flow.yaml"})
        assert r.status_code == 400
        body = r.json()
        assert body["error"] == "compile_failed"
        texts = [d["text"] for d in body["diagnostics"]]
        assert texts == [
            "flows/broken.flow.yaml:3:1: error: graph must have exactly one start node",
            "flows/broken.flow.yaml:3:1: error: graph must have exactly one terminal node",
            ("flows/broken.flow.yaml:13:5: error: graph has a cycle: greet → shout → greet; "
             "make the edge back a loop edge (loop: N)")]
        assert body["message"] == texts[0]
        cycle = body["diagnostics"][2]
        assert cycle["location"] == {"file": "flows/broken.flow.yaml", "line": 13, "column": 5,
                                     "edge": {"from": "shout", "to": "greet"}}

        r = c.post("/api/compile", content=b"name: [oops", headers={"Content-Type": "text/yaml"},
                   params={"filename": "x.flow.yaml"})
        assert r.status_code == 400
        assert r.json()["message"].startswith("x.flow.yaml:1:") and "malformed YAML" in r.json()["message"]

        r = c.post("/api/compile", json={"source": "name: Bad Name\nnodes: []\n"})
        assert r.status_code == 400 and r.json()["message"].startswith("flow.yaml:1:")


def test_compile_by_name_names_the_flow_file_relative_to_the_workspace(live):
    path = live.workspace / "flows" / "broken_by_name.flow.yaml"
    path.write_text(BROKEN_EDGE.replace("name: broken", "name: broken-by-name"))
    try:
        with live.client() as c:
            r = c.post("/api/compile", json={"flow": "broken-by-name"})
    finally:
        path.unlink()
    assert r.status_code == 400
    body = r.json()
    assert body["message"] == "flows/broken_by_name.flow.yaml:3:1: error: graph must have exactly one start node"
    assert {d["location"]["file"] for d in body["diagnostics"]} == {"flows/broken_by_name.flow.yaml"}
    assert str(live.workspace) not in r.text


def test_compile_argument_errors(live):
    with live.client() as c:
        for payload, message in (
            ({"flow": "nope"}, 'no flow named "nope" in the workspace'),
            ({"file": "../../etc/passwd"}, 'no flow file "../../etc/passwd" in the workspace'),
            ({}, ('send one of "flow" (a workspace flow name), "file" (a path in the workspace) or '
                  '"source" (flow.yaml text)')),
        ):
            r = c.post("/api/compile", json=payload)
            assert (r.status_code, r.json()) == (400, {"error": "invalid_argument", "message": message})
        r = c.post("/api/compile", content=b"[1]", headers={"Content-Type": "application/json"})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument",
                                                   "message": "request body must be a JSON object"})


def test_flows_list_workspace_flows_with_the_callers_latest_artifact(live):
    with live.client() as c:
        first = c.post("/api/compile", json={"flow": "square"}).json()["graph_id"]
        latest = c.post("/api/compile", json={"flow": "square"}).json()["graph_id"]
        flows = {f["name"]: f for f in c.get("/api/flows").json()["flows"]}
        assert {"hello", "linear", "greeter", "branching", "counter", "words", "square", "welcome"} <= set(flows)
        assert flows["square"]["file"] == "flows/square.flow.yaml"
        assert flows["square"]["description"] == "Adds two numbers, then squares the sum."
        assert flows["square"]["latest_artifact"]["graph_id"] == latest
        assert flows["words"]["mode"] == "pipeline"
        arts = c.get("/api/flows/square/artifacts").json()["artifacts"]
        assert [a["graph_id"] for a in arts][:2] == [latest, first]
    with live.client(live.other_key) as other:
        flows = {f["name"]: f for f in other.get("/api/flows").json()["flows"]}
        assert flows["square"]["latest_artifact"] is None  # local's artifacts are not acme's
        assert other.get("/api/flows/square/artifacts").json()["artifacts"] == []


def test_packages_list_nodes_from_axiom_yaml(live):
    with live.client() as c:
        body = c.get("/api/packages").json()
    packages = {p["key"]: p for p in body["packages"]}
    assert set(packages) >= {"examples/text@0.1.0", "examples/math@0.1.0"}
    nodes = {n["name"]: n for n in packages["examples/text@0.1.0"]["nodes"]}
    assert nodes["Greet"] == {"name": "Greet", "ref": "examples/text@0.1.0:Greet", "type": "unary",
                              "description": "Returns a greeting for a name.", "input": "GreetRequest",
                              "output": "GreetReply", "required_secrets": []}
    assert nodes["WordStream"]["type"] == "pipeline"
    assert body["problems"] == []


def test_every_management_and_history_route_is_in_the_servers_openapi(live):
    with live.client() as c:
        spec = c.get("/api/openapi.json").json()
    from axiom_ide.server.history_routes import OPERATIONS as HISTORY
    from axiom_ide.server.management import OPERATIONS as MANAGEMENT

    for method, path in list(HISTORY) + list(MANAGEMENT):
        op = spec["paths"][path][method.lower()]
        assert not op.get("x-axiom-undocumented"), (method, path)
        assert op["summary"] and "\n" not in op["summary"]


def test_odd_inputs_are_400_not_500(live):
    with live.client() as c:
        r = c.post("/api/compile", json={"file": "flows/\x00.flow.yaml"})
        assert r.status_code == 400 and r.json()["error"] == "invalid_argument"
        r = c.get("/api/memory/flows/chat/search", params={"q": "x", "limit": "²"})
        assert (r.status_code, r.json()) == (400, {"error": "invalid_argument",
                                                   "message": 'limit must be an integer from 1 to 100; got "²"'})
        r = c.get("/invocations/v1/executions", params={"until": "9999-12-31", "since": "0001-01-01"})
        assert r.status_code == 200
