"""The Backend protocol carries its own values (backends/values.py, CheckpointView), never a store
record: one execution run on a real ``axiom-ide serve`` reads as the same values through
RemoteBackend (built from the API's JSON) and through a LocalBackend over the server's data dir
(converted at its boundary) — history, events, checkpoints, configs and keys."""
from __future__ import annotations

from dataclasses import fields, replace

import live_server as server_live
import pytest
import server_support

from axiom_ide.backends import LocalBackend
from axiom_ide.backends.checkpoint_view import CheckpointView
from axiom_ide.backends.remote import RemoteBackend
from axiom_ide.backends.values import ApiKeyView, Event, Execution, FlowConfigView, from_record
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace


def to_ms(value):
    """A value with its times cut to the API's resolution (whole unix ms), so local and remote compare."""
    times = {f.name: int(getattr(value, f.name) * 1000) for f in fields(value)
             if f.name.endswith(("_at", "time", "last_used")) and isinstance(getattr(value, f.name), float)}
    return replace(value, **{k: v / 1000 for k, v in times.items()})


@pytest.fixture
def live(tmp_path):
    server = server_live.start_server(tmp_path / "remote")
    yield server
    server_live.stop_server(server)


def read_all(backend, execution_id, flow_name):
    async def go():
        return (await backend.get_execution(execution_id), await backend.list_executions(flow=flow_name),
                await backend.events(execution_id), await backend.checkpoints(execution_id),
                (await backend.flow_configs(flow_name)).profiles, await backend.console.list_keys(),
                await backend.console.list_configs(flow_name))
    return go()


def test_local_and_remote_hand_the_same_values_for_one_execution(live, make_runtime, aio):
    remote = RemoteBackend(live.origin, live.key, poll_interval=0.05)

    async def run():
        compiled = await remote.compile(load_flow(live.workspace / "flows" / "linear.flow.yaml", fast=True).flow)
        await remote.console.set_config("default", flow_name="linear", node_timeout_seconds=12)
        return (await remote.wait(await remote.start(compiled.graph_id, {"text": "hi"}), 30)).execution_id

    execution_id = aio(run())
    got_remote = aio(read_all(remote, execution_id, "linear"))
    aio(remote.close())
    local = LocalBackend(make_runtime(live.data_dir), lambda: Workspace(live.workspace))
    got_local = aio(read_all(local, execution_id, "linear"))

    for got in (got_remote, got_local):
        execution, listed, events, checkpoints, profiles, keys, configs = got
        assert type(execution) is Execution and {type(r) for r in listed} == {Execution}
        assert {type(e) for e in events} == {Event}
        assert {type(c) for c in checkpoints} == {CheckpointView}
        assert {type(p) for p in profiles} | {type(c) for c in configs} == {FlowConfigView}
        assert {type(k) for k in keys} == {ApiKeyView}
        assert execution.status == "Completed" and execution.output == {"text": "HI"} and execution.is_final
        assert [c.node for c in checkpoints] == ["echo", "upper"] and checkpoints[-1].output == {"text": "HI"}
        assert [p.node_timeout_seconds for p in profiles] == [12]

    (r_exec, r_list, r_events, r_cps, r_profiles, r_keys, r_configs) = got_remote
    (l_exec, l_list, l_events, l_cps, l_profiles, l_keys, l_configs) = got_local
    assert to_ms(l_exec) == to_ms(r_exec)
    # The executions list API serves summary rows (no input, no output); the rest is the same.
    l_list = [replace(e, input_json=None, output=None) for e in l_list]
    assert [e.id for e in l_list] == [e.id for e in r_list] == [execution_id]
    for local_values, remote_values in ((l_list, r_list), (l_events, r_events), (l_cps, r_cps),
                                        (l_profiles, r_profiles), (l_configs, r_configs)):
        assert len(local_values) == len(remote_values) > 0
        for a, b in zip(local_values, remote_values, strict=True):
            assert to_ms(a) == to_ms(b)
    assert [(k.name, k.masked) for k in l_keys] == [(k.name, k.masked) for k in r_keys] and l_keys


def test_live_events_reach_a_local_subscriber_as_event_values(tmp_path, example_workspace, make_runtime, aio):
    backend = LocalBackend(make_runtime(tmp_path / "data"), lambda: Workspace(example_workspace))
    seen: list = []
    unsubscribe = backend.subscribe(seen.append)

    async def go():
        compiled = await backend.compile(load_flow(example_workspace / "flows" / "hello.flow.yaml", fast=True).flow)
        result = await backend.wait(await backend.start(compiled.graph_id, {"name": "Ada"}), 20)
        return await backend.events(result.execution_id)

    events = aio(go())
    unsubscribe()
    assert {type(e) for e in seen} == {Event}
    assert [(e.seq, e.type, e.node) for e in seen] == [(e.seq, e.type, e.node) for e in events]
    assert from_record(Event, seen[0]) == seen[0]  # a value converts to an equal copy


def test_a_remote_failure_carries_the_served_error_value_as_local_does(live, make_runtime, aio):
    """A node that raised: the remote's Execution has the error value the API serves (location,
    exception type — not the traceback, which stays on the server), so its Failure names the same
    node and exception type as the LocalBackend reading the same execution."""
    server_support.test_flows(live)
    remote = RemoteBackend(live.origin, live.key, poll_interval=0.05)

    async def run():
        compiled = await remote.compile(load_flow(live.workspace / "flows" / "faults-boom.flow.yaml", fast=True).flow)
        result = await remote.wait(await remote.start(compiled.graph_id, {"text": "x"}), 60)
        return result, await remote.get_execution(result.execution_id)

    r_result, r_exec = aio(run())
    aio(remote.close())
    local = LocalBackend(make_runtime(live.data_dir), lambda: Workspace(live.workspace))
    l_result, l_exec = aio(local.result(r_result.execution_id)), aio(local.get_execution(r_result.execution_id))

    assert r_exec.diagnostic is not None and r_exec.diagnostic.location.node == "n1"
    assert l_exec.diagnostic is not None and l_exec.diagnostic.traceback and r_exec.diagnostic.traceback is None
    same = lambda f: (f.kind, f.message, f.node, f.edge, f.exception_type)  # noqa: E731
    assert same(r_result.failure) == same(l_result.failure)
    assert r_result.failure.node == "n1" and r_result.failure.exception_type
