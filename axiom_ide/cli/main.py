"""The ``axiom-ide`` command: thin verbs over the runtime.

Each ``cli/*_cmds.py`` module exposes ``register(subparsers)`` and adds its verbs; a verb's handler
takes the parsed ``args`` and returns an exit code. Errors are :class:`AxiomError` values, printed
the same way everywhere (``cli/output.py``). Heavy imports happen inside handlers, so
``axiom-ide --help`` stays fast.
"""
from __future__ import annotations

import argparse
import sys

from axiom_ide import __version__
from axiom_ide.cli import (
    api_cmds,
    client_cmds,
    flow_cmds,
    gui_cmds,
    memory_cmds,
    package_cmds,
    registry_cmds,
    remote_cmds,
    render_cmd,
    run_cmds,
    serve_cmds,
)

#: Command modules, in help order. Each has ``register(subparsers)``.
COMMAND_MODULES = (package_cmds, flow_cmds, run_cmds, remote_cmds, api_cmds, serve_cmds, render_cmd, gui_cmds, memory_cmds,
                   registry_cmds,  # push, build, publish, import, flow publish: after flow's verbs exist
                   client_cmds)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="axiom-ide",
        description="Axiom IDE — compose, run, debug and publish Axiom flows.",
    )
    parser.add_argument("-v", "--version", action="version", version=f"axiom-ide {__version__}")
    parser.add_argument(
        "--data-dir",
        default=None,
        help="where runtime state lives (default: $AXIOM_IDE_DATA_DIR or the user data dir)",
    )
    parser.add_argument(
        "--workspace",
        default=None,
        help="folder of packages and flows (default: $AXIOM_IDE_WORKSPACE or the current directory)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else 2
    from axiom_ide.cli.output import run_handler

    return run_handler(handler, args)


if __name__ == "__main__":
    sys.exit(main())
