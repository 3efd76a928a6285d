"""Compensation (saga): when a unary run fails, undo what its completed nodes did.

A node that declares ``compensate: <canvas id>`` in flow.yaml (compiler/compensation.py) has its
compensation node run for each of its completions when the run later fails — in reverse
completion order (the checkpoints' order), while the execution's status reads "Compensating".
A compensation node receives the compensated node's *output* (the completion's checkpoint) as its
input, runs with the run's timeout and retry budget, and is checkpointed like any node. Each one
is recorded as COMPENSATION_STARTED, then the node's own NODE_STARTED / NODE_COMPLETED (or
NODE_FAILED), then COMPENSATION_COMPLETED or COMPENSATION_FAILED (with the ``error``). A
compensation that fails is recorded and never compensated or retried beyond its budget; the rest
still run. The run then ends Failed with the original error followed by the outcome
(``…; compensation: "undo-b" for "b" completed; "undo-a" for "a" failed: <error>``) and the
per-compensation outcome list in the EXECUTION_FAILED event's ``compensation`` data.

The status Compensating is written with the failure's error value (the row's ``error_detail``; its
``error`` text only when the run ends), so a run resumed after a restart while compensating
continues compensating at once (:func:`resumed_failure`): its status stays Compensating, the failed
node is not run again, and the completions already compensated (their COMPENSATION_COMPLETED/FAILED
events) are skipped. A row written before that (no stored failure) re-runs forward from its
checkpoints (compensation checkpoints are not part of the forward history, :func:`forward_checkpoints`)
and, failing again, compensates the rest the same way. Compensation is for
the top-level flow's nodes: a subflow node is compensated as a whole by its own ``compensate:``.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

from axiom_ide.runtime.engine.loop import RunContext, run_node
from axiom_ide.runtime.engine.plan import Plan
from axiom_ide.runtime.engine.steps import Activation, StepError
from axiom_ide.runtime.errors import Diagnostic
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex
from axiom_ide.runtime.store.checkpoints import Checkpoint, new_checkpoint_id

log = logging.getLogger(__name__)


def compensation_ids(plan: Plan) -> set[str]:
    """The canvas ids of the plan's compensation nodes."""
    return {n.compensate for n in plan.nodes.values() if n.compensate}


def forward_checkpoints(plan: Plan, checkpoints: Sequence[Checkpoint]) -> list[Checkpoint]:
    """``checkpoints`` without those of compensation nodes (what a resume or fork refolds)."""
    comps = compensation_ids(plan)
    return [cp for cp in checkpoints if cp.node not in comps] if comps else list(checkpoints)


def resumed_failure(status: str, detail: dict[str, Any] | None) -> StepError | None:
    """The failure a run stopped while Compensating goes on compensating for, from its stored
    ``status`` and ``error_detail``; None for any other run (or a row without the failure)."""
    d = Diagnostic.from_json(detail) if status == ex.COMPENSATING and detail is not None else None
    if d is None:
        return None
    return StepError(d.message, d.code, node=d.location.node, edge=d.location.edge,
                     exception_type=d.exception_type, traceback=d.traceback)


def _describe(outcomes: list[dict[str, Any]]) -> str:
    parts = []
    for o in outcomes:
        text = f'"{o["node"]}" for "{o["compensates"]}" {o["status"]}'
        if o.get("error"):
            text += f': {o["error"]}'
        parts.append(text)
    return "; ".join(parts)


