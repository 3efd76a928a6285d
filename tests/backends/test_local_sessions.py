"""LocalSessions.replay_session: a stored REPLAY session over an execution (what **Replay in
debugger** opens); an unknown execution is refused, naming it."""
from __future__ import annotations

import pytest
from engine_support import compile_file

from axiom_ide.backends.local import LocalBackend
from axiom_ide.runtime.errors import AxiomError


def test_replay_session_is_stored_and_only_reads(tmp_path, example_workspace, make_runtime, aio):
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "hello.flow.yaml", example_workspace, store=rt._artifacts)
    backend = LocalBackend(rt)
    run = aio(rt.run(art, {"name": "Ada"}))
    events = len(aio(backend.sessions.replay(run.execution_id)))
    session = aio(backend.sessions.replay_session(run.execution_id))
    assert session["mode"] == "REPLAY" and session["execution_id"] == run.execution_id
    stored = rt.debug_session(session["session_id"])
    assert stored.mode == "REPLAY" and stored.execution_id == run.execution_id
    assert len(aio(backend.sessions.replay(run.execution_id))) == events  # no event written


def test_replay_session_of_an_unknown_execution_is_refused(tmp_path, make_runtime, aio):
    backend = LocalBackend(make_runtime(tmp_path / "data"))
    with pytest.raises(AxiomError) as info:
        aio(backend.sessions.replay_session("nope"))
    assert "not found" in str(info.value)


def test_replay_carries_the_flow_as_compiled(tmp_path, example_workspace, make_runtime, aio):
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "linear.flow.yaml", example_workspace, store=rt._artifacts)
    run = aio(rt.run(art, {"text": "hi"}))
    flow = aio(LocalBackend(rt).sessions.replay(run.execution_id)).flow
    assert flow["name"] == "linear"
    assert [n["id"] for n in flow["nodes"]] == ["echo", "upper"]
    assert flow["edges"] == [{"from": "echo", "to": "upper"}]
