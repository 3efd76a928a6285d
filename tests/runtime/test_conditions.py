"""Edge conditions: CEL over the source node's output, compiled once, evaluated many times."""
from __future__ import annotations

import pytest

from axiom_ide.runtime.conditions import (
    Condition,
    ConditionError,
    compile_cel,
    compile_condition,
    from_cel,
    to_cel,
)


def test_compile_once_evaluate_many():
    condition = compile_condition('output.greeting != ""')
    assert isinstance(condition, Condition) and condition.text == 'output.greeting != ""'
    assert condition.evaluate({"greeting": "hi"}) is True
    assert condition.evaluate({"greeting": ""}) is False


@pytest.mark.parametrize("text, output, expected", [
    ("output.count > 2", {"count": 3}, True),
    ("output.count > 2", {"count": 2}, False),
    ("output.score >= 0.5", {"score": 0.75}, True),
    ("output.flag", {"flag": True}, True),
    ("!output.flag", {"flag": True}, False),
    ('"b" in output.tags', {"tags": ["a", "b"]}, True),
    ("size(output.tags) == 0", {"tags": []}, True),
    ('output.inner.name.startsWith("ad")', {"inner": {"name": "ada"}}, True),
    ("output.items[1].qty == 7", {"items": [{"qty": 1}, {"qty": 7}]}, True),
    ('output.blob == b"\\x00\\xff"', {"blob": b"\x00\xff"}, True),
    ('has(output.note)', {}, False),
    ('has(output.note) && output.note == "x"', {"note": "x"}, True),
    ('output.big == 18446744073709551615u', {"big": 2**64 - 1}, True),
    ("output.maybe == null", {"maybe": None}, True),
    ('output.by_name["ada"] == 3', {"by_name": {"ada": 3}}, True),
])
def test_conditions_see_python_values_as_cel_values(text, output, expected):
    assert compile_condition(text).evaluate(output) is expected


@pytest.mark.parametrize("text, message", [
    ("output.a +", "CEL parse error: unexpected end of expression at line 1, column 10"),
    ("output.a b", "CEL parse error: unexpected token 'b' at line 1, column 10"),
    ('output.a == "open', "CEL parse error: unexpected character '\"' at line 1, column 13"),
    ("", "CEL parse error: empty expression"),
    ("   ", "CEL parse error: empty expression"),
])
def test_parse_errors(text, message):
    with pytest.raises(ConditionError) as info:
        compile_condition(text)
    assert str(info.value) == message


@pytest.mark.parametrize("text, output, message", [
    ("output.missing == 1", {}, "CEL evaluation failed: no such member in mapping: 'missing'"),
    ("output.n / 0 == 1", {"n": 1}, "CEL evaluation failed: modulus or divide by zero"),
    ("output.n", {"n": 1}, "CEL evaluation failed: condition must evaluate to a bool, got int"),
    ("output.s", {"s": "yes"}, "CEL evaluation failed: condition must evaluate to a bool, got string"),
    ("output.s", {"s": None}, "CEL evaluation failed: condition must evaluate to a bool, got null"),
])
def test_evaluation_errors(text, output, message):
    condition = compile_condition(text)
    with pytest.raises(ConditionError) as info:
        condition.evaluate(output)
    assert str(info.value) == message


def test_operand_type_errors_are_evaluation_failures():
    with pytest.raises(ConditionError) as info:
        compile_condition('output.n + "x" == "1x"').evaluate({"n": 1})
    assert str(info.value).startswith("CEL evaluation failed: ")


def test_values_round_trip_through_cel():
    value = {"s": "x", "i": -3, "u": 2**63, "f": 1.5, "b": True, "y": b"\x01", "l": [1, "a"],
             "m": {"k": [None]}, "n": None}
    assert from_cel(to_cel(value)) == value
    back = from_cel(to_cel(value))
    assert type(back["b"]) is bool and type(back["i"]) is int and type(back["y"]) is bytes


def test_compile_cel_returns_any_value_and_caches():
    program = compile_cel("output.a + output.b")
    assert program is compile_cel("output.a + output.b")
    assert program.run({"output": {"a": "x", "b": "y"}}) == "xy"
    assert compile_cel("[value, value * 2]").run({"value": 2}) == [2, 4]


def test_out_of_range_integers_are_reported():
    with pytest.raises(ConditionError) as info:
        compile_condition("output.x == 1").evaluate({"x": 2**70})
    assert str(info.value) == "CEL evaluation failed: integer 1180591620717411303424 is out of range"
