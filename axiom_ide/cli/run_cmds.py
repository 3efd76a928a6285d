"""``axiom-ide flow run``, ``executions …``, ``secrets …``, ``configs …`` — run and inspect headless.

``flow run`` accepts a compiled ``graph_id``, a flow name (its latest artifact) or a flow FILE
(compiled first). Unary flows print the output JSON; pipeline flows print each frame as it arrives.
A failed run prints the error (the catalog's words) to stderr and exits 1. ``--json`` prints the
HTTP API's response instead — for unary runs the invoke response (``accepted``, ``execution_id``,
``result`` with ``completed_at``; ``{"accepted": false, "error_message"}`` when nothing could run),
for pipelines every SSE frame — in the same shape whether the run succeeded or failed.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from axiom_ide.cli.context import add_location_flags, data_dir, workspace_dir
from axiom_ide.cli.output import print_diagnostics, print_json, read_secret
from axiom_ide.runtime.errors import AxiomError, Diagnostic


def _verbs(subparsers: Any, name: str, help_text: str) -> Any:
    parser = subparsers.add_parser(name, help=help_text)
    verbs = parser.add_subparsers(dest=f"{name}_command", metavar="VERB")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    return verbs


def _flow_verbs(subparsers: Any) -> Any:
    """The ``flow`` group's verbs (flow_cmds registers the group; ``run`` joins it)."""
    flow = subparsers.choices.get("flow")
    if flow is None:
        return _verbs(subparsers, "flow", "author, compile and run flows")
    return next(a for a in flow._actions if isinstance(a, argparse._SubParsersAction))


def register(subparsers: Any) -> None:
    p = _flow_verbs(subparsers).add_parser("run", help="run a flow (graph id, flow name or FILE) and print its output")
    p.add_argument("target", help="graph_id, flow name, or a .flow.yaml file (compiled first)")
    p.add_argument("-d", "--data", default="{}", help="input JSON object (or @file.json)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the result (default 60)")
    p.add_argument("--config", default=None, help="flow config profile name or id")
    p.add_argument("--json", action="store_true", help="print the result envelope as JSON")
    p.add_argument("--inline", action="store_true", help="run node code in this process (no host)")
    add_location_flags(p)
    p.set_defaults(handler=cmd_run)

    ex = _verbs(subparsers, "executions", "list, inspect and resume executions")
    p = ex.add_parser("ls", help="executions, newest first")
    p.add_argument("--status")
    p.add_argument("--flow")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    add_location_flags(p)
    p.set_defaults(handler=cmd_ls)
    for verb, fn, text in (("show", cmd_show, "one execution's record"),
                           ("events", cmd_events, "an execution's event log"),
                           ("checkpoints", cmd_checkpoints, "an execution's checkpoints")):
        p = ex.add_parser(verb, help=text)
        p.add_argument("execution_id")
        p.add_argument("--json", action="store_true")
        add_location_flags(p)
        p.set_defaults(handler=fn)
    p = ex.add_parser("resume", help="resume every incomplete execution and wait for them; "
                                     "ID --approve|--reject answers its approval pause")
    from axiom_ide.cli import approval_cmds

    approval_cmds.add_flags(p)
    p.add_argument("--json", action="store_true")
    p.add_argument("--inline", action="store_true", help="run node code in this process (no host)")
    add_location_flags(p)
    p.set_defaults(handler=cmd_resume)
    from axiom_ide.cli import diff_cmds

    diff_cmds.register_executions(ex)

    se = _verbs(subparsers, "secrets", "tenant secrets (encrypted at rest; values are never shown)")
    p = se.add_parser("set", help="store or replace a secret (value from stdin; --value is visible to other processes)")
    p.add_argument("name")
    p.add_argument("--value", help="the value on the command line — other processes and your shell history can "
                                   "read it; prefer stdin (a pipe, or a prompt without echo on a terminal)")
    add_location_flags(p)
    p.set_defaults(handler=cmd_secret_set)
    p = se.add_parser("ls", help="secret names and dates")
    p.add_argument("--json", action="store_true")
    add_location_flags(p)
    p.set_defaults(handler=cmd_secret_ls)
    p = se.add_parser("rm", help="delete a secret")
    p.add_argument("name")
    add_location_flags(p)
    p.set_defaults(handler=cmd_secret_rm)

    co = _verbs(subparsers, "configs", "flow config profiles (node timeout, retries, secret overrides)")
    p = co.add_parser("ls", help="configs (tenant default and per-flow profiles)")
    p.add_argument("--flow")
    p.add_argument("--json", action="store_true")
    add_location_flags(p)
    p.set_defaults(handler=cmd_config_ls)
    p = co.add_parser("set", help="create or update a profile (NAME defaults to 'default')")
    p.add_argument("name", nargs="?", default="default")
    p.add_argument("--flow", default="", help="flow name (omit for the tenant default)")
    p.add_argument("--timeout", type=float, dest="node_timeout_seconds", help="node timeout in seconds (1-3600)")
    p.add_argument("--max-attempts", type=int)
    p.add_argument("--secret", action="append", default=[], metavar="NAME=VALUE", help="secret override")
    p.add_argument("--json", action="store_true")
    add_location_flags(p)
    p.set_defaults(handler=cmd_config_set)
    p = co.add_parser("rm", help="delete a profile")
    p.add_argument("name")
    p.add_argument("--flow", default="")
    add_location_flags(p)
    p.set_defaults(handler=cmd_config_rm)


