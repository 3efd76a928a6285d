"""Human-in-the-loop approval gates (engine/hitl.py): a run pauses before a node with ``approval:``,
and approve / reject / edited input / timeout decide what happens next."""
from __future__ import annotations

import pytest
from engine_support import compile_file, until
from hitl_support import approval_flow, pause_then_kill

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime import statuses as ex
from axiom_ide.runtime.errors import AxiomError


@pytest.fixture
def gated(example_workspace, make_runtime, tmp_path):
    def make(approval: str = '{prompt: "Ship it?"}'):
        rt = make_runtime(tmp_path / "data")
        art = compile_file(approval_flow(example_workspace, approval), example_workspace, store=rt._artifacts)
        return rt, art
    return make


async def _paused(rt, execution_id):
    await until(lambda: rt.find_execution(execution_id).status == ex.PAUSED_HITL)


def _types(rt, execution_id, *types):
    return [e for e in rt.execution_events(execution_id) if e.type in types]


def test_pause_then_approve_completes(gated, aio):
    rt, art = gated()

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        await _paused(rt, eid)
        (pause,) = _types(rt, eid, ev.HITL_PAUSED)
        assert pause.node == "review" and pause.data["prompt"] == "Ship it?"
        assert pause.data["input"] == {"text": "A", "big": "0"}
        assert [e.node for e in _types(rt, eid, ev.NODE_STARTED)] == ["n1"]  # nothing ran past the gate
        out = await rt.resume_pause(eid, "approve")
        assert out == {"execution_id": eid, "node": "review", "action": "approve", "status": ex.RUNNING}
        return eid, await rt.wait(eid, 30)

    eid, outcome = aio(go())
    assert outcome.status == ex.COMPLETED and outcome.output == {"text": "A", "big": "0"}
    (resumed,) = _types(rt, eid, ev.HITL_RESUMED)
    assert resumed.node == "review" and resumed.data == {"action": "approve"}


def test_reject_fails_the_run_with_a_clear_text(gated, aio):
    rt, art = gated()

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        await _paused(rt, eid)
        await rt.resume_pause(eid, "reject", comment="not today")
        return await rt.wait(eid, 30)

    outcome = aio(go())
    assert outcome.status == ex.FAILED
    assert outcome.error == 'node "review": approval rejected: not today'
    assert outcome.code == "APPROVAL_REJECTED"


def test_edited_input_reaches_the_node(gated, aio):
    rt, art = gated()

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        await _paused(rt, eid)
        with pytest.raises(AxiomError, match='input for node "review"'):
            await rt.resume_pause(eid, "approve", {"nope": 1})
        assert rt.find_execution(eid).status == ex.PAUSED_HITL  # a refused resume changes nothing
        await rt.resume_pause(eid, "approve", {"text": "edited"})
        return await rt.wait(eid, 30)

    outcome = aio(go())
    assert outcome.status == ex.COMPLETED and outcome.output["text"] == "EDITED"


def test_resume_of_a_run_that_is_not_paused_and_double_resume_are_refused(gated, aio):
    rt, art = gated()

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        await _paused(rt, eid)
        await rt.resume_pause(eid, "approve")
        await rt.wait(eid, 30)
        with pytest.raises(AxiomError) as again:
            await rt.resume_pause(eid, "reject")
        return again.value

    err = aio(go())
    assert err.diagnostics[0].code == "already_resumed"
    assert "was already resumed (approved); status: Completed" in err.message


def test_timeout_applies_on_timeout(gated, aio):
    rt, art = gated("{timeout: 0.2s, on_timeout: reject}")

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        outcome = await rt.wait(eid, 30)
        with pytest.raises(AxiomError) as late:
            await rt.resume_pause(eid, "approve")
        return eid, outcome, late.value

    eid, outcome, late = aio(go())
    assert outcome.status == ex.FAILED
    assert outcome.error == 'node "review": approval timed out after 0.2s (on_timeout: reject)'
    assert [e.data["outcome"] for e in _types(rt, eid, ev.HITL_TIMED_OUT)] == ["reject"]
    assert late.diagnostics[0].code == "pause_timed_out"


def test_timeout_that_approves_runs_the_node(gated, aio):
    rt, art = gated("{timeout: 0.2s, on_timeout: approve}")
    outcome = aio(rt.run(art.graph_id, {"text": "a"}, timeout=30))
    assert outcome.status == ex.COMPLETED and outcome.output["text"] == "A"


