"""Resume a human-in-the-loop pause (concepts/execution-model "Paused (HITL)"; engine/hitl.py).

``POST /invocations/v1/executions/{execution_id}/resume`` with ``{"action": "approve"|"reject",
"input": {...}?, "comment": "..."?}``: ``input`` (approve only) replaces the paused node's input —
"Edit & approve". 200 ``{"execution_id", "node", "action", "status": "Running"}``; the run then
continues (or, rejected, ends Failed: ``node "<id>": approval rejected``). A resume is an
invocation: it draws one from the daily quota (server/limits.py counts any POST with a ``resume``
segment), given back when it is refused.

``POST /invocations/v1/webhooks/resume/{token}`` — the same body and answers, with no API key: the
token (``resume_token`` of the pause's HITL_PAUSED event, ``<execution id>.<random>``) is the
credential, good for that one pause. It counts against the execution's tenant's daily invocations
(429 ``quota_exceeded`` like any invocation); an unknown token is 404 ``{"error":"resume webhook not
found"}``.

``approvers`` on the node's approval: only those API key names may resume over this route (403
``{"error":"not_an_approver","message"}`` for another key); the webhook's token always may.

Refusals: 404 ``{"error":"execution not found"}`` (unknown or another tenant's); 400
``invalid_argument`` (a bad field, input with reject, input that does not fit the node's input
message); 409 ``{"error": <code>, "message"}`` with ``not_paused`` (the execution is not waiting
for an approval), ``already_resumed`` (someone answered it first), ``pause_timed_out`` (its
timeout's on_timeout applied) or ``paused_elsewhere`` (another live runtime holds the run).
"""
from __future__ import annotations

import sqlite3
import time
from typing import Any, ClassVar, Literal

from aiohttp import web
from pydantic import Field

from axiom_ide.runtime.engine.hitl import token_execution
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.usage import seconds_to_utc_midnight, utc_day
from axiom_ide.server.app import STATE, TENANT, public
from axiom_ide.server.auth import API_KEY
from axiom_ide.server.envelope import invalid_body, reply
from axiom_ide.server.limits import QUOTA_UNAVAILABLE, limiter_for
from axiom_ide.server.response_models import ErrorBody, ErrorMessage, InvokeFailure, Reply, content, respond
from axiom_ide.server.routes import Body, RouteTable

PATH = "/invocations/v1/executions/{execution_id}/resume"
EXECUTION_NOT_FOUND = {"error": "execution not found"}
CONFLICTS = ("not_paused", "already_resumed", "pause_timed_out", "paused_elsewhere")


class ResumeBody(Body):
    action: Literal["approve", "reject"] = Field(description="approve runs the paused node; reject fails the run")
    input: dict[str, Any] | None = Field(None, description="approve only: the node's edited input message (JSON)")
    comment: str | None = Field(None, max_length=2000, description="why; a rejection's error text ends with it")
    messages: ClassVar[dict[str, str]] = {"action": 'action must be "approve" or "reject"', "input": "input must be a JSON object",
                "comment": "comment must be a text of at most 2000 characters"}


class ResumeResult(Reply):
    execution_id: str
    node: str
    action: str
    status: str


def _invalid(message: str) -> web.Response:
    return reply(400, {"error": "invalid_argument", "message": message})


ROUTES = RouteTable(invalid=_invalid, bad_json=invalid_body, tags=["executions"])


async def resume(request: web.Request, body: ResumeBody) -> web.Response:
    runtime = request.app[STATE].runtime
    try:
        key = request.get(API_KEY)
        out = await runtime.resume_pause(request.match_info["execution_id"], body.action, body.input,
                                         comment=body.comment, tenant_id=request[TENANT],
                                         by=key.name if key is not None else None)
    except AxiomError as exc:
        code = exc.diagnostics[0].code if exc.diagnostics else ""
        if code == "execution_not_found":
            return reply(404, EXECUTION_NOT_FOUND)
        if code == "not_an_approver":
            return reply(403, {"error": code, "message": exc.message})
        if code in CONFLICTS:
            return reply(409, {"error": code, "message": exc.message})
        if code == "invalid_argument":
            return _invalid(exc.message)
        raise
    return respond(ResumeResult, out)


WEBHOOK_PATH = "/invocations/v1/webhooks/resume/{token}"
WEBHOOK_NOT_FOUND = {"error": "resume webhook not found"}


