"""``axiom-ide executions resume ID --approve|--reject [--input JSON] [--comment TEXT]``: answer a
human-in-the-loop pause (engine/hitl.py) from the command line, then run the execution here until
it ends or pauses again. ``executions resume`` without ``--approve``/``--reject`` keeps its
crash-resume meaning; a run it finds waiting for an approval is reported as such, never waited on.
``flow run`` of a flow with approvals returns once the run ends or pauses: paused, it says how to
answer (stderr) and exits :data:`PAUSED_EXIT` (3); the run stays paused in the data dir.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from axiom_ide.cli.output import print_json
from axiom_ide.runtime.engine.hitl import has_approvals, until_settled
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex


def add_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("execution_id", nargs="?", help="only this execution (with --approve/--reject: the paused one)")
    decision = p.add_mutually_exclusive_group()
    decision.add_argument("--approve", action="store_true", help="approve the execution's approval pause")
    decision.add_argument("--reject", action="store_true", help="reject it: the run ends Failed")
    p.add_argument("--input", default=None, help="with --approve: the paused node's edited input (JSON object, or @file.json)")
    p.add_argument("--comment", default=None, help="why (a rejection's error text ends with it)")


def _input(text: str | None) -> Any:
    if text is None:
        return None
    if text.startswith("@"):
        with open(text[1:], encoding="utf-8") as fh:
            text = fh.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AxiomError.of("invalid_argument", f"--input is not JSON: {exc.msg} (line {exc.lineno} column {exc.colno})") from None


def pause_text(rt: Any, execution_id: str) -> str:
    """``paused before node "review": Ship it?`` for an execution waiting for an approval."""
    hitl = rt.execution_events(execution_id, types=[ev.HITL_PAUSED])
    if not hitl:
        return "paused for approval"
    return f'paused before node "{hitl[-1].node}": {hitl[-1].data.get("prompt")}'


async def resume(rt: Any, args: argparse.Namespace) -> list[str]:
    """Answer the pause of ``args.execution_id`` (or just continue it), then run until it ends or
    pauses; returns the ids it ran. Raises AxiomError with the refusal (not paused, ...)."""
    execution_id = args.execution_id
    if args.approve or args.reject:
        if not execution_id:
            raise AxiomError.of("invalid_argument", "--approve/--reject need the execution id")
        if args.reject and args.input is not None:
            raise AxiomError.of("invalid_argument", "--input goes with --approve (it is the node's edited input)")
        await rt.resume_pause(execution_id, "approve" if args.approve else "reject", _input(args.input),
                              comment=args.comment)
        ids = [execution_id]
    else:
        ids = await rt.resume_incomplete(only=execution_id) if execution_id else await rt.resume_incomplete()
    for i in ids:
        await until_settled(rt, i)
    return ids


#: ``flow run``'s exit code for a run that waits for an approval (it keeps waiting, durably).
PAUSED_EXIT = 3


async def run(rt: Any, artifact: Any, data: Any, args: argparse.Namespace) -> Any:
    """``flow run`` of a unary flow: the Outcome once it ends — or None, after saying so on stderr
    (``--json``: the invoke response with ``status`` on stdout), when it waits for an approval."""
    if not has_approvals(artifact):
        return await rt.run(artifact, data, timeout=args.timeout, config_id=args.config)
    from axiom_ide.runtime.engine.runner import Outcome

    execution_id = await rt.start(artifact, data, config_id=args.config)
    try:
        await asyncio.wait_for(until_settled(rt, execution_id), args.timeout)
    except TimeoutError:
        await rt.cancel(execution_id)
        return Outcome(execution_id, ex.FAILED, error="timeout waiting for result", code="TIMEOUT")
    rec = rt.find_execution(execution_id)
    if rec is not None and rec.status == ex.PAUSED_HITL:
        if args.json:
            print_json({"accepted": True, "execution_id": execution_id, "status": ex.PAUSED_HITL})
        print(f"execution {execution_id} is {pause_text(rt, execution_id)}; answer it with: axiom-ide executions "
              f"resume {execution_id} --approve (or --reject)", file=sys.stderr)
        return None
    return await rt.wait(execution_id)


def report(rt: Any, ids: list[str], as_json: bool) -> int:
    results = [rt.operator_execution(i) for i in ids]
    if as_json:
        print_json({"resumed": [r.to_json() for r in results]})
    else:
        for r in results:
            tail = f"  {pause_text(rt, r.id)}" if r.status == ex.PAUSED_HITL else (f"  {r.error}" if r.error else "")
            print(f"{r.id}  {r.status}{tail}")
        if not results:
            print("nothing to resume")
    return 0 if all(r.status in (ex.COMPLETED, ex.PAUSED_HITL) for r in results) else 1
