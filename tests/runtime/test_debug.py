"""Debug sessions: breakpoints, pause, step, continue; fork with overrides; replay reads only."""
from __future__ import annotations

import pytest
from engine_support import add_faults_package, chain, compile_file, until, write_flow

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.engine.debug import BreakpointOptions, edge_breakpoint
from axiom_ide.runtime.errors import AxiomError


@pytest.fixture
def setup(tmp_path, example_workspace, make_runtime):
    add_faults_package(example_workspace)
    chain(example_workspace, "four", ["Upper", "Upper", "Upper", "Upper"])
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "four.flow.yaml", example_workspace, store=rt._artifacts)
    return rt, art


def completed(rt, execution_id):
    return [e.node for e in rt.execution_events(execution_id) if e.type == ev.NODE_COMPLETED]


def test_breakpoint_pauses_before_node_then_step_and_continue(setup, aio):
    rt, art = setup

    async def go():
        session = rt.create_debug_session(breakpoints={"n2"})
        execution_id = await rt.start(art, {"text": "a"}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "n2")
        assert rt.find_execution(execution_id).status == "Debug paused"
        assert completed(rt, execution_id) == ["n1"]
        paused = [e for e in rt.execution_events(execution_id) if e.type == ev.DEBUG_PAUSED]
        assert paused[0].node == "n2" and paused[0].data["reason"] == "breakpoint"
        session.gate.step()
        await until(lambda: session.gate.paused_at == "n3")
        assert completed(rt, execution_id) == ["n1", "n2"]
        session.gate.resume()
        outcome = await rt.wait(execution_id, 30)
        assert outcome.output == {"text": "A", "big": "0"}
        assert rt.find_execution(execution_id).status == "Completed"

    aio(go())


def test_fork_from_checkpoint_with_override_links_parent(setup, aio):
    rt, art = setup

    async def go():
        parent = await rt.run(art, {"text": "a"})
        cps = rt.execution_checkpoints(parent.execution_id)
        child_id, session = await rt.fork(parent.execution_id, cps[1].id, {"text": "forked"})
        outcome = await rt.wait(child_id, 30)
        assert session.mode == "FORK"
        assert outcome.output == {"text": "FORKED", "big": "0"}
        child = rt.find_execution(child_id)
        assert child.parent_id == parent.execution_id and child.fork_checkpoint == cps[1].id
        assert completed(rt, child_id) == ["n3", "n4"]  # n1, n2 came from the parent's checkpoints
        assert [c.id for c in rt.forks(parent.execution_id)] == [child_id]
        with pytest.raises(AxiomError, match='override for "text" is null; remove the key instead'):
            await rt.fork(parent.execution_id, cps[1].id, {"text": None})
        with pytest.raises(AxiomError, match="over 1 MB"):
            await rt.fork(parent.execution_id, cps[1].id, {"text": "x" * (1024 * 1024 + 1)})

    aio(go())


def test_pause_requested_while_running_stops_before_next_dispatch(setup, aio):
    rt, art = setup

    async def go():
        session = rt.create_debug_session()
        execution_id = await rt.start(art, {"text": "a"}, debug_session_id=session.id)
        session.gate.pause()
        await until(lambda: session.gate.paused_at is not None)
        assert rt.find_execution(execution_id).status == "Debug paused"
        session.gate.resume()
        assert (await rt.wait(execution_id, 30)).success

    aio(go())


def test_replay_reads_history_without_writing(setup, aio):
    rt, art = setup
    outcome = aio(rt.run(art, {"text": "a"}))
    rt._db.sync()  # the run's own writes, still in the step journal
    before = rt._db.conn.execute("SELECT total_changes()").fetchone()[0]
    events = rt.execution_events(outcome.execution_id)
    cps = rt.execution_checkpoints(outcome.execution_id)
    assert len(cps) == 4 and events[-1].type == ev.EXECUTION_COMPLETED
    assert rt._db.conn.execute("SELECT total_changes()").fetchone()[0] == before


