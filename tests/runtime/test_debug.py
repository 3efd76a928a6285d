"""Debug sessions: breakpoints, pause, step, continue; fork with overrides; replay reads only."""
from __future__ import annotations

import asyncio

import pytest

from engine_support import add_faults_package, chain, compile_file

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.runtime import Runtime
from axiom_ide.runtime.store import events as ev


@pytest.fixture
def setup(tmp_path, example_workspace):
    add_faults_package(example_workspace)
    chain(example_workspace, "four", ["Upper", "Upper", "Upper", "Upper"])
    rt = Runtime(tmp_path / "data", inline=True)
    art = compile_file(example_workspace / "flows" / "four.flow.yaml", example_workspace, store=rt.artifacts)
    yield rt, art
    rt.db.close()


async def until(predicate, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not reached"
        await asyncio.sleep(0.005)


def completed(rt, execution_id):
    return [e.node for e in rt.event_log.list(execution_id) if e.type == ev.NODE_COMPLETED]


def test_breakpoint_pauses_before_node_then_step_and_continue(setup):
    rt, art = setup

    async def go():
        session = rt.create_debug_session(breakpoints={"n2"})
        execution_id = await rt.start(art, {"text": "a"}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "n2")
        assert rt.executions.get(execution_id).status == "Debug paused"
        assert completed(rt, execution_id) == ["n1"]
        paused = [e for e in rt.event_log.list(execution_id) if e.type == ev.DEBUG_PAUSED]
        assert paused[0].node == "n2" and paused[0].data["reason"] == "breakpoint"
        session.gate.step()
        await until(lambda: session.gate.paused_at == "n3")
        assert completed(rt, execution_id) == ["n1", "n2"]
        session.gate.resume()
        outcome = await rt.wait(execution_id, 5)
        assert outcome.output == {"text": "A", "big": 0}
        assert rt.executions.get(execution_id).status == "Completed"

    asyncio.run(go())


def test_fork_from_checkpoint_with_override_links_parent(setup):
    rt, art = setup

    async def go():
        parent = await rt.run(art, {"text": "a"})
        cps = rt.checkpoints.list(parent.execution_id)
        child_id, session = await rt.fork(parent.execution_id, cps[1].id, {"text": "forked"})
        outcome = await rt.wait(child_id, 5)
        assert session.mode == "FORK"
        assert outcome.output == {"text": "FORKED", "big": 0}
        child = rt.executions.get(child_id)
        assert child.parent_id == parent.execution_id and child.fork_checkpoint == cps[1].id
        assert completed(rt, child_id) == ["n3", "n4"]  # n1, n2 came from the parent's checkpoints
        assert [c.id for c in rt.executions.children(parent.execution_id)] == [child_id]
        with pytest.raises(AxiomError, match='override for "text" is null; remove the key instead'):
            await rt.fork(parent.execution_id, cps[1].id, {"text": None})
        with pytest.raises(AxiomError, match="over 1 MB"):
            await rt.fork(parent.execution_id, cps[1].id, {"text": "x" * (1024 * 1024 + 1)})

    asyncio.run(go())


def test_pause_requested_while_running_stops_before_next_dispatch(setup):
    rt, art = setup

    async def go():
        session = rt.create_debug_session()
        execution_id = await rt.start(art, {"text": "a"}, debug_session_id=session.id)
        session.gate.pause()
        await until(lambda: session.gate.paused_at is not None)
        assert rt.executions.get(execution_id).status == "Debug paused"
        session.gate.resume()
        assert (await rt.wait(execution_id, 5)).success

    asyncio.run(go())


def test_replay_reads_history_without_writing(setup):
    rt, art = setup
    outcome = asyncio.run(rt.run(art, {"text": "a"}))
    before = rt.db.conn.execute("SELECT total_changes()").fetchone()[0]
    events = rt.event_log.list(outcome.execution_id)
    cps = rt.checkpoints.list(outcome.execution_id)
    assert len(cps) == 4 and events[-1].type == ev.EXECUTION_COMPLETED
    assert rt.db.conn.execute("SELECT total_changes()").fetchone()[0] == before
