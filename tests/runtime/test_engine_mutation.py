"""Runtime flow mutation, once per invoker (real node host processes, and in process): a ``mutation_capable`` node's
``ax.mutation.flow`` additions are applied after its handler returns (the added node runs, the
FLOW_MUTATED event records them, reflection and replay show them, each added node draws one
execution from the quota); a node that is not capable gets the SDK's error; an incompatible or
cyclic addition fails the node with the reason."""
from __future__ import annotations

import json
import time

import pytest
from engine_support import compile_file, write_flow
from model_support import add_probe_package

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.engine.mutation import FLOW_MUTATED
from axiom_ide.runtime.store.usage import utc_day

PKG = "tests/probe@0.1.0"


@pytest.fixture
def ws(example_workspace):
    add_probe_package(example_workspace)
    write_flow(example_workspace, "grow", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look"}}
          - {{id: g, node: "{PKG}:Grow"}}
          - {{id: t, node: "{PKG}:Look"}}
        edges:
          - {{from: a, to: g}}
          - {{from: g, to: t}}
        """)
    return example_workspace


def quota(rt, cap: int | None):
    """The runner's execution budget, drawn from the runtime's real usage store."""
    def budget(tenant: str, n: int) -> str | None:
        refused = rt.usage().reserve(tenant, utc_day(time.time()), executions=n, execution_cap=cap)
        return None if refused is None else f"daily {refused} quota exceeded (cap {cap})"
    rt.runner.execution_budget = budget


def run(rt, ws, aio, mode: str = ""):
    artifact = compile_file(ws / "flows" / "grow.flow.yaml", ws, store=rt._artifacts)
    return aio(rt.run(artifact, {"n": 0, "mode": mode}, timeout=30))


def test_a_mutation_capable_node_grows_the_running_flow(make_runtime, tmp_path, ws, aio):
    rt = make_runtime(tmp_path / "data")
    quota(rt, None)
    outcome = run(rt, ws, aio)
    assert outcome.status == "Completed", outcome.error
    events = rt.execution_events(outcome.execution_id)
    mutated = [e for e in events if e.type == FLOW_MUTATED]
    assert [(e.node, e.data["nodes"][0]["id"], e.data["nodes"][0]["instance"], e.data["edges"]) for e in mutated] == [
        ("g", "added-4", 4, [{"from": "g", "to": "added-4"}])]
    done = [e.node for e in events if e.type == ev.NODE_COMPLETED]
    assert sorted(done) == ["a", "added-4", "g", "t"]
    # the added node ran on g's output and its reflection sees the grown graph
    added_cp = next(cp for cp in rt.execution_checkpoints(outcome.execution_id) if cp.node == "added-4")
    out = rt.compiled(compile_file(ws / "flows" / "grow.flow.yaml", ws)).codec.to_dict(
        added_cp.output, "tests.probe.Probe", PKG)
    record = json.loads(out["seen"][-1])
    assert record["node"] == "added-4" and out["seen"][-2] == "grew"
    assert {"id": "g->added-4", "summary": None} in record["edges"]
    # the flow's result is still its terminal's
    assert json.loads(outcome.output["seen"][-1])["node"] == "t"
    tenant = rt.find_execution(outcome.execution_id).tenant_id
    assert rt.usage().get(tenant, utc_day(time.time()))["executions"] == 1  # the added node's execution


def test_replay_draws_the_added_nodes(make_runtime, tmp_path, ws, aio):
    rt = make_runtime(tmp_path / "data")
    outcome = run(rt, ws, aio)
    replay = rt.replay(outcome.execution_id)
    assert replay.node_ids == ("a", "g", "t", "added-4")
    assert replay.incoming["added-4"] == {"g"}
    assert [n["id"] for n in replay.added_nodes] == ["added-4"]
    assert replay.at(len(replay) - 1).nodes["added-4"].status == "completed"


def test_an_added_node_past_the_execution_quota_fails_the_node(make_runtime, tmp_path, ws, aio):
    rt = make_runtime(tmp_path / "data")
    quota(rt, 0)
    outcome = run(rt, ws, aio)
    assert outcome.status == "Failed"
    assert outcome.error == 'node "g": adding 1 node(s) to the flow: daily executions quota exceeded (cap 0)'
    assert outcome.code == "QUOTA_EXCEEDED"


def test_a_node_that_is_not_mutation_capable_gets_the_documented_error(make_runtime, tmp_path, ws, aio):
    write_flow(ws, "plain", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: p, node: "{PKG}:GrowPlain"}}
        edges: []
        """)
    rt = make_runtime(tmp_path / "data")
    artifact = compile_file(ws / "flows" / "plain.flow.yaml", ws, store=rt._artifacts)
    outcome = aio(rt.run(artifact, {"n": 0}, timeout=30))
    assert outcome.output["seen"] == ["AxiomMutationError: flow mutation is not available: the node is not mutation_capable"]


