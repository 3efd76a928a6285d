"""Invocation routes (reference/http-api): invoke a flow, stream a pipeline flow, cancel a run.

- ``POST /invocations/v1/flows/invoke`` — 202 ``{"accepted": true, "execution_id"}``; with ``wait``
  also ``result`` (``{"success": true, "output"|"payload", "completed_at"}`` or
  ``{"success": false, "error", "completed_at"}``), or, when ``timeout_seconds`` (default 30) runs out
  first, ``error_message: "timeout waiting for flow result (30s)"`` while the run continues; or,
  when the run stops at an approval first, ``status: "Paused (HITL)"`` at once and no ``result``
  (it waits, durably, for a resume — ``POST /invocations/v1/executions/{id}/resume``).
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
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from axiom_ide.runtime.engine.hitl import has_approvals, until_settled
from axiom_ide.runtime.engine.single_node import NodeDirectory
from axiom_ide.runtime.errors import AxiomError, envelope_extras
from axiom_ide.runtime.store import executions as ex
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import invalid_body, reply, unclassified
from axiom_ide.server.invoke_models import InvokeBody, InvokeStreamBody
from axiom_ide.server.response_models import CancelResult, InvokeAccepted, build, respond
from axiom_ide.server.routes import RouteTable
from axiom_ide.server.sse import FrameRelay, relay_to_client
from axiom_ide.server.webhooks import Webhook, WebhookSender

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
    # Validation only: the operations (openapi.INVOCATION_OPERATIONS) build their request schema
    # from the same models.
    app.router.add_post("/invocations/v1/flows/invoke", ROUTES.route("POST", "/invocations/v1/flows/invoke",
                                                                     body=InvokeBody, responses={})(invoke))
    app.router.add_post("/invocations/v1/flows/invoke/stream", ROUTES.route(
        "POST", "/invocations/v1/flows/invoke/stream", body=InvokeStreamBody, responses={})(invoke_stream))
    # The id's own pattern, so ".../flows/invoke" is not also an execution (OPTIONS would say DELETE).
    app.router.add_delete("/invocations/v1/flows/{execution_id:[0-9a-f]{32}}", cancel)
    node_invocations.setup(app)
    app.on_cleanup.append(_close)


async def _close(app: web.Application) -> None:
    await app[INVOCATIONS].webhooks.close(grace=0)


# -- request parsing --------------------------------------------------------------------------------
def _parse_invoke(request: web.Request, body: InvokeStreamBody) -> InvokeRequest:
    """The validated body as an InvokeRequest; BadRequest for the envelope's documented 500s."""
    if not body.graph_id:
        raise BadRequest(unclassified("graph_id is required"))  # the table's own example of a 500
    payload = None
    if body.input is None:  # `input` takes precedence when both are set
        if body.payload is None:
            raise BadRequest(unclassified("one of input or payload is required"))
        payload = base64.b64decode(body.payload, validate=True)
    debug = request.headers.get(DEBUG_HEADER) or body.debug_session_id  # the header wins
    timeout = float(body.timeout_seconds) if body.timeout_seconds is not None else DEFAULT_TIMEOUT
    return InvokeRequest(body.graph_id, body.input, payload, getattr(body, "wait", False), timeout,
                         body.config_id or None, debug or None, getattr(body, "webhook", None))


def _artifact(request: web.Request, graph_id: str) -> Any:
    """The caller's artifact. An unknown graph_id and another tenant's get the same answer: the
    envelope table has no row for either on the invoke routes (404 exists only for single-node
    calls and execution history), so both fall in its catch-all — 500 ``{"accepted": false,
    "error_message": "compiled artifact \\"<id>\\" not found"}`` — and nothing tells them apart.
    Only another tenant's *published* flow (which every tenant can read anyway) is named as such:
    "graph <id> belongs to another tenant: fork it … or place it as a subflow …"."""
    try:
        return request.app[STATE].runtime.artifact(graph_id, tenant_id=request[TENANT])
    except AxiomError as exc:
        from axiom_ide.server.registry_state import foreign_public_flow

        refusal = foreign_public_flow(request.app, graph_id)  # a published flow says what to do instead
        raise BadRequest(unclassified(refusal or exc.message)) from None


