"""Single-node calls (reference/http-api "Invoke a single node", error-catalog's per-node table).

- ``POST /invocations/v1/nodes/{owner}/{pkg}/{version}/{node}`` and ``/invocations/v1/nodes/{node_id}``:
  the body is the node's input message as plain JSON; 200 with the output message as JSON; 422
  ``{"error_message": <the handler's message>}``; 400 ``{"error_message": "invalid JSON for <Msg>: ..."}``;
  404 ``{"error_message": "node not found or not yet deployed"}`` for an id, ``node not found: <path>``
  for a name path; 502 ``{"error_message": "calling node: ..."}`` when the node's host crashed, hung
  or flooded. A pipeline node, or any request with ``Accept: text/event-stream``, answers with SSE
  frames ``{"frame_index", "payload", "is_final": false}`` and a final
  ``{"frame_index", "is_final": true, "success": true}`` (or ``"error"`` instead of ``success``).
- ``POST /invocations/v1/nodes/invoke``: ``{"node_id", "payload": base64 protobuf}`` →
  ``{"success", "payload", "error_message"}`` with the same status codes; ``node_id`` may also be a
  name path ``owner/pkg/version/Node``.

Nodes are the workspace's packages (``owner/pkg`` as named in axiom.yaml, at their axiom.yaml
version); node ids are :func:`axiom_ide.runtime.packages.node_id.node_id`. A single-node call is
not an execution: nothing is added to execution history.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Callable
from typing import Any

from aiohttp import web

from axiom_ide.runtime.engine.codec import InvalidInput
from axiom_ide.runtime.engine.invoker import NODE_ERRORS, NodeFailure
from axiom_ide.runtime.engine.single_node import NodeEndpoint
from axiom_ide.server import sse
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import BodyError, read_json, reply
from axiom_ide.server.invocations import INVOCATIONS
from axiom_ide.server.invoke_models import NodeInvokeBody
from axiom_ide.server.response_models import NodeBinaryResult, respond
from axiom_ide.server.routes import RouteTable

NOT_DEPLOYED = "node not found or not yet deployed"


def setup(app: web.Application) -> None:
    # /nodes/invoke first: the one-segment id route below would match it too.
    app.router.add_post("/invocations/v1/nodes/invoke", BINARY.route(
        "POST", "/invocations/v1/nodes/invoke", body=NodeInvokeBody, responses={})(invoke_binary))
    app.router.add_post("/invocations/v1/nodes/{node_id}", invoke_by_id)
    app.router.add_post("/invocations/v1/nodes/{owner}/{pkg}/{version}/{node}", invoke_by_path)


def _lookup(request: web.Request, ref: str) -> NodeEndpoint | None:
    """A node by id, or by name path ``owner/pkg/version/Node``."""
    nodes = request.app[INVOCATIONS].nodes
    parts = ref.split("/")
    if len(parts) == 4:
        return nodes.by_path(f"{parts[0]}/{parts[1]}", parts[2], parts[3]) or _registry_lookup(request, ref)
    return (nodes.by_id(ref) or _registry_lookup(request, ref)) if len(ref) == 26 else None


def _registry_lookup(request: web.Request, ref: str) -> NodeEndpoint | None:
    """A node of a package the caller pushed, or of a published one (registry_routes.py)."""
    from axiom_ide.server.registry_state import registry

    reg, tenant, parts = registry(request.app), request[TENANT], ref.split("/")
    if len(parts) == 4:
        return reg.node_by_path(tenant, f"{parts[0]}/{parts[1]}", parts[2], parts[3])
    return reg.node_by_id(tenant, ref)


async def invoke_by_id(request: web.Request) -> web.StreamResponse:
    endpoint = _lookup(request, request.match_info["node_id"])
    if endpoint is None:
        return reply(404, {"error_message": NOT_DEPLOYED})
    return await _invoke_json(request, endpoint)


async def invoke_by_path(request: web.Request) -> web.StreamResponse:
    m = request.match_info
    path = f"{m['owner']}/{m['pkg']}/{m['version']}/{m['node']}"
    endpoint = _lookup(request, path)
    if endpoint is None:
        return reply(404, {"error_message": f"node not found: {path}"})
    return await _invoke_json(request, endpoint)


def _wants_stream(request: web.Request, endpoint: NodeEndpoint) -> bool:
    return endpoint.streaming or "text/event-stream" in request.headers.get("Accept", "")


async def _invoke_json(request: web.Request, endpoint: NodeEndpoint) -> web.StreamResponse:
    short = endpoint.input_cls.DESCRIPTOR.name
    try:
        data = read_json(request, want_object=False)
    except BodyError as exc:
        return reply(400, {"error_message": f"invalid JSON for {short}: {exc}"})
    try:
        payload = endpoint.encode_json(data)
    except InvalidInput as exc:
        return reply(400, {"error_message": str(exc)})
    if _wants_stream(request, endpoint):
        return await _stream(request, endpoint, payload, endpoint.decode)
    try:
        output = await request.app[STATE].runtime.invoke_node(endpoint, payload, tenant_id=request[TENANT])
    except NODE_ERRORS as exc:
        status, message = _failure(exc)
        return reply(status, {"error_message": message})
    return reply(200, endpoint.decode(output))


def _failure(exc: BaseException) -> tuple[int, str]:
    """422 with the handler's own message; 502 ``calling node: ...`` when the host failed."""
    if isinstance(exc, NodeFailure):
        return 422, str(exc) or type(exc).__name__
    return 502, f"calling node: {exc}"


