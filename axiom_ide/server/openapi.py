"""OpenAPI 3.0 documents: one per compiled flow, one per package version, and the server's own.

- :func:`graph_spec` — a compiled artifact's invoke operation (reference/http-api "Live OpenAPI
  specs"): the entry node's input message is the ``input`` schema, the terminal node's output
  message the result schema, ``graph_id`` pinned to the artifact (enum, default and example);
  pipeline flows document ``/v1/flows/invoke/stream`` (``text/event-stream`` frames), unary flows
  ``/v1/flows/invoke`` (202 with ``accepted``, ``execution_id``, ``result``). ``info.version`` is
  the graph id and ``servers`` the origin the spec was fetched from plus ``/invocations``. Built
  from the descriptors embedded in the artifact, so the spec of an artifact never changes.
- :func:`package_spec` — one ``POST /v1/nodes/{owner}/{package}/{version}/{node}`` per node.
- :func:`server_spec` — every route registered on the app, found by walking ``app.router``; an
  operation comes from a route module's ``OPERATIONS = {(METHOD, path): operation}`` (path as
  aiohttp spells it), from :data:`INVOCATION_OPERATIONS` here, or is marked
  ``x-axiom-undocumented`` (a test keeps that list empty).

Message schemas follow the proto3 JSON mapping (:mod:`axiom_ide.runtime.message_schema`).
"""
from __future__ import annotations

import copy
import importlib
import re
import sys
from collections.abc import Iterable
from typing import Any

from google.protobuf.descriptor import Descriptor

from axiom_ide.runtime.compiler.artifact import Artifact
from axiom_ide.runtime.message_schema import DocLookup, SchemaSet, example_message, same_message
from axiom_ide.runtime.packages.messages import MessageDoc
from axiom_ide.server.invoke_models import GRAPH_ID, InvokeBody, InvokeStreamBody, NodeInvokeBody
from axiom_ide.server.response_models import (
    CancelResult,
    ErrorBody,
    ErrorClass,
    InvokeAccepted,
    InvokeFailure,
    NodeBinaryResult,
    NodeError,
    NodeFrame,
    StreamFrame,
    content,
)
from axiom_ide.server.routes import openapi_schema

OPENAPI_VERSION = "3.0.3"
INVOCATIONS = "/invocations"

BEARER = {"bearerAuth": {
    "type": "http", "scheme": "bearer",
    "description": "An API key: the 64-character hex string shown once when the key was created "
                   "(`axiom-ide keys create`). Sent as `Authorization: Bearer <key>`.",
}}
EXECUTION_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$",
                "description": "32 lowercase hex characters; also the execution's trace id."}
GENERIC_OBJECT = {"type": "object", "additionalProperties": True}


def json_content(description: str, schema: dict[str, Any], example: Any = None) -> dict[str, Any]:
    """An OpenAPI response object with an ``application/json`` body."""
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"description": description, "content": {"application/json": media}}


UNAUTHORIZED = content("Missing, invalid or revoked API key.", ErrorBody, {"error": "unauthorized"})
INVOKE_FAILED = content(
    "Any failure that does not classify into a structured error (for example a missing `graph_id`).",
    InvokeFailure, {"accepted": False, "error_message": "graph_id is required"})
BAD_REQUEST = content(
    "The request body is not valid JSON.", InvokeFailure,
    {"accepted": False, "error_message": "invalid request body: Expecting value: line 1 column 1 (char 0)"})
ERROR_CLASS = openapi_schema(ErrorClass)
TOO_LARGE = json_content("The input payload exceeds the 16 MiB hard cap.", ERROR_CLASS,
                  {"error": "payload_too_large", "message": "payload exceeds hard cap: actual=18874368 max=16777216",
                   "max_bytes": 16777216, "actual_bytes": 18874368})
