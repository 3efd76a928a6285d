"""Edge plans: parsing, each transform's results, and every catalog error message verbatim."""
from __future__ import annotations

import pytest

from axiom_ide.runtime.transforms import (
    TRANSFORMS,
    FieldPlan,
    PlanSyntaxError,
    TransformError,
    TransformStep,
    evaluate_map,
    parse_plan,
)


def run(text: str, source: dict | None = None):
    return parse_plan(text).evaluate(source or {})


def failure(text: str, source: dict | None = None) -> str:
    with pytest.raises(TransformError) as info:
        run(text, source)
    return str(info.value)


# --- parsing -------------------------------------------------------------------------------


def test_parse_builds_source_path_and_steps():
    plan = parse_plan('greeting | upper | prefix("Hey ")')
    assert plan == FieldPlan(("greeting",), (TransformStep("upper"), TransformStep("prefix", ("Hey ",))))
    assert plan.text == str(plan) == 'greeting | upper | prefix("Hey ")'


def test_parse_reads_dotted_paths_with_list_indexes():
    assert parse_plan("items.0.name").source == ("items", "0", "name")
    assert parse_plan("items.0.name").steps == ()


def test_parse_reads_numbers_strings_and_bare_words():
    plan = parse_plan('x | slice(-3, 5) | mult(2.5) | cast(int32) | replace("a\\"b", "\\n")')
    assert [s.args for s in plan.steps] == [(-3, 5), (2.5,), ("int32",), ('a"b', "\n")]
    assert isinstance(plan.steps[0].args[1], int) and isinstance(plan.steps[1].args[0], float)


def test_parse_accepts_upper_case_names_and_empty_parentheses():
    assert parse_plan("x | UPPER() | Lower") == parse_plan("x | upper | lower")


def test_canonical_text_quotes_words_and_drops_spacing():
    assert str(parse_plan("  name|default( anon )|mult(2)  ")) == 'name | default("anon") | mult(2)'


def test_mult_is_an_alias_of_multiply():
    step = parse_plan("x | mult(2)").steps[0]
    assert step.name == "mult" and step.canonical_name == "multiply" and step.display_name == "MULTIPLY"


def test_cel_may_start_a_plan_without_a_source():
    plan = parse_plan('cel("output.a + output.b")')
    assert plan.source is None
    assert plan.evaluate({"a": 2, "b": 3}) == 5


@pytest.mark.parametrize("text, message, column", [
    ("", "empty plan: expected a source field, e.g. greeting | upper", 1),
    ("   ", "empty plan: expected a source field, e.g. greeting | upper", 4),
    ("a |", "expected a transform name, found end of plan", 4),
    ("| upper", "expected a source field name, found '|'", 1),
    ("a b", "expected '|' before the next transform, found 'b'", 3),
    ("a.", "expected a field name or list index after '.'", 3),
    ("a..b", "expected a field name or list index after '.'", 3),
    ('a | prefix("x', "unterminated string", 12),
    ('a | prefix("\\q")', "invalid escape in string: Invalid \\escape", 13),
    ("a | prefix(1,", 'expected an argument (a "string", a number or a word), found end of plan', 14),
    ("a | prefix(1 2)", "expected ',' or ')', found '2'", 14),
    ("a | slice(-, 2)", "expected a number", 11),
    ("upper(1)", "a plan starts with a source field; only cel(...) may stand alone, found upper(...)", 1),
])
def test_syntax_errors_carry_message_and_column(text, message, column):
    with pytest.raises(PlanSyntaxError) as info:
        parse_plan(text)
    assert info.value.message == message
    assert info.value.column == column
    assert str(info.value) == f"{message} (column {column})"


def test_unknown_transform_is_a_syntax_error_at_its_name():
    with pytest.raises(PlanSyntaxError) as info:
        parse_plan("a | upper | shout")
    assert info.value.column == 13
    assert info.value.message.startswith("unknown transform 'shout' (known: upper, lower,")


def test_every_documented_transform_is_registered():
    assert list(TRANSFORMS) == ["upper", "lower", "trim", "prefix", "suffix", "replace",
                                "regex_replace", "slice", "split", "length", "multiply", "add",
                                "default", "cast", "cel"]
    assert TRANSFORMS["regex_replace"].display_name == "REGEX_REPLACE"


# --- source paths --------------------------------------------------------------------------


