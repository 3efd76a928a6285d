"""Debug session routes (guides/debug-a-flow): sessions, breakpoints, pause/continue/step, fork, replay.

The docs name no paths for these; they live next to the invocation routes:

- ``POST /invocations/v1/debug/sessions`` — create: ``{"mode": "LIVE", "breakpoints": [...]}`` (then
  pass the session id as ``debug_session_id`` / ``X-Debug-Session-Id`` on an invoke),
  ``{"mode": "REPLAY", "execution_id": ...}``, or ``{"mode": "FORK", "execution_id", "checkpoint_id",
  "overrides", "breakpoints"}`` (a fork: a new execution starts at once). 201 with the session.
- ``GET .../sessions/{session_id}`` — the session: mode, execution, breakpoints, ``state`` (run,
  pause, step, paused; null while no run is attached here), ``paused_at``, ``execution_status``,
  ``breakpoint_hits`` (each breakpoint's current hits).
- ``PUT .../breakpoints`` ``{"breakpoints": [...]}`` replaces them (a breakpoint is a canvas id,
  or an edge ``"src->dst"``: the run pauses before ``dst`` when that edge fires, and the pause's
  DEBUG_PAUSED event carries the mapped ``input``; ``%3E`` in a DELETE path); ``POST .../breakpoints``
  ``{"node": id}`` adds one; ``DELETE .../breakpoints/{node}`` clears one; ``DELETE .../breakpoints``
  clears all. Breakpoints persist (a restarted runtime keeps them).
- ``POST .../pause`` | ``.../continue`` | ``.../step`` — run control (step only while paused).
- ``POST .../fork`` ``{"checkpoint_id", "overrides", "breakpoints", "execution_id"?}`` — fork the
  session's execution (or ``execution_id``) from a checkpoint: 201 with the new FORK session.
- ``GET .../replay?index=N&payloads=true&timeline=false`` — the execution's history as of event
  ``N`` (-1 = before the first; default: the end): status, each node's state and decoded
  checkpointed input/output; ``timeline=true`` adds every event's index, type, node and status.

Everything is tenant-scoped: another tenant's session or execution answers exactly like an unknown
one (404 ``{"error":"debug session not found"}`` / ``{"error":"execution not found"}``). A refused
override (a literal null, a value over 1 MB) is 400 ``{"error":"invalid_override","message":...}``;
bad fields are 400 ``{"error":"invalid_argument","message":...}``; control that does not apply
now (step while running, pause on a REPLAY session) is 409 ``{"error":<code>,"message":...}``, and so
is a fork of an execution whose flow config has since been deleted (``config_not_found``).

A fork — ``POST .../fork`` (from any session, REPLAY included) or a session created with mode FORK —
is an invocation and an execution of the daily quotas (reference/http-api "Daily quotas"): over a
cap it is 429 ``quota_exceeded`` and nothing is forked; a refused fork (4xx) gives its draw back.
"""
from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar, Literal

from aiohttp import web
from pydantic import ConfigDict, Field, model_validator

from axiom_ide.runtime.engine.debug import (
    BREAKPOINT_ID,
    FORK,
    NOT_A_BREAKPOINT,
    REPLAY,
    BreakpointOptions,
    DebugSession,
    edge_ends,
)
from axiom_ide.runtime.engine.replay import ReplaySession
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.checkpoints import DEFAULT_TTL_SECONDS
from axiom_ide.server import limits
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import invalid_body, reply
from axiom_ide.server.response_models import (
    CheckpointGone,
    ErrorBody,
    ErrorClass,
    ErrorMessage,
    InvokeFailure,
    ReplayPoint,
    content,
    respond,
)
from axiom_ide.server.response_models import DebugSession as DebugSessionBody
from axiom_ide.server.routes import Body, Query, RouteTable

PREFIX = "/invocations/v1/debug/sessions"
SESSION = PREFIX + "/{session_id}"
SESSION_NOT_FOUND = {"error": "debug session not found"}
EXECUTION_NOT_FOUND = {"error": "execution not found"}
CHECKPOINT_NOT_FOUND = {"error": "checkpoint_not_found_or_expired",
                        "detail": f"checkpoint may have been evicted by TTL policy "
                                  f"(default {DEFAULT_TTL_SECONDS // 86400}d)"}
