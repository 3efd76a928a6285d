"""``axiom-ide render FLOW -o out.png|out.svg [--width W]``: draw a flow headless with the canvas items.

Packages come from ``--workspace`` (or $AXIOM_IDE_WORKSPACE); without either, the folder above the
flow's ``flows/`` directory is used when it holds packages, else the current directory.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from axiom_ide.cli.context import add_location_flags


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("render", help="render a flow to PNG or SVG (headless)",
                              description="Draw a flow with the canvas items, fitted to its content.")
    p.add_argument("flow", help="path to a *.flow.yaml")
    p.add_argument("-o", "--output", required=True, help="output file: .png or .svg")
    p.add_argument("--width", type=int, default=None, help="output width in pixels (default: 1:1 scale)")
    add_location_flags(p)
    p.set_defaults(handler=run)


def _workspace_root(args: Any, flow: Path) -> Path:
    import os

    from axiom_ide.cli.context import workspace_dir
    from axiom_ide.runtime.packages import find_package_dirs

    if getattr(args, "workspace", None) or os.environ.get("AXIOM_IDE_WORKSPACE"):
        return workspace_dir(args)
    for candidate in (flow.resolve().parent.parent, flow.resolve().parent, Path.cwd()):
        if next(find_package_dirs(candidate), None) is not None:
            return candidate
    return Path.cwd()


def run(args: argparse.Namespace) -> int:
    from axiom_ide.canvas.render import render_flow
    from axiom_ide.runtime.packages import Workspace

    flow = Path(args.flow)
    out = Path(args.output)
    if out.suffix.lower() not in (".png", ".svg"):
        sys.stderr.write(f"error: output must end in .png or .svg, not {out.name}\n")
        return 2
    if args.width is not None and args.width < 16:
        sys.stderr.write("error: --width must be at least 16 pixels\n")
        return 2
    workspace = Workspace(_workspace_root(args, flow))
    w, h = render_flow(flow, out, workspace, args.width)
    sys.stdout.write(f"{out} ({w}×{h})\n")
    return 0
