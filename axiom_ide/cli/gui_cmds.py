"""``axiom-ide gui [FLOW...]``: open the desktop IDE.

Without ``--workspace`` (or ``AXIOM_IDE_WORKSPACE``) it opens the bundled example workspace,
copied into the data dir on first use. Qt is imported inside the handler so the CLI stays fast.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from axiom_ide.cli.context import add_location_flags, data_dir, workspace_dir
from axiom_ide.cli.serve_cmds import add_log_flags


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gui", help="open the desktop IDE",
        description="Open the Axiom IDE window, optionally with flow files (*.flow.yaml).",
    )
    parser.add_argument("flows", nargs="*", metavar="FLOW", help="flow files to open")
    add_log_flags(parser)
    add_location_flags(parser)
    parser.set_defaults(handler=run_gui)


def run_gui(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.logs import resolve

    try:
        resolve(args.log_format, args.log_level)
    except ValueError as exc:  # a bad AXIOM_IDE_LOG_FORMAT / AXIOM_IDE_LOG_LEVEL
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if no_display():
        # Qt would abort with "could not connect to display" and a core dump
        print("no display: set DISPLAY or use QT_QPA_PLATFORM=offscreen", file=sys.stderr)
        return 1
    data = data_dir(args)
    if getattr(args, "workspace", None) or os.environ.get("AXIOM_IDE_WORKSPACE"):
        workspace = workspace_dir(args)
    else:
        from axiom_ide.runtime.examples import ensure_example_workspace

        workspace = ensure_example_workspace(data)
    from axiom_ide.app.main import run_app

    return run_app(workspace, data, args.flows, log_format=args.log_format, log_level=args.log_level)


def no_display() -> bool:
    """Linux/BSD without an X11 or Wayland display and no other Qt platform chosen."""
    if sys.platform in ("win32", "darwin") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
