"""Remote parity against a real ``axiom-ide serve`` on 127.0.0.1 (a subprocess, its own data dir):
Run from here on a failed node — its input rebuilt by the remote from the upstream checkpoints, and
only the node and what is downstream re-run there (the remote's own events say so) — and datasets
run through RemoteBackend with the one batch implementation (runtime/batch.py)."""
from __future__ import annotations

import live_server as server_live
import pytest
import server_support
from engine_support import add_picky_package, chain

from axiom_ide.backends.remote import RemoteBackend
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.store import events as ev


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
