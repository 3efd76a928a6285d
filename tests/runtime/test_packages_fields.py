"""``create message --fields``: the three syntaxes, labels, auto numbering and errors."""
from __future__ import annotations

import pytest

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages.fields import FieldDef, parse_fields, render_message


def test_canonical_proto3():
    assert parse_fields("double a=1; double b = 2") == [FieldDef("double", "a", 1), FieldDef("double", "b", 2)]


def test_proto3_without_numbers_auto_assigns():
    assert parse_fields("string name; int64 total") == [FieldDef("string", "name", 1), FieldDef("int64", "total", 2)]


def test_colon_shorthand():
    assert parse_fields("session_id:string; user_message:string") == [
        FieldDef("string", "session_id", 1), FieldDef("string", "user_message", 2)]


def test_mixed_syntaxes_labels_and_numbering_after_explicit_numbers():
    assert parse_fields("string id = 3; repeated string tags; optional int32 n; count:int32; x:repeated double") == [
        FieldDef("string", "id", 3), FieldDef("string", "tags", 4, "repeated"),
        FieldDef("int32", "n", 5, "optional"), FieldDef("int32", "count", 6), FieldDef("double", "x", 7, "repeated"),
    ]


def test_auto_numbers_skip_numbers_used_later():
    assert [f.number for f in parse_fields("string a; string b = 2; string c")] == [1, 2, 3]


def test_message_typed_field():
    assert parse_fields("LineItem item; items:repeated LineItem") == [
        FieldDef("LineItem", "item", 1), FieldDef("LineItem", "items", 2, "repeated")]


@pytest.mark.parametrize("spec, message", [
    ("string", ('invalid field definition "string": use "type name = N", "type name" or "name:type" '
                '(optionally with "repeated" or "optional" before the type)')),
    ("string a = 0", 'invalid field number 0 in "string a = 0": must be 1 or greater'),
    ("string a = 1; string b = 1", "field number 1 is used more than once"),
    ("string a; int32 a", 'field "a" is defined more than once'),
    (" ; ", "--fields is empty: give at least one field definition"),
])
def test_invalid_field_specs(spec, message):
    with pytest.raises(AxiomError) as info:
        parse_fields(spec)
    assert info.value.diagnostics[0].code == "invalid_fields"
    assert info.value.message == message


def test_render_message_block():
    assert render_message("AddInput", parse_fields("double a=1; double b=2")) == (
        "message AddInput {\n  double a = 1;\n  double b = 2;\n}\n")