async def compensate(runner: Any, ctx: RunContext, failure: StepError) -> tuple[StepError, dict[str, Any]]:
    """Run the compensations of the completed nodes after ``failure``; returns the error the run
    ends with (the original, followed by the outcome) and the EXECUTION_FAILED data to add. A run
    with nothing to compensate returns ``failure`` and ``{}`` untouched. Never raises but for a
    cancel: a store that fails mid-way ends the run with the original error and says so."""
    try:
        return await _compensate(runner, ctx, failure)
    except asyncio.CancelledError:
        ctx.recorder.flush()  # a shutdown: what ran is recorded; the next runtime continues
        if ctx.execution_id not in getattr(runner, "_cancel_requested", ()):
            raise
        note = "the run was cancelled"
    except StepError as exc:
        note = str(exc)
    except Exception as exc:
        log.exception("compensating execution %s failed", ctx.execution_id)
        note = f"internal error: {exc}"
    ended = StepError(f"{failure}; compensation stopped: {note}", failure.code, node=failure.node, edge=failure.edge,
                      exception_type=failure.exception_type, traceback=failure.traceback)
    return ended, {"compensation_error": note}


async def _compensate(runner: Any, ctx: RunContext, failure: StepError) -> tuple[StepError, dict[str, Any]]:
    plan, store = ctx.plan, ctx.checkpoints
    pairs = {n.id: n.compensate for n in plan.nodes.values() if n.compensate and n.compensate in plan.nodes}
    if not pairs or store is None:
        return failure, {}
    ctx.recorder.flush()
    history = store.list(ctx.execution_id)
    done = [cp for cp in history if cp.node in pairs and cp.output is not None]
    settled = {e.data.get("checkpoint_id"): e for e in runner.events.list(
        ctx.execution_id, types=(ev.COMPENSATION_COMPLETED, ev.COMPENSATION_FAILED))}
    if not done:
        return failure, {}
    runner.executions.update(ctx.execution_id, status=ex.COMPENSATING, error_detail=failure.diagnostic.to_json(),
                             events=ctx.recorder.drain(runner.executions.db))  # what a resume continues
    step = len(history)
    outcomes: list[dict[str, Any]] = []
    for cp in reversed(done):
        comp = pairs[cp.node]
        before = settled.get(cp.id)
        if before is not None:  # compensated before the runtime stopped: not run again
            ok = before.type == ev.COMPENSATION_COMPLETED
            outcomes.append({"node": comp, "compensates": cp.node, "checkpoint_id": cp.id,
                             "status": "completed" if ok else "failed",
                             **({} if ok else {"error": before.data.get("error", "")})})
            continue
        assert cp.output is not None  # filtered above
        ctx.recorder.emit(ev.COMPENSATION_STARTED, comp, compensates=cp.node, checkpoint_id=cp.id)
        result = await run_node(ctx, Activation(comp, cp.output))
        outcome: dict[str, Any] = {"node": comp, "compensates": cp.node, "checkpoint_id": cp.id}
        if result.ok:
            node = plan.nodes[comp]
            now = time.time()
            step += 1
            mine = Checkpoint(new_checkpoint_id(now), ctx.execution_id, step, comp, result.attempt,
                              node.input_type, node.output_type, cp.output, result.output, now)
            ctx.recorder.emit(ev.NODE_COMPLETED, comp, duration_ms=result.duration_ms, attempt=result.attempt,
                              checkpoint_id=mine.id)
            try:
                ctx.recorder.commit_checkpoint(store, mine)
            except Exception as exc:  # noqa: BLE001 — recorded as this compensation's failure
                outcome.update(status="failed", error=f"checkpoint write failed: {exc}")
            else:
                outcome["status"] = "completed"
        else:
            outcome.update(status="failed", error=result.error or result.code or "failed")
        kind = ev.COMPENSATION_COMPLETED if outcome["status"] == "completed" else ev.COMPENSATION_FAILED
        ctx.recorder.emit(kind, comp, compensates=cp.node, checkpoint_id=cp.id,
                          **({"error": outcome["error"]} if "error" in outcome else {}))
        outcomes.append(outcome)
    text = f"{failure}; compensation: {_describe(outcomes)}"
    ended = StepError(text, failure.code, node=failure.node, edge=failure.edge,
                      exception_type=failure.exception_type, traceback=failure.traceback)
    return ended, {"compensation": outcomes}
