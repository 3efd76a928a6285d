"""Live OpenAPI specs: per compiled flow, per package version, and the server's own (all validated)."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from axiom_ide.server.openapi import undocumented

FLOWS = ("hello", "linear", "greeter", "branching", "counter", "words", "square", "welcome")


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema or "allOf" in schema:
        if "allOf" in schema:
            schema = schema["allOf"][0]
            continue
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _graph_spec(live, flow: str) -> tuple[str, dict]:
    graph_id = live.compile(flow)
    with live.client() as c:
        r = c.get(f"/api/graphs/{graph_id}/openapi.json")
    assert r.status_code == 200, r.text
    return graph_id, r.json()


def test_unary_flow_spec_documents_invoke_with_pinned_graph_id(live):
    graph_id, spec = _graph_spec(live, "hello")
    validate(spec)
    assert spec["openapi"].startswith("3.0")
    assert spec["info"]["version"] == graph_id
    assert spec["servers"] == [{"url": live.origin + "/invocations"}]
    assert list(spec["paths"]) == ["/v1/flows/invoke"]
    op = spec["paths"]["/v1/flows/invoke"]["post"]
    body = op["requestBody"]["content"]["application/json"]
    props = body["schema"]["properties"]
    assert props["graph_id"]["enum"] == [graph_id]
    assert props["graph_id"]["default"] == props["graph_id"]["example"] == graph_id
    assert {"graph_id", "input", "payload", "wait", "timeout_seconds", "config_id"} <= set(props)
    assert body["example"] == {"graph_id": graph_id, "input": {"name": ""}, "wait": True}
    greet_request = _resolve(spec, props["input"])
    assert greet_request["title"] == "GreetRequest"
    assert greet_request["description"] == "A request to greet someone by name."
    assert greet_request["properties"] == {"name": {"type": "string", "description": "Who to greet."}}
    assert greet_request["example"] == {"name": ""}
    accepted = op["responses"]["202"]["content"]["application/json"]
    result = accepted["schema"]["properties"]["result"]["properties"]
    assert set(result) >= {"success", "output", "completed_at"}
    reply = _resolve(spec, result["output"])
    assert reply["properties"]["greeting"]["type"] == "string"
    assert reply["properties"]["greeting"]["description"] == 'The full greeting sentence, e.g. "Hello, Ada!".'
    assert accepted["example"]["result"] == {"success": True, "output": {"greeting": ""}, "completed_at": 1765432100000}
    assert op["responses"]["401"]["content"]["application/json"]["example"] == {"error": "unauthorized"}
    assert op["responses"]["500"]["content"]["application/json"]["schema"]["properties"]["accepted"]["enum"] == [False]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {**spec["components"]["securitySchemes"]["bearerAuth"],
                                                                   "type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearerAuth": []}]


def test_pipeline_flow_spec_documents_the_event_stream(live):
    graph_id, spec = _graph_spec(live, "words")
    validate(spec)
    assert list(spec["paths"]) == ["/v1/flows/invoke/stream"]
    op = spec["paths"]["/v1/flows/invoke/stream"]["post"]
    props = op["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert "wait" not in props and props["graph_id"]["enum"] == [graph_id]
    assert _resolve(spec, props["input"])["title"] == "Text"
    stream = op["responses"]["200"]["content"]["text/event-stream"]
    frame = stream["schema"]["properties"]
    assert set(frame) == {"execution_id", "frame_index", "payload", "is_final", "success", "error"}
    assert _resolve(spec, frame["payload"])["title"] == "Word"
    assert stream["example"].startswith('data: {"execution_id":"4bf92f3577b34da6a3ce929d0e0e4736","frame_index":0,'
                                        '"payload":{"word":"","index":0},"is_final":false}\n\n')
    assert {"401", "500"} <= set(op["responses"])


@pytest.mark.parametrize("flow", FLOWS)
def test_every_example_flow_spec_is_valid_openapi(live, flow):
    _graph_id, spec = _graph_spec(live, flow)
    validate(spec)


def test_flow_spec_needs_a_key_and_hides_other_tenants_artifacts(live):
    graph_id = live.compile("hello")
    url = f"{live.origin}/api/graphs/{graph_id}/openapi.json"
    r = httpx.get(url)
    assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})
    foreign = httpx.get(url, headers=live.headers(live.other_key))
    unknown = httpx.get(f"{live.origin}/api/graphs/01JX3F8Q4ZJ4M9W4Y0B8T2K7RD/openapi.json", headers=live.headers())
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == {"error": "graph_not_found", "message": f'compiled artifact "{graph_id}" not found'}
    assert unknown.json()["error"] == "graph_not_found"
    acme_graph = live.compile("hello", tenant_id="acme")
    r = httpx.get(f"{live.origin}/api/graphs/{acme_graph}/openapi.json", headers=live.headers(live.other_key))
    assert r.status_code == 200 and r.json()["info"]["version"] == acme_graph


def test_spec_servers_follow_the_origin_it_was_fetched_from(live):
    graph_id = live.compile("hello")
    port = live.origin.rsplit(":", 1)[1]
    r = httpx.get(f"http://localhost:{port}/api/graphs/{graph_id}/openapi.json", headers=live.headers())
    assert r.json()["servers"] == [{"url": f"http://localhost:{port}/invocations"}]


@pytest.mark.parametrize("ref", ["examples/text@0.1.0", "examples%2Ftext@0.1.0", "examples%2ftext%400.1.0"])
def test_package_spec_is_public_with_one_operation_per_node(live, ref):
    r = httpx.get(f"{live.origin}/api/packages/{ref}/openapi.json")  # no key
    assert r.status_code == 200, r.text
    spec = r.json()
    validate(spec)
    assert spec["info"]["version"] == "0.1.0" and spec["info"]["title"].startswith("examples/text@0.1.0")
    assert spec["servers"] == [{"url": live.origin + "/invocations"}]
    prefix = "/v1/nodes/examples/text/0.1.0/"
    assert sorted(spec["paths"]) == sorted(prefix + n for n in
                                           ("Greet", "Upper", "Echo", "Concat", "Score", "WordStream", "WordUpper"))
    greet = spec["paths"][prefix + "Greet"]["post"]
    body = greet["requestBody"]["content"]["application/json"]
    assert _resolve(spec, body["schema"])["title"] == "GreetRequest" and body["example"] == {"name": ""}
    ok = greet["responses"]["200"]["content"]["application/json"]
    assert _resolve(spec, ok["schema"])["title"] == "GreetReply" and ok["example"] == {"greeting": ""}
    score = _resolve(spec, spec["paths"][prefix + "Score"]["post"]["responses"]["200"]["content"]["application/json"]["schema"])
    assert score["properties"]["length"] == {"type": "integer", "format": "int32",
                                             "description": "Number of characters in the text."}
    stream = spec["paths"][prefix + "WordStream"]["post"]["responses"]["200"]["content"]
    assert list(stream) == ["text/event-stream"]
    assert set(greet["responses"]) == {"200", "400", "401", "404", "422", "429", "502"}
    assert greet["responses"]["400"]["content"]["application/json"]["example"] == {
        "error_message": "invalid JSON for GreetRequest: ..."}
    assert greet["responses"]["502"]["content"]["application/json"]["example"] == {"error_message": "calling node: ..."}


def test_unknown_package_spec_is_404(live):
    r = httpx.get(f"{live.origin}/api/packages/examples/nope@0.1.0/openapi.json")
    assert (r.status_code, r.json()) == (404, {"error": "package_not_found",
                                               "message": 'package "examples/nope@0.1.0" not found'})


def test_server_spec_documents_every_registered_route(live):
    r = httpx.get(f"{live.origin}/api/openapi.json")  # public
    assert r.status_code == 200
    spec = r.json()
    validate(spec)
    assert spec["servers"] == [{"url": live.origin}]
    assert undocumented(spec) == []
    paths = spec["paths"]
    for path, method in (("/invocations/v1/flows/invoke", "post"), ("/invocations/v1/flows/invoke/stream", "post"),
                         ("/invocations/v1/flows/{execution_id}", "delete"),
                         ("/invocations/v1/executions", "get"),
                         ("/api/graphs/{artifact_id}/openapi.json", "get"),
                         ("/api/packages/{name}@{version}/openapi.json", "get"), ("/docs", "get")):
        assert method in paths.get(path, {}), (path, method)
    assert paths["/api/openapi.json"]["get"]["security"] == []
    assert paths["/api/graphs/{artifact_id}/openapi.json"]["get"].get("security") is None  # needs the key
    assert "401" in paths["/invocations/v1/flows/invoke"]["post"]["responses"]


def test_a_route_without_a_description_is_flagged(tmp_path):
    from aiohttp import web

    from axiom_ide.runtime.runtime import Runtime
    from axiom_ide.server.app import create_app
    from axiom_ide.server.openapi import server_spec

    async def handler(request):
        return web.json_response({})

    import asyncio

    async def build() -> dict:
        runtime = Runtime(tmp_path / "data", inline=True, use_keyring=False)
        try:
            app = create_app(runtime, workspace=Path(tmp_path))
            app.router.add_get("/api/not-described/{thing}", handler)
            return server_spec(app, "http://127.0.0.1:1")
        finally:
            await runtime.close()

    spec = asyncio.run(build())
    assert "GET /api/not-described/{thing}" in undocumented(spec)
    op = spec["paths"]["/api/not-described/{thing}"]["get"]
    assert op["parameters"] == [{"name": "thing", "in": "path", "required": True, "schema": {"type": "string"}}]


def test_a_message_missing_from_the_artifact_is_documented_as_a_generic_object(live):
    from axiom_ide.runtime.compiler.artifact import Artifact
    from axiom_ide.runtime.store.artifacts import ArtifactStore
    from axiom_ide.runtime.store.db import open_database
    from axiom_ide.server.openapi import graph_spec

    graph_id = live.compile("hello")
    db = open_database(live.data_dir)
    try:
        data = ArtifactStore(db).get(graph_id).to_json()
    finally:
        db.close()
    data["descriptor_sets"] = {}
    spec = graph_spec(Artifact.from_json(data), "http://127.0.0.1:1")
    validate(spec)
    op = spec["paths"]["/v1/flows/invoke"]["post"]
    output = op["responses"]["202"]["content"]["application/json"]["schema"]["properties"]["result"]["properties"]["output"]
    assert output["type"] == "object" and output["additionalProperties"] is True
    assert spec["components"]["schemas"] == {}


def test_every_validated_request_is_documented_by_its_own_model(tmp_path):
    """One description per route: where a route validates a JSON body or a query with models, the
    server spec's request schema and query parameters are those models' schemas; the only request
    bodies without a model are the node routes' (a node's own message, documented per package)."""
    import asyncio
    import re

    from axiom_ide.runtime.runtime import Runtime
    from axiom_ide.server.app import create_app
    from axiom_ide.server.openapi import route_table, server_spec
    from axiom_ide.server.routes import openapi_schema, query_parameters

    def without_flow_fields(schema):  # the generic invoke spec pins no graph_id and types no input
        return {**schema, "properties": {k: v for k, v in schema["properties"].items() if k not in ("graph_id", "input")}}

    runtime = Runtime(tmp_path, inline=True)
    try:
        app = create_app(runtime)
        spec = server_spec(app, "http://127.0.0.1:1")
        checked = 0
        for method, path, handler in route_table(app):
            op = spec["paths"][re.sub(r"\{([^{}:]+):(?:[^{}]|\{[^{}]*\})*\}", r"{\1}", path)][method.lower()]
            models = getattr(handler, "axiom_models", None)
            if models is None:
                assert "requestBody" not in op or path.startswith("/invocations/v1/nodes/{"), (method, path)
                assert not [p for p in op.get("parameters", []) if p["in"] == "query"], (method, path)
                continue
            if models["body"] is not None:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                assert without_flow_fields(schema) == without_flow_fields(openapi_schema(models["body"])), (method, path)
                checked += 1
            if models["query"] is not None:
                names = {p["name"] for p in op["parameters"] if p["in"] == "query"}
                assert names == {p["name"] for p in query_parameters(models["query"])}, (method, path)
                checked += 1
        assert checked >= 15
    finally:
        asyncio.run(runtime.close())