RATE_LIMITED = {**json_content("Rate limit or daily quota exceeded; see the `Retry-After` header.", ERROR_CLASS,
                        {"error": "rate limit exceeded"}),
                "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}}
NOT_FOUND = json_content("No such resource (or it belongs to another tenant).", ERROR_CLASS, {"error": "not_found"})

DEBUG_HEADER = {"name": "X-Debug-Session-Id", "in": "header", "required": False,
                "schema": {"type": "string"}, "description": "Debug session to stream per-node events to."}


def _request_schema(input_schema: dict[str, Any], *, unary: bool, graph_id: dict[str, Any]) -> dict[str, Any]:
    """The invoke body's schema, generated from the models the route validates with
    (``invoke_models.InvokeBody`` / ``InvokeStreamBody``), with this flow's ``graph_id`` and ``input``."""
    schema = openapi_schema(InvokeBody if unary else InvokeStreamBody)
    description = schema["properties"]["input"].get("description", "")
    schema["properties"]["graph_id"] = graph_id
    schema["properties"]["input"] = ({"allOf": [input_schema], "description": description} if "$ref" in input_schema
                                     else {**input_schema, "description": description})
    return schema


def _accepted_schema(output_schema: dict[str, Any]) -> dict[str, Any]:
    """The 202 body (``response_models.InvokeAccepted``) with this flow's output message as ``result.output``."""
    schema = openapi_schema(InvokeAccepted)
    output = schema["properties"]["result"]["properties"]["output"]
    description = output.get("description", "")
    schema["properties"]["result"]["properties"]["output"] = (
        {"allOf": [output_schema], "description": description} if "$ref" in output_schema
        else {**output_schema, "description": description})
    return schema


def _frame_schema(output_schema: dict[str, Any], model: type[StreamFrame | NodeFrame] = StreamFrame) -> dict[str, Any]:
    """A stream frame (``response_models.StreamFrame``; a node call's: ``NodeFrame``) with this
    output message as ``payload``."""
    schema = openapi_schema(model)
    description = schema["properties"]["payload"].get("description", "")
    schema["properties"]["payload"] = ({"allOf": [output_schema], "description": description} if "$ref" in output_schema
                                       else {**output_schema, "description": description})
    return schema


def _sse_example(output_example: Any, *, execution: bool = True) -> str:
    import json

    eid = {"execution_id": "4bf92f3577b34da6a3ce929d0e0e4736"} if execution else {}  # node calls have none
    frames = [{**eid, "frame_index": 0, "payload": output_example, "is_final": False},
              {**eid, "frame_index": 1, "is_final": True, "success": True}]
    return "".join(f"data: {json.dumps(f, separators=(',', ':'))}\n\n" for f in frames)


def invoke_operation(*, mode: str, input_schema: dict[str, Any], output_schema: dict[str, Any],
                     graph_id: dict[str, Any], example_body: dict[str, Any] | None = None,
                     output_example: Any = None, summary: str = "", description: str = "") -> dict[str, Any]:
    """The documented invoke (unary) or invoke/stream (pipeline) operation for given schemas."""
    unary = mode != "pipeline"
    body: dict[str, Any] = {"schema": _request_schema(input_schema, unary=unary, graph_id=graph_id)}
    if example_body is not None:
        body["example"] = example_body
    if unary:
        ok = {"202": json_content("Accepted. With `wait: true`, `result` carries the outcome.", _accepted_schema(output_schema),
                           None if example_body is None else {
                               "accepted": True, "execution_id": "4bf92f3577b34da6a3ce929d0e0e4736",
                               "result": {"success": True, "output": output_example, "completed_at": 1765432100000}})}
    else:
        media: dict[str, Any] = {"schema": _frame_schema(output_schema)}
        if example_body is not None:
            media["example"] = _sse_example(output_example)
        ok = {"200": {"description": "Server-Sent Events (`text/event-stream`): one `data:` line of JSON per "
                                     "frame; the stream ends after the frame with `is_final: true`. A timeout "
                                     "ends it with a final frame whose `error` is "
                                     "\"timeout waiting for pipeline result\".",
                      "content": {"text/event-stream": media}}}
    return {
        "summary": summary or ("Invoke the flow and wait for its result" if unary else "Invoke the flow and stream its frames"),
        **({"description": description} if description else {}),
        "operationId": "invoke" if unary else "invokeStream",
        "tags": ["flows"],
        "parameters": [DEBUG_HEADER],
        "requestBody": {"required": True, "content": {"application/json": body}},
        "responses": {**ok, "400": BAD_REQUEST, "401": UNAUTHORIZED, "413": TOO_LARGE, "429": RATE_LIMITED,
                      "500": INVOKE_FAILED},
    }


# -- per flow ---------------------------------------------------------------------------------------
def artifact_message(codec: Any, artifact: Artifact, full_name: str, node_id: str) -> Descriptor | None:
    """A message descriptor from the artifact's embedded descriptor sets (None if absent)."""
    try:
        key = artifact.node(node_id).package_key
    except KeyError:
        key = ""
    try:
        return codec.message_class(full_name, key).DESCRIPTOR
    except (KeyError, TypeError):
        return None


def workspace_docs(workspace: Any, package_keys: Iterable[str]) -> DocLookup:
    """Field and message comments from the workspace's packages (compiled descriptors drop comments).

    A comment is used only when that package still defines the message exactly as the artifact
    does, so a spec never describes a message with another version's words.
    """
    keys = list(dict.fromkeys(package_keys))

    def lookup(descriptor: Descriptor) -> MessageDoc | None:
        if workspace is None:
            return None
        for key in keys:
            pkg = workspace.packages.get(key)
            if pkg is None:
                continue
            try:
                own = pkg.messages.pool.FindMessageTypeByName(descriptor.full_name)
            except Exception:  # noqa: BLE001 — not in this package (or its protos do not compile)
                continue
            if same_message(own, descriptor):
                return pkg.message_doc(descriptor.full_name)
        return None

    return lookup


def _package_keys(artifact: Artifact) -> list[str]:
    keys = []
    for n in artifact.nodes:
        if n.subflow is not None:
            keys += _package_keys(n.subflow)
        elif n.package:
            keys.append(n.package_key)
    return keys


def graph_spec(artifact: Artifact, origin: str, *, workspace: Any = None) -> dict[str, Any]:
    """The OpenAPI document of one compiled flow (see the module docstring)."""
    from axiom_ide.runtime.engine.codec import Codec

    schemas = SchemaSet(workspace_docs(workspace, _package_keys(artifact)))
    codec = Codec(artifact)
    entry = artifact_message(codec, artifact, artifact.input_type, artifact.entry)
    terminal = artifact_message(codec, artifact, artifact.output_type, artifact.terminal)
    input_schema = schemas.ref(entry) if entry is not None else dict(GENERIC_OBJECT)
    output_schema = schemas.ref(terminal) if terminal is not None else dict(GENERIC_OBJECT)
    input_example = example_message(entry) if entry is not None else {}
    output_example = example_message(terminal) if terminal is not None else {}
    gid = artifact.graph_id
    body: dict[str, Any] = {"graph_id": gid, "input": input_example}
    if artifact.mode != "pipeline":
        body["wait"] = True
    description = str((artifact.source or {}).get("description") or "")
    path = "/v1/flows/invoke/stream" if artifact.mode == "pipeline" else "/v1/flows/invoke"
    op = invoke_operation(
        mode=artifact.mode, input_schema=input_schema, output_schema=output_schema,
        graph_id={**GRAPH_ID, "enum": [gid], "default": gid, "example": gid,
                  "description": "Pinned to this compiled artifact; recompiling the flow produces a new id."},
        example_body=body, output_example=output_example,
        summary=f"Invoke {artifact.flow_name}" + (" (stream frames)" if artifact.mode == "pipeline" else ""),
        description=(f"{description}\n\n" if description else "")
        + f"Entry node `{artifact.entry}` takes `{artifact.input_type or 'an object'}`; terminal node "
          f"`{artifact.terminal}` returns `{artifact.output_type or 'an object'}`.",
    )
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": f"{artifact.flow_name} — Axiom flow API", "version": gid,
                 "description": f"Compiled artifact `{gid}` of flow `{artifact.flow_name}` ({artifact.mode} mode)."
                                + (f"\n\n{description}" if description else "")},
        "servers": [{"url": origin.rstrip("/") + INVOCATIONS}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "flows"}],
        "paths": {path: {"post": op}},
        "components": {"securitySchemes": copy.deepcopy(BEARER), "schemas": schemas.schemas},
    }


