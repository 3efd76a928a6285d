"""Property tests: plans generated from the grammar round-trip through text, and transforms keep
their algebraic promises on arbitrary values."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from axiom_ide.runtime.transforms import (
    TRANSFORMS,
    FieldPlan,
    PlanSyntaxError,
    TransformError,
    TransformStep,
    parse_plan,
)

settings.register_profile("axiom", max_examples=150, deadline=None)
settings.load_profile("axiom")

names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
segments = st.one_of(names, st.integers(0, 999).map(str))
paths = st.tuples(names, st.lists(segments, max_size=3)).map(lambda t: (t[0], *t[1]))
args = st.one_of(
    st.text(max_size=12),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
)
transform_names = st.sampled_from(sorted(TRANSFORMS) + ["mult"])
steps = st.builds(lambda name, a: TransformStep(name, tuple(a)),
                  transform_names, st.lists(args, max_size=3))
cel_heads = st.builds(lambda a: TransformStep("cel", tuple(a)), st.lists(args, min_size=1, max_size=2))


@st.composite
def plans(draw) -> FieldPlan:
    if draw(st.booleans()):
        return FieldPlan(draw(paths), tuple(draw(st.lists(steps, max_size=4))))
    return FieldPlan(None, (draw(cel_heads), *draw(st.lists(steps, max_size=3))))


@given(plans())
def test_canonical_text_parses_back_to_the_same_plan(plan):
    text = str(plan)
    assert parse_plan(text) == plan
    assert str(parse_plan(text)) == text


@given(st.text(alphabet=st.sampled_from('ab_.01|(), "\\-x upper\t'), max_size=30))
def test_any_text_parses_or_fails_with_a_column_inside_the_text(text):
    try:
        plan = parse_plan(text)
    except PlanSyntaxError as exc:
        assert 1 <= exc.column <= len(text) + 1
        assert str(exc).endswith(f"(column {exc.column})")
    else:
        assert parse_plan(str(plan)) == plan


@given(st.text(max_size=12).map(lambda s: "x | prefix(" + '"' + s.replace("\\", "\\\\")
                                .replace('"', '\\"') + '")'))
def test_prefix_literal_survives_quoting(text):
    plan = parse_plan(text)
    assert parse_plan(str(plan)) == plan


def run(text: str, value):
    return parse_plan(text).evaluate({"v": value})


values = st.one_of(st.none(), st.text(max_size=20), st.integers(), st.booleans(),
                   st.floats(allow_nan=False), st.binary(max_size=8),
                   st.lists(st.integers(), max_size=4))


@given(st.text(max_size=20))
def test_case_transforms_are_idempotent_and_upper_absorbs_lower(s):
    upper = run("v | upper", s)
    assert run("v | upper | upper", s) == upper
    assert run("v | lower | lower", s) == run("v | lower", s)
    assert run("v | lower | upper", s) == run("v | lower", s).upper()
    if s.isascii():
        assert run("v | lower | upper", s) == upper


@given(st.text(max_size=20))
def test_trim_is_idempotent(s):
    assert run("v | trim | trim", s) == run("v | trim", s)


@given(st.text(max_size=10), st.text(max_size=10))
def test_prefix_and_suffix_add_exactly_their_text(s, extra):
    plan_prefix = FieldPlan(("v",), (TransformStep("prefix", (extra,)),))
    plan_suffix = FieldPlan(("v",), (TransformStep("suffix", (extra,)),))
    assert plan_prefix.evaluate({"v": s}) == extra + s
    assert plan_suffix.evaluate({"v": s}) == s + extra
    assert FieldPlan(("v",), (TransformStep("prefix", (extra,)), TransformStep("length"))
                     ).evaluate({"v": s}) == len(s) + len(extra)


@given(st.text(max_size=20), st.integers(-30, 30), st.integers(-30, 30))
def test_slice_matches_python_slicing(s, start, end):
    assert run(f"v | slice({start}, {end})", s) == s[start:end]


@given(st.lists(st.text(alphabet="abc", max_size=4), min_size=1, max_size=5), st.integers(0, 6))
def test_split_picks_the_joined_part(parts, index):
    plan = parse_plan(f'v | split(",", {index})')
    joined = ",".join(parts)
    if index < len(parts):
        assert plan.evaluate({"v": joined}) == parts[index]
    else:
        try:
            plan.evaluate({"v": joined})
        except TransformError as exc:
            assert str(exc) == "transform TRANSFORM_SPLIT failed: split: index out of range"
        else:
            raise AssertionError("expected split to fail")


@given(st.integers(-10**9, 10**9), st.integers(-10**6, 10**6))
def test_add_then_subtract_is_identity_on_integers(n, k):
    assert run(f"v | add({k}) | add({-k})", n) == n
    assert run(f"v | mult({k})", n) == n * k


@given(st.integers(-(2**63), 2**63 - 1))
def test_cast_string_then_int64_round_trips(n):
    assert run('v | cast("string") | cast("int64")', n) == n


@given(values)
def test_default_is_idempotent(value):
    once = run('v | default("x")', value)
    assert run('v | default("x") | default("x")', value) == once


@given(values, st.lists(st.sampled_from(
    ["upper", "lower", "trim", 'prefix("a")', 'suffix("b")', 'replace("a", "b")', "slice(0, 3)",
     "length", 'default("d")', 'regex_replace("[0-9]", "#")', 'cast("string")']), max_size=4))
def test_total_transforms_never_fail_on_any_value(value, chain):
    text = " | ".join(["v", *chain])
    plan = parse_plan(text)
    assert plan.static_errors() == []
    plan.evaluate({"v": value})
