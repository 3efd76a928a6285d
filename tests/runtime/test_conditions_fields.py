"""An edge condition is checked against the source node's output message: ``output.missing`` is an
error when the flow is analysed and compiled (``flow compile`` refuses it), not a run-time failure."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from axiom_ide.runtime.compiler.analyze import analyze_flow
from axiom_ide.runtime.conditions import ConditionError, compile_condition, unknown_fields
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace

MISSING = 'edge "score" → "loud": invalid condition: Unknown field `output.missing` in `examples.text.ScoreResult`.'


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    from axiom_ide.runtime.examples import bundled_workspace

    root = tmp_path_factory.mktemp("ws") / "workspace"
    shutil.copytree(bundled_workspace(), root, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    return Workspace(root)


@pytest.fixture(scope="module")
def score_result(workspace):
    from axiom_ide.runtime.model.refs import parse_node_ref

    return workspace.resolve(parse_node_ref("examples/text@0.1.0:Score")).output_type


@pytest.fixture(scope="module")
def nested():
    """A message with a nested message, a repeated message, a map and a Struct."""
    from google.protobuf import descriptor_pb2, descriptor_pool

    fdp = descriptor_pb2.FileDescriptorProto(name="t_nested.proto", package="t", syntax="proto3",
                                             dependency=["google/protobuf/struct.proto"])
    inner = fdp.message_type.add(name="Inner")
    inner.field.add(name="depth", number=1, type=descriptor_pb2.FieldDescriptorProto.TYPE_INT32)
    outer = fdp.message_type.add(name="Outer")
    label = descriptor_pb2.FieldDescriptorProto
    outer.field.add(name="inner", number=1, type=label.TYPE_MESSAGE, type_name=".t.Inner")
    outer.field.add(name="items", number=2, type=label.TYPE_MESSAGE, type_name=".t.Inner",
                    label=label.LABEL_REPEATED)
    outer.field.add(name="extra", number=3, type=label.TYPE_MESSAGE, type_name=".google.protobuf.Struct")
    entry = outer.nested_type.add(name="TagsEntry", options=descriptor_pb2.MessageOptions(map_entry=True))
    entry.field.add(name="key", number=1, type=label.TYPE_STRING)
    entry.field.add(name="value", number=2, type=label.TYPE_STRING)
    outer.field.add(name="tags", number=4, type=label.TYPE_MESSAGE, type_name=".t.Outer.TagsEntry",
                    label=label.LABEL_REPEATED)
    pool = descriptor_pool.DescriptorPool()
    from google.protobuf import struct_pb2

    pool.AddSerializedFile(struct_pb2.DESCRIPTOR.serialized_pb)
    pool.Add(fdp)
    return pool.FindMessageTypeByName("t.Outer")


def test_known_fields_pass_and_an_unknown_one_is_named(score_result):
    assert unknown_fields("output.length > 0 && output.score < 1.0", score_result) == []
    assert unknown_fields("output.missing > 1 || output.text == '' || output.missing < 0",
                          score_result) == ["output.missing"]
    with pytest.raises(ConditionError) as err:
        compile_condition("output.missing > 1", score_result)
    assert str(err.value) == "Unknown field `output.missing` in `examples.text.ScoreResult`."
    assert compile_condition("output.missing > 1").text == "output.missing > 1"  # no type: parse only


def test_nested_messages_are_checked_and_dynamic_values_are_not(nested):
    assert unknown_fields("output.inner.depth > 1", nested) == []
    assert unknown_fields("output.inner.deep > 1", nested) == ["output.inner.deep"]
    assert unknown_fields("has(output.nope)", nested) == ["output.nope"]
    # List elements, map values and Struct fields are CEL's business at run time.
    assert unknown_fields("output.items.exists(i, i.depth > 0)", nested) == []
    assert unknown_fields("output.tags.anything == 'x' && output.extra.whatever == 1", nested) == []
    # Only chains rooted at ``output``; a misspelt root is CEL's own run-time error.
    assert unknown_fields("[1, 2].size() > 0 && {'a': 1}.a == 1", nested) == []


def branching_with(workspace, when: str):
    ff = load_flow(workspace.root / "flows" / "branching.flow.yaml")
    ff.flow.edges[0].when = when
    return ff.flow


def test_analysis_makes_it_an_error_and_compile_refuses_it(workspace):
    a = analyze_flow(branching_with(workspace, "output.missing > 0"), workspace)
    assert [(d.code, d.severity.value, d.location.edge, d.message) for d in a.errors] == [
        ("invalid_condition", "error", ("score", "loud"), MISSING)]
    assert [d.message for d in a.compile_blockers()] == [MISSING]
    assert analyze_flow(branching_with(workspace, "output.length > 0"), workspace).diagnostics == []


def test_flow_compile_refuses_it_in_the_docs_words(tmp_path, example_workspace):
    path = example_workspace / "flows" / "branching.flow.yaml"
    path.write_text(path.read_text().replace("when: output.length > 0", "when: output.missing > 0"))
    out = subprocess.run(
        [sys.executable, "-m", "axiom_ide", "flow", "compile", "flows/branching.flow.yaml",
         "--data-dir", str(tmp_path / "data")],
        cwd=example_workspace, capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert (out.returncode, out.stdout, out.stderr) == (1, "", f"error: {MISSING}\n")
    with sqlite3.connect(tmp_path / "data" / "axiom.db") as conn:
        assert conn.execute("SELECT count(*) FROM artifacts").fetchone() == (0,)
