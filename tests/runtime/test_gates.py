"""Parallel branches (engine/gates.py): while a join waits for a slower branch the execution reads
"Waiting on gate"; branch start / skip / finish and gate waiting / opened are in the event log."""
from __future__ import annotations

import pytest
from engine_support import add_faults_package, compile_file, until, write_flow

from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex

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
