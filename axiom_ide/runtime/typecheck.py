"""Type-checking an edge: does the source message fit the destination, given the edge plan?

The type-system page is the rule book:

* **No plan** — the message types must be the same (fields pass through); otherwise the edge
  needs a field mapping (one ``types_differ`` issue, nothing else).
* **A plan** ``{dst_field: expression}`` — each expression must parse, its arguments must be
  valid, the destination field and every source path it names must exist, and the kind the
  pipeline produces must be compatible with the destination field's kind
  (:func:`~axiom_ide.runtime.transforms.kinds.compatible`: identical, ``bytes → string``, or
  numeric → numeric; lists, maps, messages and enums by their element / full name). Every
  *required* destination field must be mapped.

"Required" follows the docs' "non-optional, non-repeated": a singular field without explicit
presence — a plain proto3 scalar or enum. Fields marked ``optional``, oneof members, singular
message fields (they have presence), repeated and map fields are not required.

Source paths use the plan grammar: ``a.b`` descends into message fields, a numeric segment
(``items.0``) picks an element of a repeated field, and any segment after a map field picks a
value by key.

Issues carry the catalog's or the docs' exact messages; ``dst_field`` says which mapping they
belong to, so editors can mark the row.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from .errors import Diagnostic, Location, Severity
from .transforms import FieldPlan, PlanSyntaxError, parse_plan
from .transforms.kinds import compatible, display_kind, mismatch_message

IssueKind = Literal["mismatch", "required_unmapped", "unknown_source_field",
                    "unknown_dest_field", "plan_syntax", "plan_argument", "types_differ"]

_SCALAR_KINDS = {
    FieldDescriptor.TYPE_DOUBLE: "double",
    FieldDescriptor.TYPE_FLOAT: "float",
    FieldDescriptor.TYPE_INT64: "int64",
    FieldDescriptor.TYPE_SINT64: "int64",
    FieldDescriptor.TYPE_SFIXED64: "int64",
    FieldDescriptor.TYPE_UINT64: "uint64",
    FieldDescriptor.TYPE_FIXED64: "uint64",
    FieldDescriptor.TYPE_INT32: "int32",
    FieldDescriptor.TYPE_SINT32: "int32",
    FieldDescriptor.TYPE_SFIXED32: "int32",
    FieldDescriptor.TYPE_UINT32: "uint32",
    FieldDescriptor.TYPE_FIXED32: "uint32",
    FieldDescriptor.TYPE_BOOL: "bool",
    FieldDescriptor.TYPE_STRING: "string",
    FieldDescriptor.TYPE_BYTES: "bytes",
}


@dataclass(frozen=True)
class FieldIssue:
    """One problem with an edge's mapping."""

    #: Destination field the problem belongs to; ``None`` for whole-edge problems.
    dst_field: str | None
    #: What kind of problem (``mismatch``, ``required_unmapped``, ``types_differ``, ...).
    kind: IssueKind
    #: User-facing text in the docs' / catalog's words.
    message: str


