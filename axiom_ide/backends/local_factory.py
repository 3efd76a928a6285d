"""A LocalBackend for a data dir: the embedded runtime built here, so the app constructs no
runtime internals itself (``app/main_window.local_backend`` calls :func:`local_backend`)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from axiom_ide.backends.local import LocalBackend


def local_backend(data_dir: Path, workspace: Callable[[], Any] | Any, *, inline: bool = False,
                  sandbox: bool = True, python_for_packages: str | Path | None = None) -> LocalBackend:
    """The runtime of ``data_dir`` behind a LocalBackend. ``inline`` runs node code in process
    instead of host processes; ``sandbox`` False turns the host sandbox off (Run → Run Node Code
    in Sandbox); ``python_for_packages`` is the interpreter packages the app does not satisfy get
    venvs from (else AXIOM_IDE_PYTHON). ``workspace``: a Workspace or a callable returning one.
    Build it on the loop thread that will run it (the runtime binds to that loop)."""
    from axiom_ide.runtime.host.sandbox import Sandbox
    from axiom_ide.runtime.runtime import Runtime

    runtime = Runtime(data_dir, inline=inline, sandbox=None if sandbox else Sandbox(enabled=False),
                      python_for_packages=Path(python_for_packages) if python_for_packages else None)
    return LocalBackend(runtime, workspace)


def check_package_python(path: str | Path) -> tuple[int, int]:
    """The (major, minor) of the interpreter at ``path`` the local runtime would give package venvs
    (Run → Python Interpreter for Packages…): Python 3.11+ or an AxiomError saying what is wrong
    (``runtime/host/interpreter.check_python``)."""
    from axiom_ide.runtime.host.interpreter import check_python

    return check_python(path)
