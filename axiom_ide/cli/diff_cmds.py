"""``axiom-ide flow diff A B``: the semantic diff of two flows (files or git ``REV:path``).

Also accepts git's external-diff call (seven arguments: path, old file, old hex, old mode, new
file, new hex, new mode), so ``.gitattributes`` + ``diff.<driver>.command`` can use it as is.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from axiom_ide.cli.context import add_location_flags
from axiom_ide.cli.output import print_json
from axiom_ide.runtime.errors import AxiomError


def register_flow(verbs: Any) -> None:
    p = verbs.add_parser("diff", help="semantic diff of two flows (files or git REV:path), blind to layout moves",
                         description="Compare two flows: nodes, edges, mappings, conditions, loops; layout-only "
                                     "moves are listed apart. A side is a file, /dev/null or REV:path "
                                     "(e.g. HEAD~1:flows/x.flow.yaml).")
    p.add_argument("sides", nargs="+", metavar="SIDE", help="A B (old, new); or git's 7 external-diff arguments")
    p.add_argument("--ignore-layout", action="store_true", help="hide layout-only moves")
    p.add_argument("--json", action="store_true", help="emit the diff as JSON")
    p.add_argument("--render", metavar="OUT", help="also draw the diff to OUT (.png or .svg)")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the flows differ (as `git diff --exit-code`)")
    add_location_flags(p)
    p.set_defaults(handler=cmd_flow_diff)


def cmd_flow_diff(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.flowdiff import diff_flows, format_diff, load_side

    sides = list(args.sides)
    title = None
    if len(sides) == 7:  # GIT_EXTERNAL_DIFF: path old-file old-hex old-mode new-file new-hex new-mode
        title, sides = sides[0], [sides[1], sides[4]]
    elif len(sides) != 2:
        raise AxiomError.of("bad_arguments", f"flow diff takes two sides (A B), got {len(sides)}")
    if args.render and Path(args.render).suffix.lower() not in (".png", ".svg"):
        raise AxiomError.of("bad_arguments", f"--render output must end in .png or .svg, not {Path(args.render).name}")
    a, b = load_side(sides[0]), load_side(sides[1])
    d = diff_flows(a, b)
    if args.json:
        out = d.to_json(args.ignore_layout)
        out.update({"ok": True, "a": sides[0], "b": sides[1]})
        print_json(out)
    else:
        if title:
            sys.stdout.write(f"flow diff {title}\n")
        sys.stdout.write(format_diff(d, args.ignore_layout) + "\n")
    if args.render:
        from axiom_ide.canvas.diff_render import render_diff
        from axiom_ide.cli.render_cmd import _workspace_root
        from axiom_ide.runtime.packages import Workspace

        anchor = Path(sides[1]) if Path(sides[1]).is_file() else Path.cwd() / "flows" / "x"
        w, h = render_diff(a, b, args.render, Workspace(_workspace_root(args, anchor)))
        (sys.stderr if args.json else sys.stdout).write(f"{args.render} ({w}×{h})\n")
    return 1 if args.exit_code and not d.empty(args.ignore_layout) else 0


def register_executions(verbs: Any) -> None:
    p = verbs.add_parser("diff", help="compare two executions node by node (input/output, status, durations)",
                         description="Compare two executions (same flow or two versions): node by node input "
                                     "and output diffs, durations and status, and the first divergent node.")
    p.add_argument("a", metavar="A", help="execution id")
    p.add_argument("b", metavar="B", help="execution id")
    p.add_argument("--json", action="store_true", help="emit the diff as JSON")
    add_location_flags(p)
    p.set_defaults(handler=cmd_executions_diff)


def cmd_executions_diff(args: argparse.Namespace) -> int:
    import asyncio

    from axiom_ide.cli.context import data_dir
    from axiom_ide.runtime.rundiff import diff_runs, format_run_diff, run_summary
    from axiom_ide.runtime.runtime import Runtime

    async def go() -> dict[str, Any]:
        rt = Runtime(data_dir(args), inline=True)  # reads history only: no node host is started
        try:
            sides = []
            for eid in (args.a, args.b):
                rec = rt.find_execution(eid)
                if rec is None:
                    raise AxiomError.of("execution_not_found", f'execution "{eid}" not found')
                sides.append(run_summary(rt, rec))
            return diff_runs(*sides)
        finally:
            await rt.close()

    d = asyncio.run(go())
    if args.json:
        print_json({"ok": True, **d})
    else:
        sys.stdout.write(format_run_diff(d) + "\n")
    return 0
