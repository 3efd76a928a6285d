"""History tells the truth about re-runs: a node cut short by a dying runtime and run again after
resume shows as NODE_INTERRUPTED (its attempt) and a NODE_STARTED with the next attempt number."""
from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from engine_support import add_faults_package, chain, compile_file, write_flow
from resume_support import running

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.engine.loop import RunConfig
from axiom_ide.runtime.engine.replay import PENDING, RUNNING
from axiom_ide.runtime.engine.runner import INTERRUPTED_REASON
from axiom_ide.runtime.runtime import Runtime
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.events import EventStore
from axiom_ide.runtime.store.executions import ExecutionStore

NODES = 6


@pytest.fixture
def slow_flow(example_workspace):
    add_faults_package(example_workspace)
    return chain(example_workspace, "slow6", ["Slow"] * NODES)


def _killed_mid_node(flow: Path, data: Path, after: int, *, inline: bool) -> tuple[str, str]:
    """SIGKILL a ``flow run`` while a node runs; (execution id, the node whose attempt was cut)."""
    with running(flow, data, after, inline=inline):
        pass
    db = open_database(data)  # folds the dead process's step journal
    try:
        (rec,) = ExecutionStore(db).list()
        events = EventStore(db).list(rec.id)
    finally:
        db.close()
    done = {e.node for e in events if e.type == ev.NODE_COMPLETED}
    in_flight = [e for e in events if e.type == ev.NODE_STARTED and e.node not in done]
    # NODE_STARTED is durable before the node runs: the log already knows what was in flight.
    assert [(e.node, e.attempt) for e in in_flight] == [(f"n{len(done) + 1}", 1)]
    return rec.id, in_flight[0].node


@pytest.mark.parametrize("inline", [True, False], ids=["inline", "host"])
def test_a_node_in_flight_at_sigkill_shows_interrupted_then_attempt_2(slow_flow, tmp_path, inline):
    data = tmp_path / "data"
    execution_id, cut = _killed_mid_node(slow_flow, data, 2, inline=inline)

    rt = Runtime(data, inline=True)
    try:
        assert asyncio.run(rt.resume_incomplete(wait=True)) == [execution_id]
        rec = rt.find_execution(execution_id)
        assert rec.status == "Completed", rec.error
        assert rec.output == {"text": "a" + "+" * NODES, "big": "0"}
        events = rt.execution_events(execution_id)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        resumed = next(i for i, e in enumerate(events) if e.type == ev.EXECUTION_RESUMED)
        (interrupted,) = [e for e in events if e.type == ev.NODE_INTERRUPTED]
        assert (interrupted.node, interrupted.attempt, interrupted.data) == (cut, 1, {"reason": INTERRUPTED_REASON})
        # Right after EXECUTION_RESUMED, before the node's re-run, which is its attempt 2.
        after = [(e.type, e.node, e.attempt) for e in events[resumed + 1:resumed + 4]]
        assert after == [(ev.NODE_INTERRUPTED, cut, 1), (ev.NODE_STARTED, cut, 2), (ev.NODE_COMPLETED, cut, 2)]
        assert [(e.type, e.attempt) for e in events if e.node == cut and e.type != ev.LOG] == [
            (ev.NODE_STARTED, 1), (ev.NODE_INTERRUPTED, 1), (ev.NODE_STARTED, 2), (ev.NODE_COMPLETED, 2)]
        # Every other node ran once, as attempt 1; each completed exactly once.
        assert {e.attempt for e in events if e.type == ev.NODE_STARTED and e.node != cut} == {1}
        assert Counter(e.node for e in events if e.type == ev.NODE_COMPLETED) == Counter(
            {f"n{i}": 1 for i in range(1, NODES + 1)})
        assert {cp.node: cp.attempt for cp in rt.execution_checkpoints(execution_id)}[cut] == 2

        # Replay shows the cut attempt: running, then pending again until its re-run.
        replay = rt.create_debug_session("REPLAY", execution_id=execution_id).replay
        at = {p.event.seq: p for p in replay}
        started_1 = next(e.seq for e in events if e.node == cut and e.type == ev.NODE_STARTED)
        assert at[started_1].nodes[cut].status == RUNNING
        assert at[interrupted.seq].nodes[cut].status == PENDING and at[interrupted.seq].nodes[cut].attempt == 1
    finally:
        rt._db.close()


