"""``axiom-ide flow batch``: run a flow over a dataset, reopen a batch, compare two batches.

* ``flow batch FLOW DATA [--concurrency N] [--json] [--out FILE] [--timeout S] [--inline]`` runs
  every row of DATA (JSONL or CSV; ``runtime/batch.py``) through the real engine and node hosts,
  progress on stderr, a malformed row as ``FILE:LINE: what is wrong`` on stderr while the other
  rows run. Exit 0 when every row completed, 1 when a row failed or was malformed, 130 on Ctrl+C
  (the rows done so far are still saved as the batch).
* ``flow batch FLOW DATA --remote``: the same, the rows run on the remote platform through its
  invocation API (``backends/remote_batch.py``; 429s waited out) and the batch saved here — FLOW a
  .flow.yaml (compiled there), a graph id or a compiled flow's name; Ctrl+C cancels the remote runs.
* ``flow batch --show BATCH_ID [--json]`` prints a saved batch: line, status, input, output or error,
  duration.
* ``flow batch --compare A B [--json]`` compares two batches row by row; changed outputs are marked
  ``~`` (highlighted on a terminal). Exit 0 when no row differs, 1 when some do.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from axiom_ide.cli.context import add_location_flags, data_dir
from axiom_ide.cli.output import print_json
from axiom_ide.runtime.errors import AxiomError

#: Progress lines on stderr at most this often (and on the first and last row).
PROGRESS_EVERY_S = 0.5


def register_flow(verbs: Any) -> None:
    p = verbs.add_parser("batch", help="run a flow over a dataset (JSONL or CSV), show or compare batches",
                         description="Run FLOW once per row of DATA (a .jsonl of input objects, or a .csv "
                                     "whose columns are the entry message's fields) and save the results "
                                     "as a batch; --show reopens one, --compare compares two row by row.")
    p.add_argument("flow", nargs="?", metavar="FLOW")
    p.add_argument("data", nargs="?", metavar="DATA")
    p.add_argument("--concurrency", type=int, default=1, metavar="N", help="rows run at once (default 1)")
    p.add_argument("--timeout", type=float, default=300.0, metavar="S", help="seconds per row (default 300)")
    p.add_argument("--json", action="store_true", help="emit the result as JSON")
    p.add_argument("--out", metavar="FILE", help="also write the rows' results (JSONL) to FILE")
    p.add_argument("--show", metavar="BATCH_ID", help="print a saved batch")
    p.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two saved batches row by row")
    p.add_argument("--config", default=None, metavar="PROFILE",
                   help="flow config profile (name or id) every row runs with")
    p.add_argument("--inline", action="store_true", help="run node code in this process instead of node hosts")
    p.add_argument("--remote", action="store_true",
                   help="run the rows on the remote platform (AXIOM_API_URL / AXIOM_INGRESS_URL, the stored key); "
                        "FLOW: a .flow.yaml (compiled there), a graph id or a compiled flow's name")
    add_location_flags(p)
    p.set_defaults(handler=cmd_flow_batch)


def cmd_flow_batch(args: argparse.Namespace) -> int:
    if args.show:
        return _show(args)
    if args.compare:
        return _compare(args)
    if not args.flow or not args.data:
        raise AxiomError.of("usage", "usage: axiom-ide flow batch FLOW DATA [--concurrency N] [--json] [--out FILE]"
                                     " | --show BATCH_ID | --compare A B")
    if args.concurrency < 1:
        raise AxiomError.of("batch_concurrency", "--concurrency must be at least 1")
    return _run_cli(args)


# -- run -------------------------------------------------------------------------------------------
def _run_cli(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.batch import new_batch_id

    batch_id = new_batch_id()
    holder: dict[str, Any] = {}
    try:
        summary = asyncio.run(_run(args, batch_id, holder))
    except KeyboardInterrupt:
        summary = holder.get("summary")
        done = summary.rows if summary is not None else 0
        sys.stderr.write(f"\ncancelled after {done} row(s); batch {batch_id} saved with the rows done "
                         f"(axiom-ide flow batch --show {batch_id})\n")
        if args.json and summary is not None:
            print_json({"ok": False, **summary.to_json()})
        return 130
    if args.out:
        from axiom_ide.runtime.batch import load_batch
        from axiom_ide.runtime.fileio import atomic_write_text

        batch = load_batch(data_dir(args), batch_id)
        atomic_write_text(args.out, "".join(json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in batch.rows()),
                          mode=0o600)
    if args.json:
        print_json({"ok": summary.ok, **summary.to_json()})
    else:
        sys.stdout.write(f"batch {summary.batch_id}: {summary.rows} row(s), {summary.completed} completed, "
                         f"{summary.failed} failed, {summary.invalid} invalid ({summary.duration_s:.2f}s)\n"
                         f"saved to {summary.file}\n")
    return 0 if summary.ok else 1


async def _run(args: argparse.Namespace, batch_id: str, holder: dict[str, Any]) -> Any:
    from axiom_ide.runtime.batch import run_batch
    from axiom_ide.runtime.runtime import Runtime

    on_row = _progress(args, holder)
    if args.remote:  # remote_cmds.batch_remote, set on this parser by remote_cmds.register
        return await args.remote_batch(args, batch_id, holder, on_row)
    dd = data_dir(args)
    rt = Runtime(dd, invoker=_invoker(args, dd))
    try:
        artifact = _compile(rt, args)
        summary = await run_batch(rt, artifact, args.data, concurrency=args.concurrency, timeout=args.timeout,
                                  on_row=on_row, batch_id=batch_id, config_id=args.config)
        holder["summary"] = summary
        return summary
    finally:
        await rt.close()


def _progress(args: argparse.Namespace, holder: dict[str, Any]) -> Any:
    """``on_row``: a failed or malformed row on stderr, progress lines at most every PROGRESS_EVERY_S."""
    from axiom_ide.runtime.batch import COMPLETED

    last = [0.0]

    def on_row(result: Any, summary: Any) -> None:
        holder["summary"] = summary
        if result.status != COMPLETED:
            sys.stderr.write(f"{result.error}\n" if result.error and result.error.startswith(f"{args.data}:")
                             else f"{args.data}:{result.line}: the run failed: {result.error}\n")
        now = time.monotonic()
        if summary.rows == 1 or now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            sys.stderr.write(f"batch: {summary.rows} row(s) done ({summary.completed} completed, "
                             f"{summary.failed} failed, {summary.invalid} invalid)\n")
            sys.stderr.flush()

    return on_row


def _invoker(args: argparse.Namespace, dd: Path) -> Any:
    if args.inline:
        from axiom_ide.runtime.engine.inline import InlineInvoker

        return InlineInvoker(gen_root=dd / "gen")
    from dataclasses import replace

    from axiom_ide.runtime.host.sandbox import Sandbox
    from axiom_ide.runtime.runtime import default_invoker

    return default_invoker(None, None, replace(Sandbox(), private_paths=(str(dd),)), dd)


def _compile(rt: Any, args: argparse.Namespace) -> Any:
    from axiom_ide.cli.flowtest_cmds import _workspace_for
    from axiom_ide.runtime.compiler.compile import compile_flow
    from axiom_ide.runtime.errors import has_errors
    from axiom_ide.runtime.flowdiff import load_flow_spec, split_revision
    from axiom_ide.runtime.model.validate import validate_flow_file

    # FLOW: a file, or REV:path — the flow as committed at a git revision (two revisions, two batches)
    path = Path(args.flow)
    revision = None if path.is_file() else split_revision(args.flow)
    if not path.is_file() and revision is None:
        raise AxiomError.of("file_not_found", f"flow file not found: {path}", file=str(path))
    ff = load_flow_spec(args.flow)
    if revision is not None:
        path = Path(revision[1])
    diagnostics = validate_flow_file(ff)
    if has_errors(diagnostics):
        raise AxiomError(diagnostics)
    artifact, _ = compile_flow(ff.flow, _workspace_for(args, path))
    artifact = rt.artifact(artifact)
    if artifact.mode == "pipeline":
        raise AxiomError.of("batch_pipeline", f"{path.name} is a pipeline flow; a batch runs a unary flow once per row")
    return artifact


# -- show / compare --------------------------------------------------------------------------------
def _short(value: Any, width: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= width else text[: width - 1] + "…"


def _show(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.batch import COMPLETED, load_batch

    batch = load_batch(data_dir(args), args.show)
    if args.json:
        print_json({"batch": batch.header, "summary": batch.summary, "rows": [r.to_json() for r in batch.rows()]})
        return 0
    h = batch.header
    out = sys.stdout
    out.write(f"batch {h.get('id')}: flow {h.get('flow')}, data {h.get('data')}\n")
    out.write(f"{'LINE':>6}  {'STATUS':<9}  {'DURATION':>9}  INPUT → OUTPUT or ERROR\n")
    for r in batch.rows():
        result = _short(r.output) if r.status == COMPLETED else (r.error or "")
        out.write(f"{r.line:>6}  {r.status:<9}  {r.duration_ms:>7.1f}ms  {_short(r.input, 40)} → {result}\n")
    s = batch.summary
    if s:
        out.write(f"{s.get('rows')} row(s), {s.get('completed')} completed, {s.get('failed')} failed, "
                  f"{s.get('invalid')} invalid" + (" (cancelled)" if s.get("cancelled") else "") + "\n")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from axiom_ide.runtime.batch import CHANGED, ONLY_A, ONLY_B, SAME, compare, load_batch, shown_value

    dd = data_dir(args)
    a, b = (load_batch(dd, x) for x in args.compare)
    counts = {SAME: 0, CHANGED: 0, ONLY_A: 0, ONLY_B: 0}
    rows: list[dict[str, Any]] = []
    color = sys.stdout.isatty() and not args.json
    red, green, amber, off = ("\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[0m") if color else ("", "", "", "")
    for change in compare(a, b):
        counts[change.kind] += 1
        if args.json:
            if change.kind != SAME:
                rows.append({"line": change.line, "change": change.kind,
                             "a": change.a.to_json() if change.a else None, "b": change.b.to_json() if change.b else None})
            continue
        if change.kind == SAME:
            continue
        if change.kind == CHANGED:
            sys.stdout.write(f"{amber}~ line {change.line}: output changed{off}\n"
                             f"  {red}- {_short(shown_value(change.a), 200)}{off}\n"
                             f"  {green}+ {_short(shown_value(change.b), 200)}{off}\n")
        elif change.kind == ONLY_A:
            sys.stdout.write(f"{red}- line {change.line}: only in {args.compare[0]}{off}\n")
        else:
            sys.stdout.write(f"{green}+ line {change.line}: only in {args.compare[1]}{off}\n")
    differs = counts[CHANGED] + counts[ONLY_A] + counts[ONLY_B]
    if args.json:
        print_json({"a": a.header.get("id"), "b": b.header.get("id"), "same": counts[SAME], "changed": counts[CHANGED],
                    "only_a": counts[ONLY_A], "only_b": counts[ONLY_B], "rows": rows})
    else:
        sys.stdout.write(f"{counts[SAME]} same, {counts[CHANGED]} changed, {counts[ONLY_A]} only in A, "
                         f"{counts[ONLY_B]} only in B\n")
    return 1 if differs else 0