#: AxiomError codes of run control that does not apply now → 409.
_CONFLICTS = {"debug_not_paused", "debug_session_not_attached", "debug_session_read_only", "debug_session_busy"}


# -- request models -----------------------------------------------------------------------------------
#: A breakpoint: a canvas id (``n2``), or an edge ``src->dst`` (``n1->n2``: pause before ``dst``
#: when that edge fires, with the mapped values it delivers).
CanvasId = Annotated[str, Field(pattern=BREAKPOINT_ID.pattern)]
NonEmpty = Annotated[str, Field(min_length=1)]
_NOT_CANVAS = NOT_A_BREAKPOINT
_BREAKPOINTS_DOC = "canvas ids to pause before, or edges src->dst to pause at when they fire"


def _text(name: str) -> dict[str, str]:
    return {f"{name}:type": f"{name} must be a non-empty string", f"{name}:range": f"{name} must be a non-empty string"}


class SessionCreate(Body):
    # Absent fields stay None; an explicit null is refused like any non-string (the schema has no null).
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"anyOf": [
        {"properties": {"mode": {"enum": ["LIVE"]}}, "not": {"required": ["execution_id"]}},
        {"required": ["mode", "execution_id"], "properties": {"mode": {"enum": ["REPLAY"]},
                                                              "breakpoints": {"maxItems": 0}}},
        {"required": ["mode", "execution_id", "checkpoint_id"], "properties": {"mode": {"enum": ["FORK"]}}}]})
    mode: Literal["LIVE", "REPLAY", "FORK"] = "LIVE"
    breakpoints: list[CanvasId] = Field(None, description=_BREAKPOINTS_DOC)  # type: ignore[arg-type]  # absent, never null
    execution_id: NonEmpty = Field(None, description="REPLAY: the execution to replay; FORK: the one to fork")  # type: ignore[assignment]  # absent, never null
    checkpoint_id: NonEmpty = Field(None, description="FORK only")  # type: ignore[assignment]  # absent, never null
    overrides: dict[str, Any] = Field(None, description="FORK only: top-level keys of the checkpoint's output "  # type: ignore[arg-type]  # absent, never null
                                                        "to replace (no null; each value ≤ 1 MB)")
    messages: ClassVar[dict[str, str]] = {"mode": "mode must be one of LIVE, REPLAY, FORK; got {value}",
                "breakpoints:type": "breakpoints must be an array of canvas ids", "breakpoints:range": _NOT_CANVAS,
                "overrides": "overrides must be an object of top-level output keys",
                **_text("execution_id"), **_text("checkpoint_id")}

    @model_validator(mode="after")
    def _per_mode(self) -> SessionCreate:
        if self.mode != "LIVE" and self.execution_id is None:
            raise ValueError("execution_id is required")
        if self.mode == FORK and self.checkpoint_id is None:
            raise ValueError("checkpoint_id is required")
        if self.mode == REPLAY and self.breakpoints:
            raise ValueError("a REPLAY session has no breakpoints")
        if self.mode == "LIVE" and self.execution_id is not None:
            raise ValueError("a LIVE session is attached by the invoke that names it (debug_session_id); "
                             "execution_id does not apply")
        return self


class BreakpointOptionsIn(Body):
    condition: NonEmpty = Field(None, description="CEL over the node's input (`input`): pause only when true")  # type: ignore[assignment]  # absent, never null
    hit_count: int = Field(None, ge=1, description="pause on every Nth reach whose condition holds")  # type: ignore[assignment]  # absent, never null


class BreakpointsReplace(Body):
    breakpoints: list[CanvasId] = Field(description=_BREAKPOINTS_DOC)
    options: dict[str, BreakpointOptionsIn] = Field(None, description="condition / hit count per breakpoint (canvas id)")  # type: ignore[arg-type]  # absent, never null
    messages: ClassVar[dict[str, str]] = {"breakpoints:missing": "breakpoints is required",
                "breakpoints:type": "breakpoints must be an array of canvas ids", "breakpoints:range": _NOT_CANVAS,
                "options": "options must map breakpoint canvas ids to {{condition, hit_count}} "
                           "(condition a non-empty string, hit_count an integer >= 1)"}