def _tables(db_path) -> dict:
    """Every row of the history tables, read through a separate connection to the database file."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
                for t in ("executions", "events", "checkpoints", "blobs")}
    finally:
        conn.close()


def test_replay_session_walks_the_timeline_and_writes_nothing(setup, aio):
    rt, art = setup
    outcome = aio(rt.run(art, {"text": "a"}))
    rt._db.sync()  # the run's own writes, still in the step journal
    before = _tables(rt._db.path)
    session = rt.create_debug_session("REPLAY", execution_id=outcome.execution_id)
    assert session.mode == "REPLAY" and len(session) == 10
    start = session.at(-1)
    assert start.status == "Queued" and {s.status for s in start.nodes.values()} == {"pending"}
    statuses = [(p.index, p.event.type, p.status, tuple(s.status for s in p.nodes.values())) for p in session.replay]
    assert statuses == [
        (0, "EXECUTION_STARTED", "Running", ("pending",) * 4),
        (1, "NODE_STARTED", "Running", ("running", "pending", "pending", "pending")),
        (2, "NODE_COMPLETED", "Running", ("completed", "pending", "pending", "pending")),
        (3, "NODE_STARTED", "Running", ("completed", "running", "pending", "pending")),
        (4, "NODE_COMPLETED", "Running", ("completed", "completed", "pending", "pending")),
        (5, "NODE_STARTED", "Running", ("completed", "completed", "running", "pending")),
        (6, "NODE_COMPLETED", "Running", ("completed", "completed", "completed", "pending")),
        (7, "NODE_STARTED", "Running", ("completed", "completed", "completed", "running")),
        (8, "NODE_COMPLETED", "Running", ("completed",) * 4),
        (9, "EXECUTION_COMPLETED", "Completed", ("completed",) * 4),
    ]
    cps = rt.execution_checkpoints(outcome.execution_id)
    assert session.at(2).nodes["n1"].checkpoint_id == cps[0].id
    assert session.replay.payloads("n1", 2) == {**session.replay.payloads("n1", 9)}
    assert session.replay.payloads("n1", 2)["input"] == {"text": "a", "big": "0"}
    assert session.replay.payloads("n1", 2)["output"] == {"text": "A", "big": "0"}
    assert session.replay.payloads("n2", 3) is None  # running, no checkpoint yet
    body = session.replay.to_json(4)
    assert body["status"] == "Running" and body["event"]["type"] == "NODE_COMPLETED"
    assert body["nodes"][1] == {"node": "n2", "status": "completed", "runs": 1, "attempt": 1,
                                "checkpoint_id": cps[1].id, "duration_ms": body["nodes"][1]["duration_ms"],
                                "input": {"text": "A", "big": "0"}, "output": {"text": "A", "big": "0"},
                                "expired": False}
    with pytest.raises(IndexError):
        session.at(10)
    with pytest.raises(AxiomError, match="only reads history"):
        session.set_breakpoint("n1")
    with pytest.raises(AxiomError, match="only reads history"):
        session.pause()
    with pytest.raises(AxiomError, match="only reads history"):
        aio(rt.start(art, {"text": "a"}, debug_session_id=session.id))
    session.refresh()
    assert _tables(rt._db.path) == before


def test_replay_marks_skipped_nodes_and_fork_history(tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    write_flow(example_workspace, "branchy", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Upper"}
          - {id: b, node: "tests/faults@0.1.0:Upper"}
          - {id: c, node: "tests/faults@0.1.0:Upper"}
          - {id: d, node: "tests/faults@0.1.0:Upper"}
        edges:
          - {from: a, to: b, when: 'output.text == "never"'}
          - {from: a, to: c}
          - {from: b, to: d}
          - {from: c, to: d}
        """)
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "branchy.flow.yaml", example_workspace, store=rt._artifacts)
    outcome = aio(rt.run(art, {"text": "x"}))
    assert outcome.success
    replay = rt.replay(outcome.execution_id)
    skipped_at = next(p.index for p in replay if p.nodes["b"].status == "skipped")
    assert replay.events[skipped_at].type == "EDGE_SKIPPED"
    assert {n: s.status for n, s in replay.end.nodes.items()} == {
        "a": "completed", "b": "skipped", "c": "completed", "d": "completed"}
    # a fork from c's checkpoint: a and c come from the parent, d runs in the child
    cps = rt.execution_checkpoints(outcome.execution_id)
    child_id, _ = aio(_fork_and_wait(rt, outcome.execution_id, cps[1].id))
    child = rt.create_debug_session("REPLAY", execution_id=child_id)
    first = child.at(-1).nodes
    assert (first["a"].status, first["a"].from_parent, first["c"].status, first["d"].status) == (
        "completed", True, "completed", "pending")
    assert child.replay.payloads("c", -1)["output"] == {"text": "forked", "big": "0"}
    assert child.replay.payloads("d", len(child) - 1)["output"] == {"text": "FORKED", "big": "0"}
    assert {n: s.status for n, s in child.replay.end.nodes.items()} == {
        "a": "completed", "b": "skipped", "c": "completed", "d": "completed"}
    with pytest.raises(AxiomError, match="execution not found"):
        rt.create_debug_session("REPLAY", execution_id=outcome.execution_id, tenant_id="acme")