@pytest.mark.parametrize("mode,reason", [
    ("cycle", 'node "g": axiom: mutation rejected: the added edges make a cycle: a → g → a'),
    ("mismatch", ('node "g": axiom: mutation rejected: add_edge 2 → 4: "added-4" takes tests.probe.Other, '
                  'but "g" outputs tests.probe.Probe (an added edge passes the whole message)')),
    ("no-node", ('node "g": axiom: mutation rejected: package "tests/probe@0.1.0" has 8 nodes (Look, Fail, Undo, '
                 'UndoFails, UndoOnce, Grow, GrowPlain, Other); name one with add_node(..., node=...)')),
    ("no-package", 'node "g": axiom: mutation rejected: package "tests/nope@9.9.9" not found in the workspace'),
])
def test_a_rejected_addition_fails_the_node_with_the_reason(make_runtime, tmp_path, ws, aio, mode, reason):
    rt = make_runtime(tmp_path / "data")
    outcome = run(rt, ws, aio, mode)
    assert outcome.status == "Failed"
    assert outcome.error == reason and outcome.code == "MUTATION_REJECTED"
    events = rt.execution_events(outcome.execution_id)
    failed = [e for e in events if e.type == ev.NODE_FAILED]
    assert [(e.node, e.data["error"]) for e in failed] == [("g", reason)]
    assert not [e for e in events if e.type == FLOW_MUTATED]
    assert "t" not in [e.node for e in events if e.type == ev.NODE_STARTED]


@pytest.mark.parametrize("mode,ran", [("when-yes", True), ("when-no", False)])
def test_an_added_conditional_edge_fires_only_when_its_predicate_holds(make_runtime, tmp_path, ws, aio, mode, ran):
    rt = make_runtime(tmp_path / "data")
    outcome = run(rt, ws, aio, mode)
    assert outcome.status == "Completed", outcome.error
    events = rt.execution_events(outcome.execution_id)
    assert [e.data["edges"] for e in events if e.type == FLOW_MUTATED] == [
        [{"from": "g", "to": "added-4", "when": 'output.mode == "when-yes"'}]]
    assert ("added-4" in [e.node for e in events if e.type == ev.NODE_COMPLETED]) is ran
    skipped = [(e.data["edge"], e.data["reason"]) for e in events if e.type == ev.EDGE_SKIPPED]
    assert skipped == ([] if ran else [({"from": "g", "to": "added-4"}, "condition false")])


def test_a_fork_after_the_mutation_runs_on_the_grown_flow(make_runtime, tmp_path, ws, aio):
    rt = make_runtime(tmp_path / "data")
    quota(rt, None)
    parent = run(rt, ws, aio)
    cps = rt.execution_checkpoints(parent.execution_id)
    at_g = next(cp for cp in cps if cp.node == "g")

    async def fork():
        child_id, _ = await rt.fork(parent.execution_id, at_g.id, {})
        return await rt.wait(child_id, 30)

    child = aio(fork())
    assert child.status == "Completed", (child.error, [(e.type, e.node, e.data) for e in rt.execution_events(child.execution_id)])
    events = rt.execution_events(child.execution_id)
    assert [e.node for e in events if e.type == FLOW_MUTATED] == ["g"]  # recorded in the fork's own log
    assert sorted(e.node for e in events if e.type == ev.NODE_COMPLETED) == ["added-4", "t"]
    tenant = rt.find_execution(parent.execution_id).tenant_id
    assert rt.usage().get(tenant, utc_day(time.time()))["executions"] == 1  # the parent's addition only



def _grow_in_subflow(ws, after: str = "") -> None:
    """``grow_outer``: a → s (the subflow grow_inner: g, which grows) [→ h, ``after``'s node]."""
    write_flow(ws, "grow_inner", f"mode: unary\nimports: [{PKG}]\nnodes:\n  - {{id: g, node: \"{PKG}:Grow\"}}\nedges: []\n")
    tail = f"\n  - {{id: h, node: \"{PKG}:{after}\"}}" if after else ""
    write_flow(ws, "grow_outer", f"mode: unary\nimports: [{PKG}]\nnodes:\n  - {{id: a, node: \"{PKG}:Look\"}}\n"
                                 f"  - {{id: s, node: \"flow:grow_inner\"}}{tail}\nedges:\n  - {{from: a, to: s}}\n"
                                 + ("  - {from: s, to: h}\n" if after else ""))


