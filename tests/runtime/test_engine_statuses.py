"""Execution statuses: every status the local engine reaches, stored with the docs' exact spelling."""
from __future__ import annotations

from engine_support import add_faults_package, chain, compile_file, until

from axiom_ide.runtime import statuses as ex

#: The status table of concepts/execution-model, in its order.
DOCS_STATUSES = ("Queued", "Running", "Paused (HITL)", "Waiting on gate", "Debug paused", "Completed", "Failed",
                 "Compensating", "Cancelled")


def test_status_constants_are_the_docs_table():
    assert ex.STATUSES == DOCS_STATUSES
    assert ex.FINAL_STATUSES == {"Completed", "Failed", "Cancelled"}


def test_every_reachable_status_is_produced_and_stored(tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    flows = {name: chain(example_workspace, name, nodes)
             for name, nodes in {"ok": ["Upper", "Slow"], "bad": ["Upper", "Boom"], "hang": ["Hang"]}.items()}
    rt = make_runtime(tmp_path / "data")
    seen: set[str] = set()

    def status(execution_id):
        seen.add(rt.find_execution(execution_id).status)
        return rt.find_execution(execution_id).status

    async def go():
        art = {n: compile_file(p, example_workspace, store=rt._artifacts) for n, p in flows.items()}
        ok = await rt.start(art["ok"], {"text": "a"})
        assert status(ok) == "Running"  # a fresh run is accepted, announced and Running in one commit
        await rt.wait(ok, 10)
        assert status(ok) == "Completed"
        first = rt.execution_checkpoints(ok)[0]
        fork, _ = await rt.fork(ok, first.id)
        assert status(fork) == "Queued"  # recorded with its checkpoints, not picked up yet
        await rt.wait(fork, 10)
        assert status(fork) == "Completed"
        bad = (await rt.run(art["bad"], {"text": "a"}, timeout=10)).execution_id
        assert status(bad) == "Failed"
        session = rt.create_debug_session(breakpoints={"n2"})
        paused = await rt.start(art["ok"], {"text": "a"}, debug_session_id=session.id)
        await until(lambda: session.paused_at == "n2")
        assert status(paused) == "Debug paused"
        session.resume()
        await rt.wait(paused, 10)
        hang = await rt.start(art["hang"], {"text": "a"})
        await until(lambda: status(hang) == "Running")
        assert await rt.cancel(hang)
        assert status(hang) == "Cancelled"

    aio(go())
    stored = {r.status for r in rt.list_executions(limit=100)}
    assert stored == {"Completed", "Failed", "Cancelled"}
    assert seen == {"Queued", "Running", "Debug paused", "Completed", "Failed", "Cancelled"}


def test_finished_executions_leave_running_and_wait_still_answers_from_the_store(tmp_path, example_workspace,
                                                                                   make_runtime, aio):
    add_faults_package(example_workspace)
    flows = {name: chain(example_workspace, name, nodes) for name, nodes in {"ok": ["Upper"], "hang": ["Hang"]}.items()}
    rt = make_runtime(tmp_path / "data")

    async def go():
        art = {n: compile_file(p, example_workspace, store=rt._artifacts) for n, p in flows.items()}
        done = [(await rt.run(art["ok"], {"text": f"r{i}"}, timeout=10)).execution_id for i in range(3)]
        hang = await rt.start(art["hang"], {"text": "h"})
        in_flight = rt.running()
        later = await rt.wait(done[0], 1)
        assert await rt.cancel(hang)
        return done, hang, in_flight, later, rt.running()

    done, hang, in_flight, later, after = aio(go())
    assert in_flight == [hang]  # the three finished runs are not kept
    assert (later.execution_id, later.status, later.output) == (done[0], "Completed", {"text": "R0", "big": "0"})
    assert after == []
