"""Executions as log lines and (optionally) traces: a subscriber on the runtime's event bus.

:class:`Telemetry` listens to ``Runtime.events`` and turns an execution's events into INFO records
on the ``axiom_ide.executions`` logger — started, resumed, paused, completed, failed, cancelled,
each node's start and end with its duration — and a node's ``ax.log`` lines into records on
``axiom_ide.nodes`` at the node's level. Every record carries ``trace_id`` (the execution id),
``span_id`` and ``execution_id``; node records carry ``node`` (the canvas id).

Span ids are derived, never stored, so a log line and an exported trace name the same span:

- the trace id is the execution id (32 hex digits — exactly OpenTelemetry's 128-bit trace id);
- the execution's root span id is :func:`span_id` ``(execution_id)``;
- a node's span id is ``span_id(execution_id, node, seq)`` where ``seq`` is the event number of
  that attempt's NODE_STARTED (a node that runs again, in a loop or a retry, gets a new span).

When an OTLP endpoint is configured (:func:`axiom_ide.runtime.tracing.otlp_endpoint`) the same
starts and ends go to a :class:`~axiom_ide.runtime.tracing.OtlpTracer`; otherwise nothing of
OpenTelemetry is imported. Without a logging setup (the CLI's ``flow run``) the records are below
the default WARNING level and cost one level check each.
"""
from __future__ import annotations

import hashlib
import logging
from typing import Any

from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store.events import EventRecord

log = logging.getLogger("axiom_ide.executions")
node_log = logging.getLogger("axiom_ide.nodes")

_NODE_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}
_ENDS = {ev.EXECUTION_COMPLETED: ("execution completed", "Completed"),
         ev.EXECUTION_FAILED: ("execution failed", "Failed"),
         ev.EXECUTION_CANCELLED: ("execution cancelled", "Cancelled")}


def span_id(execution_id: str, node: str | None = None, seq: int | None = None) -> str:
    """16 hex digits (64 bits, never zero): the root span of ``execution_id`` or one node attempt's."""
    key = execution_id if node is None else f"{execution_id}/{node}/{seq}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return digest if digest != "0" * 16 else "0" * 15 + "1"


class _Run:
    """What is known of one execution while it runs: its start, and each node's open span."""

    __slots__ = ("started", "flow", "graph_id", "nodes")

    def __init__(self, started: float, flow: str | None, graph_id: str | None) -> None:
        self.started = started
        self.flow = flow
        self.graph_id = graph_id
        #: node canvas id → (span id, NODE_STARTED time).
        self.nodes: dict[str, tuple[str, float]] = {}