def test_source_path_descends_into_messages_and_lists():
    source = {"order": {"items": [{"sku": "A1"}, {"sku": "B2"}]}}
    assert run("order.items.1.sku", source) == "B2"


def test_missing_fields_and_indexes_read_as_unset():
    source = {"items": [{"sku": "A1"}], "n": 3}
    assert run("items.5.sku", source) is None
    assert run("nope", source) is None
    assert run("n.x", source) is None
    assert run('nope | default("anon")', source) == "anon"


# --- string transforms ---------------------------------------------------------------------


@pytest.mark.parametrize("text, value, expected", [
    ("v | upper", "Hey there", "HEY THERE"),
    ("v | lower", "Hey There", "hey there"),
    ("v | trim", "  padded \n", "padded"),
    ('v | trim("x")', "xxhixx", "hi"),
    ('v | prefix("hi ")', "ada", "hi ada"),
    ('v | suffix(" world")', "hello", "hello world"),
    ('v | replace("a", "o")', "banana", "bonono"),
    ('v | regex_replace("[0-9]+", "#")', "a1b22c", "a#b#c"),
    ('v | regex_replace("(\\\\w+)@(\\\\w+)", "$2 at ${1}, $$")', "ada@home", "home at ada, $"),
    ('v | regex_replace("(?P<user>\\\\w+)@", "${user}:")', "ada@x", "ada:x"),
    ('v | regex_replace("a", "$9\\\\1")', "a", "\\1"),
    ("v | slice(0, 5)", "hello world", "hello"),
    ("v | slice(-5, 100)", "hello world", "world"),
    ("v | slice(3, 1)", "hello", ""),
    ("v | slice(1, 3)", "héllo", "él"),
    ('v | split(",", 1)', "a,b,c", "b"),
    ("v | length", "héllo", 5),
    ("v | upper", None, ""),
    ("v | length", None, 0),
    ('v | prefix("n=")', 42, "n=42"),
    ("v | upper", True, "TRUE"),
    ("v | upper", b"bytes", "BYTES"),
    ('v | suffix("!")', 2.0, "2!"),
])
def test_string_transforms(text, value, expected):
    assert run(text, {"v": value}) == expected


def test_slice_and_length_work_on_lists_and_bytes():
    assert run("v | slice(1, 3)", {"v": [1, 2, 3, 4]}) == [2, 3]
    assert run("v | slice(0, 2)", {"v": b"abc"}) == b"ab"
    assert run("v | length", {"v": [1, 2, 3]}) == 3


@pytest.mark.parametrize("value, upper, lower, trim, length", [
    (None, "", "", "", 0),
    (1, "1", "1", "1", 1),
    (2.5, "2.5", "2.5", "2.5", 3),
    (True, "TRUE", "true", "true", 4),
    (b"\xff", "\ufffd", "\ufffd", "\ufffd", 1),
    ([1, "a"], '[1,"A"]', '[1,"a"]', '[1,"a"]', 2),
    ({"k": 1}, '{"K":1}', '{"k":1}', '{"k":1}', 1),
    ("x", "X", "x", "x", 1),
])
def test_upper_lower_trim_length_do_not_fail_on_any_value(value, upper, lower, trim, length):
    # error-catalog: "upper, lower, trim, and length ... do not fail at runtime" — each gives a value.
    assert [run(f"v | {name}", {"v": value}) for name in ("upper", "lower", "trim", "length")] == [
        upper, lower, trim, length]


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize("text, value, expected", [
    ("v | multiply(2)", 21, 42),
    ("v | mult(100)", 0.5, 50.0),
    ('v | mult("3")', 2, 6),
    ("v | mult(1.5)", 2, 3.0),
    ("v | add(5)", 1, 6),
    ("v | add(-0.5)", 1, 0.5),
    ("v | add(1)", "41", 42),
    ("v | add(5)", None, 5),
    ("v | mult(100) | cast(int32)", 0.523, 52),
])
def test_number_transforms(text, value, expected):
    result = run(text, {"v": value})
    assert result == expected and type(result) is type(expected)


# --- default and cast ----------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    (None, "anon"), ("", "anon"), ([], "anon"), ("ada", "ada"), (0, 0), (False, False),
])
def test_default_replaces_only_empty_values(value, expected):
    assert run('v | default("anon")', {"v": value}) == expected


