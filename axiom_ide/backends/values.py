"""The Backend protocol's own value types: what a backend, local or remote, hands the app about
executions, their events, flow configs and API keys — and the words (execution statuses) in them.

No store record crosses the protocol: :class:`~axiom_ide.backends.local.LocalBackend` converts the
runtime's records at its boundary (``*.from_record``, which reads the fields by name, so this module
imports no store), :class:`~axiom_ide.backends.remote.RemoteBackend` builds the same values from
the HTTP API's JSON (``*_from_json``). The field names are the runtime records' own, so a view reads
a local and a remote execution alike. Checkpoints are :class:`~.checkpoint_view.CheckpointView`.

The words are defined once, outside the store: statuses in :mod:`axiom_ide.runtime.statuses`
(re-exported here, the app imports them from here), event types in
:mod:`axiom_ide.runtime.event_types` (``from axiom_ide.runtime import event_types as ev``) — the
store, the engine, the server and the protocol all import those two modules.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any, TypeVar

from axiom_ide.backends.checkpoint_view import ms_seconds
from axiom_ide.runtime.errors import Diagnostic
from axiom_ide.runtime.statuses import (  # the one definition; re-exported as the protocol's
    CANCELLED,
    COMPENSATING,
    COMPLETED,
    DEBUG_PAUSED,
    FAILED,
    FINAL_STATUSES,
    PAUSED_HITL,
    QUEUED,
    RUNNING,
    STATUSES,
    WAITING_ON_GATE,
)

__all__ = ["CANCELLED", "COMPENSATING", "COMPLETED", "DEBUG_PAUSED", "FAILED", "FINAL_STATUSES", "PAUSED_HITL",
           "QUEUED", "RUNNING", "STATUSES", "WAITING_ON_GATE", "ApiKeyView", "Event", "Execution", "FlowConfigView",
           "config_from_json", "event_from_json", "execution_from_json", "from_record", "key_from_json"]

V = TypeVar("V")


def from_record(cls: type[V], record: Any) -> V:
    """The value ``cls`` of a record with (at least) the same field names — a runtime store record
    (LocalBackend's boundary) or a value already (then an equal copy)."""
    return cls(**{name: getattr(record, name) for name in _field_names(cls)})  # type: ignore[arg-type]


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


@dataclass(frozen=True, kw_only=True)
class Execution:
    """One execution as the Executions view, the detail page and the result panel read it."""

    #: 32 lowercase hex.
    id: str
    #: The compiled artifact it runs.
    graph_id: str
    flow_name: str
    #: "unary" | "pipeline".
    mode: str
    tenant_id: str
    #: One of :data:`STATUSES`.
    status: str
    #: The input as the caller sent it (JSON), for display and to run again.
    input_json: Any = None
    #: The terminal output as JSON, once Completed.
    output: Any = None
    #: The failure text (the catalog's words), once Failed/Cancelled.
    error: str | None = None
    error_code: str | None = None
    config_id: str | None = None
    #: The execution it was forked from, and the checkpoint it forked at.
    parent_id: str | None = None
    fork_checkpoint: str | None = None
    debug_session: str | None = None
    #: Unix seconds.
    created_at: float = 0.0
    started_at: float | None = None
    updated_at: float = 0.0
    completed_at: float | None = None
    #: The failure as an error value (:meth:`Diagnostic.to_json`), when the backend keeps it.
    error_detail: dict[str, Any] | None = None

    @classmethod
    def from_record(cls, record: Any) -> Execution:
        """A runtime ``ExecutionRecord`` as the protocol's value (its input bytes and owner stay behind)."""
        return from_record(cls, record)

    @property
    def diagnostic(self) -> Diagnostic | None:
        """The stored error value, or None (a success, or a failure kept only as text)."""
        return Diagnostic.from_json(self.error_detail) if self.error_detail is not None else None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def duration_ms(self) -> float | None:
        """Started → completed (still running: → last update), in ms; None before it started."""
        if self.started_at is None:
            return None
        end = self.completed_at if self.completed_at is not None else self.updated_at
        return round((end - self.started_at) * 1000.0, 3)


@dataclass(frozen=True)
class Event:
    """One event of an execution's log (positional like the runtime's ``EventRecord``)."""

    execution_id: str
    #: 1-based position in the execution's log; strictly increasing.
    seq: int
    #: One of :mod:`axiom_ide.runtime.event_types`.
    type: str
    #: Canvas id it concerns (``outer/inner`` inside a subflow), or None.
    node: str | None
    #: Unix seconds.
    time: float
    duration_ms: float | None = None
    attempt: int | None = None
    #: Type-specific detail: ``error``, ``edge``, ``reason``, ``level``/``message``, …
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_record(cls, record: Any) -> Event:
        return from_record(cls, record)


@dataclass(frozen=True, kw_only=True)
class FlowConfigView:
    """One config profile (a flow's, or the tenant's with ``flow_name == ""``)."""

    id: str
    #: "" for a tenant-wide profile.
    flow_name: str
    name: str
    node_timeout_seconds: float | None = None
    max_attempts: int | None = None
    #: Names of the secret overrides (values never leave the backend).
    secret_overrides: tuple[str, ...] = ()
    #: Unix seconds.
    created_at: float = 0.0
    updated_at: float = 0.0

    @classmethod
    def from_record(cls, record: Any) -> FlowConfigView:
        return from_record(cls, record)


@dataclass(frozen=True, kw_only=True)
class ApiKeyView:
    """One active API key as the Console lists it: never the key itself."""

    name: str
    #: First 8 characters, an ellipsis, the last 4 (``a1b2c3d4…9f0e``); ``—`` when unknown.
    masked: str
    #: Unix seconds.
    created_at: float
    last_used: float | None = None

    @classmethod
    def from_record(cls, record: Any) -> ApiKeyView:
        return from_record(cls, record)


# -- the HTTP API's JSON (reference/http-api) ------------------------------------------------------
def execution_from_json(d: dict[str, Any]) -> Execution:
    return Execution(
        id=d["execution_id"], graph_id=d.get("graph_id", ""), flow_name=d.get("flow", ""),
        mode=d.get("mode", "unary"), tenant_id=d.get("tenant_id", ""), status=d["status"],
        input_json=d.get("input"), output=d.get("output"), error=d.get("error"), error_code=d.get("error_code"),
        config_id=d.get("config_id"), parent_id=d.get("parent_execution_id"),
        fork_checkpoint=d.get("fork_checkpoint_id"), debug_session=d.get("debug_session_id"),
        created_at=ms_seconds(d.get("created_at")) or 0.0, started_at=ms_seconds(d.get("started_at")),
        updated_at=ms_seconds(d.get("updated_at")) or 0.0, completed_at=ms_seconds(d.get("completed_at")),
        error_detail=_error_detail(d))


def _error_detail(d: dict[str, Any]) -> dict[str, Any] | None:
    """A failed execution's error value as the API serves it beside ``error`` (one execution's
    detail: ``location``, ``exception_type``; the traceback stays on the server), in
    :meth:`Diagnostic.to_json`'s shape; None when the body has none (a list row, an older server)."""
    if not isinstance(d.get("error"), str) or not ("location" in d or "exception_type" in d):
        return None
    detail: dict[str, Any] = {"code": d.get("error_code") or "", "severity": "error", "message": d["error"],
                              "location": d.get("location") if isinstance(d.get("location"), dict) else {}}
    if isinstance(d.get("exception_type"), str):
        detail["exception_type"] = d["exception_type"]
    return detail


def event_from_json(d: dict[str, Any]) -> Event:
    return Event(d["execution_id"], int(d["seq"]), d["type"], d.get("node"), ms_seconds(d.get("time")) or 0.0,
                 d.get("duration_ms"), d.get("attempt"), d.get("data") or {})


def config_from_json(d: dict[str, Any]) -> FlowConfigView:
    return FlowConfigView(id=d["id"], flow_name=d.get("flow") or "", name=d["name"],
                          node_timeout_seconds=d.get("node_timeout_seconds"), max_attempts=d.get("max_attempts"),
                          secret_overrides=tuple(d.get("secret_overrides") or ()),
                          created_at=ms_seconds(d.get("created_at")) or 0.0,
                          updated_at=ms_seconds(d.get("updated_at")) or 0.0)


def key_from_json(d: dict[str, Any]) -> ApiKeyView:
    """A key of ``GET /api/keys`` (``key``: the masked form) or of ``POST /api/keys`` (``masked``)."""
    masked = d.get("masked") or d.get("key") or ""
    return ApiKeyView(name=d["name"], masked=masked if "…" in masked else "—",
                      created_at=ms_seconds(d.get("created_at")) or 0.0, last_used=ms_seconds(d.get("last_used")))
