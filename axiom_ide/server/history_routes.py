"""Execution history routes: the executions list, one execution, its events and its checkpoints.

- ``GET /invocations/v1/executions`` — the caller's executions, newest first. Query: ``status``
  (repeatable or comma-separated; the docs' statuses, matched ignoring case and punctuation, so
  ``Paused (HITL)`` = ``paused_hitl``), ``flow``, ``since`` (inclusive) / ``until`` (exclusive; a
  bare date means through the end of that day) as ISO 8601 or unix milliseconds, ``limit``
  (1–500, default 50) and ``cursor`` (the previous page's ``next_cursor``; keyset pagination, so
  new executions never shift a later page).
- ``GET /invocations/v1/executions/{id}`` — status, timestamps (unix ms), ``duration_ms``,
  ``graph_id``, ``flow``, ``input``, ``output``/``error``, ``parent_execution_id`` and ``forks``.
- ``GET /invocations/v1/executions/{id}/events`` — the ordered event log; ``node``, ``type``
  (repeatable or comma-separated), ``after_seq`` and ``limit`` (1–10000, default 1000); the
  response's ``next_after_seq`` is set while more events remain.
- ``GET /invocations/v1/executions/{id}/checkpoints[/{checkpoint_id}]`` — checkpoints with their
  input and output decoded to JSON (rendered by :mod:`axiom_ide.runtime.history`, as the CLI does).

Every id is tenant-scoped: another tenant's execution answers exactly like an unknown one, 404
``{"error":"execution not found"}``; an unknown, foreign or expired checkpoint answers the catalog's
``checkpoint_not_found_or_expired``. Bad query parameters answer 400
``{"error":"invalid_argument","message":...}``.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from typing import Any

from aiohttp import web
from pydantic import Field, field_validator

from axiom_ide.runtime.history import checkpoint_json, checkpoints_json, execution_detail, failure_extras
from axiom_ide.runtime.store.checkpoints import DEFAULT_TTL_SECONDS
from axiom_ide.runtime.store.executions import STATUSES, ExecutionRecord
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import json_response
from axiom_ide.server.response_models import (
    Checkpoint,
    CheckpointGone,
    CheckpointsPage,
    ErrorBody,
    ErrorMessage,
    EventsPage,
    ExecutionDetail,
    ExecutionsPage,
    content,
    respond,
)
from axiom_ide.server.routes import Query, RouteTable

PREFIX = "/invocations/v1/executions"
EXECUTION_NOT_FOUND = {"error": "execution not found"}
CHECKPOINT_NOT_FOUND = {"error": "checkpoint_not_found_or_expired",
                        "detail": f"checkpoint may have been evicted by TTL policy "
                                  f"(default {DEFAULT_TTL_SECONDS // 86400}d)"}
LIST_LIMIT, LIST_MAX = 50, 500
EVENTS_LIMIT, EVENTS_MAX = 1000, 10_000
#: Fields of an execution the list leaves out (the detail route has them).
_DETAIL_ONLY = ("input", "output")


class BadArgument(Exception):
    """A query parameter is malformed; the message names it and says what is accepted."""


def _bad(exc: BadArgument) -> web.Response:
    return json_response({"error": "invalid_argument", "message": str(exc)}, status=400)


# -- query parsing ---------------------------------------------------------------------------------
def _squash(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text).lower()  # ASCII only: "İ".lower() would add an "i"


_STATUS_BY_KEY = {_squash(s): s for s in STATUSES}


def parse_statuses(values: list[str]) -> tuple[str, ...]:
    out = []
    for value in values:
        if not _squash(value):  # only punctuation: an empty item
            continue
        status = _STATUS_BY_KEY.get(_squash(value))
        if status is None:
            raise BadArgument(f'unknown status "{value}"; one of: {", ".join(STATUSES)}')
        out.append(status)
    return tuple(dict.fromkeys(out))


def parse_instant(name: str, value: str, *, end_of_day: bool = False) -> float:
    """ISO 8601 (date, or date-time; no zone means UTC) or unix milliseconds → unix seconds.
    With ``end_of_day`` a bare date means the midnight that ends it."""
    value = value.strip()
    if re.fullmatch(r"\d{1,15}", value):
        return int(value) / 1000.0
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise BadArgument(f'{name} must be an ISO 8601 date or date-time, or unix milliseconds; got "{value}"') from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    try:
        if end_of_day and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            when += dt.timedelta(days=1)
        return when.timestamp()
    except (OverflowError, ValueError):  # the last day of year 9999
        return float("inf")


def parse_int_text(name: str, raw: Any, default: int, low: int, high: int) -> int:
    if isinstance(raw, list):
        raise BadArgument(f"{name} must be given once")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise BadArgument(f'{name} must be an integer from {low} to {high}; got "{raw}"')
    return value


def encode_cursor(rec: ExecutionRecord) -> str:
    raw = json.dumps([rec.created_at, rec.id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[float, str]:
    try:
        created_at, execution_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return float(created_at), str(execution_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadArgument("cursor is not one this server issued; pass a response's next_cursor unchanged") from None


# -- query models (validate the request and generate its parameters) -------------------------------


def _loose_status_pattern() -> str:
    """What ``status`` accepts, as a regex: comma-separated statuses with case and punctuation
    ignored (``completed``, ``paused_hitl``), empty items dropped."""
    gap = "[^A-Za-z0-9,]*"  # punctuation and blanks, anywhere in an item
    letters = [[f"[{c.upper()}{c}]" if c.isalpha() else c for c in _squash(s)] for s in STATUSES]
    item = gap + "(?:" + "|".join(gap.join(chars) for chars in letters) + ")?" + gap
    return f"^{item}(?:,{item})*$"


_STATUS_FILTER: dict[str, Any] = {"type": "string", "pattern": _loose_status_pattern(),
                  "description": "one of: " + ", ".join(STATUSES) + " (case and punctuation ignored)"}
_INSTANT: dict[str, Any] = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"},
                      {"type": "string", "pattern": r"^\d{1,15}$"},
                      {"type": "string", "maxLength": 0, "description": "empty: no bound"}]}


def _repeatable(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise ValueError("expected text")
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _as_error(fn: Any, *args: Any, **kw: Any) -> Any:
    try:
        return fn(*args, **kw)
    except BadArgument as exc:
        raise ValueError(str(exc)) from None


class ExecutionsQuery(Query):
    status: Any = Field(None, description="Status filter; repeatable or comma-separated (case and punctuation ignored).",
                        json_schema_extra={"type": "array", "items": _STATUS_FILTER})
    flow: str | None = Field(None, description="Only executions of this flow name.")
    since: str | None = Field(None, json_schema_extra=_INSTANT,
                              description="Accepted at or after: ISO 8601 date/date-time (UTC when no zone) or unix ms.")
    until: str | None = Field(None, json_schema_extra=_INSTANT,
                              description="Accepted before: ISO 8601 or unix ms; a bare date includes that whole day.")
    limit: Any = Field(None, description="Page size.",
                       json_schema_extra={"type": "integer", "minimum": 1, "maximum": LIST_MAX, "default": LIST_LIMIT})
    cursor: str | None = Field(None, description="The previous page's next_cursor.")

    @field_validator("status")
    @classmethod
    def _status(cls, value: Any) -> tuple[str, ...]:
        return _as_error(parse_statuses, _repeatable(value)) if value is not None else ()

    @field_validator("since", "until")
    @classmethod
    def _instant(cls, value: str | None, info: Any) -> str | None:
        if value:
            _as_error(parse_instant, info.field_name, value)
        return value or None

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: Any) -> int:
        return _as_error(parse_int_text, "limit", value, LIST_LIMIT, 1, LIST_MAX)

    @field_validator("cursor")
    @classmethod
    def _cursor(cls, value: str | None) -> str | None:
        if value:
            _as_error(decode_cursor, value)
        return value or None


class EventsQuery(Query):
    node: str | None = Field(None, description="Only events of this canvas node id.")
    type: Any = Field(None, description="Event types (EXECUTION_STARTED, NODE_COMPLETED, ...); repeatable or "
                                        "comma-separated.", json_schema_extra={"type": "array", "items": {"type": "string"}})
    after_seq: Any = Field(None, description="Only events after this sequence number (the previous page's "
                                             "next_after_seq).",
                           json_schema_extra={"type": "integer", "minimum": 0, "maximum": 2**62, "default": 0})
    limit: Any = Field(None, description="Page size.",
                       json_schema_extra={"type": "integer", "minimum": 1, "maximum": EVENTS_MAX, "default": EVENTS_LIMIT})

    @field_validator("type")
    @classmethod
    def _types(cls, value: Any) -> list[str]:
        return [t.upper() for t in _repeatable(value)] if value is not None else []

    @field_validator("after_seq")
    @classmethod
    def _after(cls, value: Any) -> int:
        return _as_error(parse_int_text, "after_seq", value, 0, 0, 2**62)

    @field_validator("limit")
    @classmethod
    def _limit(cls, value: Any) -> int:
        return _as_error(parse_int_text, "limit", value, EVENTS_LIMIT, 1, EVENTS_MAX)


# -- handlers --------------------------------------------------------------------------------------
def _own_execution(request: web.Request) -> ExecutionRecord | None:
    """The path's execution if it belongs to the caller's tenant; else None (→ 404, never 403)."""
    return request.app[STATE].runtime.find_execution(request.match_info["execution_id"], tenant_id=request[TENANT])


def summary_json(rec: ExecutionRecord) -> dict[str, Any]:
    body = rec.to_json()
    # beside the documented fields: where a failure happened and what the node raised
    body.update(failure_extras(rec))
    for key in _DETAIL_ONLY:
        body.pop(key, None)
    return body


async def list_executions(request: web.Request, query: ExecutionsQuery) -> web.Response:
    """List the caller's executions, newest first, filtered and paginated."""
    q = query
    created_from = parse_instant("since", q.since) if q.since else None
    created_to = parse_instant("until", q.until, end_of_day=True) if q.until else None
    limit = q.limit
    before = decode_cursor(q.cursor) if q.cursor else None
    rows = request.app[STATE].runtime.executions_page(
        tenant_id=request[TENANT], statuses=q.status, flow_name=q.flow or None,
        created_from=created_from, created_to=created_to, before=before, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return respond(ExecutionsPage, {"executions": [summary_json(r) for r in rows],
                              "next_cursor": encode_cursor(rows[-1]) if more else None})


async def get_execution(request: web.Request) -> web.Response:
    """One execution: status, timestamps, duration, graph, flow, input, output or error, links."""
    rec = _own_execution(request)
    if rec is None:
        return json_response(EXECUTION_NOT_FOUND, status=404)
    return respond(ExecutionDetail, execution_detail(request.app[STATE].runtime, rec))


async def list_events(request: web.Request, query: EventsQuery) -> web.Response:
    """An execution's event log in order, filtered by node and type, paginated by sequence number."""
    rec = _own_execution(request)
    if rec is None:
        return json_response(EXECUTION_NOT_FOUND, status=404)
    q = query
    limit = q.limit
    events = request.app[STATE].runtime.execution_events(
        rec.id, tenant_id=request[TENANT], after_seq=q.after_seq, node=q.node or None, types=q.type, limit=limit + 1)
    more = len(events) > limit
    events = events[:limit]
    return respond(EventsPage, {"execution_id": rec.id, "events": [e.to_json() for e in events],
                              "next_after_seq": events[-1].seq if more else None})


async def list_checkpoints(request: web.Request) -> web.Response:
    """An execution's checkpoints by step, each with its decoded input and output."""
    rec = _own_execution(request)
    if rec is None:
        return json_response(EXECUTION_NOT_FOUND, status=404)
    return respond(CheckpointsPage, {"execution_id": rec.id,
                              "checkpoints": checkpoints_json(request.app[STATE].runtime, rec)})


async def get_checkpoint(request: web.Request) -> web.Response:
    """One checkpoint with its decoded input and output; 404 once expired or unknown."""
    rec = _own_execution(request)
    if rec is None:
        return json_response(EXECUTION_NOT_FOUND, status=404)
    runtime = request.app[STATE].runtime
    cp = runtime.checkpoint(request.match_info["checkpoint_id"], tenant_id=request[TENANT])
    if cp is None or cp.execution_id != rec.id or cp.expired:
        return json_response(CHECKPOINT_NOT_FOUND, status=404)
    return respond(Checkpoint, checkpoint_json(runtime, rec, cp))


# -- OpenAPI (merged into the server's own spec by openapi_routes) ---------------------------------
_ID = {"name": "execution_id", "in": "path", "required": True, "schema": {"type": "string"}}
_401 = content("Missing, invalid or revoked API key", ErrorBody, {"error": "unauthorized"})
_404 = content("No such execution for this tenant", ErrorBody, EXECUTION_NOT_FOUND)
_400 = content("A malformed query parameter", ErrorMessage, {"error": "invalid_argument", "message": "limit must be ..."})


#: Summaries, path parameters and responses; the routes below add the query parameters from their models.
_DOCUMENTED: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", PREFIX): {
        "summary": "List the caller's executions, newest first, filtered and paginated.",
        "tags": ["executions"],
        "responses": {
            "200": content("A page of executions", ExecutionsPage),
            "400": _400, "401": _401},
    },
    ("GET", PREFIX + "/{execution_id}"): {
        "summary": "One execution: status, timestamps, duration, graph, flow, input, output or error, links.",
        "tags": ["executions"], "parameters": [_ID],
        "responses": {"200": content("The execution", ExecutionDetail), "401": _401, "404": _404},
    },
    ("GET", PREFIX + "/{execution_id}/events"): {
        "summary": "An execution's event log in order, filtered by node and type, paginated by sequence number.",
        "tags": ["executions"],
        "parameters": [_ID],
        "responses": {
            "200": content("A page of events", EventsPage),
            "400": _400, "401": _401, "404": _404},
    },
    ("GET", PREFIX + "/{execution_id}/checkpoints"): {
        "summary": "An execution's checkpoints by step, each with its decoded input and output.",
        "tags": ["executions"], "parameters": [_ID],
        "responses": {
            "200": content("The checkpoints", CheckpointsPage),
            "401": _401, "404": _404},
    },
    ("GET", PREFIX + "/{execution_id}/checkpoints/{checkpoint_id}"): {
        "summary": "One checkpoint with its decoded input and output; 404 once expired or unknown.",
        "tags": ["executions"],
        "parameters": [_ID, {"name": "checkpoint_id", "in": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {
            "200": content("The checkpoint", Checkpoint), "401": _401,
            "404": content("No such execution, or the checkpoint is unknown or expired", CheckpointGone,
                           CHECKPOINT_NOT_FOUND)},
    },
}

ROUTES = RouteTable(invalid=lambda message: _bad(BadArgument(message)), tags=["executions"])
for _path, _handler, _query in ((PREFIX, list_executions, ExecutionsQuery),
                                (PREFIX + "/{execution_id}", get_execution, None),
                                (PREFIX + "/{execution_id}/events", list_events, EventsQuery),
                                (PREFIX + "/{execution_id}/checkpoints", list_checkpoints, None),
                                (PREFIX + "/{execution_id}/checkpoints/{checkpoint_id}", get_checkpoint, None)):
    _doc = _DOCUMENTED[("GET", _path)]
    ROUTES.route("GET", _path, query=_query, summary=_doc["summary"], parameters=_doc.get("parameters"),
                 responses=_doc["responses"])(_handler)

setup = ROUTES.setup
OPERATIONS = ROUTES.operations()
