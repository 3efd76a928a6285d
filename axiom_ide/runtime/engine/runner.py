"""One execution end to end: status, EXECUTION_* events, the loop, and the final record.

:class:`Runner` joins the pure engine to the stores. ``run_unary`` starts a fresh run or, with
``resume=True``, rebuilds the state from the execution's checkpoints (:func:`steps.refold`) and
continues: completed nodes are skipped, the node that was in flight runs again — after a
NODE_INTERRUPTED event for the attempt that was cut short, as the next attempt — and the id and the
event numbering continue. Whatever happens the execution ends in a final status — a store that
fails while recording the end is reported, never left looking Running — except when the runtime
itself shuts down, which leaves the run incomplete so the next runtime resumes it.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from axiom_ide.runtime.compiler.artifact import Artifact
from axiom_ide.runtime.engine import steps
from axiom_ide.runtime.engine.codec import Codec
from axiom_ide.runtime.engine.compensation import compensate, forward_checkpoints, resumed_failure
from axiom_ide.runtime.engine.gates import BranchTracker, has_branches, resting_status
from axiom_ide.runtime.engine.loop import RunConfig, RunContext, drive
from axiom_ide.runtime.engine.mutation import FLOW_MUTATED, REGROW_EVENTS, regrow
from axiom_ide.runtime.engine.plan import Plan, build_plan
from axiom_ide.runtime.engine.recorder import Recorder
from axiom_ide.runtime.engine.steps import StepError
from axiom_ide.runtime.errors import Diagnostic, render
from axiom_ide.runtime.flow_ids import flow_id
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex
from axiom_ide.runtime.store.checkpoints import CheckpointStore
from axiom_ide.runtime.store.events import EventRecord, EventStore
from axiom_ide.runtime.store.executions import ExecutionRecord, ExecutionStore

log = logging.getLogger(__name__)

#: The ``reason`` of a NODE_INTERRUPTED event.
INTERRUPTED_REASON = "the runtime stopped while this attempt ran; the node runs again"


@dataclass(frozen=True)
class Outcome:
    execution_id: str
    status: str
    output: Any = None
    output_bytes: bytes | None = None
    error: str | None = None
    code: str | None = None
    #: The failure as an error value (the store keeps the same with the execution).
    diagnostic: Diagnostic | None = None

    @property
    def success(self) -> bool:
        return self.status == ex.COMPLETED

    def result_json(self) -> dict[str, Any]:
        """The invoke API's ``result`` object."""
        if self.success:
            return {"success": True, "output": self.output}
        return {"success": False, "error": self.error or self.status}


class Compiled:
    """Per-artifact caches: plan, codec, reflection view."""

    def __init__(self, artifact: Artifact) -> None:
        self.artifact = artifact
        self.plan: Plan = build_plan(artifact)
        self.codec = Codec(artifact)
        self.reflection = reflection_views(artifact)

    def encode_input(self, data: Any) -> bytes:
        entry = self.plan.nodes[self.plan.entry]
        return self.codec.from_json(data, self.artifact.input_type, entry.package_key)

    def decode_output(self, payload: bytes) -> Any:
        terminal = self.plan.nodes[self.plan.terminal]
        return self.codec.to_json(payload, self.artifact.output_type, terminal.package_key)

    def check_input(self, payload: bytes) -> bytes:
        """``payload`` when it parses as the entry message; else InvalidInput
        (``invalid payload for <Message>: ...``)."""
        from axiom_ide.runtime.engine.single_node import check_message

        entry = self.plan.nodes[self.plan.entry]
        return check_message(self.codec.message_class(self.artifact.input_type, entry.package_key), payload)

    def encode_output(self, data: Any) -> bytes:
        """The terminal output JSON (as recorded) back to protobuf bytes."""
        terminal = self.plan.nodes[self.plan.terminal]
        return self.codec.from_json(data, self.artifact.output_type, terminal.package_key)


def reflection_views(artifact: Artifact, **where: Any) -> dict[str, dict[str, Any]]:
    """Per canvas id, the JSON view node hosts serve as ``ax.reflection.flow`` (engine/reflection.py)."""
    from axiom_ide.runtime.engine.reflection import reflection_views as views

    return views(artifact, **where)


