"""One description per response body: pydantic models the handlers build their JSON from and the
OpenAPI documents generate their response schemas from (reference/http-api), so an answer and its
documentation cannot disagree.

- A handler answers with :func:`respond` (``respond(Model, body, status=...)``): the body is
  validated by the model — a field the model does not declare, a missing required field or a value
  of the wrong type is a bug the catch-all 500 reports, never a silently undocumented answer — and
  serialized compact, in the model's field order, leaving out the optional fields the handler did
  not set (``absent()``: documented fields that appear only sometimes, such as ``error``).
- A route declares its responses with :func:`content` (``content("The session", DebugSession)``),
  whose schema is :func:`axiom_ide.server.routes.openapi_schema` of the same model: unknown fields
  are ``additionalProperties: false`` and always-present fields ``required``.

Error bodies stay exactly as the envelope builds them (:mod:`axiom_ide.server.envelope`); their
models here only document them. Management responses live in :mod:`axiom_ide.server.management_models`.
"""
from __future__ import annotations

from typing import Annotated, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from axiom_ide.runtime.engine.debug import MODES
from axiom_ide.runtime.store.executions import STATUSES
from axiom_ide.server.envelope import reply
from axiom_ide.server.routes import openapi_schema

#: A JSON number that keeps its type (an integer stays an integer); documented as ``number``.
Num = Annotated[int | float, WithJsonSchema({"type": "number"})]
EXECUTION_ID_PATTERN = "^[0-9a-f]{32}$"


def absent(description: str = "", **kw: Any) -> Any:
    """A documented field that is present only sometimes (never null): left out unless set."""
    return Field(default=None, description=description or None, **kw)


def ms(description: str = "unix milliseconds") -> Any:
    return Field(json_schema_extra={"format": "int64"}, description=description)


class Reply(BaseModel):
    """A response body: its fields are all it may carry."""

    model_config = ConfigDict(extra="forbid")

    def body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)


def build(model: type[Reply], data: Any) -> dict[str, Any]:
    """``data`` as ``model`` serializes it (validated; unset optional fields left out)."""
    return model.model_validate(data).body()