# -- per package ------------------------------------------------------------------------------------
def node_path(package: str, version: str, node: str) -> str:
    owner, _, name = package.partition("/")
    return f"/v1/nodes/{owner}/{name}/{version}/{node}"


def package_spec(package: Any, origin: str) -> dict[str, Any]:
    """One ``POST /v1/nodes/{owner}/{package}/{version}/{node}`` per node of a package version."""
    def docs(descriptor: Descriptor) -> MessageDoc | None:
        return package.message_doc(descriptor.full_name)

    schemas = SchemaSet(docs)
    specs, _problems = package.try_nodes()
    paths: dict[str, Any] = {}
    for spec in specs:
        in_ref, out_ref = schemas.ref(spec.input_type), schemas.ref(spec.output_type)
        in_example, out_example = example_message(spec.input_type), example_message(spec.output_type)
        if spec.kind == "pipeline":
            ok = {"200": {"description": "Server-Sent Events: one `data:` line of JSON per output frame.",
                          "content": {"text/event-stream": {"schema": _frame_schema(out_ref, NodeFrame),
                                                            "example": _sse_example(out_example, execution=False)}}}}
        else:
            ok = {"200": json_content(f"The node's output message ({spec.output_type.name}).", out_ref, out_example)}
        paths[node_path(spec.package, spec.version, spec.name)] = {"post": {
            "summary": spec.description or f"Invoke {spec.name}",
            "description": f"Node `{spec.name}` ({spec.kind}): `{spec.input_type.name}` → `{spec.output_type.name}`. "
                           "The body is the input message as a plain JSON object (no envelope).",
            "operationId": spec.name,
            "tags": ["nodes"],
            "requestBody": {"required": True, "content": {"application/json": {"schema": in_ref, "example": in_example}}},
            "responses": {**ok, **_node_errors(spec.input_type.name)},
        }}
    manifest = package.manifest
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": f"{package.key} — Axiom package API", "version": package.version,
                 "description": getattr(manifest, "description", "") or f"Nodes of package `{package.key}`."},
        "servers": [{"url": origin.rstrip("/") + INVOCATIONS}],
        "security": [{"bearerAuth": []}],
        "tags": [{"name": "nodes"}],
        "paths": paths,
        "components": {"securitySchemes": copy.deepcopy(BEARER), "schemas": schemas.schemas},
    }


