"""LocalBackend over a real Runtime on the example workspace, once per invoker (in process and real
node host processes) — no Qt."""
from __future__ import annotations

import asyncio

import pytest
from engine_support import add_faults_package, chain, write_flow
from protocol_support import protocol_gaps, protocol_methods

from axiom_ide.backends import Backend, LocalBackend, attribute_failure
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace


@pytest.fixture
def ws(example_workspace):
    add_faults_package(example_workspace)
    return example_workspace


@pytest.fixture
def backend(tmp_path, ws, make_runtime):
    return LocalBackend(make_runtime(tmp_path / "data"), lambda: Workspace(ws))


def flow(ws, name):
    return load_flow(ws / "flows" / f"{name}.flow.yaml", fast=True).flow


def test_local_backend_is_a_backend(backend):
    assert protocol_methods(Backend) == [
        "cancel", "checkpoints", "close", "compile", "events", "executions_changed_since", "flow_configs", "fork",
        "get_execution", "list_executions", "node_payload", "result", "resume_pause", "start", "stream", "subscribe",
        "wait"]
    assert protocol_gaps(Backend, backend) == {}


def test_compile_run_and_look_back(backend, ws, aio):
    seen = []
    unsubscribe = backend.subscribe(seen.append)

    async def go():
        compiled = await backend.compile(flow(ws, "hello"))
        execution_id = await backend.start(compiled.graph_id, {"name": "Ada"})
        result = await backend.wait(execution_id, 20)
        return compiled, result, await backend.list_executions(), await backend.events(execution_id)

    compiled, result, listed, events = aio(go())
    unsubscribe()
    assert len(compiled.graph_id) == 26 and compiled.mode == "unary" and compiled.flow_name == "hello"
    assert result.success and result.output == {"greeting": "Hello, Ada!"} and result.failure is None
    assert [r.id for r in listed] == [result.execution_id]
    assert events[0].type == "EXECUTION_STARTED"
    assert [e.type for e in events][-1] == "EXECUTION_COMPLETED"
    assert [(e.seq, e.type) for e in seen] == [(e.seq, e.type) for e in events]


def test_node_failure_is_attributed_to_the_node(backend, ws, aio):
    chain(ws, "boom", ["Upper", "Boom"])

    async def go():
        compiled = await backend.compile(flow(ws, "boom"))
        return await backend.wait(await backend.start(compiled.graph_id, {"text": "x"}), 20)

    result = aio(go())
    assert result.status == "Failed"
    assert result.failure.kind == "NODE_FAILED" and result.failure.node == "n2"
    assert result.failure.message == 'node "n2": boom: X'


def test_edge_adapter_failure_is_attributed_to_the_edge(backend, ws, aio):
    write_flow(ws, "badmap", """\
        imports: [tests/faults@0.1.0, examples/math@0.1.0]
        nodes:
          - id: a
            node: tests/faults@0.1.0:Upper
          - id: b
            node: tests/faults@0.1.0:Upper
        edges:
          - from: a
            to: b
            map:
              text: text
              big: text | cast("int64")
        """)  # type-checks (cast yields int64), fails at run time: "abc" is not a number

    async def go():
        compiled = await backend.compile(flow(ws, "badmap"))
        return await backend.wait(await backend.start(compiled.graph_id, {"text": "abc"}), 20)

    result = aio(go())
    assert result.status == "Failed"
    assert result.failure.kind == "EDGE_ADAPTER" and result.failure.edge == ("a", "b")
    assert result.failure.message.startswith('edge "a" → "b": EvaluateEdge adapter: transform')


def test_flow_configs_list_profiles_and_resolve_timeout(backend, aio):
    async def view():
        return await backend.flow_configs("hello")

    assert aio(view()).profiles == () and aio(view()).node_timeout_seconds == 300
    assert aio(view()).timeout_source == "platform default"
    backend.runtime.set_config("default", node_timeout_seconds=120)
    v = aio(view())
    assert [p.name for p in v.profiles] == ["default"] and v.node_timeout_seconds == 120
    assert v.timeout_source == "tenant default"
    backend.runtime.set_config("load-test", flow_name="hello", node_timeout_seconds=30)
    backend.runtime.set_config("default", flow_name="hello", node_timeout_seconds=60)
    v = aio(view())
    assert [(p.flow_name, p.name) for p in v.profiles] == [("", "default"), ("hello", "default"), ("hello", "load-test")]
    assert v.node_timeout_seconds == 60 and v.timeout_source == "flow default"


def test_cancel_stops_a_running_execution(backend, ws, aio):
    chain(ws, "hang", ["Hang"])

    async def go():
        compiled = await backend.compile(flow(ws, "hang"))
        started = asyncio.Event()
        backend.subscribe(lambda e: e.type == "NODE_STARTED" and started.set())
        execution_id = await backend.start(compiled.graph_id, {"text": "x"})
        await asyncio.wait_for(started.wait(), 30)
        assert await backend.cancel(execution_id)
        return await backend.wait(execution_id, 30)

    result = aio(go())
    assert result.status == "Cancelled" and result.failure.kind == "CANCELLED"


