"""Errors as values.

Every problem the runtime reports is a :class:`Diagnostic`: a stable ``code``, a message in the
Axiom docs' own words, a severity and a :class:`Location` (file:line:column, a canvas node id, or
an edge "a" → "b"). The CLI, the server and the IDE all render the same object, so a message reads
the same wherever a user meets it. :class:`AxiomError` is the exception that carries them.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Self


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Location:
    """Where a problem is. Any subset of the fields may be set."""

    file: str | None = None
    #: 1-based line, as editors count.
    line: int | None = None
    #: 1-based column.
    column: int | None = None
    #: Canvas id of a node placement.
    node: str | None = None
    #: (source canvas id, destination canvas id) of an edge.
    edge: tuple[str, str] | None = None
    #: Extra detail such as a key path (``nodes[2].id``) or a destination field name.
    path: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            # The message names the node/edge itself; the file position is enough here.
            return where
        if self.edge:
            parts.append(f'edge "{self.edge[0]}" → "{self.edge[1]}"')
        elif self.node:
            parts.append(f'node "{self.node}"')
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("file", "line", "column", "node", "path"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.edge:
            out["edge"] = {"from": self.edge[0], "to": self.edge[1]}
        return out


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a code, the user-facing message, its severity and location."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def render(self) -> str:
        where = str(self.location)
        if where and not self.location.file and self.message.startswith(where):
            where = ""  # the message already names its node or edge
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity.value}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.location.to_json(),
        }


def error(code: str, message: str, **where: Any) -> Diagnostic:
    return Diagnostic(code, message, Severity.ERROR, Location(**where))


def warning(code: str, message: str, **where: Any) -> Diagnostic:
    return Diagnostic(code, message, Severity.WARNING, Location(**where))


class AxiomError(Exception):
    """An operation failed; ``diagnostics`` says why (at least one error)."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__("\n".join(d.render() for d in self.diagnostics))

    @classmethod
    def of(cls, code: str, message: str, **where: Any) -> Self:
        return cls(error(code, message, **where))

    @property
    def message(self) -> str:
        """The first error's message without location, for APIs that carry a bare string."""
        return self.diagnostics[0].message if self.diagnostics else ""


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)
