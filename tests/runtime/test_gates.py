"""Parallel branches (engine/gates.py): while a join waits for a slower branch the execution reads
"Waiting on gate"; branch start / skip / finish and gate waiting / opened are in the event log."""
from __future__ import annotations

import pytest
from engine_support import add_faults_package, compile_file, until, write_flow
from resume_support import running

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime import statuses as ex

PKG = "tests/faults@0.1.0"
BRANCH_EVENTS = (ev.BRANCH_STARTED, ev.BRANCH_SKIPPED, ev.BRANCH_FINISHED, ev.GATE_WAITING, ev.GATE_OPENED)


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_a_join_waiting_for_a_branch_reads_waiting_on_gate(example_workspace, make_runtime, tmp_path, aio):
    add_faults_package(example_workspace)
    path = write_flow(example_workspace, "diamond", f"""\
mode: unary
imports: [{PKG}]
nodes:
  - id: n0
    node: {PKG}:Upper
  - id: fast
    node: {PKG}:Upper
  - id: slow
    node: {PKG}:Slow
  - id: never
    node: {PKG}:Upper
  - id: j
    node: {PKG}:Upper
edges:
  - from: n0
    to: fast
  - from: n0
    to: slow
  - from: n0
    to: never
    when: output.text == "zzz"
  - from: fast
    to: j
  - from: slow
    to: j
  - from: never
    to: j
""")
    rt = make_runtime(tmp_path / "data")
    art = compile_file(path, example_workspace, store=rt._artifacts)

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        await until(lambda: rt.find_execution(eid).status == ex.WAITING_ON_GATE)
        return eid, await rt.wait(eid, 30)

    eid, outcome = aio(go())
    assert outcome.status == ex.COMPLETED, outcome.error
    got = [(e.type, e.node, e.data.get("branch") or e.data.get("waiting_for") or e.data.get("branches"))
           for e in rt.execution_events(eid) if e.type in BRANCH_EVENTS]
    assert got == [
        (ev.BRANCH_STARTED, "fast", "n0->fast"),
        (ev.BRANCH_STARTED, "slow", "n0->slow"),
        (ev.BRANCH_SKIPPED, "never", "n0->never"),
        (ev.GATE_WAITING, "j", ["fast", "slow"]),  # the skipped branch settled the gate's first edge
        (ev.BRANCH_FINISHED, "fast", "n0->fast"),
        (ev.BRANCH_FINISHED, "slow", "n0->slow"),
        (ev.GATE_OPENED, "j", 2),
    ]


