"""The flow model and flow.yaml v1: events, round trips, minimal diffs."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode
from axiom_ide.runtime.model.flow_yaml import dumps_flow, load_flow, loads_flow, new_flow_file, save_flow, starter_flow
from axiom_ide.runtime.model.refs import RefError, parse_node_ref

CANONICAL = """\
# A flow with every v1 key.
name: greeter                      # required
description: Greets, then shouts.
mode: unary
imports: [examples/text@0.1.0]
nodes:
  - id: greet                      # canvas id
    node: examples/text@0.1.0:Greet
    col: 0
    row: 0
  - id: shout
    node: examples/text@0.1.0:Upper
edges:
  - from: greet
    to: shout
    map:
      text: greeting | upper | prefix("Hey ")   # dst field
    when: output.greeting != ""
  - from: shout
    to: greet
    loop: 3
join: {}
"""


def test_load_then_save_canonical_file_is_byte_identical():
    assert dumps_flow(loads_flow(CANONICAL)) == CANONICAL


def test_model_reads_every_key():
    flow = loads_flow(CANONICAL).flow
    assert flow.name == "greeter"
    assert flow.mode == "unary"
    assert flow.imports == ["examples/text@0.1.0"]
    assert [(n.id, n.node, n.col, n.row) for n in flow.nodes] == [
        ("greet", "examples/text@0.1.0:Greet", 0, 0),
        ("shout", "examples/text@0.1.0:Upper", None, None),
    ]
    assert flow.edges[0].map == {"text": 'greeting | upper | prefix("Hey ")'}
    assert flow.edges[0].when == 'output.greeting != ""'
    assert flow.edges[1].loop == 3 and flow.edges[1].is_loop


def test_an_edit_changes_only_the_lines_it_must():
    ff = loads_flow(CANONICAL)
    ff.flow.update_node("shout", col=1, row=0)
    after = dumps_flow(ff).splitlines()
    before = CANONICAL.splitlines()
    assert after[:12] == before[:12]
    assert after[12:14] == ["    col: 1", "    row: 0"]
    assert after[14:] == before[12:]


def test_removing_a_condition_keeps_comments_elsewhere():
    ff = loads_flow(CANONICAL)
    ff.flow.update_edge("greet", "shout", when=None)
    text = dumps_flow(ff)
    assert "when:" not in text
    assert "# canvas id" in text and "# dst field" in text and "# required" in text


def test_added_node_and_edge_are_appended_in_canonical_form():
    ff = loads_flow(CANONICAL)
    ff.flow.add_node(FlowNode("echo", "examples/text@0.1.0:Echo", 2, 0))
    ff.flow.add_edge(FlowEdge("shout", "echo"))
    text = dumps_flow(ff)
    assert "  - id: echo\n    node: examples/text@0.1.0:Echo\n    col: 2\n    row: 0\n" in text
    assert "  - from: shout\n    to: echo\n" in text
    assert loads_flow(text).flow == ff.flow


def test_rename_repoints_edges_and_join():
    flow = loads_flow(CANONICAL).flow
    flow.join["shout"] = {"on_failure": "abort"}
    flow.update_node("shout", id="yell")
    assert [e.key for e in flow.edges] == [("greet", "yell"), ("yell", "greet")]
    assert flow.join == {"yell": {"on_failure": "abort"}}


def test_events_fire_after_each_mutation():
    flow = Flow("f")
    seen = []
    flow.node_added.connect(lambda n, i: seen.append(("added", n.id, i)))
    flow.node_changed.connect(lambda old, n: seen.append(("changed", old, n.col)))
    flow.edge_added.connect(lambda e, i: seen.append(("edge", e.key, i)))
    flow.node_removed.connect(lambda n, i: seen.append(("removed", n.id, i)))
    flow.add_node(FlowNode("a", "x/y@1.0.0:A"))
    flow.add_node(FlowNode("b", "x/y@1.0.0:B"))
    flow.update_node("a", col=3, row=1)
    flow.add_edge(FlowEdge("a", "b"))
    flow.remove_node("b")
    assert seen == [("added", "a", 0), ("added", "b", 1), ("changed", "a", 3), ("edge", ("a", "b"), 0), ("removed", "b", 1)]


def test_duplicates_are_refused_by_the_model():
    flow = Flow("f", nodes=[FlowNode("a", "x/y@1.0.0:A")])
    with pytest.raises(ValueError, match='duplicate node id "a"'):
        flow.add_node(FlowNode("a", "x/y@1.0.0:A"))
    flow.add_node(FlowNode("b", "x/y@1.0.0:B"))
    flow.add_edge(FlowEdge("a", "b"))
    with pytest.raises(ValueError, match='duplicate edge "a" → "b"'):
        flow.add_edge(FlowEdge("a", "b"))


def test_malformed_yaml_reports_file_line_column(tmp_path):
    path = tmp_path / "bad.flow.yaml"
    path.write_text("name: x\nnodes:\n  - id: a\n   node: [unclosed\n")
    with pytest.raises(AxiomError) as info:
        load_flow(path)
    d = info.value.diagnostics[0]
    assert d.code == "yaml_syntax"
    assert d.location.file == str(path)
    assert d.location.line == 4
    assert d.message.startswith("malformed YAML: ")


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "f.flow.yaml"
    save_flow(new_flow_file(starter_flow("demo")), path)
    assert [p.name for p in tmp_path.iterdir()] == ["f.flow.yaml"]
    assert load_flow(path).flow == starter_flow("demo")


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "f.flow.yaml"
    path.write_text(CANONICAL)
    ff = load_flow(path)
    ff.flow.update_node("greet", col=5, row=5)

    import axiom_ide.runtime.fileio as fileio

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", boom)
    with pytest.raises(OSError):
        save_flow(ff)
    assert path.read_text() == CANONICAL
    assert [p.name for p in tmp_path.iterdir()] == ["f.flow.yaml"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("examples/text@0.1.0:Greet", None),
        ("flow:greeter", None),
        ("Greet", 'invalid node reference "Greet": expected package@version:Node (e.g. examples/text@0.1.0:Greet) or flow:<name>'),
        ("text@0.1.0:Greet", 'invalid node reference "text@0.1.0:Greet": package name "text" must be scoped (handle/package-name, lowercase letters, digits and hyphens)'),
        ("a/b@1.0:Greet", 'invalid node reference "a/b@1.0:Greet": version "1.0" is not semantic versioning (MAJOR.MINOR.PATCH)'),
        ("a/b@1.0.0:greet", 'invalid node reference "a/b@1.0.0:greet": node name "greet" must be PascalCase'),
    ],
)
def test_node_reference_parsing(text, message):
    if message is None:
        assert str(parse_node_ref(text)) == text
    else:
        with pytest.raises(RefError) as info:
            parse_node_ref(text)
        assert str(info.value) == message


# -- property: any model survives save → load, and save is a fixed point ------------------------
ids = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
refs = st.sampled_from(["examples/text@0.1.0:Greet", "examples/math@0.1.0:Add", "flow:greeter", "a-b/c@1.2.3-beta.1:Node9"])
exprs = st.sampled_from(["text", "greeting | upper", 'name | prefix("Hey ") | suffix("!")', "a | mult(2)", 'x | replace("a: b", "#c")', "n | cast(\"int32\")"])
conds = st.sampled_from(['output.text != ""', "output.value < 10.0", "size(output.items) > 0 && output.ok"])


@st.composite
def flows(draw):
    node_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    nodes = []
    for nid in node_ids:
        pinned = draw(st.booleans())
        nodes.append(FlowNode(nid, draw(refs), *( (draw(st.integers(0, 50)), draw(st.integers(0, 50))) if pinned else (None, None))))
    pairs = draw(st.lists(st.tuples(st.sampled_from(node_ids), st.sampled_from(node_ids)), max_size=8, unique=True))
    edges = []
    for src, dst in pairs:
        plan = draw(st.one_of(st.none(), st.dictionaries(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), exprs, max_size=3)))
        edges.append(FlowEdge(src, dst, plan, draw(st.one_of(st.none(), conds)), draw(st.one_of(st.none(), st.integers(1, 9)))))
    return Flow(
        draw(ids),
        description=draw(st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30))),
        mode=draw(st.sampled_from([None, "unary", "pipeline"])),
        imports=draw(st.lists(st.sampled_from(["examples/text@0.1.0", "examples/math@0.1.0"]), unique=True)),
        nodes=nodes,
        edges=edges,
    )


@settings(max_examples=60, deadline=None)
@given(flows())
def test_any_flow_round_trips_and_saving_is_a_fixed_point(flow):
    text = dumps_flow(new_flow_file(flow))
    loaded = loads_flow(text)
    assert loaded.flow == flow
    assert dumps_flow(loaded) == text