def test_attribute_failure_reads_the_catalog_prefixes():
    assert attribute_failure('edge "a" → "b": EvaluateEdge condition: x', "EDGE_CONDITION").edge == ("a", "b")
    assert attribute_failure('downstream join failed: node "j": boom', "JOIN_FAILED").node == "j"
    assert attribute_failure("graph produced no terminal result", "NO_TERMINAL").node is None


def test_local_debugging_breakpoint_step_continue(backend, ws, aio):
    """LIVE debug on LocalBackend answers like RemoteBackend's (tests/backends/test_remote_backend.py)."""
    from axiom_ide.runtime.errors import AxiomError

    chain(ws, "dbg-upper3", ["Upper"] * 3)

    async def go():
        compiled = await backend.compile(flow(ws, "dbg-upper3"))
        session = await backend.create_debug_session(breakpoints=["n2"])
        sid = session["session_id"]
        execution_id = await backend.start(compiled.graph_id, {"text": "a"}, debug_session_id=sid)
        at_breakpoint = await backend.debug_wait(sid, 60)
        assert await backend.set_breakpoints(sid, []) == []
        await backend.debug_control(sid, "step")
        stepped = await backend.debug_wait(sid, 60, not_at="n2")
        await backend.debug_control(sid, "continue")
        result = await backend.wait(execution_id, 60)
        with pytest.raises(AxiomError) as late:
            await backend.debug_control(sid, "step")
        return execution_id, at_breakpoint, stepped, result, late.value, await backend.debug_session("nope")

    execution_id, at_breakpoint, stepped, result, late, missing = aio(go())
    assert (at_breakpoint["execution_id"], at_breakpoint["paused_at"], at_breakpoint["pause_reason"]) == (
        execution_id, "n2", "breakpoint")
    assert (stepped["paused_at"], stepped["pause_reason"]) == ("n3", "step")
    assert result.success and result.output["text"] == "A"
    assert late.diagnostics[0].code == "debug_not_paused"
    assert missing is None


def test_local_debugging_conditional_breakpoint(backend, ws, aio):
    """Breakpoint options pass through LocalBackend.set_breakpoints: the condition decides."""
    from axiom_ide.runtime.errors import AxiomError

    chain(ws, "dbg-cond3", ["Upper"] * 3)

    async def go():
        compiled = await backend.compile(flow(ws, "dbg-cond3"))
        sid = (await backend.create_debug_session())["session_id"]
        await backend.set_breakpoints(sid, ["n2"], {"n2": {"condition": 'input.text == "A"'}})
        with pytest.raises(AxiomError) as bad:
            await backend.set_breakpoints(sid, ["n2"], {"n2": {"condition": "input.text =="}})
        plain = await backend.start(compiled.graph_id, {"text": "b"}, debug_session_id=sid)
        ended = await backend.debug_wait(sid, 60)
        assert (await backend.wait(plain, 60)).success
        fired = await backend.start(compiled.graph_id, {"text": "a"}, debug_session_id=sid)
        paused = await backend.debug_wait(sid, 60)
        await backend.debug_control(sid, "continue")
        assert (await backend.wait(fired, 60)).success
        return bad.value, ended, paused

    bad, ended, paused = aio(go())
    assert bad.diagnostics[0].code == "invalid_condition" and bad.message.startswith("CEL parse error")
    assert ended["paused_at"] is None and ended["execution_status"] == "Completed"
    assert (paused["paused_at"], paused["breakpoint_options"]) == ("n2", {"n2": {"condition": 'input.text == "A"',
                                                                                  "hit_count": None}})
    assert paused["breakpoint_hits"] == {"n2": 1}  # the plain run's "b" did not satisfy the condition


def test_local_debugging_edge_breakpoint_with_a_condition(backend, ws, aio):
    """An edge breakpoint ("src->dst") passes through LocalBackend like a node's; a malformed id is refused."""
    from axiom_ide.runtime.errors import AxiomError

    chain(ws, "dbg-edge3", ["Upper"] * 3)

    async def go():
        compiled = await backend.compile(flow(ws, "dbg-edge3"))
        sid = (await backend.create_debug_session(breakpoints=["n1->n2"]))["session_id"]
        assert await backend.set_breakpoints(sid, ["n2->n3"], {"n2->n3": {"condition": 'input.text == "A"'}}) == [
            "n2->n3"]
        with pytest.raises(AxiomError) as bad:
            await backend.set_breakpoints(sid, ["n2->"])
        plain = await backend.start(compiled.graph_id, {"text": "b"}, debug_session_id=sid)
        ended = await backend.debug_wait(sid, 60)
        assert (await backend.wait(plain, 60)).success
        fired = await backend.start(compiled.graph_id, {"text": "a"}, debug_session_id=sid)
        paused = await backend.debug_wait(sid, 60)
        await backend.debug_control(sid, "continue")
        assert (await backend.wait(fired, 60)).success
        return bad.value, ended, paused

    bad, ended, paused = aio(go())
    assert bad.message == "'n2->' is not a canvas id (^[a-z0-9][a-z0-9_-]*$) or an edge src->dst of two canvas ids"
    assert ended["paused_at"] is None
    assert (paused["paused_at"], paused["pause_reason"]) == ("n3", "breakpoint")