# -- helpers ---------------------------------------------------------------------------------------
def _runtime(args: Any, **kw: Any):
    from axiom_ide.runtime.runtime import Runtime

    return Runtime(data_dir(args), inline=getattr(args, "inline", False), **kw)


def _store_only(args: Any):
    """A runtime for reading state; no invoker is started."""
    from axiom_ide.runtime.runtime import Runtime

    return Runtime(data_dir(args), invoker=_NoInvoker())


class _NoInvoker:
    async def close(self) -> None:
        pass

    async def cancel(self, execution_id: str) -> None:
        pass


def _input(text: str) -> Any:
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AxiomError.of("invalid_json", f"-d is not valid JSON: {exc}") from None


def _resolve_target(rt: Any, args: Any):
    target = args.target
    path = Path(target)
    if target.endswith((".yaml", ".yml")) or path.is_file():
        from axiom_ide.cli.flow_cmds import _load_valid
        from axiom_ide.runtime.compiler.compile import compile_flow
        from axiom_ide.runtime.packages import Workspace

        if not path.is_file():
            raise AxiomError.of("file_not_found", f"{target}: no such file", file=target)
        explicit = getattr(args, "workspace", None) or None
        import os

        root = workspace_dir(args) if (explicit or os.environ.get("AXIOM_IDE_WORKSPACE")) else (
            path.resolve().parent.parent if path.resolve().parent.name == "flows" else workspace_dir(args))
        ff, _ = _load_valid(str(path))
        artifact, _ = compile_flow(ff.flow, Workspace(root))
        return rt.artifact(artifact)  # stored for the runtime's tenant
    stored = rt.find_artifact(target)
    if stored is not None:
        return stored
    latest = rt.latest_artifact(target)
    if latest is not None:
        return latest
    raise AxiomError.of("graph_not_found", f'no compiled artifact or flow named "{target}"; '
                        "pass a graph_id, a compiled flow's name, or a .flow.yaml file")


def _fail(failure: str | Diagnostic) -> int:
    """A failed run: its error value (or a bare text) printed with the one renderer; exit 1."""
    print_diagnostics([failure if isinstance(failure, Diagnostic) else Diagnostic("FAILED", failure)])
    return 1


def _timeout_text(seconds: float) -> str:
    return f"timeout waiting for flow result ({seconds:g}s)"  # the HTTP API's words


