"""The unary engine on the example flows and on misbehaving nodes, once per invoker: in process
(InlineInvoker) and through real node host processes (HostPool)."""
from __future__ import annotations

import asyncio

import pytest
from engine_support import add_faults_package, chain, compile_file, write_flow

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.store.checkpoints import AssertingCheckpointStore, MemoryCheckpointStore


@pytest.fixture
def ws(example_workspace):
    add_faults_package(example_workspace)
    return example_workspace


@pytest.fixture
def rt(make_runtime, tmp_path):
    return make_runtime(tmp_path / "data")


@pytest.fixture
def run(aio):
    """``run(rt, ws, flow, data)``: compile ``flows/<flow>.flow.yaml`` and run it to its outcome."""
    def run(rt, ws, flow, data, **kw):
        artifact = compile_file(ws / "flows" / f"{flow}.flow.yaml", ws, store=rt._artifacts)
        return aio(rt.run(artifact, data, timeout=kw.pop("timeout", 20), **kw))
    return run


def types(rt, execution_id):
    return [(e.type, e.node) for e in rt.execution_events(execution_id)]


EXAMPLES = [
    ("hello", {"name": "Ada"}, {"greeting": "Hello, Ada!"}),
    ("linear", {"text": "hi"}, {"text": "HI"}),
    ("greeter", {"name": "Ada"}, {"text": "HEY! HELLO, ADA!"}),
    ("branching", {"text": "Hello"}, {"text": "HELLO hello"}),
    ("counter", {"value": 0}, {"value": 10.0}),
    ("square", {"a": 2, "b": 3}, {"result": 25.0}),
    ("welcome", {"name": "Ada"}, {"text": "HEY! HELLO, ADA!"}),
]