class Runner:
    def __init__(self, executions: ExecutionStore, events: EventStore, checkpoints: CheckpointStore,
                 invoker: Any, publish: Callable[[EventRecord], None] | None = None) -> None:
        self.executions = executions
        self.events = events
        self.checkpoints = checkpoints
        self.invoker = invoker
        self.publish = publish
        #: Executions whose cancel was requested (a shutdown cancels tasks without this).
        self._cancel_requested: set[str] = set()
        #: The recorders of the executions running here, by id (a node's log lines go to them).
        self._recorders: dict[str, Recorder] = {}
        #: The runtime's approval gates (engine/hitl.py), for plans with approval nodes.
        self.hitl: Any = None
        #: ``budget(tenant_id, n)``: draw n executions from the tenant's daily quota; the refusal
        #: text, or None when drawn (engine/gates.py). None: nothing is counted.
        self.execution_budget: Callable[[str, int], str | None] | None = None
        #: The branch trackers of the executions running here (engine/gates.py), for :meth:`resting_status`.
        self._trackers: dict[str, BranchTracker] = {}

    def recorder(self, execution_id: str) -> Recorder:
        """A recorder continuing the execution's stored event log."""
        return Recorder(execution_id, self.events, self.publish, last_seq=self.events.last_seq(execution_id))

    def running_recorder(self, execution_id: str) -> Recorder | None:
        """The recorder of an execution running here (None when it is not)."""
        return self._recorders.get(execution_id)

    def attach(self, execution_id: str, recorder: Recorder) -> None:
        """``recorder`` records the execution while it runs here (until :meth:`detach`)."""
        self._recorders[execution_id] = recorder

    def detach(self, execution_id: str) -> None:
        self._recorders.pop(execution_id, None)
        self._trackers.pop(execution_id, None)

    def resting_status(self, execution_id: str) -> str:
        """What a pause's resume sets: Waiting on gate while a gate of the run here waits, else Running."""
        return resting_status(self._trackers.get(execution_id))

    def request_cancel(self, execution_id: str) -> None:
        """Mark a cancel as asked for: the run then ends Cancelled (a shutdown's cancel leaves it
        incomplete, to be resumed)."""
        self._cancel_requested.add(execution_id)

    def end_unstarted_cancel(self, rec: ExecutionRecord | None) -> None:
        """After a cancelled task: a unary run whose cancel was asked for and never reached its
        first step ends Cancelled here (a run that started recorded its own end)."""
        if rec is None or rec.id not in self._cancel_requested:
            return
        self._cancel_requested.discard(rec.id)
        if rec.mode == "unary" and not rec.is_final:
            self.finish(rec.id, self.recorder(rec.id), ex.CANCELLED, error="cancelled", code="CANCELLED")

    def accept(self, rec: ExecutionRecord, **started: Any) -> tuple[ExecutionRecord, Recorder]:
        """Record a fresh run: the execution row (Running), and its EXECUTION_STARTED event with
        ``started`` as data, in one transaction. Returns the stored record and the run's recorder
        (for :meth:`run_unary` and pipeline runs). Live listeners hear of it once it is stored."""
        now = time.time()
        recorder = Recorder(rec.id, self.events, None)
        recorder.emit(ev.EXECUTION_STARTED, graph_id=rec.graph_id, flow=rec.flow_name, **started)
        events = recorder.drain(self.executions.db)
        rec = self.executions.create(replace(rec, status=ex.RUNNING, created_at=now, updated_at=now),
                                     events=events)
        recorder.publish = self.publish
        if self.publish is not None:
            for e in events:
                self.publish(e)
        return rec, recorder

    def reject(self, rec: ExecutionRecord, error: str, code: str) -> Outcome:
        """Record a run that fails before it starts (bad input, unknown config): the execution,
        EXECUTION_STARTED and EXECUTION_FAILED, and the Failed status, in one transaction."""
        recorder = Recorder(rec.id, self.events, self.publish)
        recorder.emit(ev.EXECUTION_STARTED, graph_id=rec.graph_id, flow=rec.flow_name)
        recorder.emit(ev.EXECUTION_FAILED, error=error, code=code)
        events = recorder.drain(self.executions.db)
        detail = Diagnostic(code, error)
        self.executions.create(replace(rec, status=ex.FAILED, error=error, error_code=code,
                                       error_detail=detail.to_json()), events=events)
        return Outcome(rec.id, ex.FAILED, None, None, error, code, detail)

    async def run_unary(self, rec: ExecutionRecord, compiled: Compiled, config: RunConfig, *,
                        resume: bool = False, debug: Any = None,
                        forked_from: tuple[str, str] | None = None, recorder: Recorder | None = None,
                        pins: dict[str, bytes] | None = None) -> Outcome:
        """Run (or, with ``resume``, continue) one unary execution to its end. ``recorder`` is the
        one :meth:`accept` returned: the run is already recorded as started and Running. ``pins``:
        canvas id → pinned output bytes (an editor run's pins or a flow-test case's mocks; those nodes are not called)."""
        accepted = recorder is not None
        if recorder is None:
            recorder = self.recorder(rec.id)
        self.attach(rec.id, recorder)
        ctx = RunContext(rec.id, flow_id(rec.tenant_id, compiled.artifact.flow_name), rec.tenant_id, compiled.plan, compiled.codec,
                         self.invoker, recorder, self.checkpoints, config, debug, compiled.reflection,
                         pins=dict(pins or {}))
        ctx.budget = getattr(self, "execution_budget", None)  # quota for runtime mutations
        try:
            self._gating(ctx, rec, compiled)
            if accepted:
                state = steps.start(compiled.plan, rec.input or b"")
            elif resume:
                done = self.checkpoints.list(rec.id)
                if any(cp.expired for cp in done):
                    raise StepError("cannot resume: a checkpoint of this execution expired", "CHECKPOINT_EXPIRED")
                grown = regrow(ctx, self.events.list(forked_from[0] if forked_from else rec.id, types=REGROW_EVENTS),
                               until_checkpoint=forked_from[1] if forked_from else None)  # runtime mutations
                state = steps.refold(ctx.plan, compiled.codec, rec.input or b"",
                                     [(cp.node, cp.output or b"") for cp in forward_checkpoints(ctx.plan, done)])
                if forked_from is not None:
                    recorder.emit(ev.EXECUTION_STARTED, graph_id=rec.graph_id, flow=rec.flow_name,
                                  forked_from=forked_from[0], checkpoint_id=forked_from[1])
                    for node, data in grown:  # the fork's own log draws the parent's additions too
                        recorder.emit(FLOW_MUTATED, node, **data)
                    if ctx.gates is not None:  # its half-settled joins wait: Waiting on gate at once
                        ctx.gates.resumed(state, recorder)
                else:
                    recorder.emit(ev.EXECUTION_RESUMED, completed_nodes=len(done))
                    for node, attempt in self._interrupted(rec.id, ctx.plan, ctx.attempt_base).items():
                        recorder.emit(ev.NODE_INTERRUPTED, node, attempt=attempt, reason=INTERRUPTED_REASON)
                    if ctx.gates is not None:  # its half-settled joins wait again: Waiting on gate at once
                        ctx.gates.resumed(state)
            else:
                extra: dict[str, Any] = {"config_id": config.config_id} if config.config_id else {}
                recorder.emit(ev.EXECUTION_STARTED, graph_id=rec.graph_id, flow=rec.flow_name, **extra)
                state = steps.start(compiled.plan, rec.input or b"")
            failure = resumed_failure(rec.status, rec.error_detail) if resume and forked_from is None else None
            if not accepted:
                events = recorder.drain(self.executions.db)
                restored = resume and ((debug is not None and debug.pauses_first) or rec.status == ex.PAUSED_HITL
                                       or failure is not None)
                if not restored:  # a restored pause stays paused, a restored compensation Compensating
                    self.executions.update(rec.id, status=resting_status(ctx.gates), events=events)
                elif events:
                    self.events.append(events)
            if failure is not None:  # stopped while compensating: go on compensating, run nothing forward
                raise failure
            output = await drive(ctx, state)
            output_json = compiled.decode_output(output)
        except StepError as exc:
            exc, undone = await compensate(self, ctx, exc)  # saga: completed nodes' compensations
            return self.finish(rec.id, recorder, ex.FAILED, error=str(exc), code=exc.code, data=blame(exc) | undone,
                                detail=exc.diagnostic)
        except asyncio.CancelledError:
            if rec.id not in self._cancel_requested:
                recorder.flush()
                raise  # runtime shutdown: stay incomplete, resume later
            return self.finish(rec.id, recorder, ex.CANCELLED, error="cancelled", code="CANCELLED")
        except Exception as exc:
            log.exception("execution %s failed unexpectedly", rec.id)
            return self.finish(rec.id, recorder, ex.FAILED, error=f"internal error: {exc}", code="INTERNAL")
        finally:
            self.detach(rec.id)
        return self.finish(rec.id, recorder, ex.COMPLETED, output=output_json, output_bytes=output)

    def _gating(self, ctx: RunContext, rec: ExecutionRecord, compiled: Compiled) -> None:
        """Approval gates and branch tracking, for the plans that have them (engine/hitl.py, gates.py)."""
        plan = compiled.plan
        if self.hitl is not None and any(n.approval is not None for n in plan.nodes.values()):
            ctx.hitl = self.hitl
        if has_branches(plan):
            budget = self.execution_budget
            tenant = rec.tenant_id

            def set_status(status: str) -> None:  # with the GATE_* events that changed it: one write
                self.executions.update(rec.id, status=status, events=ctx.recorder.drain(self.executions.db))

            ctx.gates = BranchTracker(plan, budget=(lambda n: budget(tenant, n)) if budget is not None else None,
                                      set_status=set_status)
            self._trackers[rec.id] = ctx.gates

    def _interrupted(self, execution_id: str, plan: Plan, attempt_base: dict[str, int]) -> dict[str, int]:
        """The attempts a resumed execution's log shows started and never ended (node → attempt):
        the runtime died while they ran. Fills ``attempt_base`` with the attempts each node's
        pending activation has used, so its re-run is numbered after them."""
        kinds = (ev.NODE_STARTED, ev.NODE_COMPLETED, ev.NODE_FAILED, ev.NODE_INTERRUPTED)
        interrupted: dict[str, int] = {}
        for node, e in self.events.last_by_node(execution_id, kinds).items():
            if node not in plan.nodes or not e.attempt:  # subflow internals re-run with their node
                continue
            if e.type == ev.NODE_STARTED:
                interrupted[node] = attempt_base[node] = e.attempt
            elif e.type == ev.NODE_INTERRUPTED or (e.type == ev.NODE_FAILED and not e.data.get("final", True)):
                attempt_base[node] = e.attempt
        return interrupted

    def finish(self, execution_id: str, recorder: Recorder, status: str, *, output: Any = None,
                output_bytes: bytes | None = None, error: str | None = None, code: str | None = None,
                data: dict[str, Any] | None = None, detail: Diagnostic | None = None) -> Outcome:
        """Record the end. ``detail`` is the failure's error value (a bare ``error`` text and
        ``code`` make one without a location)."""
        self._cancel_requested.discard(execution_id)
        if error is not None and detail is None:
            detail = Diagnostic(code or "", error)
        if status == ex.FAILED and detail is not None:  # the operator's log reads like the CLI
            log.info("execution %s failed: %s", execution_id, render(detail))
        kind = {ex.COMPLETED: ev.EXECUTION_COMPLETED, ex.CANCELLED: ev.EXECUTION_CANCELLED}.get(status, ev.EXECUTION_FAILED)
        failure: dict[str, Any] = {"error": error, "code": code} if error else {}
        recorder.emit(kind, **failure, **(data or {}))
        try:  # the last events and the final status: one write, committed before anyone is told
            events = recorder.drain(self.executions.db)
            self.executions.update(execution_id, status=status, output=output, error=error, error_code=code,
                                   error_detail=detail.to_json() if detail is not None else None, events=events)
        except Exception as exc:  # noqa: BLE001 — e.g. the disk is full: report, don't hang
            log.error("could not record the end of execution %s: %s", execution_id, exc)
            if status == ex.COMPLETED:
                status, error, code = ex.FAILED, f"could not record the result: {exc}", "STORE_WRITE"
                detail = Diagnostic(code, error)
        return Outcome(execution_id, status, output, output_bytes, error, code, detail)


def blame(exc: StepError) -> dict[str, Any]:
    """Where a failure belongs, for its EXECUTION_FAILED event: the event's node, or its ``edge``
    ({from, to}) data."""
    if exc.edge is not None:
        return {"edge": {"from": exc.edge[0], "to": exc.edge[1]}}
    return {"node": exc.node} if exc.node else {}
