"""A live listener of engine events that raises cannot fail a run, nor starve the listeners after it."""
from __future__ import annotations

import asyncio
import logging

import pytest
from engine_support import add_faults_package, chain, compile_file

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.runtime import Runtime


@pytest.mark.parametrize("invoker", ["inline", "host"])
def test_a_listener_raising_on_node_completed_neither_fails_the_run_nor_silences_later_listeners(
        invoker, tmp_path, example_workspace, caplog):
    add_faults_package(example_workspace)
    artifact = compile_file(chain(example_workspace, "two", ["Upper", "Upper"]), example_workspace)
    rt = Runtime(tmp_path / "data", inline=invoker == "inline")
    heard: list[str] = []

    def buggy(event) -> None:
        if event.type == ev.NODE_COMPLETED:
            raise RuntimeError("listener bug")

    rt.events.connect(buggy)
    rt.events.connect(lambda event: heard.append(event.type))

    async def go():
        try:
            outcome = await rt.run(artifact, {"text": "a"}, timeout=30)
            return outcome, rt.find_execution(outcome.execution_id).status, rt.execution_events(outcome.execution_id)
        finally:
            await rt.close()

    with caplog.at_level(logging.ERROR, logger="axiom_ide.runtime.observer"):
        outcome, stored, events = asyncio.run(go())
    assert (outcome.status, outcome.output, stored) == ("Completed", {"text": "A", "big": "0"}, "Completed"), outcome
    assert [e.type for e in events] == heard  # the log holds every event, the buggy listener's too
    assert heard.count(ev.NODE_COMPLETED) == 2 and heard[-1] == ev.EXECUTION_COMPLETED
    failures = [r for r in caplog.records if "listener" in r.getMessage()]
    assert len(failures) == 2 and all(r.exc_info[1].args == ("listener bug",) for r in failures)
