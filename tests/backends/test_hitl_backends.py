"""``Backend.resume_pause`` on both backends: LocalBackend over an in-process runtime and
RemoteBackend against a real ``serve`` on 127.0.0.1 answer alike (approve completes; a resume of a
run that is not paused raises ``not_paused`` with the server's message)."""
from __future__ import annotations

import asyncio

import live_server as live_mod
import pytest
from engine_support import compile_file
from hitl_support import approval_flow

from axiom_ide.backends.local import LocalBackend
from axiom_ide.backends.remote import RemoteBackend
from axiom_ide.runtime.errors import AxiomError


async def _approve_then_refuse(backend, execution_id: str):
    loop = asyncio.get_running_loop()
    end = loop.time() + 60
    while (await backend.get_execution(execution_id)).status != "Paused (HITL)":
        assert loop.time() < end, "the run never paused"
        await asyncio.sleep(0.01)  # polls the backend, as the IDE's pages do
    out = await backend.resume_pause(execution_id, "approve", {"text": "ok"})
    result = await backend.wait(execution_id, 30)
    with pytest.raises(AxiomError) as refused:
        await backend.resume_pause(execution_id, "approve")
    return out, result, refused.value


def test_local_backend_resume_pause(example_workspace, make_runtime, tmp_path, aio):
    rt = make_runtime(tmp_path / "data")
    art = compile_file(approval_flow(example_workspace), example_workspace, store=rt._artifacts)
    backend = LocalBackend(rt)

    async def go():
        eid = await backend.start(art.graph_id, {"text": "a"})
        return eid, await _approve_then_refuse(backend, eid)

    eid, (out, result, refused) = aio(go())
    assert out["execution_id"] == eid
    assert out["action"] == "approve" and out["node"] == "review"
    assert result.status == "Completed" and result.output["text"] == "OK"
    assert refused.diagnostics[0].code == "already_resumed"


def test_remote_backend_resume_pause(tmp_path, aio):
    live = live_mod.start_server(tmp_path)
    try:
        approval_flow(live.workspace)
        graph = live.compile("gated")
        backend = RemoteBackend(live.origin, live.key, poll_interval=0.05)

        async def go():
            try:
                eid = await backend.start(graph, {"text": "a"})
                return eid, await _approve_then_refuse(backend, eid)
            finally:
                await backend.close()

        eid, (out, result, refused) = aio(go())
        assert out == {"execution_id": eid, "node": "review", "action": "approve", "status": "Running"}
        assert result.status == "Completed" and result.output["text"] == "OK"
        assert refused.diagnostics[0].code == "already_resumed"
        assert "was already resumed (approved)" in refused.message
    finally:
        live_mod.stop_server(live)