@pytest.mark.parametrize("kind, value, expected", [
    ("string", 42, "42"),
    ("string", True, "true"),
    ("bytes", "hé", "hé".encode()),
    ("int32", "42", 42),
    ("int32", 3.9, 3),
    ("int32", -3.9, -3),
    ("int64", True, 1),
    ("uint32", "7", 7),
    ("double", "2.5", 2.5),
    ("float", 2, 2.0),
    ("bool", "true", True),
    ("bool", "0", False),
    ("bool", 3, True),
    ("INT32", "1", 1),
    ("int32", None, None),
])
def test_cast_converts_between_kinds(kind, value, expected):
    result = run(f'v | cast("{kind}")', {"v": value})
    assert result == expected and type(result) is type(expected)


# --- cel -----------------------------------------------------------------------------------


def test_cel_sees_the_piped_value_and_the_whole_output():
    source = {"x": 21, "name": "ada", "tags": ["a", "b"]}
    assert run('x | cel("value * 2")', source) == 42
    assert run('x | cel("output.name + \\"!\\"")', source) == "ada!"
    assert run('cel("size(output.tags)")', source) == 2


def test_cel_with_a_src_field_reads_that_field_as_value():
    source = {"a": {"b": 4}, "x": 1}
    assert run('cel("value + 1", a.b)', source) == 5
    assert run('x | cel("value + 1", "a.b")', source) == 5


# --- catalog messages: argument errors (static and at runtime) ------------------------------

ARGUMENT_ERRORS = [
    ("v | mult", "MULTIPLY", "multiply needs a multiplier value, e.g. multiply(2)"),
    ("v | multiply", "MULTIPLY", "multiply needs a multiplier value, e.g. multiply(2)"),
    ("v | mult(abc)", "MULTIPLY", 'multiply: "abc" is not a number'),
    ('v | mult("x2")', "MULTIPLY", 'multiply: "x2" is not a number'),
    ("v | add", "ADD", "add needs a value to add, e.g. add(5)"),
    ('v | add("five")', "ADD", 'add: "five" is not a number'),
    ("v | suffix", "SUFFIX", 'suffix needs a string to append, e.g. suffix(" world")'),
    ("v | prefix", "PREFIX", 'prefix needs a string to prepend, e.g. prefix("hi ")'),
    ("v | prefix()", "PREFIX", 'prefix needs a string to prepend, e.g. prefix("hi ")'),
    ("v | cel", "CEL", "cel requires 1 or 2 args (expression[, srcField])"),
    ('v | cel("a", "b", "c")', "CEL", "cel requires 1 or 2 args (expression[, srcField])"),
    ('v | cel("value +")', "CEL", "CEL parse error: unexpected end of expression at line 1, column 7"),
    ('v | cel("")', "CEL", "CEL parse error: empty expression"),
    ('v | replace("a")', "REPLACE", "replace requires 2 args (from, to)"),
    ('v | replace("", "x")', "REPLACE", "replace: `from` is required"),
    ('v | regex_replace("a")', "REGEX_REPLACE", "regex_replace requires 2 args (pattern, replacement)"),
    ('v | regex_replace("", "x")', "REGEX_REPLACE", "regex_replace: `pattern` is required"),
    ('v | regex_replace("(", "x")', "REGEX_REPLACE",
     "regex_replace: invalid pattern: missing ), unterminated subpattern at position 0"),
    ("v | slice(1)", "SLICE", "slice requires 2 args (start, end)"),
    ("v | slice(a, 2)", "SLICE", 'slice: "a" is not an integer'),
    ('v | split(",")', "SPLIT", "split requires 2 args (sep, index)"),
    ('v | split("", 0)', "SPLIT", "split: `separator` is required"),
    ("v | default", "DEFAULT", "default requires 1 arg"),
    ('v | default("a", "b")', "DEFAULT", "default requires 1 arg"),
    ("v | cast", "CAST", "cast requires 1 arg (target kind)"),
    ('v | cast("int8")', "CAST", 'cast: unsupported target kind "int8"'),
]


@pytest.mark.parametrize("text, name, message", ARGUMENT_ERRORS)
def test_argument_errors_are_static_and_fail_at_runtime_with_catalog_text(text, name, message):
    assert parse_plan(text).static_errors() == [message]
    assert failure(text, {"v": "1"}) == f"transform TRANSFORM_{name} failed: {message}"


def test_static_errors_of_a_valid_plan_are_empty():
    plan = parse_plan('v | trim | replace("a", "b") | regex_replace("x+", "y") | slice(0, 2) '
                      '| split(",", 0) | default("") | mult(2) | add(1) | cast("string") | cel("value")')
    assert plan.static_errors() == []


