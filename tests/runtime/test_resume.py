"""Durable resume: a runtime SIGKILLed mid-run is resumed by the next one from its checkpoints."""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from engine_support import add_faults_package, chain
from resume_support import running as _running

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.runtime import Runtime

NODES = 6


@pytest.fixture
def slow_flow(example_workspace):
    add_faults_package(example_workspace)
    return chain(example_workspace, "slow6", ["Slow"] * NODES)


def _run_and_kill(flow: Path, data: Path, after: int, *, inline: bool) -> None:
    with _running(flow, data, after, inline=inline):
        pass


def _assert_resumed(data: Path, checkpoints_before: int) -> None:
    rt = Runtime(data, inline=True)
    try:
        (rec,) = rt.list_executions()
        assert rec.status == "Running"
        ids = asyncio.run(rt.resume_incomplete(wait=True))
        assert ids == [rec.id]
        rec = rt.find_execution(rec.id)
        assert rec.status == "Completed", rec.error
        assert rec.output == {"text": "a" + "+" * NODES, "big": "0"}
        events = rt.execution_events(rec.id)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        done = Counter(e.node for e in events if e.type == ev.NODE_COMPLETED)
        assert done == Counter({f"n{i}": 1 for i in range(1, NODES + 1)})
        resumed = [e for e in events if e.type == ev.EXECUTION_RESUMED]
        assert len(resumed) == 1 and resumed[0].data["completed_nodes"] >= checkpoints_before
        started_after = {e.node for e in events if e.type == ev.NODE_STARTED and e.seq > resumed[0].seq}
        assert started_after == {f"n{i}" for i in range(resumed[0].data["completed_nodes"] + 1, NODES + 1)}
        assert [c.step for c in rt.execution_checkpoints(rec.id)] == list(range(1, NODES + 1))
    finally:
        rt._db.close()


@pytest.mark.parametrize("after", [0, 1, 3, 5])
def test_sigkill_after_k_checkpoints_resumes_from_checkpoints(slow_flow, tmp_path, after):
    data = tmp_path / f"data{after}"
    _run_and_kill(slow_flow, data, after, inline=True)
    _assert_resumed(data, after)


def test_headless_resume_cli_after_sigkill(slow_flow, tmp_path):
    data = tmp_path / "data"
    _run_and_kill(slow_flow, data, 2, inline=True)
    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(data))
    out = subprocess.run([sys.executable, "-m", "axiom_ide", "executions", "resume", "--json", "--inline"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    (rec,) = json.loads(out.stdout)["resumed"]
    assert rec["status"] == "Completed" and rec["output"] == {"text": "a" + "+" * NODES, "big": "0"}


def test_sigkill_with_real_host_processes_resumes(slow_flow, tmp_path):
    data = tmp_path / "data"
    _run_and_kill(slow_flow, data, 2, inline=False)
    _assert_resumed(data, 2)


def test_a_run_another_live_runtime_owns_is_not_resumed_until_that_runtime_dies(slow_flow, tmp_path):
    data = tmp_path / "data"
    with _running(slow_flow, data, 1, inline=True):
        other = Runtime(data, inline=True)  # e.g. the IDE opened on the same data dir meanwhile
        try:
            (rec,) = other._executions.incomplete()
            assert asyncio.run(other.resume_incomplete()) == []
            assert other.find_execution(rec.id).owner == rec.owner != other._db.instance
        finally:
            asyncio.run(other.close())
    _assert_resumed(data, 1)  # its owner is gone: the next runtime takes it over
