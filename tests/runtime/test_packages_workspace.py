"""Workspace scanning, node resolution, descriptor pools, message docs, imports and protoc errors."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.refs import parse_node_ref
from axiom_ide.runtime.packages import MessageDoc, NodeSpec, Package, Workspace, protoc
from axiom_ide.runtime.packages.generate import generate


def write_package(root: Path, name: str, proto_body: str, nodes: str = "", version: str = "0.1.0",
                  extra: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "messages").mkdir(exist_ok=True)
    (root / "axiom.yaml").write_text(
        f"name: {name}\nversion: {version}\nlanguage: python\n" + (f"nodes:\n{nodes}" if nodes else "") + extra)
    pkg = name.split("/")[1].replace("-", "_")
    (root / "messages" / "messages.proto").write_text(f'syntax = "proto3";\npackage demo.{pkg};\n\n{proto_body}')
    return root


def codes(exc: AxiomError) -> list[str]:
    return [d.code for d in exc.diagnostics]


def test_example_workspace_packages_and_nodes(example_workspace):
    ws = Workspace(example_workspace)
    assert sorted(ws.packages) == ["examples/math@0.1.0", "examples/text@0.1.0"]
    text = ws.package("examples/text", "0.1.0")
    assert text.key == "examples/text@0.1.0" and text.root.name == "text"
    assert [n.name for n in text.nodes()] == ["Greet", "Upper", "Echo", "Concat", "Score", "WordStream", "WordUpper"]
    assert [n.kind for n in text.nodes()] == ["unary"] * 5 + ["pipeline"] * 2
    math = ws.package("examples/math", "0.1.0")
    assert [(n.name, n.input_type.name, n.output_type.name) for n in math.nodes()] == [
        ("Add", "AddInput", "MathResult"), ("Multiply", "AddInput", "MathResult"), ("Increment", "Number", "Number")]


def test_resolve_returns_a_full_node_spec(example_workspace):
    ws = Workspace(example_workspace)
    spec = ws.resolve(parse_node_ref("examples/text@0.1.0:WordStream"))
    assert isinstance(spec, NodeSpec)
    assert (spec.package, spec.version, spec.name, spec.kind, spec.handler) == (
        "examples/text", "0.1.0", "WordStream", "pipeline", "word_stream")
    assert spec.input_type.full_name == "examples.text.Text"
    assert spec.output_type.full_name == "examples.text.Word"
    assert [f.name for f in spec.output_type.fields] == ["word", "index"]
    assert spec.source_file == example_workspace.resolve() / "packages/text/nodes/word_stream.py"
    assert spec.source_file.is_file()
    assert spec.package_root == example_workspace.resolve() / "packages/text"
    assert (spec.required_secrets, spec.mutation_capable) == ((), False)
    assert spec.description == "Streams each whitespace-separated word with its index."
    assert spec.ref == "examples/text@0.1.0:WordStream"


@pytest.mark.parametrize("ref, code, message", [
    ("examples/text@0.2.0:Greet", "unknown_package",
     'package "examples/text@0.2.0" not found in the workspace (available versions: 0.1.0)'),
    ("nobody/nothing@1.0.0:Greet", "unknown_package", 'package "nobody/nothing@1.0.0" not found in the workspace'),
    ("examples/math@0.1.0:Divide", "unknown_node",
     'node "Divide" not found in package examples/math@0.1.0 (nodes: Add, Multiply, Increment)'),
])
def test_resolve_errors_name_the_package_and_node(example_workspace, ref, code, message):
    ws = Workspace(example_workspace)
    with pytest.raises(AxiomError) as info:
        ws.resolve(parse_node_ref(ref))
    assert codes(info.value) == [code]
    assert info.value.message == message


def test_message_classes_and_docs(example_workspace):
    pkg = Workspace(example_workspace).package("examples/text", "0.1.0")
    Score = pkg.message_class("ScoreResult")  # noqa: N806 — a message class
    msg = Score(text="Hi", score=0.5, length=2)
    assert Score.FromString(msg.SerializeToString()).length == 2
    assert pkg.message("examples.text.Word") is pkg.message("Word")
    assert pkg.message_doc("examples.text.ScoreResult") == MessageDoc(
        doc="The score of a piece of text.",
        fields={"text": "The text that was scored.",
                "score": "Fraction of the characters that are uppercase letters, from 0.0 to 1.0.",
                "length": "Number of characters in the text."})
    with pytest.raises(AxiomError) as info:
        pkg.message("Nope")
    assert info.value.message == 'message "Nope" not found in package examples/text@0.1.0'


def test_detached_comments_are_not_docs(tmp_path):
    root = write_package(tmp_path / "p", "a/p", "// detached\n\nmessage A {\n  // doc of x\n  string x = 1;\n  int32 y = 2; // trailing y\n}\n")
    assert Package(root).message_doc("demo.p.A") == MessageDoc(doc="", fields={"x": "doc of x", "y": "trailing y"})


def test_each_package_version_has_its_own_pool(tmp_path):
    write_package(tmp_path / "one", "a/one", "message Text { string text = 1; }\n",
                  nodes="  - name: E\n    input: Text\n    output: Text\n")
    write_package(tmp_path / "two", "a/two", "message Text { int32 n = 1; }\n",
                  nodes="  - name: E\n    input: Text\n    output: Text\n")
    ws = Workspace(tmp_path)
    one = ws.resolve(parse_node_ref("a/one@0.1.0:E")).input_type
    two = ws.resolve(parse_node_ref("a/two@0.1.0:E")).input_type
    assert [f.name for f in one.fields] == ["text"] and [f.name for f in two.fields] == ["n"]
    assert one.file.pool is not two.file.pool


def test_broken_proto_carries_protocs_own_text_and_location(tmp_path):
    root = write_package(tmp_path / "p", "a/p", "message A {\n  string x = 1\n}\n",
                         nodes="  - name: E\n    input: A\n    output: A\n")
    ws = Workspace(tmp_path)
    with pytest.raises(AxiomError) as info:
        ws.resolve(parse_node_ref("a/p@0.1.0:E"))
    d = info.value.diagnostics[0]
    assert d.code == "proto_error"
    assert d.message == 'Expected ";".'  # protoc's words; where it is, once, in the location
    assert (d.location.file, d.location.line, d.location.column) == (
        str(root.resolve() / "messages/messages.proto"), 6, 1)


def test_unknown_message_of_a_node(tmp_path):
    write_package(tmp_path / "p", "a/p", "message A { string x = 1; }\n",
                  nodes="  - name: E\n    input: A\n    output: Missing\n")
    with pytest.raises(AxiomError) as info:
        Workspace(tmp_path).resolve(parse_node_ref("a/p@0.1.0:E"))
    assert codes(info.value) == ["unknown_message"]
    assert info.value.message == ('message "Missing" (output of node "E") not found in package a/p@0.1.0: '
                                  "define it in messages/messages.proto or import it")
    assert info.value.diagnostics[0].location.line == 5


def test_malformed_manifest_is_reported_on_resolve(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "axiom.yaml").write_text("name: a/broken\nversion: [\n")
    ws = Workspace(tmp_path)
    assert ws.packages == {}
    assert [d.code for d in ws.problems] == ["manifest_error"]
    with pytest.raises(AxiomError) as info:
        ws.resolve(parse_node_ref("a/broken@0.1.0:X"))
    assert codes(info.value) == ["manifest_error"]
    assert info.value.diagnostics[0].location.line == 3


def test_scan_skips_hidden_venv_gen_and_imports_dirs(tmp_path):
    for d in (".hidden", ".venv", "gen", "imports", "node_modules", "__pycache__"):
        write_package(tmp_path / d / "p", f"a/{d.strip('._')}-x".replace("_", "-"), "message A { string x = 1; }\n")
    write_package(tmp_path / "deep" / "er" / "p", "a/deep", "message A { string x = 1; }\n")
    assert list(Workspace(tmp_path).packages) == ["a/deep@0.1.0"]


def test_extra_roots_are_scanned(tmp_path):
    write_package(tmp_path / "ws" / "p", "a/p", "message A { string x = 1; }\n")
    write_package(tmp_path / "lib" / "q", "a/q", "message A { string x = 1; }\n")
    assert sorted(Workspace(tmp_path / "ws", extra_roots=[tmp_path / "lib"]).packages) == ["a/p@0.1.0", "a/q@0.1.0"]


def test_refresh_keeps_unchanged_packages_and_reloads_changed_ones(tmp_path):
    root = write_package(tmp_path / "p", "a/p", "message A { string x = 1; }\n",
                         nodes="  - name: E\n    input: A\n    output: A\n")
    write_package(tmp_path / "q", "a/q", "message B { string y = 1; }\n")
    ws = Workspace(tmp_path)
    p, q = ws.packages["a/p@0.1.0"], ws.packages["a/q@0.1.0"]
    assert p.node("E").input_type.fields[0].name == "x"
    proto = root / "messages" / "messages.proto"
    proto.write_text('syntax = "proto3";\npackage demo.p;\nmessage A { string renamed = 1; int32 more = 2; }\n')
    os.utime(proto, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    ws.refresh()
    assert ws.packages["a/q@0.1.0"] is q
    assert ws.packages["a/p@0.1.0"] is not p
    assert [f.name for f in ws.packages["a/p@0.1.0"].node("E").input_type.fields] == ["renamed", "more"]


def test_descriptor_sets_are_cached_by_content(tmp_path):
    root = write_package(tmp_path / "p", "a/p", "message CacheProbe { string x = 1; }\n")
    Package(root).message("CacheProbe")
    size = len(protoc._cache)
    for _ in range(20):
        assert Package(root).message("CacheProbe").name == "CacheProbe"
    assert len(protoc._cache) == size


IMPORTED = 'syntax = "proto3";\npackage ext.text_ops;\n\n// Tokenized text.\nmessage TokensResult {\n  repeated string tokens = 1;\n  int32 count = 2;\n}\n'


def with_import(tmp_path: Path, local_body: str) -> Path:
    root = write_package(
        tmp_path / "p", "a/p", local_body,
        nodes="  - name: Analyze\n    input: TokensResult\n    output: Report\n",
        extra="imports:\n  - package: christian/text-ops\n    version: 1.0.0\n    messages: [TokensResult]\n")
    d = root / "imports" / "christian-text-ops" / "1.0.0"
    d.mkdir(parents=True)
    (d / "tokens_result.proto").write_text(IMPORTED)
    return root


def test_imported_messages_resolve_and_generate_a_module(tmp_path):
    root = with_import(tmp_path, "message Report { string summary = 1; }\n")
    spec = Workspace(tmp_path).resolve(parse_node_ref("a/p@0.1.0:Analyze"))
    assert spec.input_type.full_name == "ext.text_ops.TokensResult"
    assert Package(root).message_doc("ext.text_ops.TokensResult").doc == "Tokenized text."
    written = generate(root)
    assert root / "gen" / "christian_text_ops_messages_pb2.py" in written
    assert (root / "gen/imports/christian-text-ops/1.0.0/tokens_result_pb2.py").is_file()
    import subprocess
    import sys
    code = ("from gen.christian_text_ops_messages_pb2 import TokensResult; from gen.messages_pb2 import Report;"
            "print(TokensResult(tokens=['a','b'], count=2).count, Report(summary='s').summary)")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["2", "s"]


def test_import_collision_is_an_error(tmp_path):
    root = with_import(tmp_path, "message Report { string summary = 1; }\nmessage TokensResult { string t = 1; }\n")
    with pytest.raises(AxiomError) as info:
        Package(root).node("Analyze")
    assert info.value.message == ('import collision: message TokensResult exists in both your local messages/ and '
                                  'the imported package "christian/text-ops@1.0.0"')