def test_killed_again_after_the_rerun_started_counts_on(slow_flow, tmp_path):
    """Two crashes in one node: attempts 1 and 2 interrupted, attempt 3 completes it."""
    data = tmp_path / "data"
    execution_id, cut = _killed_mid_node(slow_flow, data, 1, inline=True)
    # The headless resume runs it again, and is SIGKILLed too while that attempt 2 runs.
    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(data))
    proc = subprocess.Popen([sys.executable, "-m", "axiom_ide", "executions", "resume", "--inline"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while (cut, 2) not in _started(data / "axiom.db", execution_id):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    rt = Runtime(data, inline=True)
    try:
        asyncio.run(rt.resume_incomplete(wait=True))
        assert rt.find_execution(execution_id).status == "Completed"
        events = rt.execution_events(execution_id)
        assert [(e.type, e.attempt) for e in events if e.node == cut and e.type != ev.LOG] == [
            (ev.NODE_STARTED, 1), (ev.NODE_INTERRUPTED, 1), (ev.NODE_STARTED, 2), (ev.NODE_INTERRUPTED, 2),
            (ev.NODE_STARTED, 3), (ev.NODE_COMPLETED, 3)]
        assert [e.type for e in events].count(ev.EXECUTION_RESUMED) == 2
    finally:
        rt._db.close()


def _started(db: Path, execution_id: str) -> set[tuple[str, int]]:
    """(node, attempt) of the NODE_STARTED events another process's database holds so far."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return set(conn.execute("SELECT node, attempt FROM events WHERE execution_id = ? AND type = ?",
                                    (execution_id, ev.NODE_STARTED)))
        finally:
            conn.close()
    except sqlite3.Error:
        return set()


def test_a_run_that_was_never_cut_has_no_interrupted_events(example_workspace, tmp_path):
    add_faults_package(example_workspace)
    rt = Runtime(tmp_path / "data", inline=True)
    try:
        art = compile_file(chain(example_workspace, "two", ["Upper", "Upper"]), example_workspace,
                           store=rt._artifacts)
        eid = asyncio.run(rt.run(art.graph_id, {"text": "a"})).execution_id
        events = rt.execution_events(eid)
        assert [(e.type, e.node, e.attempt) for e in events if e.type.startswith("NODE_")] == [
            (ev.NODE_STARTED, "n1", 1), (ev.NODE_COMPLETED, "n1", 1),
            (ev.NODE_STARTED, "n2", 1), (ev.NODE_COMPLETED, "n2", 1)]
    finally:
        rt._db.close()


def test_retries_after_an_interruption_keep_the_full_budget(example_workspace, tmp_path):
    """Flaky fails its first call: after an interrupted attempt 1, attempts 2 (fails) and 3 (passes)
    run with max_attempts=2 — the interrupted attempt did not fail, so it costs no retry."""
    add_faults_package(example_workspace)
    marker = tmp_path / "flaky-marker"
    rt = Runtime(tmp_path / "data", inline=True)
    try:
        art = compile_file(chain(example_workspace, "flaky1", ["Flaky"]), example_workspace, store=rt._artifacts)
        compiled = rt.compiled(art)
        from axiom_ide.runtime.engine.loop import RunContext, run_node
        from axiom_ide.runtime.engine.recorder import Recorder
        from axiom_ide.runtime.engine.steps import start

        state = start(compiled.plan, compiled.encode_input({"text": str(marker)}))
        act = state.ready.popleft()
        recorder = Recorder("x" * 32, None, None)
        seen = []
        recorder.publish = seen.append
        ctx = RunContext("x" * 32, art.flow_name, "local", compiled.plan, compiled.codec, rt.invoker, recorder,
                         None, RunConfig(max_attempts=2), attempt_base={"n1": 1})
        result = asyncio.run(run_node(ctx, act))
        assert result.ok and result.attempt == 3
        assert [(e.type, e.attempt, e.data.get("final")) for e in seen] == [
            (ev.NODE_STARTED, 2, None), (ev.NODE_FAILED, 2, False), (ev.NODE_STARTED, 3, None)]
    finally:
        rt._db.close()


def test_parallel_branches_in_flight_are_each_interrupted_and_rerun(example_workspace, tmp_path):
    add_faults_package(example_workspace)
    flow = write_flow(example_workspace, "fork2", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: start, node: "tests/faults@0.1.0:Upper"}
          - {id: a, node: "tests/faults@0.1.0:Slow"}
          - {id: b, node: "tests/faults@0.1.0:Slow"}
          - {id: merge, node: "tests/faults@0.1.0:Upper"}
        edges:
          - {from: start, to: a}
          - {from: start, to: b}
          - {from: a, to: merge}
          - {from: b, to: merge}
        """)
    data = tmp_path / "data"
    with running(flow, data, 1, inline=True):  # start is done; a and b were dispatched together
        pass
    db = open_database(data)
    try:
        (rec,) = ExecutionStore(db).list()
        before = EventStore(db).list(rec.id)
    finally:
        db.close()
    done = {e.node for e in before if e.type == ev.NODE_COMPLETED}
    in_flight = {e.node for e in before if e.type == ev.NODE_STARTED} - done
    assert in_flight and in_flight <= {"a", "b", "merge"}

    rt = Runtime(data, inline=True)
    try:
        asyncio.run(rt.resume_incomplete(wait=True))
        assert rt.find_execution(rec.id).status == "Completed"
        events = rt.execution_events(rec.id)
        assert {(e.node, e.attempt) for e in events if e.type == ev.NODE_INTERRUPTED} == {(n, 1) for n in in_flight}
        for node in in_flight:
            assert [(e.type, e.attempt) for e in events if e.node == node and e.type.startswith("NODE_")] == [
                (ev.NODE_STARTED, 1), (ev.NODE_INTERRUPTED, 1), (ev.NODE_STARTED, 2), (ev.NODE_COMPLETED, 2)]
        assert Counter(e.node for e in events if e.type == ev.NODE_COMPLETED) == Counter(
            {"start": 1, "a": 1, "b": 1, "merge": 1})
    finally:
        rt._db.close()