class Telemetry:
    """``runtime.events.connect(Telemetry(...))``: logs (and traces) executions from their events.
    ``tracer`` is an :class:`~axiom_ide.runtime.tracing.OtlpTracer` or None."""

    def __init__(self, tracer: Any = None) -> None:
        self.tracer = tracer
        self.runs: dict[str, _Run] = {}
        self._handlers = {
            ev.EXECUTION_STARTED: self._started, ev.EXECUTION_RESUMED: self._started,
            ev.NODE_STARTED: self._node_started, ev.NODE_COMPLETED: self._node_ended,
            ev.NODE_FAILED: self._node_ended, ev.LOG: self._node_log,
            ev.DEBUG_PAUSED: self._debug, ev.DEBUG_RESUMED: self._debug,
            ev.EXECUTION_COMPLETED: self._ended, ev.EXECUTION_FAILED: self._ended,
            ev.EXECUTION_CANCELLED: self._ended,
        }

    def __call__(self, record: EventRecord) -> None:
        handler = self._handlers.get(record.type)
        if handler is not None and (self.tracer is not None or log.isEnabledFor(logging.INFO)
                                    or record.type == ev.LOG):
            try:
                handler(record)
            except Exception:
                log.exception("could not log or trace %s of execution %s", record.type, record.execution_id)

    # -- executions ------------------------------------------------------------------------------
    def _fields(self, record: EventRecord, span: str, **more: Any) -> dict[str, Any]:
        return {"trace_id": record.execution_id, "span_id": span, "execution_id": record.execution_id, **more}

    def _started(self, record: EventRecord) -> None:
        data = record.data
        run = self.runs.get(record.execution_id)
        if run is None:
            run = self.runs[record.execution_id] = _Run(record.time, data.get("flow"), data.get("graph_id"))
            if self.tracer is not None:
                self.tracer.start_execution(record.execution_id, span_id(record.execution_id), record.time,
                                            flow=run.flow, graph_id=run.graph_id,
                                            resumed=record.type == ev.EXECUTION_RESUMED)
        resumed = record.type == ev.EXECUTION_RESUMED
        extra = {k: data[k] for k in ("flow", "graph_id", "config_id", "forked_from", "checkpoint_id",
                                      "completed_nodes") if k in data}
        log.info("execution resumed" if resumed else "execution started",
                 extra=self._fields(record, span_id(record.execution_id), **extra))

    def _ended(self, record: EventRecord) -> None:
        run = self.runs.pop(record.execution_id, None)
        message, status = _ENDS[record.type]
        data = record.data
        fields = self._fields(record, span_id(record.execution_id), status=status)
        if run is not None:
            fields["duration_ms"] = round((record.time - run.started) * 1000.0, 3)
            if run.flow:
                fields["flow"] = run.flow
        for key in ("error", "code", "node", "edge", "frames"):
            if key in data:
                fields[key if key != "code" else "error_code"] = data[key]
        if record.node is not None:
            fields.setdefault("node", record.node)
        log.info(message, extra=fields)
        if self.tracer is not None and run is not None:  # ends node spans still open too (a cancel)
            self.tracer.end_execution(record.execution_id, record.time, status=status,
                                      error=data.get("error"), code=data.get("code"))

    def _debug(self, record: EventRecord) -> None:
        paused = record.type == ev.DEBUG_PAUSED
        fields = self._fields(record, span_id(record.execution_id), node=record.node)
        if paused and "reason" in record.data:
            fields["reason"] = record.data["reason"]
        log.info("execution paused" if paused else "execution resumed from pause", extra=fields)
        if self.tracer is not None and record.execution_id in self.runs:
            self.tracer.add_event(record.execution_id, "debug paused" if paused else "debug resumed", record.time,
                                  {"axiom.node.id": record.node or ""})

    # -- nodes -----------------------------------------------------------------------------------
    def _node_started(self, record: EventRecord) -> None:
        node = record.node or ""
        span = span_id(record.execution_id, node, record.seq)
        run = self.runs.get(record.execution_id)
        if run is not None:
            parent = run.nodes.get(node.rpartition("/")[0]) if "/" in node else None  # subflow inner node
            run.nodes[node] = (span, record.time)
            if self.tracer is not None:
                self.tracer.start_node(record.execution_id, span, parent[0] if parent else None, record.time,
                                       node=node, graph_id=run.graph_id, attempt=record.attempt)
        log.info("node started", extra=self._fields(record, span, node=node, attempt=record.attempt))

    def _node_ended(self, record: EventRecord) -> None:
        node = record.node or ""
        run = self.runs.get(record.execution_id)
        opened = run.nodes.pop(node, None) if run is not None else None
        span = opened[0] if opened else span_id(record.execution_id, node, None)
        failed = record.type == ev.NODE_FAILED
        fields = self._fields(record, span, node=node, attempt=record.attempt, duration_ms=record.duration_ms,
                              status="Failed" if failed else "Completed")
        if failed:
            fields["error"] = record.data.get("error")
        log.info("node failed" if failed else "node completed", extra=fields)
        if self.tracer is not None and opened is not None:
            self.tracer.end_node(record.execution_id, span, record.time, status=fields["status"],
                                 error=fields.get("error"), final=record.data.get("final"))

    def _node_log(self, record: EventRecord) -> None:
        level = _NODE_LEVELS.get(str(record.data.get("level")), logging.INFO)
        if not node_log.isEnabledFor(level):
            return
        node = record.node or ""
        run = self.runs.get(record.execution_id)
        opened = run.nodes.get(node) if run is not None else None
        attrs = record.data.get("attrs") or {}
        fields = {**{f"attr.{k}" if k in _RESERVED else k: v for k, v in attrs.items()},
                  **self._fields(record, opened[0] if opened else span_id(record.execution_id), node=node)}
        node_log.log(level, "%s", record.data.get("message", ""), extra=fields)

    # -- lifetime --------------------------------------------------------------------------------
    async def close(self, now: float) -> None:
        """End the spans of executions still running (the runtime is stopping; they resume later)
        and flush the tracer."""
        if self.tracer is None:
            return
        for execution_id in list(self.runs):
            self.tracer.end_execution(execution_id, now, status="Interrupted")
        self.runs.clear()
        await self.tracer.close()


#: ``extra=`` keys logging refuses or that would shadow our fields; a node attribute so named is
#: logged as ``attr.<name>``.
_RESERVED = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "trace_id", "span_id", "execution_id", "node", "msg", "level", "time", "logger"}


def attach(runtime: Any) -> Telemetry:
    """A Telemetry on ``runtime.events``, tracing when an OTLP endpoint is configured."""
    from axiom_ide.runtime.tracing import otlp_endpoint

    tracer = None
    endpoint = otlp_endpoint()
    if endpoint is not None:
        try:
            from axiom_ide.runtime.tracing import OtlpTracer

            tracer = OtlpTracer(endpoint, describe=lambda execution_id, graph_id: describe(runtime, execution_id,
                                                                                           graph_id))
        except ImportError as exc:
            log.warning("not exporting traces to %s: OpenTelemetry is not installed (%s); install it with "
                        "pip install 'axiom-ide[otel]'", endpoint, exc)
    telemetry = Telemetry(tracer)
    runtime.events.connect(telemetry)
    return telemetry


def describe(runtime: Any, execution_id: str, graph_id: str | None) -> tuple[str | None, dict[str, Any]]:
    """An execution's flow name and canvas id → ArtifactNode (subflow nodes as ``outer/inner``);
    the graph id is read from the execution when the event did not carry it (a resumed run)."""
    if not graph_id:
        rec = runtime._executions.get(execution_id)  # the runtime's own read: no tenant to check
        graph_id = rec.graph_id if rec is not None else None
    artifact = runtime._artifacts.get(graph_id) if graph_id else None
    out: dict[str, Any] = {}

    def walk(a: Any, prefix: str) -> None:
        for n in a.nodes:
            out[prefix + n.id] = n
            if n.subflow is not None:
                walk(n.subflow, f"{prefix}{n.id}/")

    if artifact is None:
        return None, out
    walk(artifact, "")
    return artifact.flow_name, out
