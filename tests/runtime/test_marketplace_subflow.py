"""``node: flow:<artifact id>`` (a marketplace flow placed as a subflow) in a local workspace: it
compiles from the workspace's copy (``.axiom/marketplace/<id>.flow.yaml``, written when the IDE
places it from a remote's Marketplace); without one the compile names the node and what to do."""
from __future__ import annotations

import shutil

import pytest

from axiom_ide.runtime.compiler.analyze import analyze_flow
from axiom_ide.runtime.compiler.compile import compile_flow
from axiom_ide.runtime.compiler.marketplace import cached_flow_path
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode
from axiom_ide.runtime.model.flow_yaml import load_flow, new_flow_file, save_flow
from axiom_ide.runtime.model.refs import RefError, parse_node_ref
from axiom_ide.runtime.packages import Workspace

GRAPH_ID = "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD"
TEXT = "examples/text@0.1.0"


@pytest.fixture
def workspace(tmp_path):
    from axiom_ide.runtime.examples import bundled_workspace

    root = tmp_path / "workspace"
    shutil.copytree(bundled_workspace(), root, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    return Workspace(root)


def parent() -> Flow:
    return Flow("shout-hello", imports=[TEXT], nodes=[FlowNode("hello", f"flow:{GRAPH_ID}"),
                                                        FlowNode("shout", f"{TEXT}:Upper")],
                edges=[FlowEdge("hello", "shout", map={"text": "greeting"})])


def test_an_artifact_id_is_a_marketplace_subflow_reference_and_a_name_is_not():
    assert parse_node_ref(f"flow:{GRAPH_ID}").is_marketplace
    assert not parse_node_ref("flow:hello").is_marketplace
    assert not parse_node_ref(f"flow:{GRAPH_ID.lower()}").is_marketplace  # a (lower-case) flow name
    with pytest.raises(RefError, match="or be a compiled artifact's 26-character id"):
        parse_node_ref("flow:Hello")


def test_without_the_workspaces_copy_the_compile_names_the_node_and_what_to_do(workspace):
    a = analyze_flow(parent(), workspace)
    (d,) = [d for d in a.diagnostics if d.is_error]
    assert (d.code, d.location.node) == ("marketplace_flow", "hello")
    assert d.message == (f'node "hello": flow:{GRAPH_ID} is a marketplace flow this workspace has no copy of: '
                         "compile it on the remote (axiom-ide flow compile --remote), or place it from the remote's "
                         "Marketplace (Use as subflow)")
    with pytest.raises(AxiomError):
        compile_flow(parent(), workspace)


def test_with_the_copy_it_compiles_as_a_subflow_and_is_never_a_workspace_flow(workspace):
    hello = load_flow(workspace.root / "flows" / "hello.flow.yaml").flow
    hello.name = "their-hello"  # the publisher's name, which no workspace flow has
    path = cached_flow_path(workspace.root, GRAPH_ID)
    path.parent.mkdir(parents=True)
    save_flow(new_flow_file(hello), path)
    artifact, analysis = compile_flow(parent(), workspace)
    assert analysis.diagnostics == []
    node = artifact.nodes[0]
    assert (node.kind, node.ref, node.subflow.flow_name) == ("subflow", f"flow:{GRAPH_ID}", "their-hello")
    assert artifact.input_type == "examples.text.GreetRequest" and artifact.output_type == "examples.text.Text"
    # the copy hides in a dot dir: no flow:<name> finds it there
    a = analyze_flow(Flow("x", nodes=[FlowNode("s", "flow:their-hello")]), workspace)
    assert [d.message for d in a.diagnostics] == ['node "s": unknown subflow "flow:their-hello"']


def test_an_unreadable_copy_says_so(workspace):
    path = cached_flow_path(workspace.root, GRAPH_ID)
    path.parent.mkdir(parents=True)
    path.write_text("name: [\n")
    (d,) = [d for d in analyze_flow(parent(), workspace).diagnostics if d.is_error]
    assert d.code == "marketplace_flow" and d.message.startswith(
        f'node "hello": flow:{GRAPH_ID}: the workspace\'s copy {path} cannot be read: ')
