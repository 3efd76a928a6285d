"""Reflection, complete: every ``ax.reflection.flow`` field of the SDK reference as a real node
host serves it — node ULIDs, condition summaries, loop iteration counts, and depth and the graph
stack inside a subflow. Once per invoker (real host processes, and in process)."""
from __future__ import annotations

import json

import pytest
from engine_support import compile_file, write_flow
from model_support import add_probe_package

from axiom_ide.runtime.engine.reflection import condition_summary
from axiom_ide.runtime.packages.node_id import node_id

PKG = "tests/probe@0.1.0"


@pytest.fixture
def ws(example_workspace):
    add_probe_package(example_workspace)
    return example_workspace


def run(rt, ws, aio, flow, data):
    artifact = compile_file(ws / "flows" / f"{flow}.flow.yaml", ws, store=rt._artifacts)
    outcome = aio(rt.run(artifact, data, timeout=30))
    assert outcome.error is None, outcome.error
    return artifact, [json.loads(s) for s in outcome.output.get("seen", [])]


def test_reflection_inside_a_loop_counts_iterations_and_summarises_the_condition(make_runtime, tmp_path, ws, aio):
    write_flow(ws, "probe_loop", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look"}}
          - {{id: b, node: "{PKG}:Look"}}
        edges:
          - {{from: a, to: b}}
          - {{from: b, to: a, loop: 5, when: "output.n < 6"}}
        """)
    rt = make_runtime(tmp_path / "data")
    artifact, seen = run(rt, ws, aio, "probe_loop", {"n": 0})
    assert [r["node"] for r in seen] == ["a", "b", "a", "b", "a", "b"]
    # keyed by the loop's destination instance (a is instance 1): 0, then 1 and 2 loop-backs
    assert [r["loops"] for r in seen] == [{}, {}, {"1": 1}, {"1": 1}, {"1": 2}, {"1": 2}]
    ulid = node_id("tests/probe", "0.1.0", "Look")
    assert {r["ulid"] for r in seen} == {ulid} and len(ulid) == 26
    assert seen[0]["edges"] == [{"id": "a->b", "summary": None}, {"id": "b->a", "summary": ["n", "LT", ["6"]]}]
    assert {(r["depth"], tuple(r["stack"]), r["graph_id"]) for r in seen} == {(0, (), artifact.graph_id)}


def test_reflection_inside_a_subflow_has_its_depth_and_graph_stack(make_runtime, tmp_path, ws, aio):
    write_flow(ws, "probe_inner", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: x, node: "{PKG}:Look"}}
          - {{id: y, node: "{PKG}:Look"}}
        edges:
          - {{from: x, to: y, when: 'output.mode == "go"'}}
        """)
    write_flow(ws, "probe_middle", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: m, node: "{PKG}:Look"}}
          - {{id: inner, node: "flow:probe_inner"}}
        edges:
          - {{from: m, to: inner}}
        """)
    write_flow(ws, "probe_outer", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look"}}
          - {{id: middle, node: "flow:probe_middle"}}
          - {{id: c, node: "{PKG}:Look"}}
        edges:
          - {{from: a, to: middle}}
          - {{from: middle, to: c}}
        """)
    rt = make_runtime(tmp_path / "data")
    artifact, seen = run(rt, ws, aio, "probe_outer", {"n": 0, "mode": "go"})
    middle = next(n for n in artifact.nodes if n.id == "middle").subflow
    inner = next(n for n in middle.nodes if n.id == "inner").subflow
    assert [(r["node"], r["depth"], r["stack"], r["graph_id"]) for r in seen] == [
        ("a", 0, [], artifact.graph_id),
        ("m", 1, [artifact.graph_id], middle.graph_id),
        ("x", 2, [artifact.graph_id, middle.graph_id], inner.graph_id),
        ("y", 2, [artifact.graph_id, middle.graph_id], inner.graph_id),
        ("c", 0, [], artifact.graph_id),
    ]
    assert seen[2]["edges"] == [{"id": "x->y", "summary": ["mode", "EQ", ["go"]]}]


def test_a_subflow_placement_reads_its_graph_id_as_its_ulid(ws):
    from axiom_ide.runtime.engine.reflection import reflection_views

    write_flow(ws, "probe_inner2", f"mode: unary\nimports: [{PKG}]\nnodes:\n  - {{id: x, node: \"{PKG}:Look\"}}\nedges: []\n")
    write_flow(ws, "probe_wrap", "mode: unary\nnodes:\n  - {id: s, node: \"flow:probe_inner2\"}\nedges: []\n")
    artifact = compile_file(ws / "flows" / "probe_wrap.flow.yaml", ws)
    view = reflection_views(artifact)["s"]
    assert view["nodes"][0]["node_ulid"] == artifact.nodes[0].subflow.graph_id
    assert view["nodes"][0]["node_type"] == "subflow"


@pytest.mark.parametrize("when,summary", [
    (None, None),
    ("output.value < 10.0", {"field": "value", "op": "LT", "operands": ["10.0"]}),
    ('output.kind == "a"', {"field": "kind", "op": "EQ", "operands": ["a"]}),
    ("3 <= output.n", {"field": "n", "op": "GTE", "operands": ["3"]}),
    ('"ToolX" in output.tools', {"field": "tools", "op": "EQ", "operands": ["ToolX"]}),
    ('output.text.contains("hi")', {"field": "text", "op": "CONTAINS", "operands": ["hi"]}),
    ("output.ok", {"field": "ok", "op": "EQ", "operands": ["true"]}),
    ("output.a > 1 && output.b < 2", {"field": "a", "op": "CEL", "operands": ["output.a > 1 && output.b < 2"]}),
])
def test_condition_summary_digests_the_when_text(when, summary):
    assert condition_summary(when) == summary