class BreakpointAdd(Body):
    node: CanvasId = Field(description="The canvas id to pause before, or an edge src->dst to pause at when it fires")
    condition: NonEmpty = Field(None, description="CEL over the node's input (`input`, e.g. `input.score < 0.5`): "  # type: ignore[assignment]  # absent, never null
                                "pause only when true; an evaluation error pauses with reason condition_error")
    hit_count: int = Field(None, ge=1, description="pause on every Nth reach whose condition holds")  # type: ignore[assignment]  # absent, never null
    messages: ClassVar[dict[str, str]] = {"node:missing": "node is required", "node:type": "node must be a non-empty string",
                "node:range": _NOT_CANVAS, **_text("condition"),
                "hit_count": "hit_count must be an integer >= 1"}


class ForkBody(Body):
    checkpoint_id: NonEmpty
    overrides: dict[str, Any] = Field(None, description="top-level keys of the checkpoint's output to replace "  # type: ignore[arg-type]  # absent, never null
                                                        "(no null; each value ≤ 1 MB)")
    breakpoints: list[CanvasId] = Field(None, description=_BREAKPOINTS_DOC)  # type: ignore[arg-type]  # absent, never null
    execution_id: NonEmpty = Field(None, description="defaults to the session's execution")  # type: ignore[assignment]  # absent, never null
    messages: ClassVar[dict[str, str]] = {"breakpoints:type": "breakpoints must be an array of canvas ids", "breakpoints:range": _NOT_CANVAS,
                "overrides": "overrides must be an object of top-level output keys",
                **_text("execution_id"), **_text("checkpoint_id")}


class ReplayQuery(Query):
    index: int | None = Field(None, json_schema_extra={"minimum": -1},
                              description="event index (-1: before the first event); default: the last")
    payloads: bool = Field(True, description="include decoded checkpoint input/output")
    timeline: bool = Field(False, description="include every event's index, type, node and status")
    messages: ClassVar[dict[str, str]] = {"index": "index must be an integer, got {value}", "payloads": "payloads must be true or false",
                "timeline": "timeline must be true or false"}