async def _fork_and_wait(rt, execution_id, checkpoint_id):
    child_id, session = await rt.fork(execution_id, checkpoint_id, {"text": "forked"})
    await rt.wait(child_id, 30)
    return child_id, session


def paused_events(rt, execution_id):
    return [e for e in rt.execution_events(execution_id) if e.type == ev.DEBUG_PAUSED]


def test_conditional_breakpoint_fires_on_one_input_not_another(setup, aio):
    rt, art = setup

    async def go():
        session = rt.create_debug_session(breakpoints={"n2"})
        session.set_breakpoint("n2", BreakpointOptions(condition='input.text == "A"'))
        skipped = await rt.start(art, {"text": "b"}, debug_session_id=session.id)
        assert (await rt.wait(skipped, 30)).output == {"text": "B", "big": "0"}
        assert paused_events(rt, skipped) == []
        fired = await rt.start(art, {"text": "a"}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "n2")
        assert paused_events(rt, fired)[0].data["reason"] == "breakpoint"
        session.resume()
        assert (await rt.wait(fired, 30)).success

    aio(go())


def test_condition_error_pauses_with_the_cel_error(setup, aio):
    rt, art = setup

    async def go():
        session = rt.create_debug_session(breakpoints={"n2"})
        session.set_breakpoint("n2", BreakpointOptions(condition="input.text"))  # a string, not a bool
        execution_id = await rt.start(art, {"text": "a"}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "n2")
        error = "CEL evaluation failed: condition must evaluate to a bool, got str"
        assert session.to_json()["pause_reason"] == "condition_error"
        assert session.to_json()["pause_error"] == error
        assert paused_events(rt, execution_id)[0].data["error"] == error
        session.resume()
        assert (await rt.wait(execution_id, 30)).success

    aio(go())


