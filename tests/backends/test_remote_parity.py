"""Remote parity against a real ``axiom-ide serve`` on 127.0.0.1 (a subprocess, its own data dir):
Run from here on a failed node — its input rebuilt by the remote from the upstream checkpoints, and
only the node and what is downstream re-run there (the remote's own events say so) — and datasets
run through RemoteBackend with the one batch implementation (runtime/batch.py)."""
from __future__ import annotations

import asyncio

import live_server as server_live
import pytest
import server_support
from engine_support import add_picky_package, chain, until

from axiom_ide.backends.remote import RemoteBackend
from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow_yaml import load_flow


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = server_live.start_server(tmp_path_factory.mktemp("remote-parity"))
    server_support.test_flows(server)
    add_picky_package(server.workspace)
    chain(server.workspace, "fixme", ["Upper", "Picky", "Upper"], pkg="tests/picky@0.1.0")
    yield server
    server_live.stop_server(server)


@pytest.fixture
def remote(live, aio):
    backend = RemoteBackend(live.origin, live.key, poll_interval=0.05)
    yield backend
    aio(backend.close())


def flow(live, name):
    return load_flow(live.workspace / "flows" / f"{name}.flow.yaml", fast=True).flow


def started(events):
    return [e.node for e in events if e.type == ev.NODE_STARTED]


async def failed_run(backend, live):
    compiled = await backend.compile(flow(live, "fixme"))
    parent = await backend.start(compiled.graph_id, {"text": "fixed"})  # n2 receives "FIXED" and fails
    result = await backend.wait(parent, 60)
    assert result.status == "Failed" and result.failure.node == "n2"
    return parent


def test_a_failed_nodes_input_is_rebuilt_by_the_remote_and_run_from_here_edits_it(live, remote, aio):
    async def go():
        parent = await failed_run(remote, live)
        payload = await remote.node_payload(parent, "n2")
        child = await remote.fork(parent, node="n2", input_override={"text": "fixed"})
        result = await remote.wait(child, 60)
        return parent, payload, child, result, await remote.events(child), await remote.get_execution(child)

    parent, payload, child, result, events, rec = aio(go())
    assert payload.status == "failed" and payload.error.startswith("not fixed: FIXED")
    assert payload.input == {"text": "FIXED", "big": "0"}  # what n1 delivered, rebuilt from its checkpoint
    assert result.status == "Completed" and result.output == {"text": "OK", "big": "0"}
    assert started(events) == ["n2", "n3"]  # n1's recorded output reused on the remote, not re-run
    assert rec.parent_id == parent and child != parent


def test_run_from_here_on_a_failed_node_without_edits_reruns_it_from_its_delivered_input(live, remote, aio):
    async def go():
        parent = await failed_run(remote, live)
        child = await remote.fork(parent, node="n2")
        result = await remote.wait(child, 60)
        return result, await remote.events(child), await remote.node_payload(child, "n2")

    result, events, payload = aio(go())
    assert result.status == "Failed" and result.failure.node == "n2"
    assert started(events) == ["n2"]
    assert payload.input == {"text": "FIXED", "big": "0"}


def test_fork_from_here_on_a_failed_node_is_refused_in_words(live, remote, aio):
    async def go():
        parent = await failed_run(remote, live)
        return await remote.fork(parent, node="n2", mode="output")

    with pytest.raises(AxiomError) as err:
        aio(go())
    assert err.value.message == 'node "n2" failed: it has no output to fork from; use Run from here'


def test_a_mapped_feeder_refuses_an_edited_input_on_the_remote_as_on_local(live, remote, aio):
    (live.workspace / "flows" / "fixme-mapped.flow.yaml").write_text(
        "name: fixme-mapped\nimports: [tests/picky@0.1.0]\nnodes:\n"
        "  - {id: n1, node: 'tests/picky@0.1.0:Upper'}\n  - {id: n2, node: 'tests/picky@0.1.0:Picky'}\n"
        "edges:\n  - from: n1\n    to: n2\n    map:\n      text: text\n      big: big\n", encoding="utf-8")

    async def go():
        compiled = await remote.compile(flow(live, "fixme-mapped"))
        parent = await remote.start(compiled.graph_id, {"text": "x"})
        await remote.wait(parent, 60)
        return await remote.fork(parent, node="n2", input_override={"text": "fixed"})

    with pytest.raises(AxiomError) as err:
        aio(go())
    assert "fed by a mapped edge" in err.value.message


# -- datasets --------------------------------------------------------------------------------------
async def collect(backend, graph_id, data, **kw):
    rows, summary = [], None
    async for item in backend.batches.rows(graph_id, data, **kw):
        if hasattr(item, "line"):
            rows.append(item)
        else:
            summary = item
    return rows, summary