class Bad(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


def _invalid(message: str) -> Bad:
    return Bad(reply(400, {"error": "invalid_argument", "message": message}))


def _code(exc: AxiomError) -> str:
    return exc.diagnostics[0].code if exc.diagnostics else ""


def _axiom_error(exc: AxiomError) -> web.Response:
    code = _code(exc)
    if code == "debug_session_not_found":
        return reply(404, SESSION_NOT_FOUND)
    if code == "execution_not_found":
        return reply(404, EXECUTION_NOT_FOUND)
    if code == "checkpoint_not_found_or_expired":
        return reply(404, {**CHECKPOINT_NOT_FOUND, "message": exc.message})
    if code in _CONFLICTS:
        return reply(409, {"error": code, "message": exc.message})
    if code == "config_not_found":  # the forked execution's flow config was deleted since it ran
        return reply(409, {"error": "config_not_found", "message": exc.message})
    if code == "invalid_condition":
        return reply(400, {"error": "invalid_argument", "message": f"condition: {exc.message}"})
    if code in ("invalid_override", "invalid_debug_mode", "invalid_debug_session"):
        return reply(400, {"error": "invalid_override" if code == "invalid_override" else "invalid_argument",
                           "message": exc.message})
    raise exc  # the envelope's catch-all


def _breakpoints(runtime: Any, session: DebugSession | None, value: Any, key: str = "breakpoints") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(f"{key} must be an array of canvas ids")
    for node in value:
        _check_node(runtime, session, node)
    return list(dict.fromkeys(value))


def _check_node(runtime: Any, session: DebugSession | None, node: Any) -> str:
    if not isinstance(node, str) or not BREAKPOINT_ID.match(node):
        raise _invalid(NOT_A_BREAKPOINT.format(value=json.dumps(node)))
    rec = (runtime.find_execution(session.execution_id, tenant_id=session.tenant_id)
           if session and session.execution_id else None)
    if rec is not None:
        _check_in_plan(runtime.compiled(runtime.artifact(rec.graph_id, tenant_id=rec.tenant_id)).plan,
                       rec.flow_name, node)
    return node


def _check_in_plan(plan: Any, flow_name: str, breakpoint: str) -> None:
    """A node breakpoint names a node of the flow; an edge one an edge of it."""
    ends = edge_ends(breakpoint)
    if ends is None:
        if breakpoint not in plan.nodes:
            raise _invalid(f'flow "{flow_name}" has no node "{breakpoint}"')
        return
    src, dst = ends
    if not any(e.dst == dst for e in plan.outgoing.get(src, ())):
        raise _invalid(f'flow "{flow_name}" has no edge "{src}" → "{dst}"')


def _session_json(runtime: Any, session: DebugSession) -> dict[str, Any]:
    body = session.to_json()
    rec = (runtime.find_execution(session.execution_id, tenant_id=session.tenant_id)
           if session.execution_id else None)
    body["execution_status"] = rec.status if rec is not None else None
    body["breakpoint_hits"] = session.hits_json()
    if rec is not None and rec.parent_id and session.mode == FORK:
        body["parent_execution_id"] = rec.parent_id
        body["fork_checkpoint_id"] = rec.fork_checkpoint
    return body


def _session(request: web.Request) -> DebugSession:
    return request.app[STATE].runtime.debug_session(request.match_info["session_id"], tenant_id=request[TENANT])


# -- routes ------------------------------------------------------------------------------------------
def _invalid_response(message: str) -> web.Response:
    return reply(400, {"error": "invalid_argument", "message": message})


ROUTES = RouteTable(invalid=_invalid_response, bad_json=invalid_body, tags=["debug"])
route = ROUTES.route


async def create(request: web.Request, body: SessionCreate) -> web.Response:
    runtime = request.app[STATE].runtime
    tenant = request[TENANT]
    try:
        if body.mode == FORK:  # the model checked what each mode needs; a fork is an invocation + an execution
            return await limits.charge(request, lambda: _fork(request, body.checkpoint_id, body.overrides,
                                                              body.breakpoints, body.execution_id))
        if body.mode == REPLAY:
            session = runtime.create_debug_session(REPLAY, execution_id=body.execution_id, tenant_id=tenant)
        else:
            session = runtime.create_debug_session(body.mode, tenant_id=tenant,
                                                   breakpoints=set(_breakpoints(runtime, None, body.breakpoints)))
    except Bad as bad:
        return bad.response
    except AxiomError as exc:
        return _axiom_error(exc)
    return respond(DebugSessionBody, _session_json(runtime, session), status=201)


async def get(request: web.Request) -> web.Response:
    runtime = request.app[STATE].runtime
    try:
        return respond(DebugSessionBody, _session_json(runtime, _session(request)))
    except AxiomError as exc:
        return _axiom_error(exc)


async def put_breakpoints(request: web.Request, body: BreakpointsReplace) -> web.Response:
    runtime = request.app[STATE].runtime
    try:
        session = _session(request)
        nodes = _breakpoints(runtime, session, body.breakpoints)
        stray = sorted(set(body.options or {}) - set(nodes))
        if stray:
            raise AxiomError.of("invalid_debug_session", f'options name "{stray[0]}", which is not among breakpoints')
        session.set_breakpoints(nodes, {n: BreakpointOptions.parse(o.model_dump())
                                        for n, o in (body.options or {}).items()})
    except Bad as bad:
        return bad.response
    except AxiomError as exc:
        return _axiom_error(exc)
    return respond(DebugSessionBody, _session_json(runtime, session))


async def add_breakpoint(request: web.Request, body: BreakpointAdd) -> web.Response:
    runtime = request.app[STATE].runtime
    try:
        session = _session(request)
        session.set_breakpoint(_check_node(runtime, session, body.node),
                               BreakpointOptions.parse({"condition": body.condition, "hit_count": body.hit_count}))
    except Bad as bad:
        return bad.response
    except AxiomError as exc:
        return _axiom_error(exc)
    return respond(DebugSessionBody, _session_json(runtime, session))


async def clear_breakpoint(request: web.Request) -> web.Response:
    runtime = request.app[STATE].runtime
    try:
        session = _session(request)
        session.clear_breakpoint(request.match_info["node"])
    except AxiomError as exc:
        return _axiom_error(exc)
    return respond(DebugSessionBody, _session_json(runtime, session))


async def clear_breakpoints(request: web.Request) -> web.Response:
    runtime = request.app[STATE].runtime
    try:
        session = _session(request)
        session.clear_breakpoints()
    except AxiomError as exc:
        return _axiom_error(exc)
    return respond(DebugSessionBody, _session_json(runtime, session))


def _control(action: str):
    async def handler(request: web.Request) -> web.Response:
        runtime = request.app[STATE].runtime
        try:
            session = _session(request)
            getattr(session, action)()
        except AxiomError as exc:
            return _axiom_error(exc)
        return respond(DebugSessionBody, _session_json(runtime, session))

    handler.__name__ = action
    return handler


async def fork(request: web.Request, body: ForkBody) -> web.Response:
    try:
        session = _session(request)
        execution_id = body.execution_id or session.execution_id
        if execution_id is None:
            raise _invalid("this session has no execution to fork; give execution_id")
        return await _fork(request, body.checkpoint_id, body.overrides, body.breakpoints, execution_id)
    except Bad as bad:
        return bad.response
    except AxiomError as exc:
        return _axiom_error(exc)


async def _fork(request: web.Request, checkpoint_id: str | None, overrides: dict[str, Any] | None,
                breakpoint_ids: list[str] | None, execution_id: str) -> web.Response:
    runtime = request.app[STATE].runtime
    tenant = request[TENANT]
    if not checkpoint_id:
        raise _invalid("checkpoint_id is required")
    try:
        rec = runtime.execution(execution_id, tenant)  # 404 before anything else is looked at
        breakpoints = _breakpoints(runtime, None, breakpoint_ids)
        plan = runtime.compiled(runtime.artifact(rec.graph_id, tenant_id=tenant)).plan
        for b in breakpoints:
            _check_in_plan(plan, rec.flow_name, b)
        # The fork runs under the parent's config: refuse now (409) if it is gone, before the
        # runtime records a session and an execution for a run that cannot start.
        runtime.resolve_config(rec.flow_name, rec.config_id, tenant_id=tenant)
        _, session = await runtime.fork(execution_id, checkpoint_id, overrides or {}, breakpoints=set(breakpoints),
                                        tenant_id=tenant)
    except AxiomError as exc:
        return _axiom_error(exc)
    return respond(DebugSessionBody, _session_json(runtime, session), status=201)


async def replay(request: web.Request, query: ReplayQuery) -> web.Response:
    runtime = request.app[STATE].runtime
    try:
        session = _session(request)
        if session.execution_id is None:
            raise _invalid("this session has no execution yet")
        if isinstance(session, ReplaySession):
            timeline = session.replay
            if not timeline.execution.is_final:
                timeline = session.refresh()  # still running: read the latest history
        else:
            timeline = runtime.replay(session.execution_id, tenant_id=request[TENANT])
        index = query.index
        if index is not None and not -1 <= index < len(timeline):
            raise _invalid(f"index must be between -1 and {len(timeline) - 1}, got {index}")
        body = timeline.to_json(index, payloads=query.payloads)
        body["session_id"] = session.id
        if query.timeline:
            body["timeline"] = [{"index": p.index, "seq": p.event.seq, "type": p.event.type, "node": p.event.node,
                                 "time": int(p.event.time * 1000), "status": p.status}
                                for p in timeline if p.event is not None]  # every point but the start has one
    except Bad as bad:
        return bad.response
    except AxiomError as exc:
        return _axiom_error(exc)
    return respond(ReplayPoint, body)


# -- OpenAPI ------------------------------------------------------------------------------------------
_CANVAS = {"type": "string", "pattern": BREAKPOINT_ID.pattern}
_ID = {"name": "session_id", "in": "path", "required": True, "schema": {"type": "string"}}
_NODE = {"name": "node", "in": "path", "required": True, "schema": _CANVAS}
#: A refused field is ``invalid_argument``; a body that is not JSON at all the invoke routes' wording.
_400 = content("A malformed field, or a body that is not JSON", ErrorMessage,
               {"error": "invalid_argument", "message": "breakpoints must be an array of canvas ids"}, also=(InvokeFailure,))
_401 = content("Missing, invalid or revoked API key", ErrorBody, {"error": "unauthorized"})
_404 = content("No such debug session for this tenant", ErrorBody, SESSION_NOT_FOUND)
_409 = content("The control does not apply now", ErrorMessage, {"error": "debug_not_paused",
                                                 "message": "step is available only while the run is paused"})
_OK = content("The session", DebugSessionBody)


_CONFIG_GONE = content("The forked execution's flow config no longer exists", ErrorMessage,
                       {"error": "config_not_found", "message": 'config "fast" not found for flow "hello"'})
_WITH_SESSION = {"401": _401, "404": _404}
_QUOTA = content("A daily quota is spent (a fork is an invocation and an execution); nothing was forked", ErrorClass,
                 {"error": "quota_exceeded", "message": "daily executions quota exceeded (cap 500)",
                  "retry_after_seconds": 74380})
route("POST", PREFIX, body=SessionCreate, body_required=False, responses={
    "201": content("The new session", DebugSessionBody), "400": _400, "401": _401,
    "404": content("No such execution or checkpoint for this tenant", CheckpointGone, EXECUTION_NOT_FOUND), "409": _CONFIG_GONE,
    "429": _QUOTA},
    summary="Create a debug session: LIVE (pass its id as debug_session_id on an invoke), REPLAY of an execution, "
            "or FORK (a new execution from a checkpoint, with overrides).")(create)
route("GET", SESSION, parameters=[_ID], responses={"200": _OK, **_WITH_SESSION},
      summary="A debug session: mode, execution, breakpoints, run state.")(get)
route("PUT", SESSION + "/breakpoints", parameters=[_ID], body=BreakpointsReplace,
      responses={"200": _OK, "400": _400, **_WITH_SESSION}, summary="Replace the session's breakpoints.")(put_breakpoints)
route("POST", SESSION + "/breakpoints", parameters=[_ID], body=BreakpointAdd,
      responses={"200": _OK, "400": _400, **_WITH_SESSION}, summary="Set a breakpoint on a node.")(add_breakpoint)
route("DELETE", SESSION + "/breakpoints", parameters=[_ID], responses={"200": _OK, **_WITH_SESSION, "409": _409},
      summary="Clear every breakpoint.")(clear_breakpoints)
route("DELETE", SESSION + "/breakpoints/{node}", parameters=[_ID, _NODE],
      responses={"200": _OK, **_WITH_SESSION, "409": _409}, summary="Clear one breakpoint.")(clear_breakpoint)
for _path, _action, _summary in (
        ("/pause", "pause", "Pause the run before its next node is dispatched."),
        ("/continue", "resume", "Continue a paused run (until the next breakpoint or the end)."),
        ("/step", "step", "Run exactly one node, then pause again (only while paused).")):
    route("POST", SESSION + _path, parameters=[_ID], responses={"200": _OK, **_WITH_SESSION, "409": _409},
          summary=_summary)(_control(_action))
route("POST", SESSION + "/fork", parameters=[_ID], body=ForkBody, responses={
    "201": content("The new FORK session", DebugSessionBody), **_WITH_SESSION, "409": _CONFIG_GONE, "429": _QUOTA,
    "400": content("A refused override or malformed field, or a body that is not JSON", ErrorMessage,
                   {"error": "invalid_override", "message": 'override for "text" is null; remove the key instead'},
                   also=(InvokeFailure,))},
    summary="Fork the session's execution from a checkpoint into a new execution with top-level-key overrides.")(fork)
route("GET", SESSION + "/replay", parameters=[_ID], query=ReplayQuery,
      responses={"200": content("One point of the timeline", ReplayPoint), "400": _400, **_WITH_SESSION},
      summary="The session's execution as of one event: status, node states and decoded checkpoint payloads.")(replay)

setup = ROUTES.setup
OPERATIONS = ROUTES.operations()