def respond(model: type[Reply], data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """The compact JSON answer ``data`` validated and ordered by ``model``."""
    return reply(status, build(model, data), headers=headers)


def content(description: str, model: type[BaseModel], example: Any = None, *,
            also: tuple[type[BaseModel], ...] = ()) -> dict[str, Any]:
    """An OpenAPI response object whose ``application/json`` schema is generated from ``model``
    (``oneOf`` it and the models ``also`` when the status has more than one shape)."""
    schema = openapi_schema(model)
    media: dict[str, Any] = {"schema": {"oneOf": [schema, *map(openapi_schema, also)]} if also else schema}
    if example is not None:
        media["example"] = example
    return {"description": description, "content": {"application/json": media}}


# -- error envelopes (documented; built by envelope.py and the route modules) -----------------------
class ErrorBody(Reply):
    """``{"error": "..."}`` (401 ``unauthorized``, 404 ``execution not found``, 429 ...)."""

    error: str


class ErrorMessage(Reply):
    """``{"error": "<code>", "message": "..."}`` (400 ``invalid_argument``, 409 ...)."""

    error: str
    message: str = absent()


class ErrorClass(Reply):
    """The classified error rows of the envelope table (413, 429 quota)."""

    error: str
    message: str = absent()
    max_bytes: int = absent()
    actual_bytes: int = absent()
    retry_after_seconds: int = absent()


class InvokeFailure(Reply):
    """The envelope's catch-all row (500) and the invoke routes' 400."""

    accepted: bool = Field(json_schema_extra={"enum": [False]})
    error_message: str


class CheckpointGone(Reply):
    """A 404 that may say more: ``checkpoint_not_found_or_expired`` with ``detail`` (and ``message``)."""

    error: str
    detail: str = absent()
    message: str = absent()


class NodeError(Reply):
    """A single-node call's failure (400/404/422/502)."""

    error_message: str


# -- invocations ------------------------------------------------------------------------------------
class InvokeResult(Reply):
    """``result`` of a waited invoke (and of a webhook's body)."""

    success: bool
    output: Any = absent("The terminal node's output message, decoded to JSON.")
    payload: str = absent("The output as base64 protobuf bytes (when invoked with `payload`, or when JSON "
                          "decoding was not possible).", json_schema_extra={"format": "byte"})
    error: str = absent("Why the execution failed.")
    completed_at: int = ms("Completion time, unix milliseconds.")
    # beside the documented fields: the error value (errors.envelope_extras)
    code: str = absent("The failure's error code.")
    location: dict[str, Any] = absent("Where the failure happened: file, line, column, node, edge {from, to}, path.")
    exception_type: str = absent("The exception a failed node raised, e.g. ValueError.")


class InvokeAccepted(Reply):
    """202 of ``POST /invocations/v1/flows/invoke``."""

    accepted: bool = Field(json_schema_extra={"enum": [True]})
    execution_id: str = Field(pattern=EXECUTION_ID_PATTERN,
                              description="32 lowercase hex characters; also the execution's trace id.")
    error_message: str = absent('Set when a `wait` ran out of time ("timeout waiting for flow result (30s)"); '
                                "the run continues.")
    result: InvokeResult = absent("Present only with `wait: true`.")
    status: str = absent('With `wait: true`: "Paused (HITL)" when the run stopped at an approval before it ended '
                         "(no `result`; it waits for POST /invocations/v1/executions/{id}/resume).",
                         json_schema_extra={"enum": ["Paused (HITL)"]})


class NodeFrame(Reply):
    """One Server-Sent Event of a pipeline node call: a single `data:` line holding this JSON object."""

    frame_index: int = Field(ge=0, description="Position in the stream, from 0.")
    payload: Any = absent("The node's output message for this frame.")
    is_final: bool = Field(description="True on the last frame; the stream ends after it.")
    success: bool = absent("True on the final frame of a successful call; omitted on failure.",
                           json_schema_extra={"enum": [True]})
    error: str = absent("Error message when a frame reports failure.")


class StreamFrame(Reply):
    """One Server-Sent Event of ``/invoke/stream``: a single `data:` line holding this JSON object."""

    execution_id: str = Field(pattern=EXECUTION_ID_PATTERN,
                              description="32 lowercase hex characters; also the execution's trace id.")
    frame_index: int = Field(ge=0, description="Position in the stream, from 0.")
    payload: Any = absent("The terminal node's output message for this frame.")
    is_final: bool = Field(description="True on the last frame; the stream ends after it.")
    success: bool = absent("True on the final frame of a successful execution; omitted on failure.",
                           json_schema_extra={"enum": [True]})
    error: str = absent("Error message when a frame reports failure.")


class CancelResult(Reply):
    """200 of ``DELETE /invocations/v1/flows/{execution_id}``."""

    execution_id: str = Field(pattern=EXECUTION_ID_PATTERN)
    cancelled: bool
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})


class NodeBinaryResult(Reply):
    """``POST /invocations/v1/nodes/invoke``: every status answers this shape."""

    success: bool
    payload: str = Field(json_schema_extra={"format": "byte"})
    error_message: str


# -- execution history ------------------------------------------------------------------------------
class ExecutionSummary(Reply):
    """One row of ``GET /invocations/v1/executions`` (the detail without input and output)."""

    execution_id: str = Field(pattern=EXECUTION_ID_PATTERN)
    graph_id: str
    flow: str
    mode: str = Field(json_schema_extra={"enum": ["unary", "pipeline"]})
    tenant_id: str
    status: str = Field(json_schema_extra={"enum": list(STATUSES)})
    created_at: int | None = ms()
    started_at: int | None = ms()
    updated_at: int | None = ms()
    completed_at: int | None = ms()
    duration_ms: Num | None
    error: str = absent()
    error_code: str = absent()
    config_id: str = absent()
    parent_execution_id: str = absent()
    fork_checkpoint_id: str = absent()
    debug_session_id: str = absent()
    location: dict[str, Any] = absent("where a failure happened: file, line, column, node, edge {from, to}")
    exception_type: str = absent("the exception a failed node raised, e.g. ValueError")