def test_a_jsonl_dataset_runs_on_the_remote_with_per_row_errors_saved_locally(live, tmp_path, aio):
    from axiom_ide.runtime.batch import COMPLETED, FAILED, INVALID, load_batch

    backend = RemoteBackend(live.origin, live.key, poll_interval=0.05)
    backend.batch_dir = tmp_path / "ide"
    data = tmp_path / "rows.jsonl"
    data.write_text('{"text": "a"}\n{"text": 3}\nnot json\n{"text": "fixed"}\n{"text": "b"}\n', encoding="utf-8")

    async def go():
        compiled = await backend.compile(flow(live, "faults-upper"))
        boom = await backend.compile(flow(live, "faults-boom"))
        upper = await collect(backend, compiled.graph_id, data, concurrency=3)
        failing = await collect(backend, boom.graph_id, data, concurrency=2)
        listed = await backend.batches.saved()
        return upper, failing, listed, await backend.list_executions(limit=500)

    try:
        (rows, summary), (failing, failed_summary), listed, executions = aio(go())
    finally:
        aio(backend.close())
    assert [r.line for r in rows] == [1, 2, 3, 4, 5]  # in row order, whatever order they ended in
    assert [r.status for r in rows] == [COMPLETED, INVALID, INVALID, COMPLETED, COMPLETED]
    assert rows[0].output == {"text": "A", "big": "0"} and rows[4].output["text"] == "B"
    assert rows[1].error.startswith(f"{data}:2: invalid JSON for Text: ")  # refused here, never sent
    assert rows[2].error.startswith(f"{data}:3: not valid JSON")
    assert (summary.rows, summary.completed, summary.invalid, summary.failed) == (5, 3, 2, 0)
    ran = {r.execution_id for r in rows if r.execution_id}
    assert len(ran) == 3 and ran <= {e.id for e in executions}  # they ran on the remote
    assert [r.status for r in failing if r.status != INVALID] == [FAILED] * 3
    assert failing[0].error == 'node "n1": boom: a'  # the execution's error, as a local batch records it
    batch = load_batch(tmp_path / "ide", summary.batch_id)
    assert batch.header["remote"] == live.origin and batch.header["flow"] == "faults-upper"
    assert [b.id for b in listed] == [failed_summary.batch_id, summary.batch_id]


def test_a_csv_dataset_reads_cells_by_the_remote_entry_messages_types(live, tmp_path, aio):
    from axiom_ide.runtime.batch import COMPLETED, INVALID

    backend = RemoteBackend(live.origin, live.key, poll_interval=0.05)
    backend.batch_dir = tmp_path / "ide"
    data = tmp_path / "rows.csv"
    data.write_text("text,big\nhello,12\nworld,twelve\n", encoding="utf-8")

    async def go():
        compiled = await backend.compile(flow(live, "faults-upper"))
        return await collect(backend, compiled.graph_id, data)

    try:
        rows, _summary = aio(go())
    finally:
        aio(backend.close())
    assert [r.status for r in rows] == [COMPLETED, INVALID]
    assert rows[0].input == {"text": "hello", "big": "12"} and rows[0].output == {"text": "HELLO", "big": "12"}
    assert rows[1].error == f'{data}:3: column `big`: "twelve" is not an integer'


def test_cancelling_a_remote_batch_cancels_its_remote_runs_and_saves_the_rows_done(live, tmp_path, aio):
    from axiom_ide.runtime.batch import load_batch

    backend = RemoteBackend(live.origin, live.key, poll_interval=0.05)
    backend.batch_dir = tmp_path / "ide"
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(f'{{"text": "r{i}"}}\n' for i in range(40)), encoding="utf-8")

    async def go():
        compiled = await backend.compile(flow(live, "faults-slow"))
        seen = []

        async def consume():
            async for item in backend.batches.rows(compiled.graph_id, data, concurrency=2):
                seen.append(item)

        task = asyncio.ensure_future(consume())
        await until(lambda: len(seen) >= 2, 60)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        saved = await backend.batches.saved()
        return seen, saved, await backend.list_executions(limit=500)

    try:
        seen, saved, executions = aio(go())
    finally:
        aio(backend.close())
    batch = load_batch(tmp_path / "ide", saved[0].id)
    assert batch.summary["cancelled"] is True and 2 <= batch.summary["rows"] < 40
    ran = {r.execution_id for r in batch.rows()}
    mine = [e for e in executions if e.flow_name == "faults-slow" and e.id not in ran]
    assert mine and all(e.status in ("Cancelled", "Completed") for e in mine)  # none left running
    assert len(seen) >= 2


def test_a_remote_batch_waits_out_the_servers_rate_limit(tmp_path, aio):
    from axiom_ide.runtime.batch import COMPLETED

    server = server_live.start_server(tmp_path / "limited", "--limits", "invoke_rate=4,invoke_burst=2")
    waits = []
    backend = RemoteBackend(server.origin, server.key, poll_interval=0.05,
                            on_retry=lambda status, seconds: waits.append((status, seconds)))
    backend.batch_dir = tmp_path / "ide"
    data = tmp_path / "rows.jsonl"
    data.write_text("".join(f'{{"name": "n{i}"}}\n' for i in range(6)), encoding="utf-8")

    async def go():
        compiled = await backend.compile(flow(server, "hello"))
        return await collect(backend, compiled.graph_id, data, concurrency=3)

    try:
        rows, summary = aio(go())
    finally:
        aio(backend.close())
        server_live.stop_server(server)
    assert [r.status for r in rows] == [COMPLETED] * 6 and summary.ok
    assert waits and {status for status, _ in waits} == {429}  # waited out with the server's Retry-After