def test_approval_key_is_validated_with_file_and_line(example_workspace):
    from axiom_ide.runtime.model.flow_yaml import dumps_flow, load_flow
    from axiom_ide.runtime.model.validate import validate_flow_file

    path = approval_flow(example_workspace, "{prompt: '', timeout: soon, on_timeout: maybe, who: me}")
    diags = validate_flow_file(load_flow(str(path)))
    got = [(d.severity.value, d.location.line, d.message) for d in diags if d.code == "invalid_approval"]
    assert got == [
        ("error", 9, "nodes[1]: approval prompt must be a non-empty text"),
        ("error", 9, "nodes[1]: approval timeout must be a duration like 30s, 15m, 1h or 2d, not 'soon'"),
        ("error", 9, "nodes[1]: approval on_timeout must be \"reject\" or \"approve\", not 'maybe'"),
        ("warning", 9, 'nodes[1]: unknown approval key "who" (known: prompt, timeout, on_timeout, approvers)'),
    ]
    good = approval_flow(example_workspace, '{prompt: "Ship it?", timeout: 1h30m}')
    ff = load_flow(str(good))
    assert validate_flow_file(ff) == []
    assert ff.flow.node("review").approval == {"prompt": "Ship it?", "timeout": "1h30m"}
    assert dumps_flow(ff) == good.read_text()  # saves unchanged


def test_old_files_load_unchanged(example_workspace):
    from axiom_ide.runtime.model.flow_yaml import dumps_flow, load_flow

    path = approval_flow(example_workspace)
    plain = path.read_text().replace('    approval: {prompt: "Ship it?"}\n', "")
    path.write_text(plain)
    ff = load_flow(str(path))
    assert all(n.approval is None for n in ff.flow.nodes)
    assert dumps_flow(ff) == plain


@pytest.mark.parametrize("invoker", ["host"], indirect=True)
def test_pause_survives_sigkill_and_is_resumed_after_restart(example_workspace, make_runtime, tmp_path, aio):
    from axiom_ide.runtime.runtime import Runtime

    data = tmp_path / "data"
    first = Runtime(data, inline=True)
    art = compile_file(approval_flow(example_workspace), example_workspace, store=first._artifacts)
    aio(first.close())
    pause_then_kill(data, art.graph_id)

    rt = make_runtime(data)
    (rec,) = rt.list_executions()
    assert rec.status == ex.PAUSED_HITL

    async def go():
        assert await rt.resume_incomplete() == [rec.id]
        await until(lambda: rt.approvals.waiting(rec.id) == "review")
        assert rt.find_execution(rec.id).status == ex.PAUSED_HITL  # restored, never shown Running
        await rt.resume_pause(rec.id, "approve", {"text": "later"})
        return await rt.wait(rec.id, 30)

    outcome = aio(go())
    assert outcome.status == ex.COMPLETED and outcome.output["text"] == "LATER"
    assert len(_types(rt, rec.id, ev.HITL_PAUSED)) == 1  # the pause was restored, not repeated


def test_cancel_while_paused_ends_cancelled(gated, aio):
    rt, art = gated()

    async def go():
        eid = await rt.start(art.graph_id, {"text": "a"})
        await _paused(rt, eid)
        assert await rt.cancel(eid) is True
        return eid, await rt.wait(eid, 30)

    eid, outcome = aio(go())
    assert outcome.status == ex.CANCELLED
    assert rt.approvals.waiting(eid) is None


def test_an_approval_in_a_pipeline_flow_is_refused_by_compile(example_workspace):
    from axiom_ide.runtime.compiler.compile import compile_flow
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.packages import Workspace

    path = approval_flow(example_workspace)
    path.write_text(path.read_text().replace("mode: unary", "mode: pipeline"))
    with pytest.raises(AxiomError) as refused:
        compile_flow(load_flow(str(path)).flow, Workspace(example_workspace))
    assert [d.message for d in refused.value.diagnostics if d.code == "approval_in_pipeline"] == [
        ('node "review" has an approval gate, but this is a pipeline flow, whose frames cannot wait for a human; '
        "remove the approval")]


def test_an_approval_inside_a_subflow_is_a_warning_naming_where_to_put_it(example_workspace):
    from axiom_ide.runtime.compiler.analyze import analyze_flow
    from axiom_ide.runtime.model.flow import Flow, FlowNode
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.packages import Workspace

    inner = load_flow(str(approval_flow(example_workspace))).flow
    outer = Flow("outer", nodes=[FlowNode("sub", "flow:gated")])
    a = analyze_flow(outer, Workspace(example_workspace), flow_resolver=lambda name: inner if name == "gated" else None)
    assert [(d.severity.value, d.message) for d in a.diagnostics if d.code == "approval_in_subflow"] == [
        ("warning", ('node "sub": subflow "gated" has approval gates (review) that do not pause inside a subflow; '
                    'put the approval on node "sub"'))]