class ExecutionDetail(ExecutionSummary):
    """``GET /invocations/v1/executions/{id}``."""

    input: Any = Field(description="the invoke's input (null when invoked with `payload`)")
    output: Any = absent("terminal output decoded to JSON (Completed only)")
    forks: list[str] = Field(description="executions forked from this one, oldest first")


class ExecutionsPage(Reply):
    executions: list[ExecutionSummary]
    next_cursor: str | None


class Event(Reply):
    execution_id: str
    seq: int
    type: str
    time: int = ms()
    node: str = absent()
    duration_ms: Num = absent()
    attempt: int = absent()
    data: dict[str, Any] = absent()


class EventsPage(Reply):
    execution_id: str
    events: list[Event]
    next_after_seq: int | None


class Checkpoint(Reply):
    checkpoint_id: str
    execution_id: str
    step: int
    node: str
    attempt: int
    created_at: int = ms()
    input_type: str
    output_type: str
    expired: bool
    input: Any = Field(description='decoded input; "Snapshot expired" after the TTL; null when undecodable')
    output: Any = Field(description='decoded output; "Snapshot expired" after the TTL; null when undecodable')
    input_base64: str = absent("the raw input when it could not be decoded")
    output_base64: str = absent("the raw output when it could not be decoded")
    frames: dict[str, Any] = absent('a pipeline node\'s decoded frames: {"input": [...], "output": [...]}')


class CheckpointsPage(Reply):
    execution_id: str
    checkpoints: list[Checkpoint]


# -- debug sessions ---------------------------------------------------------------------------------
class BreakpointOptionsBody(Reply):
    condition: str | None = Field(description="CEL over the node's input (`input`); pauses only when true")
    hit_count: int | None = Field(description="pause on every Nth reach whose condition holds (N, 2N, ...)")


class DebugSession(Reply):
    session_id: str = Field(pattern=EXECUTION_ID_PATTERN)
    mode: str = Field(json_schema_extra={"enum": list(MODES)})
    execution_id: str | None
    breakpoints: list[str] = Field(description="canvas ids to pause before")
    state: str | None = Field(json_schema_extra={"enum": ["run", "pause", "step", "paused", None]},
                              description="the gate's control state; null while no run is attached in this runtime")
    paused_at: str | None = Field(description="canvas id the run is paused before")
    pause_reason: str | None = Field(json_schema_extra={"enum": ["breakpoint", "pause", "step", "condition_error", None]})
    pause_error: str | None = Field(None, description="condition_error: the CEL error text of the breakpoint's condition")
    breakpoint_options: dict[str, BreakpointOptionsBody] = Field(
        default_factory=dict, description="per canvas id: the breakpoint's condition and hit count")
    breakpoint_hits: dict[str, int] = Field(
        default_factory=dict, description="per breakpoint (canvas id): its current hits, the reaches counted towards "
                                          "its condition / hit count in the attached run (0 for a plain breakpoint, "
                                          "which pauses on every reach)")
    created_at: int = ms()
    execution_status: str | None = Field(json_schema_extra={"enum": [*STATUSES, None]})
    parent_execution_id: str = absent()
    fork_checkpoint_id: str = absent()
    events: int = absent("REPLAY sessions: events in the replayed history")


class ReplayPoint(Reply):
    """``GET .../replay``: one point of a REPLAY session's timeline."""

    session_id: str
    execution_id: str
    index: int = Field(description="event index (-1: before the first event)")
    events: int
    event: dict[str, Any] | None
    status: str
    paused_at: str | None
    nodes: list[dict[str, Any]] = Field(description="per node: status, runs, attempt, checkpoint_id, error, "
                                                    "duration_ms, decoded input/output")
    timeline: list[dict[str, Any]] = absent("index, seq, type, node, time, status of every event")