# -- results ------------------------------------------------------------------------------------
def result_json(runtime: Any, graph_id: str, outcome: Any, *, as_payload: bool,
                tenant_id: str | None = None) -> dict[str, Any]:
    """The invoke API's ``result`` object for a finished execution."""
    completed_at = int(time.time() * 1000)
    if outcome.status != ex.COMPLETED:
        # beside the documented fields: the error value's code and location (errors.envelope_extras)
        return {"success": False, "error": outcome.error or outcome.status, "completed_at": completed_at,
                **envelope_extras(getattr(outcome, "diagnostic", None))}
    if not as_payload:
        return {"success": True, "output": outcome.output, "completed_at": completed_at}
    data = outcome.output_bytes
    if data is None:  # finished before this process saw it: re-encode the recorded output
        data = runtime.compiled(runtime.artifact(graph_id, tenant_id=tenant_id)).encode_output(outcome.output)
    return {"success": True, "payload": base64.b64encode(data).decode("ascii"), "completed_at": completed_at}


def _accepted(execution_id: str, **extra: Any) -> web.Response:
    return respond(InvokeAccepted, {"accepted": True, "execution_id": execution_id, **extra}, status=202)


def _timeout_text(seconds: float) -> str:
    return f"timeout waiting for flow result ({seconds:g}s)"


# -- routes ---------------------------------------------------------------------------------------
ROUTES = RouteTable(invalid=invalid_body, tags=["flows"])


async def invoke(request: web.Request, body: InvokeBody) -> web.Response:
    """Invoke a compiled flow once"""
    state = request.app[STATE]
    runtime = state.runtime
    try:
        req = _parse_invoke(request, body)
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
            outcome = await _wait_or_pause(runtime, artifact, execution_id, req.timeout)
        except TimeoutError:
            _notify_later(request, req, execution_id)
            return _accepted(execution_id, error_message=_timeout_text(req.timeout))
        if outcome is None:  # waits for a human: answer now, the result goes to the webhook (if any)
            _notify_later(request, req, execution_id)
            return _accepted(execution_id, status=ex.PAUSED_HITL)
        return _accepted(execution_id, result=result_json(runtime, req.graph_id, outcome, as_payload=as_payload,
                                                                tenant_id=request[TENANT]))
    _notify_later(request, req, execution_id)
    return _accepted(execution_id)


async def _wait_or_pause(runtime: Any, artifact: Any, execution_id: str, timeout: float) -> Any:
    """The run's Outcome — or None as soon as it stops at an approval (Paused (HITL)): that wait
    is a human's, not the caller's. TimeoutError when neither happens within ``timeout``."""
    if not has_approvals(artifact):
        return await runtime.wait(execution_id, timeout)

    async def settle() -> Any:
        await until_settled(runtime, execution_id)
        rec = runtime.find_execution(execution_id)
        if rec is not None and rec.status == ex.PAUSED_HITL:
            return None
        return await runtime.wait(execution_id)

    return await asyncio.wait_for(settle(), timeout)


def _notify_later(request: web.Request, req: InvokeRequest, execution_id: str) -> None:
    """The caller will not get the result inline: POST it to the webhook when the run ends."""
    if req.webhook is None:
        return
    runtime = request.app[STATE].runtime

    async def body() -> dict[str, Any]:
        outcome = await runtime.wait(execution_id)
        return build(InvokeAccepted, {"accepted": True, "execution_id": execution_id,
                                      "result": result_json(runtime, req.graph_id, outcome,
                                                            as_payload=req.payload is not None,
                                                            tenant_id=request[TENANT])})

    request.app[INVOCATIONS].webhooks.send(req.webhook, execution_id, body())


async def invoke_stream(request: web.Request, body: InvokeStreamBody) -> web.StreamResponse:
    """Invoke a flow in pipeline mode and stream its frames (SSE)"""
    state = request.app[STATE]
    runtime = state.runtime
    try:
        req = _parse_invoke(request, body)
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
    rec = runtime.find_execution(execution_id, tenant_id=request[TENANT])
    if rec is None:  # another tenant's id: exactly like none
        return reply(404, {"error": "execution not found"})
    cancelled = await runtime.cancel(execution_id)
    rec = runtime.find_execution(execution_id, tenant_id=request[TENANT]) or rec
    return respond(CancelResult, {"execution_id": execution_id, "cancelled": cancelled, "status": rec.status})
