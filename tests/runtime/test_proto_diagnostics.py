"""A .proto that does not compile: the diagnostic carries protoc's words as its message and the
file:line:col once, in its location; whoever shows it names the file relative to the package or
workspace there (runtime/packages/protoc.py, errors.Diagnostic.relative_to, compiler/analyze.py)."""
from __future__ import annotations

from pathlib import Path

from test_packages_workspace import write_package

from axiom_ide.runtime.compiler.analyze import analyze_flow
from axiom_ide.runtime.errors import Severity, render
from axiom_ide.runtime.model.flow import Flow, FlowNode
from axiom_ide.runtime.packages import Workspace
from axiom_ide.runtime.packages.protoc import parse_protoc_output


def test_protoc_lines_become_protocs_words_at_their_location():
    out = parse_protoc_output(
        'messages/messages.proto:7:1: Expected ";".\n'
        "messages/messages.proto:3:1: warning: Import other.proto is unused.\n"
        'messages/messages.proto: Import "other.proto" was not found or had errors.\n'
        "/abs/x.proto:2:5: Expected field name.\n"
        "protoc: something else\n", Path("/pkg"))
    assert [(d.severity, d.message, d.location.file, d.location.line, d.location.column) for d in out] == [
        (Severity.ERROR, 'Expected ";".', "/pkg/messages/messages.proto", 7, 1),
        (Severity.WARNING, "Import other.proto is unused.", "/pkg/messages/messages.proto", 3, 1),
        (Severity.ERROR, 'Import "other.proto" was not found or had errors.', "/pkg/messages/messages.proto",
         None, None),
        (Severity.ERROR, "Expected field name.", "/abs/x.proto", 2, 5),
        (Severity.ERROR, "protoc: something else", None, None, None),
    ]
    assert render(out[0]) == '/pkg/messages/messages.proto:7:1: error: Expected ";".'
    assert render(out[0].relative_to("/pkg")) == 'messages/messages.proto:7:1: error: Expected ";".'
    assert out[3].relative_to("/pkg") is out[3]  # not under the base: left as it is
    assert [d.severity for d in parse_protoc_output("x.proto:1:1: warning: unused\n", Path("/p"))] == [
        Severity.WARNING, Severity.ERROR]  # a failure is never only warnings


def test_a_flow_whose_node_has_a_broken_proto_says_where_in_the_workspace_once(tmp_path):
    write_package(tmp_path / "p", "a/p", "message A {\n  string x = 1\n}\n",
                  nodes="  - name: E\n    input: A\n    output: A\n")
    ws = Workspace(tmp_path)
    flow = Flow("t", imports=["a/p@0.1.0"], nodes=[FlowNode("e", "a/p@0.1.0:E")])
    (d,) = [d for d in analyze_flow(flow, ws).diagnostics if d.code == "proto_error"]
    assert d.message == 'node "e": p/messages/messages.proto:6:1: Expected ";".'
    assert d.location.node == "e" and d.location.file is None
    assert render(d) == 'error: node "e": p/messages/messages.proto:6:1: Expected ";".'
    # a package outside the workspace root: relative to the package itself
    outside = write_package(tmp_path / "elsewhere" / "q", "a/q", "message B {\n  int32 = 1;\n}\n",
                            nodes="  - name: F\n    input: B\n    output: B\n")
    ws = Workspace(tmp_path / "ws", extra_roots=[outside])
    flow = Flow("t", imports=["a/q@0.1.0"], nodes=[FlowNode("f", "a/q@0.1.0:F")])
    (d,) = [d for d in analyze_flow(flow, ws).diagnostics if d.code == "proto_error"]
    assert d.message == 'node "f": messages/messages.proto:5:9: Expected field name.'
    assert render(d).count("messages.proto") == 1
