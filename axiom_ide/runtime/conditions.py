"""CEL over python-native values: edge conditions and the ``cel`` transform.

An edge's ``when:`` is a CEL expression over one variable, ``output`` — the source node's output
as a python-native dict. :func:`compile_condition` parses it once into a :class:`Condition`;
``Condition.evaluate(output)`` then runs it as often as needed and insists on a ``bool``.

Errors read as the error catalog words them: ``CEL parse error: <detail>`` when the text is not
CEL, ``CEL evaluation failed: <detail>`` when it fails against a value (unknown field, bad
operand types, division by zero, a non-bool condition). The engine prefixes these with
``edge "a" → "b": EvaluateEdge condition: ``.

Given the source node's output message (``compile_condition(text, output_type)``), a condition is
also checked against it before it ever runs: every ``output.a.b`` selection must name fields the
message has (nested messages too), so ``output.missing`` is refused at edit and compile time with
``Unknown field `output.missing` in `pkg.Msg`.`` instead of failing mid-run.

Values cross into CEL as: ``bool`` → bool, ``int`` → int (uint when above int64), ``float`` →
double, ``str`` → string, ``bytes`` → bytes, ``list``/``tuple`` → list, ``dict`` → map,
``None`` → null; results come back the same way.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import celpy
from celpy import celtypes
from celpy.celparser import CELParseError

if TYPE_CHECKING:  # pragma: no cover
    from google.protobuf.descriptor import Descriptor

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


def compile_condition(text: str, output_type: Descriptor | None = None) -> Condition:
    """Compile an edge condition once; evaluate it many times. With the source's ``output_type``
    the fields it selects are checked too (``ConditionError`` naming the first unknown one)."""
    program = compile_cel(text)
    if output_type is not None:
        unknown = unknown_fields(text, output_type)
        if unknown:
            raise ConditionError(unknown_field_message(unknown[0], output_type))
    return Condition(text, program)


def unknown_field_message(path: str, output_type: Descriptor) -> str:
    return f"Unknown field `{path}` in `{output_type.full_name}`."


def unknown_fields(text: str, output_type: Descriptor) -> list[str]:
    """``output.…`` selections in ``text`` (already known to parse) that ``output_type`` does not
    have, each as the shortest unknown prefix (``output.missing``), in order, without repeats.

    Walks celpy's parse tree: a ``member_dot`` node is ``<member> . IDENT``; chains rooted at the
    bare identifier ``output`` are field paths. Descent stops at anything that is not a singular
    message field (maps take any key; lists and scalars are CEL's business at run time), and at
    ``google.protobuf.*`` messages (Struct and friends hold arbitrary fields)."""
    tree = _ENV.compile(text)
    out: list[str] = []
    for node in tree.iter_subtrees_topdown():
        if node.data != "member_dot":
            continue
        path = _output_path(node)
        if path is None:
            continue
        bad = _first_unknown(path, output_type)
        if bad is not None and bad not in out:
            out.append(bad)
    return out


def _tree(node: Any, data: str | None = None) -> bool:
    """Whether ``node`` is a lark tree (tokens are ``str``s; lark comes with celpy, not with us)."""
    return not isinstance(node, str) and hasattr(node, "data") and data in (None, node.data)


def _output_path(node: Any) -> list[str] | None:
    """The field names of a ``member_dot`` chain rooted at ``output``; None for other roots."""
    if node.data == "member" and len(node.children) == 1:
        child = node.children[0]
        if _tree(child, "primary"):
            ident: Any = child.children[0] if child.children else None
            if _tree(ident, "ident") and ident.children and str(ident.children[0]) == "output":
                return []
            return None
        return _output_path(child) if _tree(child) else None
    if node.data == "member_dot" and len(node.children) == 2:
        base, name = node.children
        if not _tree(base) or not isinstance(name, str):
            return None
        head = _output_path(base)
        return None if head is None else head + [str(name)]
    return None


def _first_unknown(path: list[str], output_type: Descriptor) -> str | None:
    from google.protobuf.descriptor import FieldDescriptor

    current: Descriptor | None = output_type
    for i, name in enumerate(path):
        if current is None or current.full_name.startswith("google.protobuf."):
            return None
        fd = current.fields_by_name.get(name)
        if fd is None:
            return "output." + ".".join(path[: i + 1])
        repeated = getattr(fd, "is_repeated", None)
        if repeated is None:  # protobuf before is_repeated
            repeated = fd.label == FieldDescriptor.LABEL_REPEATED  # type: ignore[attr-defined]
        current = None if repeated or fd.type != FieldDescriptor.TYPE_MESSAGE else fd.message_type
    return None


def _cel_type(value: Any) -> str:
    if value is None:
        return "null"
    return {int: "int", float: "double", str: "string", bytes: "bytes", list: "list",
            dict: "map"}.get(type(value), type(value).__name__)