async def _stream(request: web.Request, endpoint: NodeEndpoint, payload: bytes,
                  encode: Callable[[bytes], Any]) -> web.StreamResponse:
    """SSE frames of one node call. A single-node call is no execution, so a client that goes
    away simply ends it."""
    runtime = request.app[STATE].runtime
    response = await sse.open_stream(request)
    index = 0
    final: dict[str, Any]
    try:
        if endpoint.streaming:
            async with contextlib.aclosing(runtime.stream_node(endpoint, [payload], tenant_id=request[TENANT])) as frames:
                async for frame in frames:
                    if not await sse.send(response, {"frame_index": index, "payload": encode(frame),
                                                     "is_final": False}):
                        return response  # the client left: closing the stream ends the call
                    index += 1
        else:
            frame = await runtime.invoke_node(endpoint, payload, tenant_id=request[TENANT])
            if not await sse.send(response, {"frame_index": 0, "payload": encode(frame), "is_final": False}):
                return response
            index = 1
        final = {"frame_index": index, "is_final": True, "success": True}
    except NODE_ERRORS as exc:
        final = {"frame_index": index, "is_final": True, "error": _failure(exc)[1]}
    if await sse.send(response, final):
        await response.write_eof()
    return response


def _binary_failure(status: int, message: str) -> web.Response:
    return respond(NodeBinaryResult, {"success": False, "payload": "", "error_message": message}, status=status)


#: Validation of the binary route's body (its operation is openapi.INVOCATION_OPERATIONS', built
#: from the same model).
BINARY = RouteTable(invalid=lambda message: _binary_failure(400, f"invalid request body: {message}"))


async def invoke_binary(request: web.Request, body: NodeInvokeBody) -> web.StreamResponse:
    answer = _binary_failure
    ref, raw = body.node_id, body.payload
    endpoint = _lookup(request, ref)
    if endpoint is None:
        return answer(404, NOT_DEPLOYED if "/" not in ref else f"node not found: {ref}")
    try:
        payload = endpoint.check_payload(base64.b64decode(raw, validate=True))
    except (binascii.Error, ValueError) as exc:
        return answer(400, str(exc) if isinstance(exc, InvalidInput) else f"invalid payload: {exc}")

    def b64(frame: bytes) -> str:
        return base64.b64encode(frame).decode("ascii")

    if _wants_stream(request, endpoint):
        return await _stream(request, endpoint, payload, b64)
    try:
        output = await request.app[STATE].runtime.invoke_node(endpoint, payload, tenant_id=request[TENANT])
    except NODE_ERRORS as exc:
        status, message = _failure(exc)
        return answer(status, message)
    return respond(NodeBinaryResult, {"success": True, "payload": b64(output), "error_message": ""})