# -- the server's own ------------------------------------------------------------------------------
_ERROR_MESSAGE = openapi_schema(NodeError)


def _node_errors(input_name: str) -> dict[str, Any]:
    """The per-node error responses of the error catalog's single-node table."""
    return {
        "400": json_content(f"The body is not valid JSON for {input_name}.", _ERROR_MESSAGE,
                            {"error_message": f"invalid JSON for {input_name}: ..."}),
        "401": UNAUTHORIZED,
        "404": json_content("No such node (or not deployed).", _ERROR_MESSAGE,
                            {"error_message": "node not found or not yet deployed"}),
        "422": json_content("The node ran and its handler returned an error (its own message).", _ERROR_MESSAGE),
        "429": RATE_LIMITED,
        "502": json_content("The platform could not reach the node (its host crashed, hung or flooded its output).",
                            _ERROR_MESSAGE, {"error_message": "calling node: ..."}),
    }

_NODE_BODY = {"type": "object", "additionalProperties": True,
              "description": "The node's input message as a plain JSON object (no envelope)."}
_NODE_FRAME = openapi_schema(NodeFrame)
_NODE_RESPONSES = {
    "200": {"description": "The node's output message as JSON; for a pipeline node (or `Accept: "
                           "text/event-stream`) its frames as Server-Sent Events.",
            "content": {"application/json": {"schema": GENERIC_OBJECT},
                        "text/event-stream": {"schema": _NODE_FRAME}}},
    **{k: v for k, v in _node_errors("the node's input message").items() if k != "401"},
}
_BINARY_RESULT = openapi_schema(NodeBinaryResult)

#: The invocation routes (reference/http-api), described here for the server's own spec.
INVOCATION_OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    # `input` untyped here: the server checks it against the flow's entry message inside the run.
    ("POST", INVOCATIONS + "/v1/flows/invoke"): invoke_operation(
        mode="unary", input_schema={}, output_schema=dict(GENERIC_OBJECT), graph_id=GRAPH_ID,
        summary="Invoke a compiled flow once", description="Runs the artifact `graph_id`; with `wait: true` the "
        "result is inline. Per-flow schemas: `GET /api/graphs/{artifact_id}/openapi.json`."),
    ("POST", INVOCATIONS + "/v1/flows/invoke/stream"): invoke_operation(
        mode="pipeline", input_schema={}, output_schema=dict(GENERIC_OBJECT), graph_id=GRAPH_ID,
        summary="Invoke a flow in pipeline mode and stream its frames (SSE)"),
    ("DELETE", INVOCATIONS + "/v1/flows/{execution_id}"): {
        "summary": "Cancel a running execution", "operationId": "cancelExecution", "tags": ["flows"],
        "parameters": [{"name": "execution_id", "in": "path", "required": True, "schema": EXECUTION_ID}],
        "responses": {
            "200": content("The cancel request's outcome.", CancelResult),
            "404": json_content("No such execution for the caller's tenant.", ERROR_CLASS, {"error": "execution not found"})}},
    ("POST", INVOCATIONS + "/v1/nodes/{owner}/{pkg}/{version}/{node}"): {
        "summary": "Invoke one node of a package by name", "operationId": "invokeNode", "tags": ["nodes"],
        "description": "Per-package schemas: `GET /api/packages/{name}@{version}/openapi.json`.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _NODE_BODY}}},
        "responses": _NODE_RESPONSES},
    ("POST", INVOCATIONS + "/v1/nodes/{node_id}"): {
        "summary": "Invoke one node by its 26-character id", "operationId": "invokeNodeById", "tags": ["nodes"],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _NODE_BODY}}},
        "responses": _NODE_RESPONSES},
    ("POST", INVOCATIONS + "/v1/nodes/invoke"): {
        "summary": "Invoke one node with protobuf bytes", "operationId": "invokeNodeBinary", "tags": ["nodes"],
        "requestBody": {"required": True, "content": {"application/json": {"schema": openapi_schema(NodeInvokeBody)}}},
        "responses": {"200": json_content("The node's outcome.", _BINARY_RESULT),
                      **{code: json_content(text, _BINARY_RESULT) for code, text in (
                          ("400", "The body or payload is malformed."), ("404", "No such node."),
                          ("422", "The node returned an error."), ("502", "The node's host failed."))},
                      "429": RATE_LIMITED}},
}

