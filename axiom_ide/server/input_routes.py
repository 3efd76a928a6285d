"""What a remote client needs to build a run's input the way the embedded runtime does.

- ``GET /invocations/v1/executions/{execution_id}/nodes/{node}/input`` — the input a node that has
  no checkpoint of its own (it failed, or was in flight) was dispatched with: the execution's
  checkpoints refolded as a resumed run refolds them (``runtime/history.pending_input``, the
  engine's ``steps.refold``). ``{"execution_id", "node", "input"}``; ``input`` is null when it
  cannot be rebuilt (the node completed and has its own checkpoint, a checkpoint expired, a
  pipeline execution). What the IDE's payload popover shows for a failed node on a remote, and
  what its **Run from here** edits.
- ``GET /api/graphs/{graph_id}/input-descriptor`` — the flow's entry message as protobuf
  descriptors: ``{"graph_id", "input_type", "package", "descriptor_set"}`` (base64 of the entry
  package's serialized ``FileDescriptorSet``, as the artifact carries it). A dataset run against a
  remote (``backends/remote_batch.py``) reads CSV cells by the entry message's field types and
  refuses a row that is not the entry message before it is sent, exactly as a local batch does.

Both are the caller's tenant's only: another tenant's execution or artifact answers like an
unknown one (404).
"""
from __future__ import annotations

import base64
from typing import Any

from aiohttp import web
from pydantic import Field

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import json_response
from axiom_ide.server.response_models import ErrorBody, Reply, content, respond
from axiom_ide.server.routes import RouteTable

EXECUTIONS = "/invocations/v1/executions"
EXECUTION_NOT_FOUND = {"error": "execution not found"}
GRAPH_NOT_FOUND = {"error": "graph not found"}


class NodeInput(Reply):
    execution_id: str
    node: str
    input: dict[str, Any] | None = Field(description="the node's input as its upstream delivered it; null when "
                                                     "it cannot be rebuilt (the node has its own checkpoint, a "
                                                     "checkpoint expired, a pipeline execution)")


class InputDescriptor(Reply):
    graph_id: str
    input_type: str = Field(description="the entry message's full name")
    package: str = Field(description="the entry node's package (name@version)")
    descriptor_set: str = Field(description="base64 of the entry package's serialized FileDescriptorSet")


async def node_input(request: web.Request) -> web.Response:
    """A node's input rebuilt from the execution's checkpoints (a failed node has no checkpoint)."""
    from axiom_ide.runtime.history import pending_input

    runtime, tenant = request.app[STATE].runtime, request[TENANT]
    execution_id, node = request.match_info["execution_id"], request.match_info["node"]
    if runtime.find_execution(execution_id, tenant_id=tenant) is None:
        return json_response(EXECUTION_NOT_FOUND, status=404)
    value = pending_input(runtime, execution_id, node, tenant_id=tenant)
    return respond(NodeInput, {"execution_id": execution_id, "node": node, "input": value})


async def input_descriptor(request: web.Request) -> web.Response:
    """The flow's entry message as protobuf descriptors (what a client needs to read a CSV row)."""
    runtime = request.app[STATE].runtime
    try:
        artifact = runtime.artifact(request.match_info["graph_id"], tenant_id=request[TENANT])
    except AxiomError:
        return json_response(GRAPH_NOT_FOUND, status=404)
    compiled = runtime.compiled(artifact)
    package = compiled.plan.nodes[compiled.plan.entry].package_key
    blob = next((b for key, b in artifact.descriptor_sets if key == package), b"")
    return respond(InputDescriptor, {"graph_id": artifact.graph_id, "input_type": artifact.input_type,
                                     "package": package, "descriptor_set": base64.b64encode(blob).decode("ascii")})


_401 = content("Missing, invalid or revoked API key", ErrorBody, {"error": "unauthorized"})
ROUTES = RouteTable(invalid=lambda message: json_response({"error": "invalid_argument", "message": message},
                                                          status=400), tags=["executions"])
ROUTES.route("GET", EXECUTIONS + "/{execution_id}/nodes/{node}/input", parameters=[
    {"name": "execution_id", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "node", "in": "path", "required": True, "schema": {"type": "string"}, "description": "a canvas id"}],
    responses={"200": content("The node's input (null when it cannot be rebuilt)", NodeInput), "401": _401,
               "404": content("No such execution for this tenant", ErrorBody, EXECUTION_NOT_FOUND)})(node_input)
ROUTES.route("GET", "/api/graphs/{graph_id}/input-descriptor", tags=["management"], parameters=[
    {"name": "graph_id", "in": "path", "required": True, "schema": {"type": "string"},
     "description": "The artifact's 26-character ULID"}],
    responses={"200": content("The entry message's descriptors", InputDescriptor), "401": _401,
               "404": content("No such artifact for this tenant", ErrorBody, GRAPH_NOT_FOUND)})(input_descriptor)

setup = ROUTES.setup
OPERATIONS = ROUTES.operations()
