"""The transform functions an edge plan may call, with their argument checks and result kinds.

Each :class:`TransformSpec` has three parts that never disagree because they share this module:

* ``check(args)`` — argument problems visible without data, worded exactly as the error catalog's
  "Edge transform errors" table. The same check runs again before every evaluation, so a bad plan
  fails at runtime with the same text the editor showed.
* ``apply(value, args, output)`` — the step itself; input-value problems raise
  :class:`~.errors.TransformError`.
* ``result_kind(kind, args)`` — the value kind the step produces from an input of ``kind``.

Conventions (kept in one place so every transform agrees):

* An unset input (``None``) reads as ``""`` for string transforms and ``0`` for ``multiply`` and
  ``add``, as proto3 defaults would; ``cast`` passes it through unset; ``default`` replaces it.
* Arguments are literals; a number may also be written as a string (``multiply("2")``).
* ``multiply``/``add`` keep integers integral (``3 * 2 == 6``); anything else computes in float.
* ``slice`` counts characters (lists and bytes by element); negative indexes count from the end and
  out-of-range bounds clamp, so it never fails on data.
* ``split(sep, index)`` picks the 0-based ``index``-th part.
* ``regex_replace`` uses Python's ``re`` with Go-style replacement templates (``$1``, ``${name}``,
  ``$$``), matching the platform's RE2 templates; backslashes in the replacement are literal.
* Extra arguments to ``prefix``, ``suffix``, ``multiply``, ``add``, ``upper``, ``lower`` and
  ``length`` are ignored, as the platform does; ``trim`` takes an optional cut-set.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..conditions import ConditionError, compile_cel
from .errors import TransformError
from .kinds import INTEGER_KINDS, SCALAR_KINDS
from .values import as_text, is_empty, parse_int, parse_number, read_path, show, split_path

Args = Sequence[Any]
Check = Callable[[Args], list[str]]
Apply = Callable[[Any, Args, Mapping[str, Any]], Any]
ResultKind = Callable[["str | None", Args], "str | None"]


@dataclass(frozen=True)
class TransformSpec:
    """One transform function."""

    #: Lower-case name used in plan text (``regex_replace``).
    name: str
    #: Argument names for editors, e.g. ``("from", "to")``; optional ones end with ``?``.
    params: tuple[str, ...]
    #: One line for the inspector.
    summary: str
    check: Check
    apply: Apply
    result_kind: ResultKind

    @property
    def display_name(self) -> str:
        """As the canvas shows it: ``REGEX_REPLACE``."""
        return self.name.upper()


#: Alternative spellings accepted in plan text.
ALIASES = {"mult": "multiply"}


def canonical_name(name: str) -> str:
    name = name.lower()
    return ALIASES.get(name, name)


def _fail(name: str, message: str) -> TransformError:
    return TransformError(name, message)


# --- argument checks -----------------------------------------------------------------------


def _no_check(args: Args) -> list[str]:
    return []


def _needs_one(message: str) -> Check:
    def check(args: Args) -> list[str]:
        return [] if args else [message]
    return check


def _number_arg(name: str, missing: str) -> Check:
    def check(args: Args) -> list[str]:
        if not args:
            return [missing]
        if parse_number(args[0]) is None:
            return [f'{name}: "{as_text(args[0])}" is not a number']
        return []
    return check


def _int_args(name: str, args: Args, positions: Sequence[int]) -> list[str]:
    return [f'{name}: "{as_text(args[i])}" is not an integer'
            for i in positions if parse_int(args[i]) is None]


def _check_replace(args: Args) -> list[str]:
    if len(args) != 2:
        return ["replace requires 2 args (from, to)"]
    if as_text(args[0]) == "":
        return ["replace: `from` is required"]
    return []


def _check_regex_replace(args: Args) -> list[str]:
    if len(args) != 2:
        return ["regex_replace requires 2 args (pattern, replacement)"]
    pattern = as_text(args[0])
    if pattern == "":
        return ["regex_replace: `pattern` is required"]
    try:
        _compile_regex(pattern)
    except re.error as exc:
        return [f"regex_replace: invalid pattern: {exc}"]
    return []


def _check_slice(args: Args) -> list[str]:
    if len(args) != 2:
        return ["slice requires 2 args (start, end)"]
    return _int_args("slice", args, (0, 1))


def _check_split(args: Args) -> list[str]:
    if len(args) != 2:
        return ["split requires 2 args (sep, index)"]
    if as_text(args[0]) == "":
        return ["split: `separator` is required"]
    return _int_args("split", args, (1,))


def _check_default(args: Args) -> list[str]:
    return [] if len(args) == 1 else ["default requires 1 arg"]


def _check_cast(args: Args) -> list[str]:
    if len(args) != 1:
        return ["cast requires 1 arg (target kind)"]
    if _cast_kind(args[0]) is None:
        return [f'cast: unsupported target kind "{as_text(args[0])}"']
    return []


def _check_cel(args: Args) -> list[str]:
    if len(args) not in (1, 2):
        return ["cel requires 1 or 2 args (expression[, srcField])"]
    try:
        compile_cel(as_text(args[0]))
    except ConditionError as exc:
        return [str(exc)]
    return []


# --- string transforms ---------------------------------------------------------------------


def _string_kind(kind: str | None, args: Args) -> str | None:
    return "string"


def _upper(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    return as_text(value).upper()


def _lower(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    return as_text(value).lower()


def _trim(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    return as_text(value).strip(as_text(args[0])) if args else as_text(value).strip()


def _prefix(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    return as_text(args[0]) + as_text(value)


def _suffix(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    return as_text(value) + as_text(args[0])


def _replace(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    return as_text(value).replace(as_text(args[0]), as_text(args[1]))


@lru_cache(maxsize=256)
def _compile_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_TEMPLATE_NAME = re.compile(r"[A-Za-z0-9_]+")


def expand_template(template: str, match: re.Match[str]) -> str:
    """Go's ``Regexp.Expand``: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``.

    An unknown or unmatched group expands to nothing; a malformed ``$`` stays literal.
    """
    out: list[str] = []
    i = 0
    while i < len(template):
        ch = template[i]
        if ch != "$" or i + 1 >= len(template):
            out.append(ch)
            i += 1
            continue
        nxt = template[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
            continue
        if nxt == "{":
            close = template.find("}", i + 2)
            name = template[i + 2:close] if close != -1 else ""
            if close == -1 or not _TEMPLATE_NAME.fullmatch(name):
                out.append("$")
                i += 1
                continue
            i = close + 1
        else:
            found = _TEMPLATE_NAME.match(template, i + 1)
            if not found:
                out.append("$")
                i += 1
                continue
            name = found.group()
            i = found.end()
        out.append(_group(match, name))
    return "".join(out)


def _group(match: re.Match[str], name: str) -> str:
    try:
        key: int | str = int(name) if name.isdigit() else name
        return match.group(key) or ""
    except IndexError:  # an unknown group expands to nothing, as in Go
        return ""


def _regex_replace(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    regex = _compile_regex(as_text(args[0]))
    template = as_text(args[1])
    return regex.sub(lambda m: expand_template(template, m), as_text(value))


def _slice(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    start, end = parse_int(args[0]), parse_int(args[1])
    if isinstance(value, (list, tuple, bytes, bytearray)):
        return value[start:end]
    return as_text(value)[start:end]


def _slice_kind(kind: str | None, args: Args) -> str | None:
    if kind is not None and (kind == "bytes" or kind.startswith("repeated:")):
        return kind
    return "string"


def _split(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    parts = as_text(value).split(as_text(args[0]))
    index = parse_int(args[1])
    if index is None or not 0 <= index < len(parts):
        raise _fail("split", "split: index out of range")
    return parts[index]


def _length(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    if value is None:
        return 0
    if isinstance(value, (str, bytes, bytearray, list, tuple, dict)):
        return len(value)
    return len(as_text(value))


# --- numbers -------------------------------------------------------------------------------


def _arith(name: str, op: Callable[[Any, Any], Any]) -> Apply:
    def apply(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
        operand = parse_number(args[0])
        number = 0 if value is None else parse_number(value)
        if number is None:
            raise _fail(name, f"cannot convert {show(value)} to float")
        if operand is None:  # the plan's check refuses this; a hand-built plan still gets an error
            raise _fail(name, f"cannot convert {show(args[0])} to float")
        if isinstance(number, int) and isinstance(operand, int):
            return op(number, operand)
        return op(float(number), float(operand))
    return apply


def _arith_kind(kind: str | None, args: Args) -> str | None:
    operand = parse_number(args[0]) if args else None
    if kind in INTEGER_KINDS and isinstance(operand, int):
        return kind
    return "double"


# --- default and cast ----------------------------------------------------------------------


def _default(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    return args[0] if is_empty(value) else value


def _default_kind(kind: str | None, args: Args) -> str | None:
    return kind


#: Kinds ``cast`` converts to (written in any letter case).
CAST_KINDS = tuple(sorted(SCALAR_KINDS))

_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint32": (0, 2**32 - 1),
    "uint64": (0, 2**64 - 1),
}
_TRUE = {"1", "t", "T", "TRUE", "true", "True"}
_FALSE = {"0", "f", "F", "FALSE", "false", "False"}


def _cast_kind(arg: Any) -> str | None:
    kind = as_text(arg).lower()
    return kind if kind in SCALAR_KINDS else None


def _cast(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    kind = _cast_kind(args[0])
    assert kind is not None  # guaranteed by _check_cast
    if value is None:
        return None

    def cannot() -> TransformError:
        return _fail("cast", f"cast: cannot convert {show(value)} to {kind}")

    if kind == "string":
        return as_text(value)
    if kind == "bytes":
        return bytes(value) if isinstance(value, (bytes, bytearray)) else as_text(value).encode()
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return value != 0
        text = as_text(value) if isinstance(value, (str, bytes, bytearray)) else None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise cannot()
    # numeric targets
    if isinstance(value, bool):
        number: int | float = int(value)
    elif isinstance(value, (str, bytes, bytearray)):
        parsed = parse_number(value)
        if parsed is None:
            raise _fail("cast", f'cast: "{as_text(value)}" is not a number')
        number = parsed
    elif isinstance(value, (int, float)):
        number = value
    else:
        raise cannot()
    if kind in ("float", "double"):
        return float(number)
    if isinstance(number, float):
        if not math.isfinite(number):
            raise cannot()
        number = int(number)  # truncates toward zero, as a Go conversion does
    low, high = _INT_RANGES[kind]
    if not low <= number <= high:
        raise cannot()
    return number


def _cast_kind_result(kind: str | None, args: Args) -> str | None:
    return _cast_kind(args[0]) if args else None


# --- cel -----------------------------------------------------------------------------------


def _cel(value: Any, args: Args, output: Mapping[str, Any]) -> Any:
    if len(args) == 2:
        value = read_path(output, split_path(as_text(args[1])))
    try:
        program = compile_cel(as_text(args[0]))
        return program.run({"output": output, "value": value})
    except ConditionError as exc:
        raise _fail("cel", str(exc)) from exc


def _unknown_kind(kind: str | None, args: Args) -> str | None:
    return None


def _spec(name: str, params: tuple[str, ...], summary: str, check: Check, apply: Apply,
          result_kind: ResultKind = _string_kind) -> TransformSpec:
    return TransformSpec(name, params, summary, check, apply, result_kind)


#: Every transform by canonical name, in the order the docs list them.
TRANSFORMS: dict[str, TransformSpec] = {s.name: s for s in (
    _spec("upper", (), "Upper-case the text.", _no_check, _upper),
    _spec("lower", (), "Lower-case the text.", _no_check, _lower),
    _spec("trim", ("cutset?",), "Strip whitespace (or the given characters) from both ends.",
          _no_check, _trim),
    _spec("prefix", ("text",), "Prepend text.",
          _needs_one('prefix needs a string to prepend, e.g. prefix("hi ")'), _prefix),
    _spec("suffix", ("text",), "Append text.",
          _needs_one('suffix needs a string to append, e.g. suffix(" world")'), _suffix),
    _spec("replace", ("from", "to"), "Replace every occurrence of `from` with `to`.",
          _check_replace, _replace),
    _spec("regex_replace", ("pattern", "replacement"),
          "Replace regular-expression matches; $1 / ${name} insert groups.",
          _check_regex_replace, _regex_replace),
    _spec("slice", ("start", "end"), "Characters (or list items) from start up to end.",
          _check_slice, _slice, _slice_kind),
    _spec("split", ("sep", "index"), "Split on sep and keep the index-th part (from 0).",
          _check_split, _split),
    _spec("length", (), "Number of characters (or list items).", _no_check, _length,
          lambda kind, args: "int64"),
    _spec("multiply", ("factor",), "Multiply a number.",
          _number_arg("multiply", "multiply needs a multiplier value, e.g. multiply(2)"),
          _arith("multiply", lambda a, b: a * b), _arith_kind),
    _spec("add", ("amount",), "Add to a number.",
          _number_arg("add", "add needs a value to add, e.g. add(5)"),
          _arith("add", lambda a, b: a + b), _arith_kind),
    _spec("default", ("fallback",), "Use the fallback when the value is empty.",
          _check_default, _default, _default_kind),
    _spec("cast", ("kind",), "Convert to another kind (" + ", ".join(CAST_KINDS) + ").",
          _check_cast, _cast, _cast_kind_result),
    _spec("cel", ("expression", "srcField?"),
          "Evaluate a CEL expression over `output` (and `value`, the piped or srcField value).",
          _check_cel, _cel, _unknown_kind),
)}
