"""LocalBackend reads history only for its runtime's tenant: another tenant's execution on the same
data dir reads exactly like a missing one — its events, checkpoints, result and record."""
from __future__ import annotations

import pytest

from axiom_ide.backends import LocalBackend
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace


def test_tenant_b_cannot_read_tenant_a_history(tmp_path, example_workspace, make_runtime, aio):
    ws = example_workspace
    a = LocalBackend(make_runtime(tmp_path / "data", tenant_id="tenant-a"), lambda: Workspace(ws))
    b = LocalBackend(make_runtime(tmp_path / "data", tenant_id="tenant-b"), lambda: Workspace(ws))

    async def run_as_a():
        compiled = await a.compile(load_flow(ws / "flows" / "linear.flow.yaml", fast=True).flow)
        execution_id = await a.start(compiled.graph_id, {"text": "secret of a"})
        await a.wait(execution_id, 20)
        return execution_id

    execution_id = aio(run_as_a())
    own_events, own_checkpoints = aio(a.events(execution_id)), aio(a.checkpoints(execution_id))
    assert [e.type for e in own_events][-1] == "EXECUTION_COMPLETED"
    assert [cp.node for cp in own_checkpoints] == ["echo", "upper"]
    assert aio(a.get_execution(execution_id)).tenant_id == "tenant-a"

    assert aio(b.get_execution(execution_id)) is None
    assert aio(b.list_executions()) == []
    for read in (b.events, b.checkpoints, b.result):
        with pytest.raises(AxiomError) as caught:
            aio(read(execution_id))
        assert [(d.code, d.message) for d in caught.value.diagnostics] == [
            ("execution_not_found", "execution not found")], read