def _half_open_join(workspace, approval: bool):
    """n0 → a → j and n0 → b → j, with b a node that never returns (Hang), gated by an approval or
    not: once a delivers, j waits for b."""
    add_faults_package(workspace)
    gate = '\n    approval: {prompt: "Go?"}' if approval else ""
    return write_flow(workspace, "half-open" + ("-hitl" if approval else ""), f"""\
mode: unary
imports: [{PKG}]
nodes:
  - id: n0
    node: {PKG}:Upper
  - id: a
    node: {PKG}:Upper
  - id: b
    node: {PKG}:Hang{gate}
  - id: j
    node: {PKG}:Upper
edges:
  - from: n0
    to: a
  - from: n0
    to: b
  - from: a
    to: j
  - from: b
    to: j
""")


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_a_resumed_approval_pause_reads_waiting_on_gate_while_the_join_still_waits(
        example_workspace, make_runtime, tmp_path, aio):
    rt = make_runtime(tmp_path / "data")
    art = compile_file(_half_open_join(example_workspace, True), example_workspace, store=rt._artifacts)

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        await until(lambda: rt.find_execution(eid).status == ex.PAUSED_HITL)
        assert [e.type for e in rt.execution_events(eid) if e.type in (ev.GATE_WAITING, ev.HITL_PAUSED)] == [
            ev.GATE_WAITING, ev.HITL_PAUSED]  # j waited for b before b's approval paused the run
        answer = await rt.resume_pause(eid, "approve")
        assert answer["status"] == ex.WAITING_ON_GATE
        assert rt.find_execution(eid).status == ex.WAITING_ON_GATE  # j still waits for b, which now runs
        await until(lambda: any(e.type == ev.NODE_STARTED and e.node == "b" for e in rt.execution_events(eid)))
        assert rt.find_execution(eid).status == ex.WAITING_ON_GATE
        assert await rt.cancel(eid)
        return eid, await rt.wait(eid, 30)

    eid, outcome = aio(go())
    assert outcome.status == ex.CANCELLED
    # the replay reads the history the same way
    after = {p.event.type: p.status for p in rt.replay(eid) if p.event is not None}
    assert after[ev.HITL_PAUSED] == ex.PAUSED_HITL and after[ev.HITL_RESUMED] == ex.WAITING_ON_GATE


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_a_continued_debug_pause_reads_waiting_on_gate_while_the_join_still_waits(
        example_workspace, make_runtime, tmp_path, aio):
    rt = make_runtime(tmp_path / "data")
    art = compile_file(_half_open_join(example_workspace, False), example_workspace, store=rt._artifacts)

    async def go():
        session = rt.create_debug_session(breakpoints={"b"})
        eid = await rt.start(art.graph_id, {"text": "a"}, debug_session_id=session.id)
        await until(lambda: session.gate is not None and session.gate.paused_at == "b")
        assert rt.find_execution(eid).status == ex.DEBUG_PAUSED
        assert any(e.type == ev.GATE_WAITING and e.node == "j" for e in rt.execution_events(eid))
        session.gate.resume()
        await until(lambda: rt.find_execution(eid).status != ex.DEBUG_PAUSED)  # the run wakes, then says so
        assert rt.find_execution(eid).status == ex.WAITING_ON_GATE  # not Running: j still waits for b
        await until(lambda: any(e.type == ev.NODE_STARTED and e.node == "b" for e in rt.execution_events(eid)))
        assert rt.find_execution(eid).status == ex.WAITING_ON_GATE
        assert await rt.cancel(eid)
        return eid, await rt.wait(eid, 30)

    eid, outcome = aio(go())
    assert outcome.status == ex.CANCELLED
    after = {p.event.type: p.status for p in rt.replay(eid) if p.event is not None}
    assert after[ev.DEBUG_PAUSED] == ex.DEBUG_PAUSED and after[ev.DEBUG_RESUMED] == ex.WAITING_ON_GATE


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_a_run_resumed_after_sigkill_reads_waiting_on_gate_at_once_while_its_join_waits(
        example_workspace, make_runtime, tmp_path, aio):
    data = tmp_path / "data"
    flow = _half_open_join(example_workspace, False)
    with running(flow, data, 2, inline=False):  # n0 and a checkpointed; j waits for b, which hangs
        pass
    rt = make_runtime(data)
    (rec,) = rt.list_executions()
    assert rec.status == ex.WAITING_ON_GATE  # what the killed runtime last stored

    async def go():
        assert await rt.resume_incomplete() == [rec.id]

        def rerun_started():  # b runs again (attempt 2) in the resumed run
            return any(e.type == ev.NODE_STARTED and e.node == "b" and e.attempt == 2 for e in rt.execution_events(rec.id))

        await until(rerun_started)
        # the resume's first write (EXECUTION_RESUMED with the status) already said Waiting on gate
        assert rt.find_execution(rec.id).status == ex.WAITING_ON_GATE
        gate_events = [e.type for e in rt.execution_events(rec.id) if e.type in (ev.GATE_WAITING, ev.GATE_OPENED)]
        assert gate_events == [ev.GATE_WAITING]  # not recorded twice by the resume
        assert await rt.cancel(rec.id)
        return await rt.wait(rec.id, 30)

    outcome = aio(go())
    assert outcome.status == ex.CANCELLED
    statuses = [(p.event.type, p.status) for p in rt.replay(rec.id) if p.event is not None]
    assert (ev.EXECUTION_RESUMED, ex.WAITING_ON_GATE) in statuses


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_a_fork_from_a_half_open_join_records_its_own_gate_waiting(example_workspace, make_runtime, tmp_path, aio):
    add_faults_package(example_workspace)
    path = write_flow(example_workspace, "half-slow", f"""\
mode: unary
imports: [{PKG}]
nodes:
  - id: n0
    node: {PKG}:Upper
  - id: a
    node: {PKG}:Upper
  - id: b
    node: {PKG}:Slow
  - id: j
    node: {PKG}:Upper
edges:
  - from: n0
    to: a
  - from: n0
    to: b
  - from: a
    to: j
  - from: b
    to: j
""")
    rt = make_runtime(tmp_path / "data")
    art = compile_file(path, example_workspace, store=rt._artifacts)

    async def go():
        parent = await rt.run(art.graph_id, {"text": "a"}, timeout=30)
        assert parent.status == ex.COMPLETED, parent.error
        at_a = next(cp for cp in rt.execution_checkpoints(parent.execution_id) if cp.node == "a")
        child_id, _ = await rt.fork(parent.execution_id, at_a.id, {})
        return child_id, await rt.wait(child_id, 30)

    child_id, outcome = aio(go())
    assert outcome.status == ex.COMPLETED, outcome.error
    got = [(e.type, e.node, e.data.get("waiting_for") or e.data.get("branches"))
           for e in rt.execution_events(child_id) if e.type in (ev.GATE_WAITING, ev.GATE_OPENED)]
    assert got == [(ev.GATE_WAITING, "j", ["b"]), (ev.GATE_OPENED, "j", 2)]  # a had delivered, b ran again
    statuses = [p.status for p in rt.replay(child_id) if p.event is not None and p.event.type == ev.GATE_WAITING]
    assert statuses == [ex.WAITING_ON_GATE]