#: ``{name}`` or ``{name:regex}`` in an aiohttp path.
_PARAM_RE = re.compile(r"\{([^{}:]+)(?::[^{}]*)?\}")


def _collect_operations(app: Any) -> tuple[dict[tuple[str, str], dict[str, Any]], dict[str, Any]]:
    """Operations and shared schemas of the route modules and of every module a handler lives in."""
    from axiom_ide.server.app import ROUTE_MODULES

    modules = [importlib.import_module(f"axiom_ide.server.{name}") for name in ROUTE_MODULES]
    modules += [sys.modules[m] for m in dict.fromkeys(getattr(h, "__module__", "") for _, _, h in route_table(app))
                if m in sys.modules]
    ops: dict[tuple[str, str], dict[str, Any]] = dict(INVOCATION_OPERATIONS)
    schemas: dict[str, Any] = {}
    for module in dict.fromkeys(modules):
        ops.update(getattr(module, "OPERATIONS", None) or {})
        schemas.update(getattr(module, "SCHEMAS", None) or {})
    return ops, schemas


def route_table(app: Any) -> list[tuple[str, str, Any]]:
    """``(METHOD, path, handler)`` for every route on the app (HEAD twins of GETs left out)."""
    out = []
    for route in app.router.routes():
        method = route.method.upper()
        if method in ("HEAD", "OPTIONS", "*"):
            continue
        path = route.resource.canonical if route.resource is not None else ""
        out.append((method, path, route.handler))
    return out


def server_spec(app: Any, origin: str, *, version: str = "") -> dict[str, Any]:
    """The server's own document: every registered route, documented or flagged undocumented."""
    ops, schemas = _collect_operations(app)
    paths: dict[str, dict[str, Any]] = {}
    for method, path, handler in route_table(app):
        op = copy.deepcopy(ops.get((method, path)) or {
            "summary": f"{method} {path}", "x-axiom-undocumented": True,
            "responses": {"default": {"description": "Undocumented"}}})
        names = [m.group(1) for m in _PARAM_RE.finditer(path)]
        declared = {p.get("name") for p in op.get("parameters", []) if p.get("in") == "path"}
        for name in names:
            if name not in declared:
                op.setdefault("parameters", []).append(
                    {"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
        if getattr(handler, "axiom_public", False):
            op["security"] = []
        elif getattr(handler, "axiom_key_optional", False):  # anonymous, or as the key's tenant
            op["security"] = [{}, {"bearerAuth": []}]
            op.setdefault("responses", {}).setdefault("401", UNAUTHORIZED)
        else:
            op.setdefault("responses", {}).setdefault("401", UNAUTHORIZED)
        paths.setdefault(_PARAM_RE.sub(r"{\1}", path), {})[method.lower()] = op
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Axiom IDE local API", "version": version or "1",
                 "description": "The platform's invocation API (`/invocations/...`) and the IDE server's "
                                "management routes (`/api/...`), served by `axiom-ide serve`. Per-flow and "
                                "per-package specs: `/api/graphs/{artifact_id}/openapi.json`, "
                                "`/api/packages/{name}@{version}/openapi.json`."},
        "servers": [{"url": origin.rstrip("/")}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {"securitySchemes": copy.deepcopy(BEARER), "schemas": schemas},
    }


def undocumented(spec: dict[str, Any]) -> list[str]:
    """``METHOD path`` of every operation without a description in the route modules."""
    return [f"{m.upper()} {p}" for p, item in spec["paths"].items() for m, op in item.items()
            if op.get("x-axiom-undocumented")]
