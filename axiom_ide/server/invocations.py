"""Invocation routes (reference/http-api): invoke a flow, stream a pipeline flow, cancel a run.

- ``POST /invocations/v1/flows/invoke`` — 202 ``{"accepted": true, "execution_id"}``; with ``wait``
  also ``result`` (``{"success": true, "output"|"payload", "completed_at"}`` or
  ``{"success": false, "error", "completed_at"}``), or, when ``timeout_seconds`` (default 30) runs out
  first, ``error_message: "timeout waiting for flow result (30s)"`` while the run continues.
  ``webhook`` gets the result POSTed when the caller does not receive it inline (server/webhooks.py).
- ``POST /invocations/v1/flows/invoke/stream`` — SSE frames exactly as Runtime.stream makes them.
- ``DELETE /invocations/v1/flows/{execution_id}`` — cancel now.
- ``/invocations/v1/nodes/...`` — single-node calls, in :mod:`axiom_ide.server.node_invocations`.

Errors follow the envelope table: a body that is not JSON (or has a field of the wrong type) is
400 ``invalid request body: ...``; everything the table does not classify — a missing ``graph_id``,
an unknown one, a pipeline flow on ``/invoke`` — is 500 ``{"accepted": false, "error_message"}``.
A failure *inside* an accepted run (input that does not match the entry message, a node error) is
202 with ``result.success: false``, or a final SSE frame with ``error``.
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from axiom_ide.runtime.engine.single_node import NodeDirectory
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store import executions as ex
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import BodyError, invalid_body, read_json, reply, unclassified
from axiom_ide.server.sse import FrameRelay, relay_to_client
from axiom_ide.server.webhooks import Webhook, WebhookSender, parse_webhook

DEFAULT_TIMEOUT = 30.0
DEBUG_HEADER = "X-Debug-Session-Id"


@dataclass
class Invocations:
    """What the invocation routes keep per app (``app[INVOCATIONS]``)."""

    nodes: NodeDirectory
    webhooks: WebhookSender = field(default_factory=WebhookSender)
    #: Background work a graceful shutdown waits for (SSE relays whose client may have left).
    background: set[asyncio.Task] = field(default_factory=set)


INVOCATIONS = web.AppKey("axiom_invocations", Invocations)


@dataclass(frozen=True)
class InvokeRequest:
    graph_id: str
    input: Any
    #: The entry message as protobuf bytes when the caller sent ``payload`` (and no ``input``).
    payload: bytes | None
    wait: bool
    timeout: float
    config_id: str | None
    debug_session_id: str | None
    webhook: Webhook | None


class BadRequest(Exception):
    """The request cannot be run; ``response`` says why."""

    def __init__(self, response: web.Response) -> None:
        self.response = response


def setup(app: web.Application) -> None:
    from axiom_ide.server import node_invocations

    app[INVOCATIONS] = Invocations(NodeDirectory(app[STATE].workspace))
    app.router.add_post("/invocations/v1/flows/invoke", invoke)
    app.router.add_post("/invocations/v1/flows/invoke/stream", invoke_stream)
    # The id's own pattern, so ".../flows/invoke" is not also an execution (OPTIONS would say DELETE).
    app.router.add_delete("/invocations/v1/flows/{execution_id:[0-9a-f]{32}}", cancel)
    node_invocations.setup(app)
    app.on_cleanup.append(_close)


async def _close(app: web.Application) -> None:
    await app[INVOCATIONS].webhooks.close(grace=0)


# -- request parsing ------------------------------------------------------------------------------
def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


async def parse_json_object(request: web.Request) -> dict[str, Any]:
    """The body as a JSON object; BadRequest (400 ``invalid request body: ...``) otherwise."""
    try:
        return read_json(request)
    except BodyError as exc:
        raise BadRequest(invalid_body(str(exc))) from None


def _field_error(message: str) -> BadRequest:
    return BadRequest(invalid_body(message))


async def parse_invoke(request: web.Request) -> InvokeRequest:
    data = await parse_json_object(request)
    graph_id = data.get("graph_id")
    if graph_id is None or graph_id == "":
        raise BadRequest(unclassified("graph_id is required"))  # the table's own example of a 500
    if not isinstance(graph_id, str):
        raise _field_error(f"graph_id must be a string, got {_json_type(graph_id)}")
    input_ = data.get("input")
    payload = None
    if input_ is None:  # `input` takes precedence when both are set
        raw = data.get("payload")
        if raw is None:
            raise BadRequest(unclassified("one of input or payload is required"))
        if not isinstance(raw, str):
            raise _field_error(f"payload must be a base64 string, got {_json_type(raw)}")
        try:
            payload = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _field_error(f"payload is not valid base64: {exc}") from None
    wait = data.get("wait", False)
    if not isinstance(wait, bool):
        raise _field_error(f"wait must be true or false, got {_json_type(wait)}")
    timeout = data.get("timeout_seconds")
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    elif isinstance(timeout, bool) or not isinstance(timeout, int) or not timeout > 0:
        raise _field_error(f"timeout_seconds must be a positive integer, got {json.dumps(timeout)}")
    config_id = data.get("config_id")
    if config_id is not None and not isinstance(config_id, str):
        raise _field_error(f"config_id must be a string, got {_json_type(config_id)}")
    debug = request.headers.get(DEBUG_HEADER) or data.get("debug_session_id")  # the header wins
    if debug is not None and not isinstance(debug, str):
        raise _field_error(f"debug_session_id must be a string, got {_json_type(debug)}")
    webhook = None
    if data.get("webhook") is not None:
        try:
            webhook = parse_webhook(data["webhook"])
        except ValueError as exc:
            raise _field_error(str(exc)) from None
    return InvokeRequest(graph_id, input_, payload, wait, float(timeout), config_id or None, debug or None, webhook)


def _artifact(request: web.Request, graph_id: str) -> Any:
    """The caller's artifact. An unknown graph_id and another tenant's get the same answer: the
    envelope table has no row for either on the invoke routes (404 exists only for single-node
    calls and execution history), so both fall in its catch-all — 500 ``{"accepted": false,
    "error_message": "compiled artifact \\"<id>\\" not found"}`` — and nothing tells them apart."""
    try:
        return request.app[STATE].runtime.artifact(graph_id, tenant_id=request[TENANT])
    except AxiomError as exc:
        raise BadRequest(unclassified(exc.message)) from None


# -- results ------------------------------------------------------------------------------------
def result_json(runtime: Any, graph_id: str, outcome: Any, *, as_payload: bool) -> dict[str, Any]:
    """The invoke API's ``result`` object for a finished execution."""
    completed_at = int(time.time() * 1000)
    if outcome.status != ex.COMPLETED:
        return {"success": False, "error": outcome.error or outcome.status, "completed_at": completed_at}
    if not as_payload:
        return {"success": True, "output": outcome.output, "completed_at": completed_at}
    data = outcome.output_bytes
    if data is None:  # finished before this process saw it: re-encode the recorded output
        data = runtime.compiled(runtime.artifacts.get(graph_id)).encode_output(outcome.output)
    return {"success": True, "payload": base64.b64encode(data).decode("ascii"), "completed_at": completed_at}