def _response(rt: Any, outcome: Any, timeout: float) -> dict[str, Any]:
    """The invoke API's response for a finished run (reference/http-api): ``accepted``,
    ``execution_id`` and ``result`` with ``success``, ``output`` or ``error``, and
    ``completed_at`` (ms) — one shape for success and failure."""
    import time

    rec = rt.find_execution(outcome.execution_id)
    done = rec.completed_at if rec is not None and rec.completed_at is not None else time.time()
    if outcome.success:
        result: dict[str, Any] = {"success": True, "output": outcome.output}
    else:
        error = _timeout_text(timeout) if outcome.code == "TIMEOUT" else (outcome.error or outcome.status)
        result = {"success": False, "error": error}
    result["completed_at"] = int(done * 1000)
    return {"accepted": True, "execution_id": outcome.execution_id, "result": result}


# -- flow run --------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    """Unary: the output JSON, or with ``--json`` the invoke API's full response. Pipeline: each
    frame's payload, or with ``--json`` every frame as the SSE stream sends it (final one too).
    A failed run exits 1; without ``--json`` its error goes to stderr."""
    try:
        data = _input(args.data)
        rt = _runtime(args)
    except AxiomError as exc:
        return _refused(exc, args.json)
    try:
        try:
            artifact = _resolve_target(rt, args)
        except AxiomError as exc:
            return _refused(exc, args.json)
        if artifact.mode == "pipeline":
            code = 0
            async for frame in rt.stream(artifact, data, timeout=args.timeout, config_id=args.config):
                failed = frame["is_final"] and not frame.get("success")
                if args.json:
                    print(json.dumps(frame, ensure_ascii=False), flush=True)
                elif failed:
                    _fail(frame.get("error", "failed"))
                elif not frame["is_final"]:
                    print(json.dumps(frame.get("payload"), ensure_ascii=False), flush=True)
                code = 1 if failed else code
            return code
        from axiom_ide.cli import approval_cmds

        outcome = await approval_cmds.run(rt, artifact, data, args)  # returns at an approval pause too
        if outcome is None:
            return approval_cmds.PAUSED_EXIT
        if args.json:
            print_json(_response(rt, outcome, args.timeout))
            return 0 if outcome.success else 1
        if not outcome.success:
            if outcome.code == "TIMEOUT":
                return _fail(Diagnostic("TIMEOUT", _timeout_text(args.timeout)))
            return _fail(outcome.diagnostic or Diagnostic(outcome.code or "FAILED", outcome.error or outcome.status))
        print_json(outcome.output)
        return 0
    finally:
        await rt.close()


def _refused(exc: AxiomError, as_json: bool) -> int:
    """Nothing ran (bad -d, unknown graph, a flow that does not compile): with ``--json`` the
    invoke API's envelope for a request it could not accept."""
    if not as_json:
        raise exc  # rendered by cli/output.py like every other verb's errors
    print_json({"accepted": False, "error_message": "\n".join(d.message for d in exc.diagnostics)})
    return 1


# -- executions ------------------------------------------------------------------------------------
def _with_store(fn):
    def wrapper(args: argparse.Namespace) -> int:
        async def go() -> int:
            rt = _store_only(args)
            try:
                return fn(rt, args)
            finally:
                await rt.close()
        return asyncio.run(go())
    return wrapper


@_with_store
def cmd_ls(rt, args) -> int:
    rows = rt.list_executions(status=args.status, flow_name=args.flow, limit=args.limit)
    if args.json:
        print_json({"executions": [r.to_json() for r in rows]})
        return 0
    for r in rows:
        dur = f"{r.duration_ms:.0f} ms" if r.duration_ms is not None else "-"
        print(f"{r.id}  {r.status:<14} {r.flow_name:<16} {dur:>10}  {_time(r.created_at)}")
    return 0