def _subflow_steps(events, kind: str) -> list[str]:
    return [e.node for e in events if e.type == kind and e.node and e.node.startswith("s/")]


def test_a_mutation_inside_a_subflow_grows_the_subflows_own_run(make_runtime, tmp_path, ws, aio):
    _grow_in_subflow(ws)
    rt = make_runtime(tmp_path / "data")
    quota(rt, None)
    artifact = compile_file(ws / "flows" / "grow_outer.flow.yaml", ws, store=rt._artifacts)
    outcome = aio(rt.run(artifact, {"n": 0}, timeout=30))
    assert outcome.status == "Completed", outcome.error
    events = rt.execution_events(outcome.execution_id)
    (mutated,) = [e for e in events if e.type == FLOW_MUTATED]
    # numbered after the subflow's own nodes (g is its instance 1), recorded on the nested id
    assert (mutated.node, mutated.data["nodes"][0]["id"], mutated.data["edges"]) == (
        "s/g", "added-2", [{"from": "g", "to": "added-2"}])
    assert _subflow_steps(events, ev.NODE_COMPLETED) == ["s/g", "s/added-2"]
    # the parent's graph is unchanged: replay draws no added node, checkpoints are the parent's
    replay = rt.replay(outcome.execution_id)
    assert replay.node_ids == ("a", "s") and replay.added_nodes == []
    assert [cp.node for cp in rt.execution_checkpoints(outcome.execution_id)] == ["a", "s"]
    tenant = rt.find_execution(outcome.execution_id).tenant_id
    assert rt.usage().get(tenant, utc_day(time.time()))["executions"] == 1


def test_a_fork_before_a_subflow_that_mutates_reruns_it_and_grows_it_again(make_runtime, tmp_path, ws, aio):
    _grow_in_subflow(ws)
    rt = make_runtime(tmp_path / "data")
    quota(rt, None)
    artifact = compile_file(ws / "flows" / "grow_outer.flow.yaml", ws, store=rt._artifacts)
    parent = aio(rt.run(artifact, {"n": 0}, timeout=30))
    at_a = next(cp for cp in rt.execution_checkpoints(parent.execution_id) if cp.node == "a")

    async def fork():
        child_id, _ = await rt.fork(parent.execution_id, at_a.id, {})
        return await rt.wait(child_id, 30)

    child = aio(fork())
    assert child.status == "Completed", child.error
    events = rt.execution_events(child.execution_id)
    assert _subflow_steps(events, FLOW_MUTATED) == ["s/g"]  # the re-run subflow grew in the fork's own log
    assert _subflow_steps(events, ev.NODE_COMPLETED) == ["s/g", "s/added-2"]
    tenant = rt.find_execution(parent.execution_id).tenant_id
    assert rt.usage().get(tenant, utc_day(time.time()))["executions"] == 2  # a re-run addition draws again


def test_a_run_stopped_after_a_mutation_resumes_on_the_grown_flow(make_runtime, tmp_path, ws, aio, invoker):
    import asyncio

    from axiom_ide.runtime.runtime import Runtime

    write_flow(ws, "grow_stop", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: g, node: "{PKG}:Grow"}}
          - {{id: h, node: "{PKG}:UndoOnce"}}
        edges:
          - {{from: g, to: h}}
        """)
    data = tmp_path / "data"
    first = Runtime(data, inline=invoker == "inline")
    first.set_config("default", flow_name="grow_stop", secret_overrides={"HANG": "yes"})

    async def until_h_hangs():
        artifact = compile_file(ws / "flows" / "grow_stop.flow.yaml", ws, store=first._artifacts)
        reached = asyncio.Event()
        first.events.connect(lambda e: e.type == ev.LOG and e.node == "h" and reached.set())
        execution_id = await first.start(artifact, {"n": 0})
        await reached.wait()
        await first.close()  # a shutdown while h runs: the run stays incomplete
        return execution_id

    execution_id = aio(until_h_hangs())
    rt = make_runtime(data)
    rt.set_config("default", flow_name="grow_stop", secret_overrides={"HANG": "no"})

    async def resume():
        assert await rt.resume_incomplete() == [execution_id]
        return await rt.wait(execution_id, 30)

    outcome = aio(resume())
    assert outcome.status == "Completed", outcome.error
    events = rt.execution_events(execution_id)
    assert [e.node for e in events if e.type == FLOW_MUTATED] == ["g"]  # recorded once, re-applied on resume
    done = [e.node for e in events if e.type == ev.NODE_COMPLETED]
    assert done.count("g") == 1 and done.count("h") == 1 and "added-3" in done


def test_a_grown_flow_with_an_approval_gate_runs_the_added_node(make_runtime, tmp_path, ws, aio):
    """The dispatch loop reads the grown plan: an added node reaching the head of the ready queue
    in a flow with an approval gate is looked up in it (it once raised KeyError on the plan the
    run started with)."""
    write_flow(ws, "grow", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look"}}
          - {{id: g, node: "{PKG}:Grow"}}
          - {{id: t, node: "{PKG}:Look", approval: {{timeout: 1s, on_timeout: approve}}}}
        edges:
          - {{from: a, to: g}}
          - {{from: g, to: t}}
        """)
    rt = make_runtime(tmp_path / "data")
    outcome = run(rt, ws, aio)
    assert outcome.status == "Completed", outcome.error
    done = [e.node for e in rt.execution_events(outcome.execution_id) if e.type == ev.NODE_COMPLETED]
    assert sorted(done) == ["a", "added-4", "g", "t"]