@public
async def resume_webhook(request: web.Request, body: ResumeBody) -> web.Response:
    """A resume webhook: the token names the execution and authorizes this one pause."""
    runtime = request.app[STATE].runtime
    token = request.match_info["token"]
    rec = runtime.operator_execution(token_execution(token)) if token_execution(token) else None
    if rec is None:
        return reply(404, WEBHOOK_NOT_FOUND)
    limiter = limiter_for(request.app)
    drawn = limiter is not None and limiter.limits.daily_invocations is not None
    day = utc_day(time.time())
    if drawn:
        assert limiter is not None
        cap = limiter.limits.daily_invocations
        try:
            exhausted = limiter.usage.reserve(rec.tenant_id, day, invocations=1, invocation_cap=cap)
        except sqlite3.Error:
            return reply(503, QUOTA_UNAVAILABLE, headers={"Retry-After": "5"})
        if exhausted:
            wait = seconds_to_utc_midnight(time.time())
            return reply(429, {"error": "quota_exceeded", "message": f"daily invocations quota exceeded (cap {cap})",
                               "retry_after_seconds": wait}, headers={"Retry-After": str(wait)})
    try:
        out = await runtime.resume_pause(rec.id, body.action, body.input, comment=body.comment,
                                         tenant_id=rec.tenant_id, token=token)
    except AxiomError as exc:
        if drawn:
            assert limiter is not None
            limiter.usage.release(rec.tenant_id, day, invocations=1)
        code = exc.diagnostics[0].code if exc.diagnostics else ""
        if code == "execution_not_found":
            return reply(404, WEBHOOK_NOT_FOUND)
        if code in CONFLICTS:
            return reply(409, {"error": code, "message": exc.message})
        if code == "invalid_argument":
            return _invalid(exc.message)
        raise
    return respond(ResumeResult, out)


_ID = {"name": "execution_id", "in": "path", "required": True, "schema": {"type": "string"}}
ROUTES.route("POST", PATH, parameters=[_ID], body=ResumeBody, responses={
    "200": content("The decision is recorded; the run continues", ResumeResult,
                   {"execution_id": "0af7651916cd43dd8448eb211c80319c", "node": "review", "action": "approve",
                    "status": "Running"}),
    "400": content("A malformed field, or input that does not fit the paused node", ErrorMessage,
                   {"error": "invalid_argument", "message": 'action must be "approve" or "reject"'}, also=(InvokeFailure,)),
    "401": content("Missing, invalid or revoked API key", ErrorBody, {"error": "unauthorized"}),
    "403": content("The caller's API key is not among the pause's approvers", ErrorMessage,
                   {"error": "not_an_approver", "message": 'API key "ci" may not resume the pause before node '
                                                           '"review" (approvers: ops)'}),
    "404": content("No such execution for this tenant", ErrorBody, EXECUTION_NOT_FOUND),
    "409": content("Nothing to resume: not paused, already resumed, timed out, or held by another runtime",
                   ErrorMessage, {"error": "not_paused",
                                  "message": 'execution "0af7651916cd43dd8448eb211c80319c" is not paused for '
                                             "approval (status: Completed)"}),
    "429": content("Daily invocations quota exceeded (a resume is an invocation)", ErrorBody,
                   {"error": "quota_exceeded"}),
}, summary="Resume a human-in-the-loop pause: approve (optionally with edited input) or reject.")(resume)

_TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"},
          "description": "resume_token of the pause's HITL_PAUSED event"}
ROUTES.route("POST", WEBHOOK_PATH, parameters=[_TOKEN], body=ResumeBody, responses={
    "200": content("The decision is recorded; the run continues", ResumeResult),
    "400": content("A malformed field, or a body that is not JSON", ErrorMessage,
                   {"error": "invalid_argument", "message": 'action must be "approve" or "reject"'},
                   also=(InvokeFailure,)),
    "404": content("No pause has this token", ErrorBody, WEBHOOK_NOT_FOUND),
    "409": content("The pause was already answered or timed out", ErrorMessage),
    "429": content("The execution's tenant exhausted its daily invocations", ErrorBody, {"error": "quota_exceeded"}),
}, summary="Resume webhook: answer one human-in-the-loop pause with its token (no API key).")(resume_webhook)

setup = ROUTES.setup
OPERATIONS = ROUTES.operations()
