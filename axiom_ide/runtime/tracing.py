"""OpenTelemetry export of executions as traces: a span per execution, a child span per node.

Off unless an OTLP/HTTP endpoint is configured — ``axiom-ide serve --otlp-endpoint URL``
(:func:`set_endpoint`), else the standard ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` (the full URL)
or ``OTEL_EXPORTER_OTLP_ENDPOINT`` (``/v1/traces`` is appended); ``OTEL_SDK_DISABLED=true`` or
``OTEL_TRACES_EXPORTER=none`` turn it off again. Unconfigured, this module imports nothing of
OpenTelemetry and nothing touches the network; the SDK (the ``otel`` extra:
``opentelemetry-sdk``, ``opentelemetry-exporter-otlp-proto-http``) is imported when a tracer is
made. The exporter's other settings (``OTEL_EXPORTER_OTLP_HEADERS``, timeouts, compression) and
``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES`` are the SDK's own.

Ids match the logs (:mod:`axiom_ide.runtime.telemetry`): the trace id *is* the execution id, span
ids are derived from it. Spans are batched and sent from the SDK's worker thread (every
:data:`EXPORT_DELAY_MS`), never from the runtime's event loop.

Span ``execution <flow>``: ``axiom.execution_id``, ``axiom.flow``, ``axiom.graph_id``,
``axiom.status``, on failure ``axiom.error_code`` and an ERROR status with the error. Span
``node <canvas id>``: ``axiom.node.id``, ``axiom.node.package`` (``name@version``),
``axiom.node.name``, ``axiom.node.attempt``, ``axiom.status``; a failed attempt has an ERROR
status and an ``exception`` event with the error text.
"""
from __future__ import annotations

import asyncio
import os
import random
from collections.abc import Callable
from typing import Any

#: How often the batch processor sends finished spans (the SDK's default is 5 s).
EXPORT_DELAY_MS = 1000

_endpoint: str | None = None


def set_endpoint(url: str | None) -> None:
    """The OTLP/HTTP base URL (``http://host:4318``) runtimes made from now on export to; None
    falls back to the environment."""
    global _endpoint
    _endpoint = url.rstrip("/") if url else None


def _traces_url(base: str) -> str:
    return base if base.endswith("/v1/traces") else base.rstrip("/") + "/v1/traces"


def otlp_endpoint() -> str | None:
    """The traces URL to export to, or None when tracing is off."""
    env = os.environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return None
    if _endpoint:
        return _traces_url(_endpoint)
    if env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip():
        return env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].strip()
    if env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip():
        return _traces_url(env["OTEL_EXPORTER_OTLP_ENDPOINT"].strip())
    return None


def _id_generator() -> Any:
    from opentelemetry.sdk.trace.id_generator import IdGenerator

    class AssignedIds(IdGenerator):
        """Hands out the ids :class:`OtlpTracer` assigns just before each ``start_span``."""

        def __init__(self) -> None:
            self.trace_id: int | None = None
            self.span_id: int | None = None

        def generate_trace_id(self) -> int:
            value, self.trace_id = self.trace_id, None
            return value if value is not None else random.getrandbits(128) or 1

        def generate_span_id(self) -> int:
            value, self.span_id = self.span_id, None
            return value if value is not None else random.getrandbits(64) or 1

    return AssignedIds()


def _ns(seconds: float) -> int:
    return int(seconds * 1_000_000_000)


