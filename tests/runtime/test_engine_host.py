"""A few flows through real node host processes (the default invoker) in one runtime: hosts reused
across runs, and what only a host survives (a node that exits its process). The whole engine suite
runs through hosts too (the ``invoker`` fixture)."""
from __future__ import annotations

import asyncio

import pytest
from engine_support import add_faults_package, chain, compile_file

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.runtime import Runtime


@pytest.fixture
def ws(example_workspace):
    add_faults_package(example_workspace)
    return example_workspace


def test_examples_and_faults_through_the_host(ws, tmp_path):
    chain(ws, "boom", ["Upper", "Boom"])
    chain(ws, "hang", ["Hang"])
    chain(ws, "crash", ["Crash"])

    async def go():
        rt = Runtime(tmp_path / "data")
        assert type(rt.invoker).__name__ == "HostPool"
        try:
            def art(name):
                return compile_file(ws / "flows" / f"{name}.flow.yaml", ws, store=rt._artifacts)
            assert (await rt.run(art("branching"), {"text": "Hello"}, timeout=30)).output == {"text": "HELLO hello"}
            assert (await rt.run(art("welcome"), {"name": "Ada"}, timeout=30)).output == {"text": "HEY! HELLO, ADA!"}
            assert (await rt.run(art("boom"), {"text": "x"}, timeout=30)).error == 'node "n2": boom: X'
            crashed = await rt.run(art("crash"), {"text": "x"}, timeout=30)
            assert crashed.status == "Failed"
            assert crashed.error.startswith('node host for tests/faults@0.1.0 exited (code 3) while running node "n1"')
            words = [f async for f in rt.stream(art("words"), {"text": "a b"})]
            assert [f.get("payload") for f in words] == [{"word": "A", "index": 0}, {"word": "B", "index": 1}, None]
            hang = art("hang")
            started = asyncio.Event()
            rt.events.connect(lambda e: e.type == ev.NODE_STARTED and e.node == "n1" and started.set())
            execution_id = await rt.start(hang, {"text": "x"})
            await asyncio.wait_for(started.wait(), 30)
            # Well inside the node's 60 s: the cancel did not wait for the handler.
            assert await asyncio.wait_for(rt.cancel(execution_id), 30)
            assert rt.find_execution(execution_id).status == "Cancelled"
            rt.set_config("default", flow_name="hang", node_timeout_seconds=1)
            timed = await rt.run(hang, {"text": "x"}, timeout=30)
            assert (timed.status, timed.error) == ("Failed", 'node "n1" timed out after 1s')
        finally:
            await rt.close()

    asyncio.run(go())
