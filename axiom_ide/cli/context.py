"""Resolve where the CLI works: the workspace folder and the data dir.

Precedence: the ``--workspace`` / ``--data-dir`` flags, then ``AXIOM_IDE_WORKSPACE`` /
``AXIOM_IDE_DATA_DIR``, then the current directory / the platform user data dir.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def workspace_dir(args: Any) -> Path:
    value = getattr(args, "workspace", None) or os.environ.get("AXIOM_IDE_WORKSPACE")
    return Path(value).resolve() if value else Path.cwd()


def data_dir(args: Any) -> Path:
    value = getattr(args, "data_dir", None) or os.environ.get("AXIOM_IDE_DATA_DIR")
    if value:
        path = Path(value)
    else:
        import platformdirs

        path = Path(platformdirs.user_data_dir("axiom-ide", "Axiom"))
    path.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner-only (runtime/store/datadir.py)
    return path.resolve()


def add_location_flags(parser: Any) -> None:
    """Accept --data-dir/--workspace after the verb too (``axiom-ide flow compile X --data-dir D``)."""
    import argparse

    parser.add_argument("--data-dir", default=argparse.SUPPRESS, help="runtime state folder")
    parser.add_argument("--workspace", default=argparse.SUPPRESS, help="packages and flows folder")