class OtlpTracer:
    """Spans for executions, fed by :class:`~axiom_ide.runtime.telemetry.Telemetry`. ``describe``
    maps (execution id, graph id or None) to (flow name, {canvas id: ArtifactNode})."""

    def __init__(self, url: str, *, describe: Callable[[str, str | None], tuple[str | None, dict[str, Any]]],
                 service_name: str = "axiom-ide") -> None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self.url = url
        self._describe = describe
        self._ids = _id_generator()
        # Resource.create also reads OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES (they win).
        self.provider = TracerProvider(resource=Resource.create({"service.name": service_name}),
                                       id_generator=self._ids, shutdown_on_exit=True)
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url),
                                                            schedule_delay_millis=EXPORT_DELAY_MS))
        self._tracer = self.provider.get_tracer("axiom_ide.runtime")
        #: execution id → (root span, {canvas id: ArtifactNode}).
        self._roots: dict[str, tuple[Any, dict[str, Any]]] = {}
        #: (execution id, span id hex) → node span.
        self._nodes: dict[tuple[str, str], Any] = {}

    def _start(self, name: str, parent: Any, trace_id: str, span_id: str, when: float,
               attributes: dict[str, Any]) -> Any:
        from opentelemetry import context, trace

        ctx = trace.set_span_in_context(parent) if parent is not None else context.Context()
        self._ids.trace_id, self._ids.span_id = int(trace_id, 16), int(span_id, 16)
        return self._tracer.start_span(name, context=ctx, start_time=_ns(when), attributes=attributes)

    def start_execution(self, execution_id: str, span_id: str, when: float, *, flow: str | None,
                        graph_id: str | None, resumed: bool = False) -> None:
        try:
            described_flow, nodes = self._describe(execution_id, graph_id)
        except Exception:  # noqa: BLE001 — a trace without package names beats none
            described_flow, nodes = None, {}
        flow = flow or described_flow or ""
        attributes = {"axiom.execution_id": execution_id, "axiom.flow": flow, "axiom.resumed": resumed}
        if graph_id:
            attributes["axiom.graph_id"] = graph_id
        span = self._start(f"execution {flow}".strip(), None, execution_id, span_id, when, attributes)
        self._roots[execution_id] = (span, nodes)

    def start_node(self, execution_id: str, span_id: str, parent_span_id: str | None, when: float, *,
                   node: str, graph_id: str | None, attempt: int | None) -> None:
        root = self._roots.get(execution_id)
        if root is None:
            return
        parent = self._nodes.get((execution_id, parent_span_id)) if parent_span_id else None
        attributes: dict[str, Any] = {"axiom.node.id": node, "axiom.node.attempt": attempt or 1}
        placed = root[1].get(node)
        if placed is not None:
            if placed.package:
                attributes["axiom.node.package"] = f"{placed.package}@{placed.version}"
            attributes["axiom.node.name"] = placed.name or placed.ref
            attributes["axiom.node.kind"] = placed.kind
        self._nodes[(execution_id, span_id)] = self._start(f"node {node}", parent or root[0], execution_id,
                                                           span_id, when, attributes)

    def end_node(self, execution_id: str, span_id: str, when: float, *, status: str, error: str | None = None,
                 final: bool | None = None) -> None:
        span = self._nodes.pop((execution_id, span_id), None)
        if span is None:
            return
        if final is not None:
            span.set_attribute("axiom.node.final_attempt", bool(final))
        self._finish(span, when, status, error)

    def add_event(self, execution_id: str, name: str, when: float, attributes: dict[str, Any]) -> None:
        root = self._roots.get(execution_id)
        if root is not None:
            root[0].add_event(name, attributes, timestamp=_ns(when))

    def end_execution(self, execution_id: str, when: float, *, status: str, error: str | None = None,
                      code: str | None = None) -> None:
        root = self._roots.pop(execution_id, None)
        if root is None:
            return
        for key in [k for k in self._nodes if k[0] == execution_id]:
            self._finish(self._nodes.pop(key), when, status, error)
        if code:
            root[0].set_attribute("axiom.error_code", code)
        self._finish(root[0], when, status, error)

    @staticmethod
    def _finish(span: Any, when: float, status: str, error: str | None) -> None:
        from opentelemetry.trace import Status, StatusCode

        span.set_attribute("axiom.status", status)
        if status == "Failed":
            message = error or "failed"
            span.add_event("exception", {"exception.type": "AxiomError", "exception.message": message},
                           timestamp=_ns(when))
            span.set_status(Status(StatusCode.ERROR, message))
        span.end(end_time=_ns(when))

    def flush(self, timeout_ms: int = 10_000) -> bool:
        """Send every finished span now (blocking; call it off the event loop)."""
        return self.provider.force_flush(timeout_ms)

    async def close(self) -> None:
        """Flush and stop the exporter, on a worker thread (an unreachable endpoint takes time)."""
        await asyncio.to_thread(self.provider.shutdown)
