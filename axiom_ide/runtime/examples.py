"""The bundled example workspace: shipped as package data, copied to the user's data dir once.

Resources load through importlib.resources so the frozen app and the source tree behave alike.
An existing copy is never overwritten — it is the user's workspace from then on.
"""
from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

_IGNORE = shutil.ignore_patterns("gen", "__pycache__", "*.pyc", ".pytest_cache")


def bundled_workspace() -> Path:
    """The read-only example workspace inside the installed package."""
    root = resources.files("axiom_ide") / "resources" / "examples" / "workspace"
    return Path(str(root))


def ensure_example_workspace(data_dir: Path) -> Path:
    """Copy the example workspace into ``data_dir/workspace`` unless it is already there."""
    target = Path(data_dir) / "workspace"
    if not target.exists():
        tmp = target.with_name(".workspace.tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        shutil.copytree(bundled_workspace(), tmp, ignore=_IGNORE)
        tmp.rename(target)
    return target
