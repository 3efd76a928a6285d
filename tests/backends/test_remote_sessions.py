"""RemoteBackend.sessions against a real ``axiom-ide serve`` (a subprocess with its own data dir):
the replay of a finished remote run folds to the same timeline as the local runtime's replay of the
same flow; forks, fork descendants and REPLAY sessions go through the remote's debug-session
routes; an unknown execution is refused, naming it."""
from __future__ import annotations

import live_server
import pytest
from engine_support import compile_file

from axiom_ide.backends.local import LocalBackend
from axiom_ide.backends.replay_view import ReplayView
from axiom_ide.runtime.errors import AxiomError

live = live_server.live_fixture("remote-sessions")
remote = live_server.remote_fixture()


def run_remote(live, flow: str, data: dict) -> str:
    graph = live.compile(flow)
    with live.client() as client:
        answer = client.post("/invocations/v1/flows/invoke", json={"graph_id": graph, "input": data, "wait": True})
    assert answer.status_code in (200, 202) and answer.json()["result"]["success"], answer.text
    return str(answer.json()["execution_id"])


def timeline(view: ReplayView) -> list[tuple[str, str | None, dict[str, str]]]:
    """Per point: the execution status, the event there and each node's status."""
    return [(p.status, view.events[p.index].type if p.index >= 0 else None,
             {n: s.status for n, s in p.nodes.items()}) for p in view.points]


@pytest.mark.parametrize("invoker", ["inline"])
@pytest.mark.parametrize("flow, data", [("linear", {"text": "hi"}), ("branching", {"text": ""})])
def test_a_remote_replay_is_the_local_replay(live, remote, aio, tmp_path, example_workspace, make_runtime,
                                             flow, data):
    backend = remote()
    execution_id = run_remote(live, flow, data)
    view = aio(backend.sessions.replay(execution_id))
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / f"{flow}.flow.yaml", example_workspace, store=rt._artifacts)
    local = aio(LocalBackend(rt).sessions.replay(aio(rt.run(art, data)).execution_id))

    assert view.execution.id == execution_id and view.execution.status == "Completed"
    assert view.node_ids == local.node_ids
    assert view.flow == local.flow and view.flow["name"] == flow
    if flow == "linear":  # one chain: the same events in the same order, point by point
        assert timeline(view) == timeline(local)
    assert timeline(view)[-1] == timeline(local)[-1]
    assert sorted(r.node for r in view.checkpoint_rows) == sorted(r.node for r in local.checkpoint_rows)
    last = view.node_ids[-1]
    assert view.payload(len(view) - 1, last).output == local.payload(len(local) - 1, last).output


def test_fork_forks_and_a_replay_session(live, remote, aio):
    backend = remote()
    parent = run_remote(live, "linear", {"text": "hi"})
    view = aio(backend.sessions.replay(parent))
    first = view.checkpoint_rows[0]
    assert first.node == "echo" and view.checkpoint(first.id).output == {"text": "hi"}

    session = aio(backend.sessions.fork(parent, first.id, {"text": "forked"}))
    assert session["mode"] == "FORK"
    child = session["execution_id"]
    result = aio(backend.wait(child, 60))
    assert result.status == "Completed" and result.output == {"text": "FORKED"}
    assert aio(backend.sessions.forks(parent)) == [child]
    forked = aio(backend.sessions.replay(child))
    assert forked.execution.parent_id == parent
    assert {n: s.status for n, s in forked.at(len(forked) - 1).nodes.items()} == {"echo": "completed",
                                                                                   "upper": "completed"}

    replay = aio(backend.sessions.replay_session(parent))
    assert replay["mode"] == "REPLAY" and replay["execution_id"] == parent
    stored = aio(backend.debug_session(replay["session_id"]))
    assert stored["mode"] == "REPLAY" and stored["execution_id"] == parent
    assert len(aio(backend.sessions.replay(parent))) == len(view)  # only read history


def test_an_unknown_execution_is_refused_naming_it(remote, aio):
    backend = remote()
    with pytest.raises(AxiomError) as info:
        aio(backend.sessions.replay("01NOPE"))
    assert "01NOPE" in info.value.message and "not found" in info.value.message
    with pytest.raises(AxiomError) as info:
        aio(backend.sessions.forks("01NOPE"))
    assert "01NOPE" in info.value.message