def test_a_run_stopped_after_a_subflow_grew_resumes_without_running_the_subflow_again(make_runtime, tmp_path, ws,
                                                                                     aio, invoker):
    import asyncio

    from axiom_ide.runtime.runtime import Runtime

    _grow_in_subflow(ws, after="UndoOnce")  # a → s (g grows) → h, which hangs while HANG is "yes"
    data = tmp_path / "data"
    first = Runtime(data, inline=invoker == "inline")
    first.set_config("default", flow_name="grow_outer", secret_overrides={"HANG": "yes"})

    async def until_h_hangs():
        artifact = compile_file(ws / "flows" / "grow_outer.flow.yaml", ws, store=first._artifacts)
        reached = asyncio.Event()
        first.events.connect(lambda e: e.type == ev.LOG and e.node == "h" and reached.set())
        execution_id = await first.start(artifact, {"n": 0})
        await reached.wait()
        await first.close()  # a shutdown while h runs: the run stays incomplete
        return execution_id

    execution_id = aio(until_h_hangs())
    rt = make_runtime(data)
    rt.set_config("default", flow_name="grow_outer", secret_overrides={"HANG": "no"})

    async def resume():
        assert await rt.resume_incomplete() == [execution_id]
        return await rt.wait(execution_id, 30)

    outcome = aio(resume())
    assert outcome.status == "Completed", outcome.error
    events = rt.execution_events(execution_id)
    assert _subflow_steps(events, FLOW_MUTATED) == ["s/g"]  # s's checkpoint stands for its grown run
    assert _subflow_steps(events, ev.NODE_COMPLETED) == ["s/g", "s/added-2"]
    done = [e.node for e in events if e.type == ev.NODE_COMPLETED and "/" not in e.node]
    assert done == ["a", "s", "h"]


def test_a_mutation_in_a_pipeline_flow_fails_the_node_and_compiling_warns(make_runtime, tmp_path, ws, aio):
    from axiom_ide.runtime.compiler.analyze import analyze_flow
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.packages import Workspace

    path = write_flow(ws, "grow_stream", f"""\
        mode: pipeline
        imports: [{PKG}]
        nodes:
          - {{id: g, node: "{PKG}:Grow"}}
        edges: []
        """)
    warned = [(d.code, d.message) for d in analyze_flow(load_flow(path).flow, Workspace(ws)).warnings]
    text = ('node "g" is mutation_capable, but this is a pipeline flow, whose frames stream through the graph it '
            "started with: the node fails if it adds nodes or edges; use it in a unary flow")
    assert ("mutation_in_pipeline", text) in warned
    rt = make_runtime(tmp_path / "data")
    artifact = compile_file(path, ws, store=rt._artifacts)

    async def frames():
        return [f async for f in rt.stream(artifact, {"n": 0}, timeout=30)]

    final = aio(frames())[-1]
    assert final["is_final"] and "success" not in final
    assert final["error"] == ('node "g": axiom: mutation rejected: flow mutation is not supported in a pipeline flow: '
                              "its frames stream through the graph it started with; run its additions in a unary flow")
    events = rt.execution_events(final["execution_id"])
    assert not [e for e in events if e.type == FLOW_MUTATED]
    assert [(e.type, e.node) for e in events if e.type in (ev.NODE_FAILED, ev.NODE_COMPLETED)] == [(ev.NODE_FAILED, "g")]
