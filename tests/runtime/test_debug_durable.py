"""Debug sessions survive a runtime restart: a SIGKILLed run that was paused (or stepping) comes back
attached to its session, with its breakpoints, paused where it was."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from engine_support import add_faults_package, chain, compile_file, until, wait_for

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.runtime import Runtime

#: Runs in a subprocess: start a debug run of ``graph_id`` in session ``session_id`` and wait forever.
DEBUG_RUN = """
import asyncio, sys
from axiom_ide.runtime.runtime import Runtime

async def main(data, graph_id, session_id, inline):
    rt = Runtime(data, inline=inline == "inline")
    session = rt.debug_session(session_id)
    await rt.start(graph_id, {"text": "a"}, debug_session_id=session_id)
    if len(sys.argv) > 5:  # step once the run is paused
        while session.paused_at is None:
            await asyncio.sleep(0.005)
        session.step()
    await asyncio.Event().wait()

asyncio.run(main(*sys.argv[1:5]))
"""


@pytest.fixture
def flow(example_workspace):
    add_faults_package(example_workspace)
    return chain(example_workspace, "dbg5", ["Upper", "Slow", "Upper", "Upper", "Upper"]), example_workspace


def _prepare(flow, data: Path, breakpoints: set[str]) -> tuple[str, str]:
    path, workspace = flow
    rt = Runtime(data, inline=True)
    try:
        art = compile_file(path, workspace, store=rt._artifacts)
        session = rt.create_debug_session(breakpoints=breakpoints)
        return art.graph_id, session.id
    finally:
        rt._db.close()


def _session_row(db: Path, session_id: str) -> dict | None:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        conn.row_factory = sqlite3.Row
        try:
            row = conn.execute("SELECT s.control, s.paused_at, e.status FROM debug_sessions s "
                               "JOIN executions e ON e.id = s.execution_id WHERE s.id = ?", (session_id,)).fetchone()
            return dict(row) if row is not None else None
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def _run_until(data: Path, graph_id: str, session_id: str, want, *, inline: bool, step: bool = False) -> dict:
    """Start the debug run in a subprocess, SIGKILL it once the stored session row satisfies ``want``."""
    args = [sys.executable, "-c", DEBUG_RUN, str(data), graph_id, session_id, "inline" if inline else "host"]
    proc = subprocess.Popen(args + (["step"] if step else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, AXIOM_IDE_DATA_DIR=str(data)))
    try:
        deadline = time.monotonic() + 60
        while True:
            row = _session_row(data / "axiom.db", session_id)
            if row is not None and want(row):
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, row
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    return row


def _completed(rt: Runtime, execution_id: str) -> list[str]:
    return [e.node for e in rt.execution_events(execution_id) if e.type == ev.NODE_COMPLETED]


def test_paused_run_killed_comes_back_paused_at_its_breakpoint(flow, tmp_path, invoker, make_runtime, aio):
    data = tmp_path / "data"
    graph_id, session_id = _prepare(flow, data, {"n3"})
    # The session row and the execution's status are two writes: wait for both (the kill may land between)
    row = _run_until(data, graph_id, session_id, lambda r: r["control"] == "paused" and r["status"] == "Debug paused",
                     inline=invoker == "inline")
    assert row == {"control": "paused", "paused_at": "n3", "status": "Debug paused"}

    rt = make_runtime(data)

    async def go():
        (rec,) = rt.list_executions()
        assert rec.status == "Debug paused" and rec.debug_session == session_id
        assert await rt.resume_incomplete() == [rec.id]
        session = rt.debug_session(session_id)
        await until(lambda: session.paused_at == "n3")
        assert rt.find_execution(rec.id).status == "Debug paused"
        assert session.breakpoints == {"n3"} and session.execution_id == rec.id
        assert _completed(rt, rec.id) == ["n1", "n2"]
        events = rt.execution_events(rec.id)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert [(e.type, e.node, e.data.get("reason"), e.data.get("restored")) for e in events[-2:]] == [
            (ev.EXECUTION_RESUMED, None, None, None), (ev.DEBUG_PAUSED, "n3", "breakpoint", True)]
        assert [e.type for e in events].count(ev.EXECUTION_STARTED) == 1
        # the restored session keeps working: a new breakpoint, then continue, then continue again
        session.set_breakpoint("n5")
        session.resume()
        await until(lambda: session.paused_at == "n5")
        assert _completed(rt, rec.id) == ["n1", "n2", "n3", "n4"]
        session.resume()
        outcome = await rt.wait(rec.id, 30)
        assert outcome.status == "Completed" and outcome.output == {"text": "A+", "big": "0"}
        assert rt._debug_store.get(session_id).control == "run"

    aio(go())


def test_run_killed_while_stepping_reruns_that_node_then_pauses(flow, tmp_path, invoker, make_runtime, aio):
    data = tmp_path / "data"
    graph_id, session_id = _prepare(flow, data, {"n2"})
    # n2 is Slow (0.3 s): the subprocess steps into it and is killed while it runs
    row = _run_until(data, graph_id, session_id, lambda r: r["control"] == "step", inline=invoker == "inline",
                     step=True)
    assert row == {"control": "step", "paused_at": "n2", "status": "Running"}

    rt = make_runtime(data)

    async def go():
        (rec,) = rt.list_executions()
        # n2's NODE_STARTED is durable before it runs: the kill (almost always) caught it running
        cut = [e.attempt for e in rt.execution_events(rec.id) if e.type == ev.NODE_STARTED and e.node == "n2"]
        await rt.resume_incomplete()
        session = rt.debug_session(session_id)
        await until(lambda: session.paused_at == "n3")
        assert rt.find_execution(rec.id).status == "Debug paused"
        assert _completed(rt, rec.id) == ["n1", "n2"]
        events = rt.execution_events(rec.id)
        resumed = next(e.seq for e in events if e.type == ev.EXECUTION_RESUMED)
        assert [(e.type, e.node, e.attempt) for e in events if e.seq > resumed and e.type != ev.LOG] == (
            [(ev.NODE_INTERRUPTED, "n2", 1)] if cut == [1] else []) + [
            (ev.NODE_STARTED, "n2", len(cut) + 1), (ev.NODE_COMPLETED, "n2", len(cut) + 1), (ev.DEBUG_PAUSED, "n3", None)]
        assert events[-1].data["reason"] == "step"
        session.resume()
        assert (await rt.wait(rec.id, 30)).output == {"text": "A+", "big": "0"}
        assert Counter(_completed(rt, rec.id)) == Counter({f"n{i}": 1 for i in range(1, 6)})

    aio(go())


def test_breakpoint_edits_persist_across_runtimes(flow, tmp_path):
    data = tmp_path / "data"
    rt = Runtime(data, inline=True)
    session = rt.create_debug_session(breakpoints={"n1"})
    session.set_breakpoint("n4")
    session.set_breakpoint("n2")
    session.clear_breakpoint("n1")
    rt._db.close()

    rt = Runtime(data, inline=True)
    try:
        again = rt.debug_session(session.id)
        assert again is not session and again.mode == "LIVE" and again.breakpoints == {"n2", "n4"}
        again.clear_breakpoints()
        assert rt._debug_store.get(session.id).breakpoints == frozenset()
        again.set_breakpoints(["n3", "n5"])
    finally:
        rt._db.close()
    rt = Runtime(data, inline=True)
    try:
        assert rt.debug_session(session.id).breakpoints == {"n3", "n5"}
    finally:
        rt._db.close()


#: As DEBUG_RUN, for the Num flow below (input ``{"value": 0}``).
DEBUG_RUN_NUM = DEBUG_RUN.replace('{"text": "a"}', '{"value": 0}')


def test_hit_counts_survive_a_restart(example_workspace, tmp_path, invoker, make_runtime, aio):
    from engine_support import write_flow

    from axiom_ide.runtime.engine.debug import BreakpointOptions

    add_faults_package(example_workspace)
    path = write_flow(example_workspace, "twice-durable", """\
        mode: unary
        imports: [tests/faults@0.1.0]
        nodes:
          - {id: a, node: "tests/faults@0.1.0:Count"}
          - {id: b, node: "tests/faults@0.1.0:Count"}
        edges:
          - {from: a, to: b}
          - {from: b, to: a, loop: 1}
        """)
    data = tmp_path / "data"
    rt = Runtime(data, inline=True)
    try:
        graph_id = compile_file(path, example_workspace, store=rt._artifacts).graph_id
        session = rt.create_debug_session(breakpoints={"a", "b"})
        session.set_breakpoint("a", BreakpointOptions(hit_count=2))  # a's first reach counts, the second pauses
        session_id = session.id
    finally:
        rt._db.close()
    args = [sys.executable, "-c", DEBUG_RUN_NUM, str(data), graph_id, session_id, invoker]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, AXIOM_IDE_DATA_DIR=str(data)))
    def paused_at_b() -> bool:
        assert proc.poll() is None, proc.stderr.read().decode()
        row = _session_row(data / "axiom.db", session_id)
        return row is not None and (row["control"], row["paused_at"], row["status"]) == ("paused", "b", "Debug paused")

    try:
        assert wait_for(paused_at_b, timeout=60, interval=0.01), _session_row(data / "axiom.db", session_id)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)

    rt = make_runtime(data)

    async def go():
        (rec,) = rt.list_executions()
        session = rt.debug_session(session_id)
        assert session.hits == {"a": 1}  # stored with the options, read by the new runtime
        await rt.resume_incomplete()
        await until(lambda: session.paused_at == "b")
        session.clear_breakpoint("b")
        session.resume()
        await until(lambda: session.paused_at == "a")  # the second reach of a, counted across the restart
        assert session.hits == {"a": 2} and _completed(rt, rec.id) == ["a", "b"]
        session.resume()
        assert (await rt.wait(rec.id, 30)).success

    aio(go())