def _time(t: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def _get(rt, execution_id: str):
    return rt.execution(execution_id)


@_with_store
def cmd_show(rt, args) -> int:
    from axiom_ide.runtime.history import execution_detail

    print_json(execution_detail(rt, _get(rt, args.execution_id)))
    return 0


@_with_store
def cmd_events(rt, args) -> int:
    events = rt.execution_events(args.execution_id)
    if args.json:
        print_json({"events": [e.to_json() for e in events]})
        return 0
    for e in events:
        extra = f" {json.dumps(e.data, ensure_ascii=False)}" if e.data else ""
        dur = f" {e.duration_ms:.1f}ms" if e.duration_ms is not None else ""
        att = f" attempt={e.attempt}" if e.attempt is not None else ""
        print(f"{e.seq:>4} {e.type:<20} {e.node or '-':<16}{dur}{att}{extra}")
    return 0


@_with_store
def cmd_checkpoints(rt, args) -> int:
    from axiom_ide.runtime.history import checkpoints_json

    rows = checkpoints_json(rt, _get(rt, args.execution_id))
    if args.json:
        print_json({"checkpoints": rows})
        return 0
    for row in rows:
        print(f"{row['step']:>4} {row['node']:<16} {row['checkpoint_id']}  {json.dumps(row['output'], ensure_ascii=False)}")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    from axiom_ide.cli import approval_cmds

    async def go() -> int:
        rt = _runtime(args)
        try:  # runs until each execution ends or waits for an approval (approval_cmds.py)
            ids = await approval_cmds.resume(rt, args)
            return approval_cmds.report(rt, ids, args.json)
        finally:
            await rt.close()
    return asyncio.run(go())


# -- secrets and configs ---------------------------------------------------------------------------
ARGV_WARNING = ("warning: --value puts the secret in the command line, which other processes on this machine "
                "(ps, /proc) and your shell history can read; pass it on stdin instead: "
                "axiom-ide secrets set {name} < file (or type it at the prompt)\n")


def _secret_value(args: Any) -> str:
    """``--value`` (with a warning), else stdin: a prompt without echo on a terminal, else the
    piped text without its trailing newline."""
    if args.value is not None:
        sys.stderr.write(ARGV_WARNING.format(name=args.name))
        return args.value
    typed = read_secret(f"Value for {args.name}: ")
    return typed if typed is not None else sys.stdin.read().rstrip("\r\n")


@_with_store
def cmd_secret_set(rt, args) -> int:
    value = _secret_value(args)
    if not value:
        raise AxiomError.of("invalid_argument", f'secret "{args.name}": no value given; pipe it on stdin '
                            f"(axiom-ide secrets set {args.name} < file)")
    replaced = rt.set_secret(args.name, value)
    print(f"{'replaced' if replaced else 'saved'} secret {args.name}")
    return 0


@_with_store
def cmd_secret_ls(rt, args) -> int:
    rows = rt.list_secrets()
    if args.json:
        print_json({"secrets": rows})
    else:
        for r in rows:
            print(f"{r['name']:<32} {_time(r['updated_at'] / 1000)}")
    return 0


@_with_store
def cmd_secret_rm(rt, args) -> int:
    if not rt.delete_secret(args.name):
        raise AxiomError.of("secret_not_found", f'secret "{args.name}" not found')
    print(f"deleted secret {args.name}")
    return 0


@_with_store
def cmd_config_ls(rt, args) -> int:
    rows = rt.list_configs(flow_name=args.flow)
    if args.json:
        print_json({"configs": [c.to_json() for c in rows]})
        return 0
    for c in rows:
        scope = c.flow_name or "(tenant)"
        print(f"{scope:<16} {c.name:<12} timeout={c.node_timeout_seconds or '-'} "
              f"max_attempts={c.max_attempts or '-'} overrides={','.join(c.secret_overrides) or '-'}  {c.id}")
    return 0


@_with_store
def cmd_config_set(rt, args) -> int:
    overrides = {}
    for item in args.secret:
        if "=" not in item:
            raise AxiomError.of("invalid_argument", f'--secret expects NAME=VALUE, got "{item}"')
        k, v = item.split("=", 1)
        overrides[k] = v
    c = rt.set_config(args.name, flow_name=args.flow, node_timeout_seconds=args.node_timeout_seconds,
                      max_attempts=args.max_attempts, secret_overrides=overrides)
    if args.json:
        print_json(c.to_json())
    else:
        print(f"saved config {c.name} ({c.flow_name or 'tenant default'}) {c.id}")
    return 0


@_with_store
def cmd_config_rm(rt, args) -> int:
    if not rt.delete_config(args.name, flow_name=args.flow):
        raise AxiomError.of("config_not_found", f'config "{args.name}" not found')
    print(f"deleted config {args.name}")
    return 0
