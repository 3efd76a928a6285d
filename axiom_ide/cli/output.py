"""How the CLI prints results and errors, in one place."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError, Diagnostic, render


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def render_cli(d: Diagnostic) -> str:
    """A problem as the CLI prints it: :func:`errors.render`, except that a ``.proto`` error at a
    line reads as protoc's own line after the severity, its location said once:
    ``error: messages/messages.proto:7:1: Expected ";".``"""
    if d.code == "proto_error" and d.location.line is not None:
        return f"{d.severity.value}: {d.location.position}: {d.message}"
    return render(d)


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream=None) -> None:
    """Each problem — a compile diagnostic or a run's failure — as :func:`render_cli` prints it."""
    stream = stream or sys.stderr
    for d in diagnostics:
        stream.write(render_cli(d) + "\n")


@contextmanager
def relative_to(root: Path) -> Iterator[None]:
    """A failure inside names its files relative to ``root`` (the package the verb works in), as
    the user there reads them: ``messages/messages.proto``, not the absolute path."""
    try:
        yield
    except AxiomError as exc:
        raise AxiomError([d.relative_to(root) for d in exc.diagnostics]) from None


def run_handler(handler: Callable[[Any], int], args: Any) -> int:
    """Run a verb; an AxiomError becomes its rendered diagnostics and exit code 1."""
    try:
        return int(handler(args) or 0)
    except AxiomError as exc:
        if getattr(args, "json", False):
            print_json({"ok": False, "errors": [d.to_json() for d in exc.diagnostics]})
        else:
            print_diagnostics(exc.diagnostics)
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


def read_secret(prompt: str) -> str | None:
    """A secret typed at a terminal, without echo (``""`` at end of input); None when stdin is not
    a terminal, so the caller reads the piped text its own way."""
    try:
        interactive = sys.stdin.isatty()
    except (AttributeError, ValueError):
        interactive = False
    if not interactive:
        return None
    import getpass

    try:
        return getpass.getpass(prompt)
    except EOFError:
        return ""
