"""Compile: resolution, type checks, topology, subflows, immutable artifacts; and layout."""
from __future__ import annotations

import re
import sqlite3

import pytest

from axiom_ide.runtime.compiler.analyze import analyze_flow
from axiom_ide.runtime.compiler.artifact import Artifact
from axiom_ide.runtime.compiler.compile import compile_flow
from axiom_ide.runtime.compiler.layout import apply_layout, layout_cells
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace
from axiom_ide.runtime.store import ArtifactStore, open_database

TEXT = "examples/text@0.1.0"
MATH = "examples/math@0.1.0"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    import shutil

    from axiom_ide.runtime.examples import bundled_workspace

    root = tmp_path_factory.mktemp("ws") / "workspace"
    shutil.copytree(bundled_workspace(), root, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    return Workspace(root)


def flow_of(*nodes, edges=(), imports=(TEXT, MATH), **kw) -> Flow:
    return Flow("t", imports=list(imports), nodes=[FlowNode(i, r) for i, r in nodes], edges=list(edges), **kw)


def messages(analysis):
    return [d.message for d in analysis.diagnostics]


@pytest.mark.parametrize("name", ["hello", "linear", "greeter", "branching", "counter", "words", "square", "welcome"])
def test_every_example_flow_compiles_cleanly(workspace, name):
    ff = load_flow(workspace.root / "flows" / f"{name}.flow.yaml")
    artifact, analysis = compile_flow(ff.flow, workspace)
    assert analysis.diagnostics == []
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", artifact.graph_id)
    assert artifact.flow_name == name


def test_artifact_freezes_entry_terminal_mode_and_types(workspace):
    ff = load_flow(workspace.root / "flows" / "greeter.flow.yaml")
    artifact, _ = compile_flow(ff.flow, workspace)
    assert (artifact.entry, artifact.terminal, artifact.mode) == ("greet", "shout", "unary")
    assert (artifact.input_type, artifact.output_type) == ("examples.text.GreetRequest", "examples.text.Text")
    assert artifact.edges[0].map == (("text", 'greeting | trim | prefix("Hey! ")'),)
    assert [k for k, _ in artifact.descriptor_sets] == [TEXT]
    assert [n.handler for n in artifact.nodes] == ["greet", "upper"]


def test_pipeline_node_forces_pipeline_mode(workspace):
    flow = load_flow(workspace.root / "flows" / "words.flow.yaml").flow
    flow.mode = "unary"
    artifact, _ = compile_flow(flow, workspace)
    assert artifact.mode == "pipeline"


def test_loops_and_joins_are_frozen(workspace):
    counter = compile_flow(load_flow(workspace.root / "flows" / "counter.flow.yaml").flow, workspace)[0]
    assert [(e.src, e.dst, e.loop, e.when) for e in counter.loop_edges] == [("step", "bump", 5, "output.value < 10.0")]
    branching = compile_flow(load_flow(workspace.root / "flows" / "branching.flow.yaml").flow, workspace)[0]
    assert branching.joins == (("both", "abort"),)


def test_subflow_is_embedded_as_a_compiled_artifact(workspace):
    artifact, _ = compile_flow(load_flow(workspace.root / "flows" / "welcome.flow.yaml").flow, workspace)
    node = artifact.node("greeter")
    assert node.kind == "subflow"
    assert node.subflow.flow_name == "greeter"
    assert (node.input_type, node.output_type) == ("examples.text.GreetRequest", "examples.text.Text")
    assert artifact.input_type == "examples.text.GreetRequest"


def test_compile_never_changes_the_source(workspace):
    flow = load_flow(workspace.root / "flows" / "branching.flow.yaml").flow
    before = flow.to_plain()
    compile_flow(flow, workspace)
    assert flow.to_plain() == before


def test_artifact_json_round_trip_and_store(workspace, tmp_path):
    flow = load_flow(workspace.root / "flows" / "welcome.flow.yaml").flow
    db = open_database(tmp_path)
    store = ArtifactStore(db)
    artifact, _ = compile_flow(flow, workspace, store=store)
    again, _ = compile_flow(flow, workspace, store=store)
    assert again.graph_id != artifact.graph_id  # every compile is a new immutable artifact
    fresh = ArtifactStore(db)
    loaded = fresh.get(artifact.graph_id)
    assert loaded == artifact
    assert Artifact.from_json(artifact.to_json()) == artifact
    assert [r["graph_id"] for r in fresh.list("welcome")] == [again.graph_id, artifact.graph_id]
    with pytest.raises(sqlite3.IntegrityError):
        store.put(artifact)  # written once, never replaced
    db.close()


def test_topology_errors_use_the_docs_wording(workspace):
    two_starts = flow_of(("a", f"{TEXT}:Echo"), ("b", f"{TEXT}:Echo"), ("c", f"{TEXT}:Concat"),
                         edges=[FlowEdge("a", "c", {"left": "text"}), FlowEdge("b", "c", {"right": "text"})])
    a = analyze_flow(two_starts, workspace)
    assert messages(a) == ["graph must have exactly one start node"]
    assert a.errors[0].location.path == "found 2: a, b"

    two_ends = flow_of(("a", f"{TEXT}:Echo"), ("b", f"{TEXT}:Echo"), ("c", f"{TEXT}:Echo"),
                       edges=[FlowEdge("a", "b"), FlowEdge("a", "c")])
    assert messages(analyze_flow(two_ends, workspace)) == ["graph must have exactly one terminal node"]

    assert messages(analyze_flow(flow_of(), workspace)) == [
        "graph must have exactly one start node", "graph must have exactly one terminal node",
    ]


def test_cycles_and_unreachable_nodes(workspace):
    cyc = flow_of(("a", f"{TEXT}:Echo"), ("b", f"{TEXT}:Echo"), ("c", f"{TEXT}:Echo"), ("d", f"{TEXT}:Echo"),
                  edges=[FlowEdge("a", "b"), FlowEdge("b", "c"), FlowEdge("c", "b"), FlowEdge("c", "d")])
    assert "graph has a cycle: b → c → b; make the edge back a loop edge (loop: N)" in messages(analyze_flow(cyc, workspace))

    island = flow_of(("a", f"{TEXT}:Echo"), ("b", f"{TEXT}:Echo"), ("x", f"{TEXT}:Echo"), ("y", f"{TEXT}:Echo"),
                     edges=[FlowEdge("a", "b"), FlowEdge("x", "y"), FlowEdge("y", "x", loop=2), FlowEdge("y", "b")])
    msgs = messages(analyze_flow(island, workspace))
    assert msgs == ["graph must have exactly one start node"]


def test_pipeline_to_unary_is_refused(workspace):
    flow = flow_of(("w", f"{TEXT}:WordStream"), ("e", f"{TEXT}:Echo"), edges=[FlowEdge("w", "e", {"text": "word"})])
    a = analyze_flow(flow, workspace)
    assert messages(a) == ['edge "w" → "e": an edge leaving a pipeline node may only connect to another pipeline node']
    with pytest.raises(AxiomError) as info:
        compile_flow(flow, workspace)
    assert info.value.diagnostics[0].code == "pipeline_edge"


def test_unary_to_pipeline_is_allowed(workspace):
    flow = flow_of(("e", f"{TEXT}:Echo"), ("w", f"{TEXT}:WordStream"), edges=[FlowEdge("e", "w")])
    artifact, _ = compile_flow(flow, workspace)
    assert artifact.mode == "pipeline"


def test_type_warnings_are_amber_and_block_running(workspace):
    flow = flow_of(("g", f"{TEXT}:Greet"), ("u", f"{TEXT}:Upper"), edges=[FlowEdge("g", "u")])
    a = analyze_flow(flow, workspace)
    assert a.ok and len(a.warnings) == 1
    w = a.warnings[0]
    assert w.location.edge == ("g", "u") and w.code.startswith("type_")
    assert a.run_blockers() == ["Type warnings must be resolved before running."]
    # The mapping fixes it.
    flow.update_edge("g", "u", map={"text": "greeting"})
    assert analyze_flow(flow, workspace).diagnostics == []


def test_mismatched_field_kind_names_the_kinds(workspace):
    flow = flow_of(("s", f"{TEXT}:Score"), ("m", f"{MATH}:Increment"), edges=[FlowEdge("s", "m", {"value": "text"})])
    a = analyze_flow(flow, workspace)
    assert messages(a) == ['edge "s" → "m" field `value`: Type mismatch: `string` → `double`. Add a transform to convert the value.']


MISMATCH = 'edge "s" → "m" field `value`: Type mismatch: `string` → `double`. Add a transform to convert the value.'


def test_compile_refuses_a_type_mismatch_with_the_docs_text(workspace):
    flow = flow_of(("s", f"{TEXT}:Score"), ("m", f"{MATH}:Increment"), edges=[FlowEdge("s", "m", {"value": "text"})])
    with pytest.raises(AxiomError) as info:
        compile_flow(flow, workspace)
    (d,) = info.value.diagnostics
    assert (d.code, d.severity.value, d.message, d.location.edge) == ("type_mismatch", "error", MISMATCH, ("s", "m"))
    assert d.render() == f"error: {MISMATCH}"


def test_compile_refuses_a_required_field_left_unmapped_and_differing_messages(workspace):
    unmapped = flow_of(("g", f"{TEXT}:Greet"), ("c", f"{TEXT}:Concat"), edges=[FlowEdge("g", "c", {"left": "greeting"})])
    with pytest.raises(AxiomError) as info:
        compile_flow(unmapped, workspace)
    assert [(d.code, d.message) for d in info.value.diagnostics] == [
        ("type_required_unmapped", 'edge "g" → "c" field `right`: Required field `right` is not mapped.')]
    differ = flow_of(("g", f"{TEXT}:Greet"), ("u", f"{TEXT}:Upper"), edges=[FlowEdge("g", "u")])
    with pytest.raises(AxiomError) as info:
        compile_flow(differ, workspace)
    assert [d.code for d in info.value.diagnostics] == ["type_types_differ"]
    # A warning that is not about types (a package not imported) still compiles.
    artifact, _ = compile_flow(flow_of(("a", f"{TEXT}:Echo"), imports=()), workspace)
    assert artifact.warnings == (('warning: node "a": package "examples/text@0.1.0" is not in the flow\'s imports; '
                                  'import it into the Library'),)


def test_every_bundled_example_flow_compiles(workspace):
    paths = sorted((workspace.root / "flows").glob("*.flow.yaml"))
    assert len(paths) >= 8
    for path in paths:
        artifact, _ = compile_flow(load_flow(path).flow, workspace)
        assert artifact.flow_name == path.name.removesuffix(".flow.yaml")


def test_a_subflow_with_a_type_mismatch_does_not_compile_inside_another(workspace):
    inner = flow_of(("s", f"{TEXT}:Score"), ("m", f"{MATH}:Increment"), edges=[FlowEdge("s", "m", {"value": "text"})])
    outer = Flow("outer", nodes=[FlowNode("sub", "flow:inner")])
    a = analyze_flow(outer, workspace, flow_resolver=lambda name: inner if name == "inner" else None)
    assert messages(a) == [f'node "sub": subflow "inner" does not compile: {MISMATCH}']


def test_required_destination_fields_of_a_join_may_come_from_different_edges(workspace):
    flow = load_flow(workspace.root / "flows" / "branching.flow.yaml").flow
    a = analyze_flow(flow, workspace)
    assert a.warnings == []
    assert a.edge_checks[("loud", "both")].ok and a.edge_checks[("quiet", "both")].ok  # what the canvas colours by
    assert compile_flow(flow, workspace)[0].joins == (("both", "abort"),)
    flow.update_edge("quiet", "both", map={"left": "text"})
    msgs = messages(analyze_flow(flow, workspace))
    assert any("`right`" in m and "not mapped" in m for m in msgs), msgs


def test_unknown_package_node_and_bad_condition_name_the_node_or_edge(workspace):
    flow = flow_of(("a", "nobody/none@1.0.0:Thing"), ("b", f"{TEXT}:Nope"), ("c", f"{TEXT}:Echo"),
                   edges=[FlowEdge("a", "b"), FlowEdge("b", "c", when="output.text ==")])
    a = analyze_flow(flow, workspace)
    by_code = {d.code: d for d in a.diagnostics}
    assert by_code["unknown_package"].location.node == "a"
    assert by_code["unknown_package"].message.startswith('node "a": ')
    assert by_code["unknown_node"].location.node == "b"
    assert by_code["invalid_condition"].message.startswith('edge "b" → "c": invalid condition: CEL parse error: ')


def test_unknown_subflow_and_subflow_cycles(workspace):
    a = analyze_flow(Flow("x", nodes=[FlowNode("s", "flow:nope")]), workspace)
    assert messages(a) == ['node "s": unknown subflow "flow:nope"']
    selfish = Flow("me", nodes=[FlowNode("s", "flow:me")])
    b = analyze_flow(selfish, workspace, flow_resolver=lambda name: selfish if name == "me" else None)
    assert messages(b) == ['node "s": subflow cycle: me → me']


def test_node_not_in_imports_is_a_warning(workspace):
    flow = flow_of(("a", f"{TEXT}:Echo"), imports=())
    a = analyze_flow(flow, workspace)
    assert a.ok
    assert messages(a) == ['node "a": package "examples/text@0.1.0" is not in the flow\'s imports; import it into the Library']


# -- layout ----------------------------------------------------------------------------------------
def test_layout_layers_by_longest_path_and_keeps_pins():
    flow = Flow("l", nodes=[FlowNode(i, f"{TEXT}:Echo") for i in "abcde"] + [FlowNode("p", f"{TEXT}:Echo", 7, 3)],
                edges=[FlowEdge("a", "b"), FlowEdge("a", "c"), FlowEdge("b", "d"), FlowEdge("c", "d"),
                       FlowEdge("d", "e"), FlowEdge("e", "a", loop=3), FlowEdge("a", "p")])
    cells = layout_cells(flow)
    assert cells == {"a": (0, 0), "b": (1, 0), "c": (1, 1), "d": (2, 0), "e": (3, 0), "p": (7, 3)}
    assert layout_cells(flow) == cells  # stable


def test_layout_avoids_pinned_cells_and_survives_cycles():
    flow = Flow("l", nodes=[FlowNode("a", f"{TEXT}:Echo"), FlowNode("pin", f"{TEXT}:Echo", 1, 0), FlowNode("b", f"{TEXT}:Echo")],
                edges=[FlowEdge("a", "b"), FlowEdge("b", "a")])
    cells = layout_cells(flow)
    assert cells["pin"] == (1, 0)
    assert len(set(cells.values())) == 3


def test_apply_layout_writes_cells_onto_every_node():
    flow = Flow("l", nodes=[FlowNode("a", f"{TEXT}:Echo"), FlowNode("b", f"{TEXT}:Echo")], edges=[FlowEdge("a", "b")])
    assert apply_layout(flow) == {"a": (0, 0), "b": (1, 0)}
    assert all(n.pinned for n in flow.nodes)
    assert apply_layout(flow) == {}