@pytest.mark.parametrize("flow,data,expected", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_flow_produces_expected_output(rt, ws, flow, data, expected, run):
    outcome = run(rt, ws, flow, data)
    assert outcome.error is None
    assert outcome.output == expected
    rec = rt.find_execution(outcome.execution_id)
    assert rec.status == "Completed" and rec.output == expected
    assert len(rec.id) == 32 and rec.id == rec.id.lower()
    assert rec.started_at <= rec.completed_at
    seqs = [e.seq for e in rt.execution_events(rec.id)]
    assert seqs == list(range(1, len(seqs) + 1))
    kinds = [t for t, _ in types(rt, rec.id)]
    assert kinds[0] == ev.EXECUTION_STARTED and kinds[-1] == ev.EXECUTION_COMPLETED


def test_every_completed_node_has_a_checkpoint_with_input_and_output(rt, ws, run):
    outcome = run(rt, ws, "greeter", {"name": "Ada"})
    cps = rt.execution_checkpoints(outcome.execution_id)
    assert [(c.step, c.node) for c in cps] == [(1, "greet"), (2, "shout")]
    compiled = rt.compiled(rt.artifact(rt.find_execution(outcome.execution_id).graph_id))
    assert compiled.codec.to_json(cps[1].input, cps[1].input_type) == {"text": "Hey! Hello, Ada!"}
    completed = [e for e in rt.execution_events(outcome.execution_id) if e.type == ev.NODE_COMPLETED]
    assert [e.data["checkpoint_id"] for e in completed] == [c.id for c in cps]


def test_counter_loop_reactivates_until_condition_false(rt, ws, run):
    outcome = run(rt, ws, "counter", {"value": 0})
    nodes = [n for t, n in types(rt, outcome.execution_id) if t == ev.NODE_COMPLETED]
    assert nodes == ["bump", "step"] * 5
    skipped = [e for e in rt.execution_events(outcome.execution_id) if e.type == ev.EDGE_SKIPPED]
    assert skipped[-1].data == {"edge": {"from": "step", "to": "bump"}, "reason": "condition false"}


def test_loop_stops_at_max_iterations(rt, ws, run):
    outcome = run(rt, ws, "counter", {"value": -100})
    skipped = [e for e in rt.execution_events(outcome.execution_id) if e.type == ev.EDGE_SKIPPED]
    assert skipped[-1].data["reason"] == "max_iterations (5) reached"
    assert outcome.output == {"value": -88.0}


def test_false_condition_skips_edge_and_join_waits_for_the_rest(rt, ws, run):
    outcome = run(rt, ws, "branching", {"text": "HELLO"})  # score 1.0: quiet branch skipped
    assert outcome.output == {"text": "HELLO "}  # Concat joins left and an empty right
    skipped = [e.data for e in rt.execution_events(outcome.execution_id) if e.type == ev.EDGE_SKIPPED]
    assert {"edge": {"from": "score", "to": "quiet"}, "reason": "condition false"} in skipped
    assert {"edge": {"from": "quiet", "to": "both"}, "reason": "upstream skipped"} in skipped


def test_no_terminal_result_when_every_path_is_skipped(rt, ws, run):
    outcome = run(rt, ws, "branching", {"text": ""})  # length 0 and score 0 < 1 -> quiet only
    assert outcome.success  # quiet still fires
    write_flow(ws, "dead", """\
        mode: unary
        imports: [examples/text@0.1.0]
        nodes:
          - {id: a, node: "examples/text@0.1.0:Echo"}
          - {id: b, node: "examples/text@0.1.0:Upper"}
        edges:
          - {from: a, to: b, when: 'output.text == "never"'}
        """)
    outcome = run(rt, ws, "dead", {"text": "x"})
    assert outcome.status == "Failed"
    assert outcome.error == "graph produced no terminal result"


def test_invalid_input_json_names_the_message(rt, ws, run):
    outcome = run(rt, ws, "hello", {"nam": "Ada"})
    assert outcome.status == "Failed"
    assert outcome.error.startswith('invalid JSON for GreetRequest: Message type "examples.text.GreetRequest" has no field named "nam"')
    outcome = run(rt, ws, "hello", {"name": 5})
    assert outcome.error.startswith("invalid JSON for GreetRequest: ")


def test_failing_transform_names_the_edge(rt, ws, run):
    write_flow(ws, "badmap", """\
        mode: unary
        imports: [examples/text@0.1.0, examples/math@0.1.0]
        nodes:
          - {id: id-bad, node: "examples/text@0.1.0:Echo"}
          - {id: sq, node: "examples/math@0.1.0:Multiply"}
        edges:
          - from: id-bad
            to: sq
            map: {a: text | cast("double"), b: text | cast("double")}
        """)
    outcome = run(rt, ws, "badmap", {"text": "abc"})
    assert outcome.status == "Failed"
    assert outcome.error.startswith('edge "id-bad" → "sq": EvaluateEdge adapter: transform TRANSFORM_CAST failed: ')


def test_failing_condition_names_the_edge(rt, ws, run):
    write_flow(ws, "badcond", """\
        mode: unary
        imports: [examples/text@0.1.0]
        nodes:
          - {id: a, node: "examples/text@0.1.0:Echo"}
          - {id: b, node: "examples/text@0.1.0:Upper"}
        edges:
          - {from: a, to: b, when: 'output.text / 2 > 1'}
        """)
    outcome = run(rt, ws, "badcond", {"text": "x"})
    assert outcome.error.startswith('edge "a" → "b": EvaluateEdge condition: CEL evaluation failed: ')
    assert rt.execution_events(outcome.execution_id)[-1].data["edge"] == {"from": "a", "to": "b"}


def test_handler_exception_is_verbatim_on_node_failed(rt, ws, run):
    chain(ws, "boom", ["Upper", "Boom"])
    outcome = run(rt, ws, "boom", {"text": "x"})
    assert outcome.status == "Failed"
    assert outcome.error == 'node "n2": boom: X'
    failed = [e for e in rt.execution_events(outcome.execution_id) if e.type == ev.NODE_FAILED]
    assert failed[0].node == "n2" and failed[0].data["error"] == "boom: X"
    assert rt.find_execution(outcome.execution_id).error == 'node "n2": boom: X'
    last = rt.execution_events(outcome.execution_id)[-1]
    assert (last.type, last.node, last.data["code"]) == (ev.EXECUTION_FAILED, "n2", "NODE_FAILED")


def _join_flow(ws, policy):
    write_flow(ws, f"join{policy}", f"""\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {{id: start, node: "tests/faults@0.1.0:Upper"}}
          - {{id: ok, node: "tests/faults@0.1.0:Upper"}}
          - {{id: bad, node: "tests/faults@0.1.0:Boom"}}
          - {{id: merge, node: "tests/faults@0.1.0:Upper"}}
        edges:
          - {{from: start, to: ok}}
          - {{from: start, to: bad}}
          - {{from: ok, to: merge}}
          - {{from: bad, to: merge}}
        join:
          merge: {{on_failure: {policy}}}
        """)


def test_failed_branch_aborts_join(rt, ws, run):
    _join_flow(ws, "abort")
    outcome = run(rt, ws, "joinabort", {"text": "x"})
    assert outcome.error == 'downstream join failed: node "bad": boom: X'


def test_join_with_ignore_policy_continues_without_failed_branch(rt, ws, run):
    _join_flow(ws, "ignore")
    outcome = run(rt, ws, "joinignore", {"text": "x"})
    assert outcome.success and outcome.output == {"text": "X", "big": "0"}


def test_int64_fields_reach_conditions_as_ints(rt, ws, run):
    write_flow(ws, "big", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Upper"}
          - {id: b, node: "tests/faults@0.1.0:Upper"}
        edges:
          - {from: a, to: b, when: 'output.big > 9000000000'}
        """)
    outcome = run(rt, ws, "big", {"text": "x", "big": "9000000001"})
    assert outcome.output == {"text": "X", "big": "9000000001"}  # the condition saw an int; the wire form is a string


def test_bounded_times_out_and_lets_other_cancels_through():
    from axiom_ide.runtime.engine.loop import bounded

    async def go():
        with pytest.raises(TimeoutError):
            await bounded(asyncio.sleep(10), 0.05)
        assert asyncio.current_task().cancelling() == 0  # our own cancel was taken back
        assert await bounded(asyncio.sleep(0, "ok"), 5) == "ok"
        inner = asyncio.ensure_future(bounded(asyncio.sleep(10), 5))
        await asyncio.sleep(0)  # one pass of the loop: inner is now waiting inside bounded
        assert not inner.done()
        inner.cancel()  # a cancel from outside stays a cancel
        with pytest.raises(asyncio.CancelledError):
            await inner

    asyncio.run(go())


def test_node_timeout_from_config(rt, ws, run):
    chain(ws, "hang", ["Upper", "Hang"])
    rt.set_config("default", flow_name="hang", node_timeout_seconds=1)
    outcome = run(rt, ws, "hang", {"text": "x"})
    assert outcome.error == 'node "n2" timed out after 1s'


def test_retry_uses_max_attempts_and_numbers_attempts(rt, ws, tmp_path, run):
    chain(ws, "flaky", ["Flaky"])
    rt.set_config("default", flow_name="flaky", max_attempts=2)
    outcome = run(rt, ws, "flaky", {"text": str(tmp_path / "marker")})
    assert outcome.success
    events = [(e.type, e.attempt) for e in rt.execution_events(outcome.execution_id) if e.node == "n1"]
    assert events == [(ev.NODE_STARTED, 1), (ev.NODE_FAILED, 1), (ev.NODE_STARTED, 2), (ev.NODE_COMPLETED, 2)]
    assert rt.execution_checkpoints(outcome.execution_id)[0].attempt == 2


def test_exceeding_max_steps_fails(rt, ws, run):
    write_flow(ws, "spin", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Count"}
          - {id: b, node: "tests/faults@0.1.0:Count"}
        edges:
          - {from: a, to: b}
          - {from: b, to: a, loop: 100000}
        """)
    outcome = run(rt, ws, "spin", {"value": 0})
    assert outcome.error == "exceeded max steps (1000)"
    assert len(rt.execution_checkpoints(outcome.execution_id)) == 1000


def test_cancel_is_immediate_inside_a_long_node(rt, ws, aio):
    # n1 first: by the time n2 (60 s of sleep) starts, its package's host is up and taking calls.
    chain(ws, "hang2", ["Upper", "Hang"])
    artifact = compile_file(ws / "flows" / "hang2.flow.yaml", ws, store=rt._artifacts)

    async def go():
        hanging = asyncio.Event()
        rt.events.connect(lambda e: e.type == ev.NODE_STARTED and e.node == "n2" and hanging.set())
        execution_id = await rt.start(artifact, {"text": "x"})
        await asyncio.wait_for(hanging.wait(), 30)
        # Far less than the node's 60 s: the cancel did not wait for the handler to return.
        assert await asyncio.wait_for(rt.cancel(execution_id), 30)
        return execution_id

    execution_id = aio(go())
    rec = rt.find_execution(execution_id)
    assert rec.status == "Cancelled"
    assert types(rt, execution_id)[-1] == (ev.EXECUTION_CANCELLED, None)
    assert [n for t, n in types(rt, execution_id) if t == ev.NODE_COMPLETED] == ["n1"]


def test_checkpoint_store_failure_fails_the_execution_cleanly(ws, tmp_path, make_runtime, run):
    class DiskFull(MemoryCheckpointStore):
        def put(self, checkpoint):
            raise OSError(28, "No space left on device")

    rt = make_runtime(tmp_path / "d2", checkpoints=DiskFull())
    outcome = run(rt, ws, "linear", {"text": "x"})
    assert outcome.status == "Failed"
    assert outcome.error == 'checkpoint write failed after node "echo": [Errno 28] No space left on device'
    assert rt.find_execution(outcome.execution_id).status == "Failed"


def test_saved_checkpoints_never_change_during_runs(ws, tmp_path, make_runtime, run):
    store = AssertingCheckpointStore(MemoryCheckpointStore())
    rt = make_runtime(tmp_path / "d3", checkpoints=store)
    for flow, data, _ in EXAMPLES:
        assert run(rt, ws, flow, data).success
    assert len(store.saved) > 10


def test_secrets_reach_nodes_and_config_overrides_win(rt, ws, run):
    chain(ws, "sec", ["Secret"])
    assert run(rt, ws, "sec", {"text": ""}).output == {"text": "missing", "big": "0"}
    rt.set_secret("TOKEN", "tenant-value")
    assert run(rt, ws, "sec", {"text": ""}).output["text"] == "tenant-value"
    rt.set_config("load-test", flow_name="sec", secret_overrides={"TOKEN": "override"})
    assert run(rt, ws, "sec", {"text": ""}, config_id="load-test").output["text"] == "override"


def test_live_events_reach_subscribers_in_order(rt, ws, run):
    seen = []
    rt.events.connect(lambda e: seen.append((e.seq, e.type)))
    outcome = run(rt, ws, "linear", {"text": "x"})
    stored = [(e.seq, e.type) for e in rt.execution_events(outcome.execution_id)]
    assert seen == stored


def test_another_tenants_graph_id_reads_as_not_found_and_executions_carry_their_tenant(rt, ws, aio):
    from axiom_ide.runtime.errors import AxiomError

    artifact = compile_file(ws / "flows" / "hello.flow.yaml", ws, store=rt._artifacts)
    assert rt.find_artifact(artifact.graph_id).graph_id == artifact.graph_id
    assert rt.find_artifact(artifact.graph_id, tenant_id="acme") is None
    with pytest.raises(AxiomError) as caught:
        aio(rt.run(artifact.graph_id, {"name": "Ada"}, tenant_id="acme"))
    assert caught.value.message == f'compiled artifact "{artifact.graph_id}" not found'
    assert rt.find_artifact("01JX3F8Q4ZJ4M9W4Y0B8T2K7RD") is None

    outcome = aio(rt.run(artifact.graph_id, {"name": "Ada"}, timeout=20))
    assert rt.find_execution(outcome.execution_id).tenant_id == "local"


def test_a_run_regenerates_a_gen_folder_left_half_written(rt, ws, run):
    """A process killed while generating can leave gen/axiom_context.py without messages_pb2.py."""
    from axiom_ide.runtime.packages.generate import generate

    root = ws / "packages" / "faults"
    generate(root)
    (root / "gen" / "messages_pb2.py").unlink()
    chain(ws, "upper1", ["Upper"])
    outcome = run(rt, ws, "upper1", {"text": "abc"})
    assert (outcome.status, outcome.output) == ("Completed", {"text": "ABC", "big": "0"})
