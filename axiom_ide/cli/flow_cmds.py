"""``axiom-ide flow new | validate | layout | compile`` — author and compile flows headless."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from axiom_ide.cli.context import add_location_flags, data_dir, workspace_dir
from axiom_ide.cli.output import print_diagnostics, print_json
from axiom_ide.runtime.errors import AxiomError, has_errors

DEFAULT_FILE = "flow.yaml"


def register(subparsers: Any) -> None:
    flow = subparsers.add_parser("flow", help="author and compile flows (graphs of package nodes)")
    verbs = flow.add_subparsers(dest="flow_command", metavar="VERB")
    flow.set_defaults(handler=lambda args: (flow.print_help(), 2)[1])

    p = verbs.add_parser("new", help="scaffold a starter NAME.flow.yaml")
    p.add_argument("name")
    p.add_argument("-o", "--out", help="output file (default: NAME.flow.yaml in the current directory)")
    add_location_flags(p)
    p.set_defaults(handler=cmd_new)

    p = verbs.add_parser("validate", help="validate a flow file's structure (local checks)")
    p.add_argument("file", nargs="?", default=DEFAULT_FILE)
    p.add_argument("--json", action="store_true", help="emit structured JSON")
    add_location_flags(p)
    p.set_defaults(handler=cmd_validate)

    p = verbs.add_parser("layout", help="auto-position nodes on the grid and write col/row back")
    p.add_argument("file", nargs="?", default=DEFAULT_FILE)
    add_location_flags(p)
    p.set_defaults(handler=cmd_layout)

    p = verbs.add_parser("compile", help="resolve nodes, type-check, lay out and compile a runnable artifact")
    p.add_argument("file", nargs="?", default=DEFAULT_FILE)
    p.add_argument("--json", action="store_true", help="emit a single JSON result object")
    add_location_flags(p)
    p.set_defaults(handler=cmd_compile)

    from axiom_ide.cli import batch_cmds, diff_cmds, flowtest_cmds

    diff_cmds.register_flow(verbs)
    flowtest_cmds.register_flow(verbs)
    batch_cmds.register_flow(verbs)


def _load_valid(path: str, *, fast: bool = False):
    """Load a flow file; raise AxiomError if it has structural errors. Returns (ff, warnings).

    ``fast`` reads with libyaml (no round-trip tree): for verbs that never write the file.
    """
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.model.validate import validate_flow_file

    ff = load_flow(path, fast=fast)
    diagnostics = validate_flow_file(ff)
    if has_errors(diagnostics):
        raise AxiomError(diagnostics)
    return ff, diagnostics


def cmd_new(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.model.flow_yaml import new_flow_file, save_flow, starter_flow
    from axiom_ide.runtime.model.refs import FLOW_NAME_RE

    if not FLOW_NAME_RE.match(args.name):
        raise AxiomError.of(
            "invalid_name",
            f'flow name "{args.name}" must be lowercase letters, digits, "-" or "_", starting with a letter or digit',
        )
    target = Path(args.out) if args.out else Path.cwd() / f"{args.name}.flow.yaml"
    if target.exists():
        raise AxiomError.of("file_exists", f"{target} already exists; not overwriting it", file=str(target))
    save_flow(new_flow_file(starter_flow(args.name)), target)
    print(f"created {target}")
    print("next: edit its nodes and edges, then `axiom-ide flow validate`, `flow layout`, `flow compile`")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.model.validate import validate_flow_file

    try:
        diagnostics = validate_flow_file(load_flow(args.file, fast=True))
    except AxiomError as exc:
        diagnostics = exc.diagnostics
    ok = not has_errors(diagnostics)
    if args.json:
        print_json({"ok": ok, "file": args.file, "diagnostics": [d.to_json() for d in diagnostics]})
    else:
        print_diagnostics(diagnostics, sys.stdout if ok else sys.stderr)
        if ok:
            print(f"{args.file}: valid" + (f" ({len(diagnostics)} warning(s))" if diagnostics else ""))
    return 0 if ok else 1


def cmd_layout(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.compiler.layout import apply_layout
    from axiom_ide.runtime.model.flow_yaml import save_flow

    ff, _ = _load_valid(args.file)
    changed = apply_layout(ff.flow)
    if changed:
        save_flow(ff)
    print(f"{args.file}: laid out {len(ff.flow.nodes)} node(s), {len(changed)} moved")
    return 0


def cmd_compile(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.compiler.compile import compile_flow
    from axiom_ide.runtime.packages import Workspace
    from axiom_ide.runtime.store import ArtifactStore, open_database

    ff, file_warnings = _load_valid(args.file, fast=True)
    workspace = Workspace(workspace_dir(args))
    db = open_database(data_dir(args))
    try:
        artifact, analysis = compile_flow(ff.flow, workspace, store=ArtifactStore(db))
    finally:
        db.close()
    warnings = list(file_warnings) + analysis.warnings
    if args.json:
        print_json({
            "ok": True,
            "graph_id": artifact.graph_id,
            "flow": artifact.flow_name,
            "mode": artifact.mode,
            "entry": artifact.entry,
            "terminal": artifact.terminal,
            "input_type": artifact.input_type,
            "output_type": artifact.output_type,
            "warnings": [d.to_json() for d in warnings],
        })
    else:
        print_diagnostics(warnings)
        print(artifact.graph_id)
    return 0