# -- flow tests over a remote: Save as test case, Compare runs ------------------------------------
def test_compare_two_remote_runs_and_save_one_as_a_test_case(live, remote, tmp_path, aio):
    import yaml

    flow_path = tmp_path / "fixme.flow.yaml"

    async def go():
        compiled = await remote.compile(flow(live, "fixme"))
        a = await remote.start(compiled.graph_id, {"text": "fixed"})  # n2 fails
        await remote.wait(a, 60)
        b = await remote.fork(a, node="n2", input_override={"text": "fixed"})  # n2 passes
        await remote.wait(b, 60)
        view = await remote.flow_tests.run_diff(a, b)
        listing = await remote.flow_tests.save_test_case(flow_path, b, "fixed by hand")
        again = await remote.flow_tests.save_test_case(flow_path, a, "fails")
        return view, listing, again

    view, listing, again = aio(go())
    diff = view.diff
    n1, n2, n3 = diff["nodes"]
    # the edited input is an override of n1's recorded output: the fork's n1 says "fixed"
    assert diff["first_divergent_node"] == "n1" and n1["output"] == [{"path": "text", "a": "FIXED", "b": "fixed"}]
    assert n2["status"] == ["failed", "completed"] and n3["only_in"] == "b"
    assert {n["id"] for n in view.flow["nodes"]} == {"n1", "n2", "n3"}  # the first run's flow, to draw
    assert [c.name for c in listing.cases] == ["fixed by hand"] and listing.exists
    assert [c.name for c in again.cases] == ["fixed by hand", "fails"]
    cases = yaml.safe_load((tmp_path / "fixme.flow.test.yaml").read_text(encoding="utf-8"))["cases"]
    assert cases[0]["input"] == {"text": "fixed"} and cases[0]["expect"] == {"output": {"text": "OK", "big": "0"}}
    assert cases[1]["expect"]["failure"] == "NODE_FAILED" and "not fixed: FIXED" in cases[1]["expect"]["error"]


def test_running_flow_tests_on_a_remote_is_refused_in_words(remote, tmp_path, aio):
    with pytest.raises(AxiomError) as err:
        aio(remote.flow_tests.run_flow_tests(tmp_path / "x.flow.yaml"))
    assert err.value.message.startswith("Flow tests run on the local runtime only")


def test_a_remote_batch_runs_under_a_profile_and_refuses_an_unknown_one_before_saving(live, tmp_path, aio):
    with live.client() as client:
        made = client.post("/api/configs", json={"name": "quick", "flow": "faults-upper", "node_timeout_seconds": 5})
        assert made.status_code == 201, made.text
        config_id = made.json()["id"]
    backend = RemoteBackend(live.origin, live.key, poll_interval=0.05)
    backend.batch_dir = tmp_path / "ide"
    data = tmp_path / "rows.jsonl"
    data.write_text('{"text": "a"}\n', encoding="utf-8")

    async def go():
        compiled = await backend.compile(flow(live, "faults-upper"))
        by_name = await backend.batches.flow(compiled.graph_id, data, config_id="quick")
        by_id = await backend.batches.flow(compiled.graph_id, data, config_id=config_id)
        execution_id = await by_name.start({"text": "a"})
        record = await backend.get_execution(execution_id)
        with pytest.raises(AxiomError) as err:
            await backend.batches.flow(compiled.graph_id, data, config_id="nope")
        return by_id, record, err.value

    try:
        by_id, record, refused = aio(go())
    finally:
        aio(backend.close())
    assert by_id.flow_name == "faults-upper" and record.config_id == "quick"  # the run records the profile as given
    assert refused.message == 'config "nope" not found for flow "faults-upper"'
    assert not (tmp_path / "ide" / "batches").exists()  # nothing saved


def test_a_remote_without_the_entry_descriptors_refuses_a_csv_dataset_in_words(tmp_path, aio):
    from aiohttp import web

    async def handler(request):
        if request.path == "/api/graphs/01JX3F8Q4ZJ4M9W4Y0B8T2K7RD":
            return web.json_response({"graph_id": "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD", "flow": "f", "mode": "unary"})
        return web.json_response({"error": "not found"}, status=404)

    data = tmp_path / "rows.csv"
    data.write_text("text\na\n", encoding="utf-8")

    async def go():
        runner, origin = await server_live.serve_handler(handler)
        backend = RemoteBackend(origin, "k" * 64)
        backend.batch_dir = tmp_path / "ide"
        try:
            await collect(backend, "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD", data)
        finally:
            await backend.close()
            await runner.cleanup()

    with pytest.raises(AxiomError) as err:
        aio(go())
    assert "does not describe the flow's entry message" in err.value.message and "run a JSONL dataset" in err.value.message
    assert not (tmp_path / "ide" / "batches").exists()