def test_hit_count_two_pauses_on_the_second_reach(tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    path = write_flow(example_workspace, "twice", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Count"}
          - {id: b, node: "tests/faults@0.1.0:Count"}
        edges:
          - {from: a, to: b}
          - {from: b, to: a, loop: 1}
        """)
    rt = make_runtime(tmp_path / "data")
    art = compile_file(path, example_workspace, store=rt._artifacts)

    async def go():
        session = rt.create_debug_session(breakpoints={"a"})
        session.set_breakpoint("a", BreakpointOptions(hit_count=2))
        execution_id = await rt.start(art, {"value": 0}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "a")
        assert completed(rt, execution_id) == ["a", "b"]  # the first reach of a did not pause
        assert session.gate.hits["a"] == 2
        session.resume()
        assert (await rt.wait(execution_id, 30)).success
        assert len(paused_events(rt, execution_id)) == 1

    aio(go())


def test_breakpoint_options_persist_and_bad_ones_are_refused(setup):
    rt, _ = setup
    session = rt.create_debug_session(breakpoints={"n2"})
    session.set_breakpoint("n2", BreakpointOptions.parse({"condition": "input.text == 'x'", "hit_count": 3}))
    rt.debug_sessions.clear()
    again = rt.debug_session(session.id)
    assert again.options == {"n2": BreakpointOptions("input.text == 'x'", 3)}
    assert again.to_json()["breakpoint_options"] == {"n2": {"condition": "input.text == 'x'", "hit_count": 3}}
    with pytest.raises(AxiomError, match="CEL parse error"):
        BreakpointOptions.parse({"condition": "input.text =="})
    with pytest.raises(AxiomError, match="hit_count must be an integer >= 1, got 0"):
        BreakpointOptions.parse({"hit_count": 0})


def test_edge_breakpoint_pauses_before_the_destination_only_when_the_edge_fires(tmp_path, example_workspace,
                                                                                 make_runtime, aio):
    add_faults_package(example_workspace)
    path = write_flow(example_workspace, "fork2", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Upper"}
          - {id: b, node: "tests/faults@0.1.0:Upper"}
          - {id: c, node: "tests/faults@0.1.0:Upper"}
          - {id: d, node: "tests/faults@0.1.0:Upper"}
        edges:
          - {from: a, to: b, when: 'output.text == "X"'}
          - {from: a, to: c, when: 'output.text != "X"'}
          - {from: b, to: d}
          - {from: c, to: d}
        """)
    rt = make_runtime(tmp_path / "data")
    art = compile_file(path, example_workspace, store=rt._artifacts)

    async def go():
        session = rt.create_debug_session(breakpoints={edge_breakpoint("a", "b")})
        other = await rt.start(art, {"text": "y"}, debug_session_id=session.id)  # a → c fires, a → b does not
        assert (await rt.wait(other, 30)).success and paused_events(rt, other) == []
        fired = await rt.start(art, {"text": "x"}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "b")
        event = paused_events(rt, fired)[0]
        assert (event.node, event.data["reason"], event.data["edge"]) == ("b", "breakpoint", "a->b")
        session.resume()
        assert (await rt.wait(fired, 30)).success

    aio(go())


def _mapped_flow(example_workspace, name="mapped"):
    add_faults_package(example_workspace)
    return write_flow(example_workspace, name, """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Upper"}
          - {id: b, node: "tests/faults@0.1.0:Upper"}
        edges:
          - {from: a, to: b, map: {text: 'text | suffix("-mapped")', big: big}}
        """)


def test_edge_breakpoint_pause_carries_the_mapped_input_and_its_condition_sees_it(tmp_path, example_workspace,
                                                                                  make_runtime, aio):
    path = _mapped_flow(example_workspace)
    rt = make_runtime(tmp_path / "data")
    art = compile_file(path, example_workspace, store=rt._artifacts)

    async def go():
        session = rt.create_debug_session(breakpoints={"a->b"})
        session.set_breakpoint("a->b", BreakpointOptions.parse({"condition": 'input.text == "X-mapped"'}))
        other = await rt.start(art, {"text": "y"}, debug_session_id=session.id)  # b receives "Y-mapped": no pause
        assert (await rt.wait(other, 30)).success and paused_events(rt, other) == []
        fired = await rt.start(art, {"text": "x"}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "b")
        event = paused_events(rt, fired)[0]
        assert (event.data["edge"], event.data["reason"]) == ("a->b", "breakpoint")
        assert event.data["input"]["text"] == "X-mapped"  # what b receives through the map, not a's output
        session.resume()
        outcome = await rt.wait(fired, 30)
        assert outcome.output["text"] == "X-MAPPED"

    aio(go())


def test_edge_hit_count_and_hits_persist_with_the_session(tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    path = write_flow(example_workspace, "twice-edge", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Count"}
          - {id: b, node: "tests/faults@0.1.0:Count"}
        edges:
          - {from: a, to: b}
          - {from: b, to: a, loop: 1}
        """)
    rt = make_runtime(tmp_path / "data")
    art = compile_file(path, example_workspace, store=rt._artifacts)

    async def go():
        session = rt.create_debug_session(breakpoints={"a->b"})
        session.set_breakpoint("a->b", BreakpointOptions(hit_count=2))
        execution_id = await rt.start(art, {"value": 0}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "b")
        assert completed(rt, execution_id) == ["a", "b", "a"]  # the edge's first firing did not pause
        assert session.gate.hits == {"a->b": 2}
        rt.debug_sessions.clear()  # as a restarted runtime reads it: the count is stored
        assert rt.debug_session(session.id).hits == {"a->b": 2}
        assert rt._debug_store.get(session.id).breakpoint_options == {
            "a->b": {"condition": None, "hit_count": 2, "hits": 2}}
        session.resume()
        assert (await rt.wait(execution_id, 30)).success
        assert [e.data["edge"] for e in paused_events(rt, execution_id)] == ["a->b"]

    aio(go())
