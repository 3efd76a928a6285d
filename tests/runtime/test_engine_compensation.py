"""Compensation (saga), once per invoker (real node host processes, and in process): a run that
fails after nodes completed runs their compensations in reverse completion order with the status "Compensating", records
each with events and checkpoints, and ends Failed with the original error and the outcome."""
from __future__ import annotations

import asyncio

import pytest
from engine_support import compile_file, write_flow
from model_support import add_probe_package

from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.model.flow_yaml import load_flow, save_flow
from axiom_ide.runtime.model.validate import validate_flow_file

PKG = "tests/probe@0.1.0"


@pytest.fixture
def ws(example_workspace):
    add_probe_package(example_workspace)
    return example_workspace


def saga(ws, name: str, undo_b: str = "Undo", undo_a: str = "Undo") -> None:
    write_flow(ws, name, f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look", compensate: undo-a}}
          - {{id: b, node: "{PKG}:Look", compensate: undo-b}}
          - {{id: c, node: "{PKG}:Fail"}}
          - {{id: undo-a, node: "{PKG}:{undo_a}"}}
          - {{id: undo-b, node: "{PKG}:{undo_b}"}}
        edges:
          - {{from: a, to: b}}
          - {{from: b, to: c}}
        """)


def run_watching(rt, ws, aio, flow):
    """Run ``flow``; returns the outcome and the execution's status as each compensation started."""
    artifact = compile_file(ws / "flows" / f"{flow}.flow.yaml", ws, store=rt._artifacts)
    statuses: list[str] = []

    def seen(e) -> None:
        if e.type == ev.COMPENSATION_STARTED:
            statuses.append(rt.find_execution(e.execution_id).status)

    rt.events.connect(seen)
    return aio(rt.run(artifact, {"n": 0}, timeout=30)), statuses


def comp_events(rt, execution_id):
    kinds = (ev.COMPENSATION_STARTED, ev.COMPENSATION_COMPLETED, ev.COMPENSATION_FAILED, ev.NODE_STARTED,
             ev.NODE_COMPLETED, ev.NODE_FAILED, ev.EXECUTION_FAILED)
    return [(e.type, e.node, e.data.get("compensates")) for e in rt.execution_events(execution_id) if e.type in kinds]


def test_a_failure_runs_the_compensations_in_reverse_completion_order(make_runtime, tmp_path, ws, aio):
    saga(ws, "saga_ok")
    rt = make_runtime(tmp_path / "data")
    outcome, statuses = run_watching(rt, ws, aio, "saga_ok")
    assert outcome.status == "Failed"
    assert outcome.error == ('node "c": payment declined at step 2; compensation: '
                             '"undo-b" for "b" completed; "undo-a" for "a" completed')
    assert statuses == ["Compensating", "Compensating"]
    assert comp_events(rt, outcome.execution_id) == [
        ("NODE_STARTED", "a", None), ("NODE_COMPLETED", "a", None),
        ("NODE_STARTED", "b", None), ("NODE_COMPLETED", "b", None),
        ("NODE_STARTED", "c", None), ("NODE_FAILED", "c", None),
        ("COMPENSATION_STARTED", "undo-b", "b"), ("NODE_STARTED", "undo-b", None),
        ("NODE_COMPLETED", "undo-b", None), ("COMPENSATION_COMPLETED", "undo-b", "b"),
        ("COMPENSATION_STARTED", "undo-a", "a"), ("NODE_STARTED", "undo-a", None),
        ("NODE_COMPLETED", "undo-a", None), ("COMPENSATION_COMPLETED", "undo-a", "a"),
        ("EXECUTION_FAILED", "c", None),
    ]
    failed = rt.execution_events(outcome.execution_id)[-1]
    assert [(o["node"], o["compensates"], o["status"]) for o in failed.data["compensation"]] == [
        ("undo-b", "b", "completed"), ("undo-a", "a", "completed")]
    rec = rt.find_execution(outcome.execution_id)
    assert rec.status == "Failed" and rec.error == outcome.error
    cps = rt.execution_checkpoints(outcome.execution_id)
    assert [cp.node for cp in cps] == ["a", "b", "undo-b", "undo-a"]
    # each compensation received the compensated node's output (its checkpoint)
    assert cps[2].input == cps[1].output and cps[3].input == cps[0].output


def test_a_failing_compensation_is_recorded_and_the_rest_still_run(make_runtime, tmp_path, ws, aio):
    saga(ws, "saga_bad", undo_b="UndoFails")
    rt = make_runtime(tmp_path / "data")
    outcome, _ = run_watching(rt, ws, aio, "saga_bad")
    assert outcome.status == "Failed"
    assert outcome.error == ('node "c": payment declined at step 2; compensation: '
                             '"undo-b" for "b" failed: refund service down; "undo-a" for "a" completed')
    kinds = [(t, n) for t, n, _ in comp_events(rt, outcome.execution_id) if t.startswith("COMPENSATION")]
    assert kinds == [("COMPENSATION_STARTED", "undo-b"), ("COMPENSATION_FAILED", "undo-b"),
                     ("COMPENSATION_STARTED", "undo-a"), ("COMPENSATION_COMPLETED", "undo-a")]
    failed = [e for e in rt.execution_events(outcome.execution_id) if e.type == ev.COMPENSATION_FAILED]
    assert failed[0].data["error"] == "refund service down"
    assert rt.find_execution(outcome.execution_id).status == "Failed"


def test_a_run_that_succeeds_compensates_nothing(make_runtime, tmp_path, ws, aio):
    write_flow(ws, "saga_fine", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look", compensate: undo-a}}
          - {{id: undo-a, node: "{PKG}:Undo"}}
        edges: []
        """)
    rt = make_runtime(tmp_path / "data")
    outcome, statuses = run_watching(rt, ws, aio, "saga_fine")
    assert outcome.status == "Completed" and statuses == []
    assert not [e for e in rt.execution_events(outcome.execution_id) if e.type.startswith("COMPENSATION")]


@pytest.mark.parametrize("body,message,line", [
    ('  - {id: a, node: "P:Look", compensate: nope}\n', 'node "a": compensate names unknown node "nope"', 4),
    ('  - {id: a, node: "P:Look", compensate: a}\n', 'node "a": a node cannot compensate itself', 4),
    ('  - {id: a, node: "P:Look", compensate: 7}\n', 'node "a": "compensate" must be the canvas id of a node, not 7', 4),
])
def test_bad_compensate_declarations_are_errors_at_their_line(tmp_path, body, message, line):
    path = tmp_path / "bad.flow.yaml"
    path.write_text("name: bad\nmode: unary\nnodes:\n" + body.replace("P", PKG) + "edges: []\n")
    diags = [d for d in validate_flow_file(load_flow(path)) if d.severity.name == "ERROR"]
    assert [(d.message, d.location.line) for d in diags] == [(message, line)]


def test_a_compensation_node_cannot_have_edges_or_take_another_message(ws):
    write_flow(ws, "saga_edges", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look", compensate: undo-a}}
          - {{id: undo-a, node: "{PKG}:Undo"}}
          - {{id: z, node: "{PKG}:Look", compensate: other}}
          - {{id: other, node: "{PKG}:Other"}}
        edges:
          - {{from: a, to: z}}
          - {{from: z, to: undo-a}}
        """)
    ff = load_flow(ws / "flows" / "saga_edges.flow.yaml")
    errors = [(d.message, d.location.line) for d in validate_flow_file(ff) if d.severity.name == "ERROR"]
    assert errors == [('edges[1]: "undo-a" compensates "a" and runs only after a failure; it cannot have edges', 11)]
    from axiom_ide.runtime.errors import AxiomError

    with pytest.raises(AxiomError) as info:
        compile_file(ws / "flows" / "saga_edges.flow.yaml", ws)
    text = str(info.value)
    assert ('node "z": compensation "other" takes tests.probe.Other, but "z" outputs tests.probe.Probe '
            "(a compensation receives the output of the node it compensates)") in text
    assert 'edge "z" → "undo-a": "undo-a" compensates "a"' in text


def test_compensate_round_trips_and_old_files_load_unchanged(ws, tmp_path):
    saga(ws, "saga_rt")
    path = ws / "flows" / "saga_rt.flow.yaml"
    ff = load_flow(path)
    assert [(n.id, n.compensate) for n in ff.flow.nodes] == [
        ("a", "undo-a"), ("b", "undo-b"), ("c", None), ("undo-a", None), ("undo-b", None)]
    ff.flow.rename_node("undo-a", "refund")
    out = tmp_path / "out.flow.yaml"
    save_flow(ff, out)
    assert "compensate: refund" in out.read_text()
    assert load_flow(out).flow.node("a").compensate == "refund"
    old = ws / "flows" / "linear.flow.yaml"
    before = old.read_text()
    save_flow(load_flow(old), tmp_path / "linear.flow.yaml")
    assert (tmp_path / "linear.flow.yaml").read_text() == before


def test_flow_diff_reports_a_changed_compensation(ws):
    from axiom_ide.runtime.flowdiff import diff_flows

    saga(ws, "saga_d1")
    saga(ws, "saga_d2")
    a = load_flow(ws / "flows" / "saga_d1.flow.yaml").flow
    b = load_flow(ws / "flows" / "saga_d2.flow.yaml").flow
    b.update_node("b", compensate=None)
    d = diff_flows(a, b)
    assert [(c.field, c.old, c.new) for n in d.nodes_changed for c in n.changes] == [("compensate", "undo-b", None)]


def test_a_runtime_stopped_while_compensating_finishes_the_compensation_after_restart(tmp_path, ws, aio, make_runtime,
                                                                                       invoker):
    from axiom_ide.runtime.runtime import Runtime

    saga(ws, "saga_stop", undo_a="UndoOnce")
    data = tmp_path / "data"
    first = Runtime(data, inline=invoker == "inline")
    first.set_config("default", flow_name="saga_stop", secret_overrides={"HANG": "yes"})

    async def until_undo_a_runs():
        artifact = compile_file(ws / "flows" / "saga_stop.flow.yaml", ws, store=first._artifacts)
        reached = asyncio.Event()
        first.events.connect(lambda e: e.type == ev.LOG and e.node == "undo-a" and reached.set())
        execution_id = await first.start(artifact, {"n": 0})
        await reached.wait()  # the handler itself runs (and hangs)
        assert first.find_execution(execution_id).status == "Compensating"
        await first.close()  # a shutdown: the run stays incomplete
        return execution_id

    execution_id = aio(until_undo_a_runs())
    rt = make_runtime(data)
    assert rt.find_execution(execution_id).status == "Compensating"
    rt.set_config("default", flow_name="saga_stop", secret_overrides={"HANG": "no"})

    statuses: list[str] = []  # the stored status as each event of the resumed run is told
    rt.events.connect(lambda e: e.execution_id == execution_id and statuses.append(rt.find_execution(e.execution_id).status))

    async def resume():
        assert await rt.resume_incomplete() == [execution_id]
        return await rt.wait(execution_id, 30)

    outcome = aio(resume())
    assert outcome.status == "Failed"
    assert outcome.error == ('node "c": payment declined at step 2; compensation: '
                             '"undo-b" for "b" completed; "undo-a" for "a" completed')
    # it went on compensating at once: never Running again, and the failed node did not run again
    assert statuses and set(statuses) == {"Compensating"}  # (events are told as recorded, the end's before its status)
    resumed_at = next(e.seq for e in rt.execution_events(execution_id) if e.type == ev.EXECUTION_RESUMED)
    assert [e.node for e in rt.execution_events(execution_id) if e.type == ev.NODE_STARTED and e.seq > resumed_at] == [
        "undo-a"]
    assert outcome.diagnostic is not None and outcome.diagnostic.location.node == "c"
    kinds = [(e.type, e.node) for e in rt.execution_events(execution_id)
             if e.type.startswith("COMPENSATION") or e.type == ev.NODE_INTERRUPTED]
    assert kinds == [("COMPENSATION_STARTED", "undo-b"), ("COMPENSATION_COMPLETED", "undo-b"),
                     ("COMPENSATION_STARTED", "undo-a"), ("NODE_INTERRUPTED", "undo-a"),
                     ("COMPENSATION_STARTED", "undo-a"), ("COMPENSATION_COMPLETED", "undo-a")]
    assert [cp.node for cp in rt.execution_checkpoints(execution_id)] == ["a", "b", "undo-b", "undo-a"]
