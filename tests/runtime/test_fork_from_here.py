"""Backend.fork (Run from here / Fork from here) and Backend.node_payload over a real runtime and hosts."""
from __future__ import annotations

import time

import pytest
from engine_support import add_faults_package, add_picky_package, chain, compile_file

from axiom_ide.backends.local import LocalBackend
from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.engine.debug import CHECKPOINT_EXPIRED
from axiom_ide.runtime.errors import AxiomError


@pytest.fixture
def setup(tmp_path, example_workspace, make_runtime):
    add_faults_package(example_workspace)
    chain(example_workspace, "four", ["Upper", "Upper", "Upper", "Upper"])
    chain(example_workspace, "fails", ["Upper", "Boom"])
    rt = make_runtime(tmp_path / "data")
    four = compile_file(example_workspace / "flows" / "four.flow.yaml", example_workspace, store=rt._artifacts)
    fails = compile_file(example_workspace / "flows" / "fails.flow.yaml", example_workspace, store=rt._artifacts)
    return rt, LocalBackend(rt), four, fails


def started(rt, execution_id):
    return [e.node for e in rt.execution_events(execution_id) if e.type == ev.NODE_STARTED]


def test_run_from_here_reruns_node_and_downstream_only(setup, aio):
    rt, backend, four, _ = setup

    async def go():
        parent = await rt.run(four, {"text": "a"})
        child = await backend.fork(parent.execution_id, node="n3")
        result = await backend.wait(child, 30)
        assert result.output == {"text": "A", "big": "0"}
        assert started(rt, child) == ["n3", "n4"]  # n1, n2: recorded outputs reused, not re-run
        assert rt.find_execution(child).parent_id == parent.execution_id
        edited = await backend.fork(parent.execution_id, node="n3", input_override={"text": "edited"})
        result = await backend.wait(edited, 30)
        assert result.output == {"text": "EDITED", "big": "0"}
        assert started(rt, edited) == ["n3", "n4"]
        entry = await backend.fork(parent.execution_id, node="n1", input_override={"text": "new"})
        assert (await backend.wait(entry, 30)).output == {"text": "NEW", "big": "0"}

    aio(go())


def test_fork_from_here_keeps_the_node_output(setup, aio):
    rt, backend, four, _ = setup

    async def go():
        parent = await rt.run(four, {"text": "a"})
        child = await backend.fork(parent.execution_id, node="n2", mode="output")
        await backend.wait(child, 30)
        assert started(rt, child) == ["n3", "n4"]

    aio(go())


def test_fork_from_an_expired_checkpoint_is_refused(setup, aio):
    rt, backend, four, _ = setup

    async def go():
        parent = await rt.run(four, {"text": "a"})
        rt._checkpoints.expire(now=time.time() + 10, ttl_seconds=1)
        with pytest.raises(AxiomError, match=CHECKPOINT_EXPIRED):
            await backend.fork(parent.execution_id, node="n3")

    aio(go())


def test_node_payload_reads_input_output_and_failure(setup, aio):
    rt, backend, four, fails = setup

    async def go():
        ok = await rt.run(four, {"text": "a"})
        payload = await backend.node_payload(ok.execution_id, "n2")
        assert payload.executed and payload.input == {"text": "A", "big": "0"}
        assert payload.output == {"text": "A", "big": "0"}
        bad = await rt.run(fails, {"text": "x"})
        payload = await backend.node_payload(bad.execution_id, "n2")
        assert payload.status == "failed" and payload.exception_type == "ValueError"
        assert "boom: X" in (payload.error or "") and "Traceback" in (payload.traceback or "")

    aio(go())


def test_pipeline_nodes_checkpoint_their_frames(tmp_path, example_workspace, make_runtime, aio):
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "words.flow.yaml", example_workspace, store=rt._artifacts)
    backend = LocalBackend(rt)

    async def go():
        out = [f async for f in rt.stream(art, {"text": "to be or"}, timeout=10)]
        execution_id = out[0]["execution_id"]
        payloads = {n: await backend.node_payload(execution_id, n) for n in rt.compiled(art).plan.nodes}
        terminal = payloads[rt.compiled(art).plan.terminal]
        assert terminal.pipeline and terminal.executed
        assert terminal.output_frames == [{"word": "TO", "index": 0}, {"word": "BE", "index": 1},
                                          {"word": "OR", "index": 2}]
        assert all(p.checkpoint_id for p in payloads.values())
        with pytest.raises(AxiomError, match="pipeline execution cannot be forked"):
            await backend.fork(execution_id, node=rt.compiled(art).plan.terminal)

    aio(go())


def test_run_from_here_on_a_failed_node_reuses_upstream_and_takes_its_delivered_input(tmp_path, example_workspace,
                                                                                     make_runtime, aio):
    """A failed node has no checkpoint: its payload's input is what its upstream delivered, and Run
    from here forks there (upstream reused: the events prove it), as it is or with an edited input."""
    add_picky_package(example_workspace)
    chain(example_workspace, "fixme", ["Upper", "Picky", "Upper"], pkg="tests/picky@0.1.0")
    rt = make_runtime(tmp_path / "data")
    flow = compile_file(example_workspace / "flows" / "fixme.flow.yaml", example_workspace, store=rt._artifacts)
    backend = LocalBackend(rt)

    async def go():
        parent = await rt.run(flow, {"text": "fixed"})  # n2 gets "FIXED": it fails
        assert parent.status == "Failed"
        payload = await backend.node_payload(parent.execution_id, "n2")
        assert payload.status == "failed" and payload.checkpoint_id is None
        assert payload.input == {"text": "FIXED", "big": "0"}
        again = await backend.fork(parent.execution_id, node="n2")
        assert (await backend.wait(again, 30)).status == "Failed"
        assert started(rt, again) == ["n2"]  # n1 reused
        fixed = await backend.fork(parent.execution_id, node="n2", input_override={"text": "fixed"})
        result = await backend.wait(fixed, 30)
        assert result.status == "Completed", [e.data for e in rt.execution_events(fixed) if e.type == ev.NODE_FAILED]
        assert result.output == {"text": "OK", "big": "0"}
        assert started(rt, fixed) == ["n2", "n3"]
        assert rt.find_execution(fixed).parent_id == parent.execution_id
        with pytest.raises(AxiomError, match="no output to fork from"):
            await backend.fork(parent.execution_id, node="n2", mode="output")

    aio(go())
