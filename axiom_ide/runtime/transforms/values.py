"""Helpers over python-native field values (str, int, float, bool, bytes, list, dict, None).

Transforms see a node's output as the dict ``json_format``-style decoding produces, with proto
field names as keys. These helpers give every transform the same answers to "what text is this
value", "how is it shown in an error" and "what number is this".
"""
from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any


def as_text(value: Any) -> str:
    """The string a string transform works on.

    ``None`` (an unset field) is ``""``; bytes decode as UTF-8 (bad bytes become U+FFFD); booleans
    are ``true``/``false``; integral floats drop their ``.0``; lists and maps become compact JSON.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def show(value: Any) -> str:
    """A value as it appears unquoted inside an error message (``cannot convert abc to float``)."""
    if value is None:
        return "null"
    return as_text(value)


def format_float(value: float) -> str:
    """Shortest round-tripping text; ``3.0`` reads ``3``."""
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def parse_number(value: Any) -> int | float | None:
    """``value`` as a number, or ``None``. Numeric strings count; booleans do not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text, 10)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return number
    return None


def parse_int(value: Any) -> int | None:
    """``value`` as an integer argument (``2``, ``"2"``, ``2.0``), or ``None``."""
    number = parse_number(value)
    if isinstance(number, float):
        return int(number) if number.is_integer() else None
    return number


def is_empty(value: Any) -> bool:
    """What ``default`` replaces: unset, ``""``, empty bytes, an empty list or map.

    Zero and ``false`` are real values and are kept — proto3 cannot tell them from "unset", and
    substituting a fallback for a legitimate ``0`` would silently change data.
    """
    return value is None or (isinstance(value, (str, bytes, bytearray, list, tuple, dict))
                             and len(value) == 0)


def _json_default(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def read_path(source: Any, path: tuple[str, ...]) -> Any:
    """Follow ``path`` through dicts (by key) and lists (by 0-based index).

    A missing key, an index out of range or a step into a scalar reads as ``None`` — exactly what
    an unset proto3 field looks like once decoded, so ``default(...)`` can fill it.
    """
    value = source
    for segment in path:
        if isinstance(value, Mapping):
            if segment in value:
                value = value[segment]
            elif segment.isdigit() and int(segment) in value:
                value = value[int(segment)]
            else:
                return None
        elif isinstance(value, (list, tuple)) and segment.isdigit():
            index = int(segment)
            if index >= len(value):
                return None
            value = value[index]
        else:
            return None
    return value


def split_path(text: str) -> tuple[str, ...]:
    return tuple(text.split("."))
