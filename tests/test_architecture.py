"""Layering rules (STYLE.md rule 1): the runtime and everything below the GUI import no Qt."""
from __future__ import annotations

import subprocess
import sys

import pytest

HEADLESS_PACKAGES = [
    "axiom_ide.runtime",
    "axiom_ide.runtime.model",
    "axiom_ide.runtime.model.flow_yaml",
    "axiom_ide.runtime.model.validate",
    "axiom_ide.runtime.compiler.layout",
    "axiom_ide.runtime.compiler.analyze",
    "axiom_ide.runtime.compiler.compile",
    "axiom_ide.runtime.packages",
    "axiom_ide.runtime.transforms",
    "axiom_ide.runtime.typecheck",
    "axiom_ide.runtime.conditions",
    "axiom_ide.runtime.store",
    "axiom_ide.server",
    "axiom_ide.backends",
    "axiom_ide.cli.main",
]

PROBE = """
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("axiom_ide"):
            continue  # a layer not built yet
        raise
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "qasync"))
print(",".join(qt))
"""


def test_runtime_server_backends_cli_import_no_qt():
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *HEADLESS_PACKAGES],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "", f"Qt loaded by headless layers: {out.stdout.strip()}"


def test_cli_help_builds_every_verb_without_qt():
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from axiom_ide.cli.main import build_parser; build_parser();"
         "print(','.join(m for m in sys.modules if m.startswith('PySide6')))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("layer", ["runtime", "server", "backends", "cli"])
def test_no_qt_import_statements_in_headless_layers(layer):
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[1] / "axiom_ide" / layer
    pattern = re.compile(r"^\s*(from|import)\s+(PySide6|qasync|shiboken6)\b", re.M)
    offenders = [str(p) for p in root.rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    # The GUI launcher and the renderer import Qt lazily inside their handlers (indented), which
    # this regex also catches; they are the only CLI modules allowed to.
    allowed = {"gui_cmds.py", "render_cmd.py"}
    offenders = [p for p in offenders if pathlib.Path(p).name not in allowed]
    assert offenders == []
