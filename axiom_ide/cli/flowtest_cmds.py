"""``axiom-ide flow test [FLOW|DIR] [--json] [--junit FILE] [-k PATTERN]``: run ``*.flow.test.yaml``.

Every case runs through the real engine and node hosts (``--inline``: in this process, as ``flow
run --inline``) of a plain Runtime; a case's mocks are its run's pins (``runtime/pins.py``). Exit 0
when every selected case passed, 1 when any failed or could not run, 2 when no case was selected.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from axiom_ide.cli.context import add_location_flags, data_dir, workspace_dir
from axiom_ide.cli.output import print_json


def register_flow(verbs: Any) -> None:
    p = verbs.add_parser("test", help="run a flow's test cases (<name>.flow.test.yaml) through the engine",
                         description="Run the cases of *.flow.test.yaml files: a flow (its sibling test file), "
                                     "a test file, or a folder (every test file under it).")
    p.add_argument("target", nargs="?", default=".", metavar="FLOW|DIR")
    p.add_argument("--json", action="store_true", help="emit the results as JSON")
    p.add_argument("--junit", metavar="FILE", help="also write a JUnit XML report to FILE")
    p.add_argument("-k", dest="pattern", metavar="PATTERN", help="only cases whose name contains PATTERN (or matches it as a glob)")
    p.add_argument("--inline", action="store_true", help="run node code in this process instead of node hosts")
    add_location_flags(p)
    p.set_defaults(handler=cmd_flow_test)


def _workspace_for(args: Any, flow_path: Path) -> Any:
    from axiom_ide.runtime.packages import Workspace

    explicit = getattr(args, "workspace", None) or os.environ.get("AXIOM_IDE_WORKSPACE")
    flow = flow_path.resolve()
    root = workspace_dir(args) if explicit else (flow.parent.parent if flow.parent.name == "flows" else workspace_dir(args))
    return Workspace(root)


def cmd_flow_test(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.fileio import atomic_write_bytes
    from axiom_ide.runtime.flowtest import (
        PASSED,
        discover,
        format_report,
        junit_xml,
        load_test_file,
        run_test_file,
    )
    from axiom_ide.runtime.runtime import Runtime

    files = discover(args.target)
    rt = Runtime(data_dir(args), inline=args.inline)
    results = []
    try:
        for path in files:
            tf = load_test_file(path)
            results += await run_test_file(rt, _workspace_for(args, tf.flow_path), tf, args.pattern)
    finally:
        await rt.close()
    if args.junit:
        atomic_write_bytes(args.junit, junit_xml(results))
    ok = all(r.status == PASSED for r in results)
    if args.json:
        print_json({"ok": ok and bool(results), "files": [str(f) for f in files],
                    "passed": sum(r.status == PASSED for r in results), "total": len(results),
                    "cases": [r.to_json() for r in results]})
    else:
        sys.stdout.write(format_report(results) + "\n")
    if not results:
        return 2
    return 0 if ok else 1