def _accepted(execution_id: str, **extra: Any) -> web.Response:
    return reply(202, {"accepted": True, "execution_id": execution_id, **extra})


def _timeout_text(seconds: float) -> str:
    return f"timeout waiting for flow result ({seconds:g}s)"


# -- routes ---------------------------------------------------------------------------------------
async def invoke(request: web.Request) -> web.Response:
    state = request.app[STATE]
    runtime = state.runtime
    try:
        req = await parse_invoke(request)
        artifact = _artifact(request, req.graph_id)
    except BadRequest as bad:
        return bad.response
    if artifact.mode == "pipeline":
        return unclassified(f'graph "{req.graph_id}" is a pipeline flow: stream it with '
                            "POST /invocations/v1/flows/invoke/stream")
    try:
        execution_id = await runtime.start(artifact, req.input, config_id=req.config_id,
                                           debug_session_id=req.debug_session_id,
                                           tenant_id=request[TENANT], payload=req.payload)
    except AxiomError as exc:
        return unclassified(exc.message)
    as_payload = req.payload is not None
    if req.wait:
        try:
            outcome = await runtime.wait(execution_id, req.timeout)
        except asyncio.TimeoutError:
            _notify_later(request, req, execution_id)
            return _accepted(execution_id, error_message=_timeout_text(req.timeout))
        return _accepted(execution_id, result=result_json(runtime, req.graph_id, outcome, as_payload=as_payload))
    _notify_later(request, req, execution_id)
    return _accepted(execution_id)


def _notify_later(request: web.Request, req: InvokeRequest, execution_id: str) -> None:
    """The caller will not get the result inline: POST it to the webhook when the run ends."""
    if req.webhook is None:
        return
    runtime = request.app[STATE].runtime

    async def body() -> dict[str, Any]:
        outcome = await runtime.wait(execution_id)
        return {"accepted": True, "execution_id": execution_id,
                "result": result_json(runtime, req.graph_id, outcome, as_payload=req.payload is not None)}

    request.app[INVOCATIONS].webhooks.send(req.webhook, execution_id, body())


async def invoke_stream(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    runtime = state.runtime
    try:
        req = await parse_invoke(request)  # `wait` and `webhook` do not apply to streams
        artifact = _artifact(request, req.graph_id)
    except BadRequest as bad:
        return bad.response
    if artifact.mode != "pipeline":
        return unclassified(f'graph "{req.graph_id}" is a unary flow: invoke it with '
                            "POST /invocations/v1/flows/invoke")
    if req.debug_session_id:  # stored sessions count too, whichever runtime created them; tenancy checked
        try:
            runtime.debug_session(req.debug_session_id, tenant_id=request[TENANT])
        except AxiomError as exc:
            return unclassified(exc.message)
    frames = runtime.stream(artifact, req.input, timeout=req.timeout, config_id=req.config_id,
                            tenant_id=request[TENANT], payload=req.payload)
    relay = FrameRelay(frames, tasks=request.app[INVOCATIONS].background)
    return await relay_to_client(request, relay)


async def cancel(request: web.Request) -> web.Response:
    runtime = request.app[STATE].runtime
    execution_id = request.match_info["execution_id"]
    rec = runtime.executions.get(execution_id)
    if rec is None or rec.tenant_id != request[TENANT]:  # another tenant's id: exactly like none
        return reply(404, {"error": "execution not found"})
    cancelled = await runtime.cancel(execution_id)
    rec = runtime.executions.get(execution_id) or rec
    return reply(200, {"execution_id": execution_id, "cancelled": cancelled, "status": rec.status})
