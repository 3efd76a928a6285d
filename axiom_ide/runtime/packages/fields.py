"""``create message --fields``: parse field definitions and render a message block.

Three syntaxes, separated by ``;``: canonical proto3 (``string name = 1``), proto3 without a number
(``string name``) and colon shorthand (``name:string``); ``repeated`` / ``optional`` may precede
the type (``tags:repeated string`` is accepted too). Missing numbers are auto-assigned: the next
number above the highest used so far.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from axiom_ide.runtime.errors import AxiomError

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_TYPE = r"[A-Za-z_][A-Za-z0-9_.]*"
_PROTO_RE = re.compile(
    rf"^(?:(?P<label>repeated|optional)\s+)?(?P<type>{_TYPE})\s+(?P<name>{_IDENT})\s*(?:=\s*(?P<num>\d+))?$"
)
_COLON_RE = re.compile(
    rf"^(?P<name>{_IDENT})\s*:\s*(?:(?P<label>repeated|optional)\s+)?(?P<type>{_TYPE})\s*(?:=\s*(?P<num>\d+))?$"
)
_MAX_FIELD_NUMBER = 536_870_911


@dataclass(frozen=True)
class FieldDef:
    type: str
    name: str
    number: int
    #: ``""``, ``repeated`` or ``optional``.
    label: str = ""

    def render(self) -> str:
        label = f"{self.label} " if self.label else ""
        return f"{label}{self.type} {self.name} = {self.number};"


def parse_fields(spec: str) -> list[FieldDef]:
    """Parse a ``--fields`` value; raises ``invalid_fields`` naming the bad definition."""
    parsed: list[tuple[str, str, str, int | None]] = []
    for raw in spec.split(";"):
        part = raw.strip()
        if not part:
            continue
        m = _PROTO_RE.match(part) or _COLON_RE.match(part)
        if not m:
            raise AxiomError.of(
                "invalid_fields",
                f'invalid field definition "{part}": use "type name = N", "type name" or "name:type" '
                '(optionally with "repeated" or "optional" before the type)',
            )
        num = int(m.group("num")) if m.group("num") else None
        if num is not None and not 1 <= num <= _MAX_FIELD_NUMBER:
            raise AxiomError.of("invalid_fields", f'invalid field number {num} in "{part}": must be 1 or greater')
        if num is not None and 19000 <= num <= 19999:
            raise AxiomError.of("invalid_fields", f'field number {num} in "{part}" is reserved by protobuf (19000-19999)')
        parsed.append((m.group("label") or "", m.group("type"), m.group("name"), num))
    if not parsed:
        raise AxiomError.of("invalid_fields", "--fields is empty: give at least one field definition")
    names: set[str] = set()
    used = {p[3] for p in parsed if p[3] is not None}
    if len(used) != len([p for p in parsed if p[3] is not None]):
        dup = next(n for n in used if [p[3] for p in parsed].count(n) > 1)
        raise AxiomError.of("invalid_fields", f"field number {dup} is used more than once")
    out: list[FieldDef] = []
    highest = 0
    for label, type_, name, num in parsed:
        if name in names:
            raise AxiomError.of("invalid_fields", f'field "{name}" is defined more than once')
        names.add(name)
        if num is None:
            num = highest + 1
            while num in used:
                num += 1
            used.add(num)
        highest = max(highest, num)
        out.append(FieldDef(type_, name, num, label))
    return out


def render_message(name: str, fields: list[FieldDef] | None, *, hints: str = "", doc: str = "",
                   placeholder: tuple[tuple[str, str, str], ...] = ()) -> str:
    """A message block; without ``fields`` it uses the documented placeholder fields."""
    lines: list[str] = []
    if hints:
        lines += [hints.rstrip("\n"), ""]
    if doc:
        lines.append(doc)
    lines.append(f"message {name} {{")
    if fields:
        lines += [f"  {f.render()}" for f in fields]
    else:
        for i, (type_, fname, comment) in enumerate(placeholder, start=1):
            lines.append(f"  // {comment}")
            lines.append(f"  {type_} {fname} = {i};")
    lines.append("}")
    return "\n".join(lines) + "\n"