# --- catalog messages: input-value errors --------------------------------------------------


@pytest.mark.parametrize("text, value, expected", [
    ("v | mult(2)", "abc", "transform TRANSFORM_MULTIPLY failed: cannot convert abc to float"),
    ("v | multiply(2)", True, "transform TRANSFORM_MULTIPLY failed: cannot convert true to float"),
    ("v | add(1)", [1], "transform TRANSFORM_ADD failed: cannot convert [1] to float"),
    ('v | split(",", 2)', "a,b", "transform TRANSFORM_SPLIT failed: split: index out of range"),
    ('v | split(",", -1)', "a,b", "transform TRANSFORM_SPLIT failed: split: index out of range"),
    ('v | cast("int32")', "abc", 'transform TRANSFORM_CAST failed: cast: "abc" is not a number'),
    ('v | cast("int32")', 2**31, "transform TRANSFORM_CAST failed: cast: cannot convert 2147483648 to int32"),
    ('v | cast("uint64")', -1, "transform TRANSFORM_CAST failed: cast: cannot convert -1 to uint64"),
    ('v | cast("bool")', "maybe", "transform TRANSFORM_CAST failed: cast: cannot convert maybe to bool"),
    ('v | cast("int64")', {"a": 1}, 'transform TRANSFORM_CAST failed: cast: cannot convert {"a":1} to int64'),
    ('v | cast("int64")', float("inf"), "transform TRANSFORM_CAST failed: cast: cannot convert inf to int64"),
    ('v | cel("value.missing")', {"a": 1},
     "transform TRANSFORM_CEL failed: CEL evaluation failed: no such member in mapping: 'missing'"),
    ('v | cel("value / 0")', 1,
     "transform TRANSFORM_CEL failed: CEL evaluation failed: modulus or divide by zero"),
])
def test_input_errors_use_catalog_text(text, value, expected):
    assert failure(text, {"v": value}) == expected


# --- evaluate_map and the engine's prefix ---------------------------------------------------


def test_evaluate_map_builds_the_destination_and_skips_unset_values():
    plans = {"text": parse_plan('greeting | upper | prefix("Hey ")'),
             "size": parse_plan("greeting | length"),
             "extra": parse_plan("missing")}
    assert evaluate_map(plans, {"greeting": "ada"}) == {"text": "Hey ADA", "size": 3}


def test_evaluate_map_failure_names_the_field_and_renders_the_edge_error():
    plans = {"ok": parse_plan("a"), "bad": parse_plan("a | prefix")}
    with pytest.raises(TransformError) as info:
        evaluate_map(plans, {"a": "x"})
    exc = info.value
    assert exc.dst_field == "bad" and exc.transform == "prefix"
    assert exc.edge_message("id-bad", "echo-merge") == (
        'edge "id-bad" → "echo-merge": EvaluateEdge adapter: transform TRANSFORM_PREFIX failed: '
        'prefix needs a string to prepend, e.g. prefix("hi ")')
    diagnostic = exc.to_diagnostic("id-bad", "echo-merge")
    assert diagnostic.code == "EDGE_ADAPTER"
    assert diagnostic.location.edge == ("id-bad", "echo-merge") and diagnostic.location.path == "bad"


# --- result kinds --------------------------------------------------------------------------


@pytest.mark.parametrize("text, src_kind, expected", [
    ("v", "bool", "bool"),
    ("v | upper", "int32", "string"),
    ("v | length", "string", "int64"),
    ("v | mult(2)", "int32", "int32"),
    ("v | mult(2.5)", "int32", "double"),
    ("v | add(1)", "string", "double"),
    ('v | cast("int32")', "string", "int32"),
    ('v | default("x")', "string", "string"),
    ("v | slice(0, 1)", "repeated:string", "repeated:string"),
    ("v | slice(0, 1)", "bytes", "bytes"),
    ('v | cel("value")', "string", None),
    ('v | cel("value") | cast("bool")', "string", "bool"),
    ('cel("1") | upper', None, "string"),
])
def test_result_kind_follows_the_pipeline(text, src_kind, expected):
    assert parse_plan(text).result_kind(src_kind) == expected


def test_evaluate_map_accepts_plan_text():
    assert evaluate_map({"text": 'greeting | prefix("Hey ")'}, {"greeting": "ada"}) == {
        "text": "Hey ada"}
