"""Errors as values.

Every problem the runtime reports — a compile diagnostic or a run failure — is a
:class:`Diagnostic`: a stable ``code``, a message in the Axiom docs' own words, a severity, a
:class:`Location` (file:line:column, a canvas node id, or an edge "a" → "b") and, for a node that
raised, the exception's type name and traceback. The engine raises it (``StepError.diagnostic``),
the store keeps it with the execution (``error_detail``), backends hand it to the IDE
(``Failure.diagnostic``), and the CLI, the server and the IDE all print it with :func:`render`, so
a message reads the same wherever a user meets it. :class:`AxiomError` is the exception that
carries them.
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
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
        """The position and the canvas element, in :func:`render`'s order."""
        return ": ".join(p for p in (self.position, self.canvas) if p)

    @property
    def position(self) -> str:
        """``file:line:column`` (as much of it as is known), or ""."""
        if not self.file:
            return ""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    @property
    def canvas(self) -> str:
        """The canvas element in the catalog's words: ``edge "a" → "b"`` or ``node "x"``, or ""."""
        if self.edge:
            return f'edge "{self.edge[0]}" → "{self.edge[1]}"'
        if self.node:
            return f'node "{self.node}"'
        return ""

    def relative_to(self, base: str | os.PathLike[str]) -> Location:
        """This location with its file as a path relative to ``base`` (``messages/messages.proto``)
        when it lies under ``base``; unchanged otherwise."""
        if not self.file or not os.path.isabs(self.file):
            return self
        try:
            rel = Path(self.file).resolve().relative_to(Path(base).resolve())
        except (ValueError, OSError):
            return self
        return replace(self, file=rel.as_posix())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("file", "line", "column", "node", "path"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.edge:
            out["edge"] = {"from": self.edge[0], "to": self.edge[1]}
        return out

    @classmethod
    def from_json(cls, data: Any) -> Location:
        """The inverse of :meth:`to_json`; unknown or mistyped keys are ignored."""
        if not isinstance(data, dict):
            return cls()
        edge = data.get("edge")
        pair = (str(edge["from"]), str(edge["to"])) if isinstance(edge, dict) and "from" in edge and "to" in edge else None
        num = lambda v: v if isinstance(v, int) and not isinstance(v, bool) else None  # noqa: E731
        text = lambda v: v if isinstance(v, str) else None  # noqa: E731
        return cls(file=text(data.get("file")), line=num(data.get("line")), column=num(data.get("column")),
                   node=text(data.get("node")), edge=pair, path=text(data.get("path")))


@dataclass(frozen=True)
class Diagnostic:
    """One problem: a code, the user-facing message, its severity and location."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)
    #: A node that raised: the exception's type name (``ValueError``) ...
    exception_type: str | None = None
    #: ... and the traceback text the node host formatted.
    traceback: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def render(self) -> str:
        return render(self)

    def relative_to(self, base: str | os.PathLike[str]) -> Diagnostic:
        """This diagnostic with its file relative to ``base`` (a package or workspace root), as a
        user who works there reads it (:meth:`Location.relative_to`)."""
        location = self.location.relative_to(base)
        return self if location is self.location else replace(self, location=location)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "location": self.location.to_json(),
        }
        if self.exception_type:
            out["exception_type"] = self.exception_type
        if self.traceback:
            out["traceback"] = self.traceback
        return out

    @classmethod
    def from_json(cls, data: Any) -> Diagnostic | None:
        """The inverse of :meth:`to_json` (a stored ``error_detail``); None for anything that is
        not one (a value written by some other version is read, not trusted)."""
        if not isinstance(data, dict) or not isinstance(data.get("message"), str):
            return None
        try:
            severity = Severity(data.get("severity", "error"))
        except ValueError:
            severity = Severity.ERROR
        text = lambda v: v if isinstance(v, str) and v else None  # noqa: E731
        return cls(str(data.get("code") or ""), data["message"], severity, Location.from_json(data.get("location")),
                   text(data.get("exception_type")), text(data.get("traceback")))


def render(diag: Diagnostic) -> str:
    """The one way a problem is printed, by the CLI, the server, the IDE and the logs:

        ``file:line:column: severity: node "x": message``

    The position comes first (as much of it as is known), then the severity, then the canvas
    element, then the message. The canvas element is left out when the message already names it,
    as the catalog's run errors do (``node "x": boom`` — no error names its node twice), and when
    there is a file position (it points at the very line; the message says what is there)."""
    where = diag.location.position
    canvas = diag.location.canvas
    message = diag.message
    if canvas and not where and canvas not in message:
        message = f"{canvas}: {message}"
    return f"{where + ': ' if where else ''}{diag.severity.value}: {message}"


def envelope_extras(diag: Diagnostic | None) -> dict[str, Any]:
    """The fields a server error envelope carries beside the documented ones: ``code`` and the
    ``location`` parts (``file``, ``line``, ``column``, ``node``, ``edge`` {from, to}, ``path``), and
    ``exception_type`` for a node that raised. The traceback stays out of HTTP answers (it names
    the server's paths); it is in the stored execution for the IDE."""
    if diag is None:
        return {}
    out: dict[str, Any] = {"code": diag.code}
    location = diag.location.to_json()
    if location:
        out["location"] = location
    if diag.exception_type:
        out["exception_type"] = diag.exception_type
    return out


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
