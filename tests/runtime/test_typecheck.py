"""Edge type checking against real descriptors built in a fresh pool."""
from __future__ import annotations

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool

from axiom_ide.runtime.errors import Severity
from axiom_ide.runtime.transforms import parse_plan
from axiom_ide.runtime.typecheck import (
    EdgeCheck,
    FieldIssue,
    check_edge,
    describe_fields,
    field_kind,
    resolve_path,
)

F = descriptor_pb2.FieldDescriptorProto


def _field(message, name, number, ftype, *, type_name=None, repeated=False, optional=False,
           oneof=None):
    fd = message.field.add(name=name, number=number, type=ftype,
                           label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if type_name:
        fd.type_name = type_name
    if optional:
        fd.proto3_optional = True
        fd.oneof_index = len(message.oneof_decl)
        message.oneof_decl.add(name=f"_{name}")
    if oneof is not None:
        fd.oneof_index = oneof
    return fd


@pytest.fixture(scope="module")
def pool():
    fdp = descriptor_pb2.FileDescriptorProto(name="t/messages.proto", package="t", syntax="proto3")
    color = fdp.enum_type.add(name="Color")
    color.value.add(name="RED", number=0)

    inner = fdp.message_type.add(name="Inner")
    _field(inner, "name", 1, F.TYPE_STRING)
    _field(inner, "qty", 2, F.TYPE_INT64)

    greeting = fdp.message_type.add(name="Greeting")
    _field(greeting, "greeting", 1, F.TYPE_STRING)
    _field(greeting, "count", 2, F.TYPE_INT32)
    _field(greeting, "note", 3, F.TYPE_STRING, optional=True)
    _field(greeting, "tags", 4, F.TYPE_STRING, repeated=True)
    _field(greeting, "blob", 5, F.TYPE_BYTES)
    _field(greeting, "flag", 6, F.TYPE_BOOL)
    _field(greeting, "inner", 7, F.TYPE_MESSAGE, type_name=".t.Inner")
    _field(greeting, "items", 8, F.TYPE_MESSAGE, type_name=".t.Inner", repeated=True)
    entry = greeting.nested_type.add(name="ByNameEntry")
    entry.options.map_entry = True
    _field(entry, "key", 1, F.TYPE_STRING)
    _field(entry, "value", 2, F.TYPE_MESSAGE, type_name=".t.Inner")
    _field(greeting, "by_name", 9, F.TYPE_MESSAGE, type_name=".t.Greeting.ByNameEntry", repeated=True)
    _field(greeting, "color", 10, F.TYPE_ENUM, type_name=".t.Color")
    _field(greeting, "score", 11, F.TYPE_DOUBLE)
    _field(greeting, "big", 12, F.TYPE_UINT64)

    reply = fdp.message_type.add(name="Reply")
    reply.oneof_decl.add(name="pick")  # real oneofs come before proto3 `optional`'s synthetic ones
    _field(reply, "text", 1, F.TYPE_STRING)
    _field(reply, "size", 2, F.TYPE_INT32)
    _field(reply, "note", 3, F.TYPE_STRING, optional=True)
    _field(reply, "labels", 4, F.TYPE_STRING, repeated=True)
    _field(reply, "inner", 5, F.TYPE_MESSAGE, type_name=".t.Inner")
    _field(reply, "ratio", 6, F.TYPE_FLOAT)
    _field(reply, "a", 7, F.TYPE_STRING, oneof=0)
    _field(reply, "color", 8, F.TYPE_ENUM, type_name=".t.Color", optional=True)
    _field(reply, "sizes", 9, F.TYPE_INT64, repeated=True)

    result = descriptor_pool.DescriptorPool()
    result.Add(fdp)
    return result


@pytest.fixture(scope="module")
def greeting(pool):
    return pool.FindMessageTypeByName("t.Greeting")


@pytest.fixture(scope="module")
def reply(pool):
    return pool.FindMessageTypeByName("t.Reply")


def full_plan(**extra):
    """A plan that maps every required Reply field, plus ``extra``."""
    return {"text": "greeting", "size": "count", **extra}


def issues(check: EdgeCheck):
    return [(i.dst_field, i.kind, i.message) for i in check.issues]


# --- kinds ---------------------------------------------------------------------------------


def test_field_kinds_name_scalars_lists_maps_messages_and_enums(greeting):
    kinds = {fd.name: field_kind(fd) for fd in greeting.fields}
    assert kinds == {
        "greeting": "string", "count": "int32", "note": "string", "tags": "repeated:string",
        "blob": "bytes", "flag": "bool", "inner": "message:t.Inner",
        "items": "repeated:message:t.Inner", "by_name": "map:string,message:t.Inner",
        "color": "enum:t.Color", "score": "double", "big": "uint64",
    }


def test_describe_fields_marks_plain_scalars_required(reply):
    assert describe_fields(reply) == [
        ("text", "string", True), ("size", "int32", True), ("note", "string", False),
        ("labels", "repeated:string", False), ("inner", "message:t.Inner", False),
        ("ratio", "float", True), ("a", "string", False), ("color", "enum:t.Color", False),
        ("sizes", "repeated:int64", False),
    ]


@pytest.mark.parametrize("path, kind", [
    ("greeting", "string"),
    ("inner.qty", "int64"),
    ("items", "repeated:message:t.Inner"),
    ("items.0", "message:t.Inner"),
    ("items.3.name", "string"),
    ("by_name.ada.qty", "int64"),
    ("tags.0", "string"),
    ("nope", None),
    ("inner.nope", None),
    ("items.name", None),
    ("greeting.x", None),
])
def test_resolve_path(greeting, path, kind):
    assert resolve_path(greeting, path.split(".")) == kind


# --- no plan -------------------------------------------------------------------------------


def test_same_message_without_plan_passes_through(greeting):
    check = check_edge(greeting, greeting, None)
    assert check.passthrough and check.ok and check.issues == []


def test_different_messages_without_plan_need_a_mapping(greeting, reply):
    check = check_edge(greeting, reply, None)
    assert not check.passthrough and not check.ok
    assert issues(check) == [(None, "types_differ",
                              "Message types differ: `t.Greeting` → `t.Reply`. Configure a field mapping.")]


# --- with a plan ---------------------------------------------------------------------------


def test_complete_compatible_plan_is_ok(greeting, reply):
    plan = full_plan(note='greeting | upper | prefix("Hey ")', labels="tags | slice(0, 2)",
                     inner="by_name.ada", ratio="items.0.qty | mult(0.5)", a="blob")
    check = check_edge(greeting, reply, plan)
    assert check.ok and not check.passthrough


def test_same_message_with_explicit_plan_is_checked_not_passthrough(greeting):
    check = check_edge(greeting, greeting, {"greeting": "greeting"})
    assert not check.passthrough
    assert [(i.dst_field, i.kind) for i in check.issues] == [
        (name, "required_unmapped") for name in ("count", "blob", "flag", "color", "score", "big")]


def test_required_fields_left_unmapped_are_reported(greeting, reply):
    check = check_edge(greeting, reply, {"text": "greeting"})
    assert issues(check) == [
        ("size", "required_unmapped", "Required field `size` is not mapped."),
        ("ratio", "required_unmapped", "Required field `ratio` is not mapped."),
    ]


@pytest.mark.parametrize("src, dst, ok", [
    ("blob", "text", True),            # bytes → string is safe
    ("score", "size", True),           # numeric → numeric, narrowing allowed
    ("big", "ratio", True),
    ("count | upper", "text", True),   # transforms convert
    ("flag | cast(string)", "text", True),
    ("tags", "labels", True),
    ("inner", "inner", True),          # same message by full name
])
def test_compatible_pairs(greeting, reply, src, dst, ok):
    plan = {"text": "greeting", "size": "count", "ratio": "score", dst: src}
    assert check_edge(greeting, reply, plan).ok is ok


@pytest.mark.parametrize("src, dst, message", [
    ("flag", "text", "Type mismatch: `bool` → `string`. Add a transform to convert the value."),
    ("greeting", "size", "Type mismatch: `string` → `int32`. Add a transform to convert the value."),
    ("text_is_missing | upper", "size", None),
    ("items.0.name", "inner", "Type mismatch: `string` → `t.Inner`. Add a transform to convert the value."),
    ("tags", "text", "Type mismatch: `repeated string` → `string`. Add a transform to convert the value."),
    ("greeting", "labels", "Type mismatch: `string` → `repeated string`. Add a transform to convert the value."),
    ("items", "labels",
     "Type mismatch: `repeated t.Inner` → `repeated string`. Add a transform to convert the value."),
    ("color", "text", "Type mismatch: `t.Color` → `string`. Add a transform to convert the value."),
    ("text_is_missing", "text", None),
    ("greeting | length", "text", "Type mismatch: `int64` → `string`. Add a transform to convert the value."),
    ("blob", "size", "Type mismatch: `bytes` → `int32`. Add a transform to convert the value."),
    ("greeting", "color", "Type mismatch: `string` → `t.Color`. Add a transform to convert the value."),
])
def test_type_mismatches_use_the_docs_message(greeting, reply, src, dst, message):
    plan = {"text": "greeting", "size": "count", "ratio": "score", dst: src}
    found = [i for i in check_edge(greeting, reply, plan).issues if i.kind == "mismatch"]
    if message is None:
        assert found == []
    else:
        assert found == [FieldIssue(dst, "mismatch", message)]


def test_string_to_bytes_is_not_safe(greeting):
    check = check_edge(greeting, greeting, {f: f for f in ("count", "flag", "color", "score", "big")} | {
        "greeting": "greeting", "blob": "greeting"})
    assert issues(check) == [("blob", "mismatch",
                              "Type mismatch: `string` → `bytes`. Add a transform to convert the value.")]


def test_unknown_fields_on_either_side(greeting, reply):
    check = check_edge(greeting, reply, full_plan(ratio="inner.nope", bogus="greeting"))
    assert issues(check) == [
        ("ratio", "unknown_source_field", "Unknown source field `inner.nope` in `t.Greeting`."),
        ("bogus", "unknown_dest_field", "Unknown destination field `bogus` in `t.Reply`."),
    ]


def test_cel_src_field_must_exist(greeting, reply):
    check = check_edge(greeting, reply, full_plan(ratio='cel("value * 2", missing.path)'))
    assert issues(check) == [
        ("ratio", "unknown_source_field", "Unknown source field `missing.path` in `t.Greeting`."),
    ]


def test_cel_results_are_unknown_and_not_flagged(greeting, reply):
    assert check_edge(greeting, reply, full_plan(ratio='cel("output.count * 2")')).ok
    check = check_edge(greeting, reply, full_plan(ratio='cel("output.count") | cast(string)'))
    assert issues(check) == [("ratio", "mismatch",
                              "Type mismatch: `string` → `float`. Add a transform to convert the value.")]


def test_plan_syntax_and_argument_errors_are_reported_per_field(greeting, reply):
    check = check_edge(greeting, reply, full_plan(
        text="greeting |", size="count | mult", note='greeting | cel("1 +")'))
    assert issues(check) == [
        ("text", "plan_syntax", "expected a transform name, found end of plan (column 11)"),
        ("size", "plan_argument", "multiply needs a multiplier value, e.g. multiply(2)"),
        ("note", "plan_argument", "CEL parse error: unexpected end of expression at line 1, column 3"),
        ("ratio", "required_unmapped", "Required field `ratio` is not mapped."),
    ]


def test_plans_may_be_given_parsed(greeting, reply):
    plan = {"text": parse_plan("greeting | upper"), "size": parse_plan("count"),
            "ratio": parse_plan("flag")}
    assert issues(check_edge(greeting, reply, plan)) == [
        ("ratio", "mismatch", "Type mismatch: `bool` → `float`. Add a transform to convert the value.")]


def test_issues_become_edge_diagnostics(greeting, reply):
    check = check_edge(greeting, reply, {"text": "flag"})
    diagnostics = check.diagnostics("greet", "shout", Severity.WARNING)
    assert [d.code for d in diagnostics] == ["EDGE_MISMATCH", "EDGE_REQUIRED_UNMAPPED",
                                             "EDGE_REQUIRED_UNMAPPED"]
    first = diagnostics[0]
    assert first.severity is Severity.WARNING
    assert first.location.edge == ("greet", "shout") and first.location.path == "text"
    # errors.render's one order: position, severity, canvas element, message
    assert first.render() == ('warning: edge "greet" → "shout": Type mismatch: `bool` → `string`. '
                              "Add a transform to convert the value.")