@dataclass(frozen=True)
class EdgeCheck:
    """The outcome of :func:`check_edge`."""

    #: True when there is no plan and both ends use the same message: fields pass through.
    passthrough: bool
    #: Every problem found, mapping by mapping, then unmapped required fields.
    issues: list[FieldIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def diagnostics(self, src_id: str, dst_id: str,
                    severity: Severity = Severity.ERROR) -> list[Diagnostic]:
        """Issues as diagnostics located on edge ``src_id → dst_id`` (code ``EDGE_<KIND>``)."""
        return [Diagnostic(f"EDGE_{issue.kind.upper()}", issue.message, severity,
                           Location(edge=(src_id, dst_id), path=issue.dst_field))
                for issue in self.issues]


def _is_repeated(fd: FieldDescriptor) -> bool:
    repeated = getattr(fd, "is_repeated", None)
    if repeated is None:  # older protobuf runtimes
        return fd.label == FieldDescriptor.LABEL_REPEATED  # type: ignore[attr-defined]  # protobuf before is_repeated; the stubs dropped label
    return bool(repeated)


def _is_map(fd: FieldDescriptor) -> bool:
    return (_is_repeated(fd) and fd.message_type is not None
            and fd.message_type.GetOptions().map_entry)


def _singular_kind(fd: FieldDescriptor) -> str:
    if fd.type in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        assert fd.message_type is not None  # set for every message-typed field
        return f"message:{fd.message_type.full_name}"
    if fd.type == FieldDescriptor.TYPE_ENUM:
        assert fd.enum_type is not None  # set for every enum-typed field
        return f"enum:{fd.enum_type.full_name}"
    return _SCALAR_KINDS[fd.type]


def field_kind(fd: FieldDescriptor) -> str:
    """The kind of a field: ``string``, ``message:pkg.Msg``, ``repeated:int32``, ``map:k,v``."""
    if _is_map(fd):
        entry = fd.message_type
        assert entry is not None  # _is_map checked it
        key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
        return f"map:{_singular_kind(key)},{_singular_kind(value)}"
    if _is_repeated(fd):
        return f"repeated:{_singular_kind(fd)}"
    return _singular_kind(fd)


def is_required(fd: FieldDescriptor) -> bool:
    """Non-optional, non-repeated: a singular field without explicit presence."""
    return not _is_repeated(fd) and not fd.has_presence


def describe_fields(descriptor: Descriptor) -> list[tuple[str, str, bool]]:
    """``(name, kind, required)`` for each field, in declaration order — for editors."""
    return [(fd.name, field_kind(fd), is_required(fd)) for fd in descriptor.fields]


def resolve_path(descriptor: Descriptor, path: Iterable[str]) -> str | None:
    """The kind at ``path`` inside ``descriptor``, or ``None`` when the path does not exist."""
    segments = list(path)
    if not segments:
        return None
    kind = f"message:{descriptor.full_name}"
    #: The message behind ``kind`` (or behind its list element / map value); None for scalars.
    current: Descriptor | None = descriptor
    for segment in segments:
        if kind.startswith("repeated:"):
            if not segment.isdigit():
                return None
            kind = kind[len("repeated:"):]
        elif kind.startswith("map:"):
            kind = kind[len("map:"):].partition(",")[2]
        elif kind.startswith("message:") and current is not None:
            fd = current.fields_by_name.get(segment)
            if fd is None:
                return None
            kind = field_kind(fd)
            current = fd.message_type
            if current is not None and _is_map(fd):
                current = current.fields_by_name["value"].message_type
        else:
            return None
    return kind


def types_differ_message(src: Descriptor, dst: Descriptor) -> str:
    return (f"Message types differ: `{src.full_name}` → `{dst.full_name}`. "
            "Configure a field mapping.")


def required_unmapped_message(name: str) -> str:
    return f"Required field `{name}` is not mapped."


def unknown_dest_message(name: str, dst: Descriptor) -> str:
    return f"Unknown destination field `{name}` in `{dst.full_name}`."


def unknown_source_message(path: str, src: Descriptor) -> str:
    return f"Unknown source field `{path}` in `{src.full_name}`."


def check_edge(src: Descriptor, dst: Descriptor,
               plan: Mapping[str, str | FieldPlan] | None) -> EdgeCheck:
    """Check an edge from a node emitting ``src`` to one taking ``dst``."""
    if plan is None:
        if src.full_name == dst.full_name:
            return EdgeCheck(passthrough=True)
        return EdgeCheck(False, [FieldIssue(None, "types_differ", types_differ_message(src, dst))])

    issues: list[FieldIssue] = []
    for dst_name, expression in plan.items():
        issues.extend(_check_mapping(src, dst, dst_name, expression))
    for fd in dst.fields:
        if is_required(fd) and fd.name not in plan:
            issues.append(FieldIssue(fd.name, "required_unmapped",
                                     required_unmapped_message(fd.name)))
    return EdgeCheck(False, issues)


def _check_mapping(src: Descriptor, dst: Descriptor, dst_name: str,
                   expression: str | FieldPlan) -> list[FieldIssue]:
    issues: list[FieldIssue] = []
    dst_fd = dst.fields_by_name.get(dst_name)
    if dst_fd is None:
        issues.append(FieldIssue(dst_name, "unknown_dest_field",
                                 unknown_dest_message(dst_name, dst)))
    if isinstance(expression, FieldPlan):
        field_plan = expression
    else:
        try:
            field_plan = parse_plan(expression)
        except PlanSyntaxError as exc:
            issues.append(FieldIssue(dst_name, "plan_syntax", str(exc)))
            return issues
    for problem in field_plan.static_errors():
        issues.append(FieldIssue(dst_name, "plan_argument", problem))

    unknown = False
    for path in field_plan.source_paths():
        if resolve_path(src, path) is None:
            unknown = True
            issues.append(FieldIssue(dst_name, "unknown_source_field",
                                     unknown_source_message(".".join(path), src)))
    if dst_fd is None or unknown or any(i.kind == "plan_argument" for i in issues):
        return issues  # a kind check would only repeat the problem in other words

    src_kind = resolve_path(src, field_plan.source) if field_plan.source is not None else None
    produced = field_plan.result_kind(src_kind)
    wanted = field_kind(dst_fd)
    if not compatible(produced, wanted):
        issues.append(FieldIssue(dst_name, "mismatch", mismatch_message(produced, wanted)))
    return issues


__all__ = [
    "EdgeCheck", "FieldIssue", "IssueKind", "check_edge", "compatible", "describe_fields",
    "display_kind", "field_kind", "is_required", "mismatch_message", "resolve_path",
]
