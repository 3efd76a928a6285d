"""OpenTelemetry export (runtime/tracing.py): real flows on a real runtime, exported over OTLP/HTTP to a
real receiver on 127.0.0.1 — a span per execution whose trace id is the execution id, a child span per
node, failures as ERROR statuses with exception events — and nothing of it when unconfigured."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from engine_support import add_faults_package, chain, compile_file
from otlp_support import start_receiver

from axiom_ide.runtime import tracing
from axiom_ide.runtime.runtime import Runtime
from axiom_ide.runtime.telemetry import span_id

ERROR = 2  # opentelemetry.proto.trace.v1.Status.STATUS_CODE_ERROR


@pytest.fixture
def receiver(monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED",
                 "OTEL_TRACES_EXPORTER", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"):
        monkeypatch.delenv(name, raising=False)
    r = start_receiver()
    tracing.set_endpoint(r.base_url)
    yield r
    tracing.set_endpoint(None)
    r.close()


def run_flows(data_dir, ws, *runs):
    """Run each (flow, input) on one runtime, flush its tracer, close it; returns the execution ids."""
    rt = Runtime(data_dir, inline=True)
    assert rt.telemetry.tracer is not None

    async def go():
        ids = []
        try:
            for flow, data in runs:
                artifact = compile_file(ws / "flows" / f"{flow}.flow.yaml", ws, store=rt._artifacts)
                ids.append((await rt.run(artifact, data, timeout=20)).execution_id)
            assert await asyncio.to_thread(rt.telemetry.tracer.flush)
            return ids
        finally:
            await rt.close()

    return asyncio.run(go())


def test_an_execution_is_a_trace_with_its_id_and_a_child_span_per_node(tmp_path, example_workspace, receiver):
    [eid] = run_flows(tmp_path / "data", example_workspace, ("greeter", {"name": "Ada"}))
    spans = receiver.by_name()
    assert sorted(spans) == ["execution greeter", "node greet", "node shout"]
    root, greet, shout = spans["execution greeter"], spans["node greet"], spans["node shout"]
    assert {s.trace_id for s in spans.values()} == {eid}  # the trace id is the execution id
    assert (root.span_id, root.parent_span_id) == (span_id(eid), "")
    assert greet.parent_span_id == shout.parent_span_id == root.span_id
    events = {e.type + (e.node or ""): e for e in Runtime(tmp_path / "data", inline=True).execution_events(eid)}
    assert greet.span_id == span_id(eid, "greet", events["NODE_STARTEDgreet"].seq)  # the id its log lines carry
    assert root.attributes == {"axiom.execution_id": eid, "axiom.flow": "greeter", "axiom.resumed": False,
                               "axiom.graph_id": root.attributes["axiom.graph_id"], "axiom.status": "Completed"}
    assert greet.attributes == {"axiom.node.id": "greet", "axiom.node.attempt": 1,
                                "axiom.node.package": "examples/text@0.1.0", "axiom.node.name": "Greet",
                                "axiom.node.kind": "unary", "axiom.status": "Completed"}
    assert shout.attributes["axiom.node.name"] == "Upper"
    assert root.start_ns <= greet.start_ns <= greet.end_ns <= shout.start_ns <= shout.end_ns <= root.end_ns
    assert {s.status_code for s in spans.values()} == {0} and root.service_name == "axiom-ide"
    assert receiver.rejected == []


def test_a_failed_node_and_its_execution_are_error_spans_with_exception_events(tmp_path, example_workspace,
                                                                              receiver):
    add_faults_package(example_workspace)
    chain(example_workspace, "boom", ["Upper", "Boom"])
    [eid] = run_flows(tmp_path / "data", example_workspace, ("boom", {"text": "x"}))
    spans = receiver.by_name()
    assert {s.trace_id for s in spans.values()} == {eid}
    root, upper, boom = spans["execution boom"], spans["node n1"], spans["node n2"]
    assert upper.status_code == 0 and upper.attributes["axiom.status"] == "Completed"
    assert (boom.status_code, boom.status_message, boom.attributes["axiom.status"]) == (ERROR, "boom: X", "Failed")
    assert boom.events == [("exception", {"exception.type": "AxiomError", "exception.message": "boom: X"})]
    assert boom.attributes["axiom.node.final_attempt"] is True
    assert root.status_code == ERROR and "boom: X" in root.status_message
    assert root.attributes["axiom.error_code"] == "NODE_FAILED" and root.attributes["axiom.status"] == "Failed"
    assert root.events[0][0] == "exception"


def test_a_subflow_s_nodes_are_children_of_the_subflow_node_s_span(tmp_path, example_workspace, receiver):
    [eid] = run_flows(tmp_path / "data", example_workspace, ("welcome", {"name": "Ada"}))
    spans = receiver.by_name()
    assert sorted(spans) == ["execution welcome", "node echo", "node greeter", "node greeter/greet",
                             "node greeter/shout"]
    assert spans["node greeter"].parent_span_id == spans["node echo"].parent_span_id == span_id(eid)
    assert spans["node greeter/greet"].parent_span_id == spans["node greeter"].span_id
    assert spans["node greeter/shout"].attributes["axiom.node.package"] == "examples/text@0.1.0"
    assert spans["node greeter"].attributes["axiom.node.kind"] == "subflow"


def test_the_endpoint_comes_from_the_flag_else_the_standard_environment(monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_SDK_DISABLED",
                 "OTEL_TRACES_EXPORTER"):
        monkeypatch.delenv(name, raising=False)
    assert tracing.otlp_endpoint() is None
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")
    assert tracing.otlp_endpoint() == "http://collector:4318/v1/traces"
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9000/custom")
    assert tracing.otlp_endpoint() == "http://traces:9000/custom"  # the signal's own URL is used as is
    tracing.set_endpoint("http://flag:4318")
    try:
        assert tracing.otlp_endpoint() == "http://flag:4318/v1/traces"
        monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
        assert tracing.otlp_endpoint() is None
    finally:
        tracing.set_endpoint(None)


def test_unconfigured_a_run_imports_no_opentelemetry(tmp_path, example_workspace):
    script = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "sys.path.insert(0, 'tests/runtime')\n"
        "from engine_support import compile_file\n"
        "from axiom_ide.runtime.runtime import Runtime\n"
        f"ws = Path({str(example_workspace)!r})\n"
        f"rt = Runtime({str(tmp_path / 'data')!r}, inline=True)\n"
        "a = compile_file(ws / 'flows' / 'hello.flow.yaml', ws, store=rt._artifacts)\n"
        "async def go():\n"
        "    out = await rt.run(a, {'name': 'Ada'}, timeout=20)\n"
        "    await rt.close()\n"
        "    return out\n"
        "assert asyncio.run(go()).output == {'greeting': 'Hello, Ada!'}\n"
        "assert rt.telemetry.tracer is None\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120,
                         cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert out.returncode == 0, out.stderr
    assert out.stdout == "[]\n"
