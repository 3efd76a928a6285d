"""A parsed edge plan for one destination field, and how it runs.

A :class:`FieldPlan` is the immutable result of parsing ``src.path | transform(args) | ...``:
the source path (``None`` when the plan starts with ``cel(...)``), then the transform steps in
order. ``str(plan)`` is the canonical text, and ``parse_plan(str(plan)) == plan`` always holds.

Evaluating a plan reads the source path out of the source node's output (an unset field or a
missing list element reads as ``None``), then feeds the value through each step. Any step that
refuses its arguments or its input raises :class:`~.errors.TransformError` with the catalog text.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import functions
from .errors import TransformError
from .values import read_path, split_path

#: A literal argument: a string (quoted or a bare word), an integer or a float.
Arg = str | int | float


@dataclass(frozen=True)
class TransformStep:
    """One ``name(args)`` step of a pipeline."""

    #: Lower-case transform name as written (``mult`` stays ``mult``; see ``canonical_name``).
    name: str
    #: Literal arguments in order.
    args: tuple[Arg, ...] = ()

    @property
    def canonical_name(self) -> str:
        """The transform's own name: ``multiply`` for ``mult``."""
        return functions.canonical_name(self.name)

    @property
    def display_name(self) -> str:
        """Upper-case name as the canvas shows it (``MULTIPLY``)."""
        return self.canonical_name.upper()

    def static_errors(self) -> list[str]:
        return functions.TRANSFORMS[self.canonical_name].check(self.args)

    def apply(self, value: Any, output: Mapping[str, Any]) -> Any:
        spec = functions.TRANSFORMS[self.canonical_name]
        problems = spec.check(self.args)
        if problems:
            raise TransformError(spec.name, problems[0])
        return spec.apply(value, self.args, output)

    def __str__(self) -> str:
        if not self.args:
            return self.name
        return f"{self.name}({', '.join(format_arg(a) for a in self.args)})"


@dataclass(frozen=True)
class FieldPlan:
    """``source | step | step ...`` for one destination field."""

    #: Path segments into the source output (``("items", "0", "name")``); ``None`` when the plan
    #: starts with a ``cel(...)`` step that reads the whole output.
    source: tuple[str, ...] | None
    #: The transform steps, applied left to right.
    steps: tuple[TransformStep, ...] = ()

    @property
    def text(self) -> str:
        """Canonical text of the plan."""
        parts = [".".join(self.source)] if self.source is not None else []
        parts.extend(str(step) for step in self.steps)
        return " | ".join(parts)

    def __str__(self) -> str:
        return self.text

    def static_errors(self) -> list[str]:
        """Argument problems visible without data, in the catalog's words, step by step."""
        problems: list[str] = []
        for step in self.steps:
            problems.extend(step.static_errors())
        return problems

    def evaluate(self, source: Mapping[str, Any]) -> Any:
        """Run the plan over the source node's output; raises ``TransformError``."""
        value: Any = read_path(source, self.source) if self.source is not None else source
        for step in self.steps:
            value = step.apply(value, source)
        return value

    def result_kind(self, src_kind: str | None) -> str | None:
        """Kind of the value this plan produces when its source field has ``src_kind``."""
        kind = src_kind if self.source is not None else None
        for step in self.steps:
            kind = functions.TRANSFORMS[step.canonical_name].result_kind(kind, step.args)
        return kind

    def source_paths(self) -> list[tuple[str, ...]]:
        """Every path into the source output the plan names (its source and ``cel`` srcFields)."""
        paths = [self.source] if self.source is not None else []
        for step in self.steps:
            if step.canonical_name == "cel" and len(step.args) == 2:
                paths.append(split_path(str(step.args[1])))
        return paths


def format_arg(arg: Arg) -> str:
    """Canonical literal text: strings always double-quoted, numbers as Python prints them."""
    if isinstance(arg, str):
        return quote(arg)
    if isinstance(arg, bool):  # never produced by the parser; keep output parseable anyway
        return quote("true" if arg else "false")
    return repr(arg)


def quote(text: str) -> str:
    """A double-quoted string literal the parser reads back to ``text``."""
    # json.dumps escapes exactly what our grammar accepts: \" \\ \n \t \r \b \f \uXXXX.
    return json.dumps(text, ensure_ascii=False)
