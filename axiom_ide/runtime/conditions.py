"""CEL over python-native values: edge conditions and the ``cel`` transform.

An edge's ``when:`` is a CEL expression over one variable, ``output`` — the source node's output
as a python-native dict. :func:`compile_condition` parses it once into a :class:`Condition`;
``Condition.evaluate(output)`` then runs it as often as needed and insists on a ``bool``.

Errors read as the error catalog words them: ``CEL parse error: <detail>`` when the text is not
CEL, ``CEL evaluation failed: <detail>`` when it fails against a value (unknown field, bad
operand types, division by zero, a non-bool condition). The engine prefixes these with
``edge "a" → "b": EvaluateEdge condition: ``.

Values cross into CEL as: ``bool`` → bool, ``int`` → int (uint when above int64), ``float`` →
double, ``str`` → string, ``bytes`` → bytes, ``list``/``tuple`` → list, ``dict`` → map,
``None`` → null; results come back the same way.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import celpy
from celpy import celtypes
from celpy.celparser import CELParseError

_INT64_MIN, _INT64_MAX, _UINT64_MAX = -(2**63), 2**63 - 1, 2**64 - 1


class ConditionError(ValueError):
    """A CEL expression failed to parse or to evaluate; ``str()`` is the catalog text."""


def to_cel(value: Any) -> Any:
    """A python-native value as a celpy value."""
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int):
        if _INT64_MIN <= value <= _INT64_MAX:
            return celtypes.IntType(value)
        if 0 <= value <= _UINT64_MAX:
            return celtypes.UintType(value)
        raise ConditionError(f"CEL evaluation failed: integer {value} is out of range")
    if isinstance(value, float):
        return celtypes.DoubleType(value)
    if isinstance(value, str):
        return celtypes.StringType(value)
    if isinstance(value, (bytes, bytearray)):
        return celtypes.BytesType(bytes(value))
    if isinstance(value, (list, tuple)):
        return celtypes.ListType([to_cel(v) for v in value])
    if isinstance(value, Mapping):
        return celtypes.MapType({to_cel(k): to_cel(v) for k, v in value.items()})
    raise ConditionError(f"CEL evaluation failed: unsupported value type {type(value).__name__}")


def from_cel(value: Any) -> Any:
    """A celpy result as a python-native value."""
    if value is None:
        return None
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, (celtypes.IntType, celtypes.UintType)):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.BytesType):
        return bytes(value)
    if isinstance(value, celtypes.ListType):
        return [from_cel(v) for v in value]
    if isinstance(value, celtypes.MapType):
        return {from_cel(k): from_cel(v) for k, v in value.items()}
    if isinstance(value, (bool, int, float, str, bytes)):
        return value
    return str(value)  # timestamps, durations, type values: their CEL text


def _parse_detail(exc: CELParseError) -> str:
    """A one-line description of where the parse failed (celpy's own text is a caret drawing)."""
    cause = exc.__context__
    what = "syntax error"
    token = getattr(cause, "token", None)
    char = getattr(cause, "char", None)
    if token is not None:
        what = ("unexpected end of expression" if getattr(token, "type", "") == "$END"
                else f"unexpected token {str(token)!r}")
    elif char is not None:
        what = f"unexpected character {char!r}"
    line, column = getattr(exc, "line", None), getattr(exc, "column", None)
    if line is not None and column is not None:
        return f"{what} at line {line}, column {column}"
    return what


_ENV = celpy.Environment()


@dataclass(frozen=True, eq=False)
class CelProgram:
    """A compiled CEL expression. Immutable; safe to share and to run concurrently."""

    #: The expression as written.
    text: str
    _program: Any

    def run(self, variables: Mapping[str, Any]) -> Any:
        """Evaluate with python-native ``variables``; returns a python-native value."""
        try:
            activation = {name: to_cel(v) for name, v in variables.items()}
            result = self._program.evaluate(activation)
        except ConditionError:
            raise
        except celpy.CELEvalError as exc:
            detail = exc.args[0] if exc.args else str(exc)
            raise ConditionError(f"CEL evaluation failed: {detail}") from exc
        except Exception as exc:  # celpy lets some operand errors escape as Python exceptions
            raise ConditionError(f"CEL evaluation failed: {exc}") from exc
        if isinstance(result, celpy.CELEvalError):
            detail = result.args[0] if result.args else str(result)
            raise ConditionError(f"CEL evaluation failed: {detail}")
        return from_cel(result)


@lru_cache(maxsize=512)
def compile_cel(text: str) -> CelProgram:
    """Parse ``text`` as CEL; raises ``ConditionError("CEL parse error: ...")``."""
    if not text.strip():
        raise ConditionError("CEL parse error: empty expression")
    try:
        ast = _ENV.compile(text)
        program = _ENV.program(ast)
    except CELParseError as exc:
        raise ConditionError(f"CEL parse error: {_parse_detail(exc)}") from None
    except Exception as exc:  # noqa: BLE001 — e.g. celpy rejecting a construct while building the program
        raise ConditionError(f"CEL parse error: {exc}") from None
    return CelProgram(text, program)


@dataclass(frozen=True)
class Condition:
    """A compiled edge condition over ``output``."""

    #: The CEL text as written in ``when:``.
    text: str
    _program: CelProgram

    def evaluate(self, output: Mapping[str, Any]) -> bool:
        """Whether the edge fires for this source output; raises ``ConditionError``."""
        result = self._program.run({"output": output})
        if not isinstance(result, bool):
            raise ConditionError("CEL evaluation failed: condition must evaluate to a bool, "
                                 f"got {_cel_type(result)}")
        return result


def compile_condition(text: str) -> Condition:
    """Compile an edge condition once; evaluate it many times."""
    return Condition(text, compile_cel(text))


def _cel_type(value: Any) -> str:
    if value is None:
        return "null"
    return {int: "int", float: "double", str: "string", bytes: "bytes", list: "list",
            dict: "map"}.get(type(value), type(value).__name__)
