"""Value kinds: the names the type checker and ``FieldPlan.result_kind`` speak.

A kind is a plain string:

* a proto3 scalar: ``string``, ``bytes``, ``bool``, ``int32``, ``int64``, ``uint32``, ``uint64``,
  ``float``, ``double``;
* ``message:<full.name>`` and ``enum:<full.name>`` for named types;
* ``repeated:<kind>`` for a list, ``map:<key kind>,<value kind>`` for a map field.

``None`` stands for "unknown" (e.g. the result of a ``cel`` step) and is compatible with anything.
"""
from __future__ import annotations

INTEGER_KINDS = frozenset({"int32", "int64", "uint32", "uint64"})
FLOAT_KINDS = frozenset({"float", "double"})
NUMERIC_KINDS = INTEGER_KINDS | FLOAT_KINDS
SCALAR_KINDS = NUMERIC_KINDS | {"string", "bytes", "bool"}


def is_numeric(kind: str | None) -> bool:
    return kind in NUMERIC_KINDS


def is_integer(kind: str | None) -> bool:
    return kind in INTEGER_KINDS


def element_kind(kind: str | None) -> str | None:
    """The element kind of ``repeated:<kind>``; ``None`` for anything else."""
    if kind and kind.startswith("repeated:"):
        return kind[len("repeated:"):]
    return None


def display_kind(kind: str | None) -> str:
    """How a kind reads in a message.

    ``repeated string``, ``my.pkg.Order`` (messages and enums by full name), ``map<string, int32>``.
    """
    if kind is None:
        return "unknown"
    if kind.startswith("repeated:"):
        return "repeated " + display_kind(kind[len("repeated:"):])
    if kind.startswith("map:"):
        key, _, value = kind[len("map:"):].partition(",")
        return f"map<{display_kind(key)}, {display_kind(value)}>"
    if kind.startswith(("message:", "enum:")):
        return kind.partition(":")[2]
    return kind


def compatible(src: str | None, dst: str | None) -> bool:
    """Whether a value of kind ``src`` may be written to a field of kind ``dst``.

    The type-system page's rules: identical kinds match; ``bytes → string`` is safe; any numeric
    kind maps to any other numeric kind. Lists match lists of compatible elements; maps match
    maps with the same key kind and compatible values; messages and enums match by full name.
    An unknown side (``None``) is given the benefit of the doubt.
    """
    if src is None or dst is None or src == dst:
        return True
    if src == "bytes" and dst == "string":
        return True
    if is_numeric(src) and is_numeric(dst):
        return True
    if src.startswith("repeated:") and dst.startswith("repeated:"):
        return compatible(element_kind(src), element_kind(dst))
    if src.startswith("map:") and dst.startswith("map:"):
        src_key, _, src_value = src[4:].partition(",")
        dst_key, _, dst_value = dst[4:].partition(",")
        return src_key == dst_key and compatible(src_value, dst_value)
    return False


def mismatch_message(src: str | None, dst: str | None) -> str:
    """The docs' wording for an incompatible pair of field kinds."""
    return (f"Type mismatch: `{display_kind(src)}` → `{display_kind(dst)}`. "
            "Add a transform to convert the value.")
