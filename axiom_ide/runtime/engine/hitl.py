"""Human-in-the-loop approval gates: a unary run pauses before a node declared with ``approval:``.

The shape is the debug gate's (engine/debug.py: stop before a node, resume later), made durable
by the event log alone:

- Before dispatching a node with an approval (``ArtifactNode.approval``), the loop awaits
  :meth:`ApprovalGates.before_dispatch`. With nothing decided yet it records HITL_PAUSED (the
  prompt, the node's decoded ``input``, ``timeout_at`` in unix ms or null, ``on_timeout``), sets
  the status **Paused (HITL)** and waits; nothing else is dispatched (nodes already in flight
  finish first, so the pause is the only thing the run does).
- :func:`resume_pause` (HTTP, CLI, Backend) records the decision as HITL_RESUMED (``action``
  approve|reject, ``input`` when the approver edited it, ``comment``) and the status Running in
  one write, then wakes the waiting run — or, when no runtime holds the run (it was restarted),
  continues it here: the resumed run refolds its checkpoints, reaches the node again and finds the
  decision in the log. A pause a runtime restart interrupted is paused again, with no new event.
- ``timeout`` elapsed (counted from the HITL_PAUSED, across restarts): HITL_TIMED_OUT with
  ``outcome`` = ``on_timeout``; ``reject`` fails the run, ``approve`` runs the node.
- Every pause has its own resume webhook: ``resume_token`` on HITL_PAUSED (``<execution
  id>.<random>``), answered by ``POST /invocations/v1/webhooks/resume/{token}`` with no API key.
- A rejection fails the run: ``node "<id>": approval rejected`` (+ ``: <comment>``), code
  ``APPROVAL_REJECTED``; a timeout that rejects: ``node "<id>": approval timed out after <t>
  (on_timeout: reject)``, code ``APPROVAL_TIMED_OUT``.

Which decision belongs to which reach of the node (a node in a loop pauses every round): the
node's latest event among HITL_* and NODE_COMPLETED — a NODE_COMPLETED (or nothing) means this is
a new reach, so a new pause. Approvals inside a subflow are not gated (the subflow node is one
step of its parent; put the approval on the subflow node).
"""
from __future__ import annotations

import asyncio
import hmac
import secrets
import time
from dataclasses import dataclass, replace
from typing import Any

from axiom_ide.runtime.engine.gates import resting_status
from axiom_ide.runtime.engine.steps import Activation, StepError
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex

APPROVE, REJECT = "approve", "reject"
ACTIONS = (APPROVE, REJECT)
#: A paused node's input bigger than this (protobuf bytes) is not copied into HITL_PAUSED (``input``
#: null): its checkpointed upstream output still has it, and an approver can still edit it.
MAX_SHOWN_INPUT = 256 * 1024
_KINDS = (ev.HITL_PAUSED, ev.HITL_RESUMED, ev.HITL_TIMED_OUT, ev.NODE_COMPLETED)


@dataclass(frozen=True)
class Decision:
    action: str
    #: The approver's edited input (JSON) for the node, or None to run it with its own.
    input: Any = None
    comment: str | None = None
    timed_out: bool = False


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def rejected_text(node: str, decision: Decision, approval: dict[str, Any]) -> tuple[str, str]:
    """(error text, code) of a run that ends at a rejected approval."""
    if decision.timed_out:
        waited = _duration(approval.get("timeout_seconds") or 0)
        return f'node "{node}": approval timed out after {waited} (on_timeout: reject)', "APPROVAL_TIMED_OUT"
    return f'node "{node}": approval rejected' + (f": {decision.comment}" if decision.comment else ""), "APPROVAL_REJECTED"


class ApprovalGates:
    """The approval waits of the executions running in one runtime."""

    def __init__(self, executions: ex.ExecutionStore, events: ev.EventStore) -> None:
        self.executions = executions
        self.events = events
        #: execution id → (node, the future its run awaits).
        self._waiters: dict[str, tuple[str, asyncio.Future]] = {}
        #: execution id → a future set when its run starts waiting for an approval (:meth:`settled`).
        self._parks: dict[str, asyncio.Future] = {}

    async def settled(self, execution_id: str, task: asyncio.Future | None) -> None:
        """Return once the run ``task`` ends or waits for an approval (at once when it is neither
        running nor waits here)."""
        if task is None or task.done() or self.waiting(execution_id) is not None:
            return
        park = self._parks.setdefault(execution_id, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait({task, park}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if self._parks.get(execution_id) is park:
                del self._parks[execution_id]

    def waiting(self, execution_id: str) -> str | None:
        """The node the execution waits before here, or None."""
        entry = self._waiters.get(execution_id)
        return entry[0] if entry is not None and not entry[1].done() else None

    def wake(self, execution_id: str, decision: Decision) -> bool:
        entry = self._waiters.get(execution_id)
        if entry is None or entry[1].done():
            return False
        entry[1].set_result(decision)
        return True

    def _status(self, execution_id: str, status: str, events: list | None = None) -> None:
        self.executions.update(execution_id, status=status, events=events or ())
        self.executions.db.sync()  # folded at once: a pause is what other processes wait to see

    async def before_dispatch(self, ctx: Any, act: Activation) -> Activation:
        """Wait for the node's approval; the activation to dispatch (with the edited input), or
        StepError for a rejection."""
        node = ctx.plan.nodes[act.node]
        approval: dict[str, Any] = node.approval
        recorder = ctx.recorder
        recorder.flush()
        last = self.events.last_by_node(ctx.execution_id, _KINDS).get(act.node)
        if last is None or last.type == ev.NODE_COMPLETED:
            timeout = approval.get("timeout_seconds")
            now = time.time()
            try:
                shown = ctx.codec.to_json(act.payload, node.input_type, node.package_key)
            except Exception:  # noqa: BLE001 — the node reports an input it cannot read
                shown = None
            if len(act.payload) > MAX_SHOWN_INPUT:  # the event log is no payload store
                shown = None
            last = recorder.emit(ev.HITL_PAUSED, act.node, prompt=approval.get("prompt"), input=shown,
                                 on_timeout=approval.get("on_timeout", REJECT),
                                 timeout_at=int((now + timeout) * 1000) if timeout else None,
                                 resume_token=new_resume_token(ctx.execution_id),
                                 **({"approvers": approval["approvers"]} if approval.get("approvers") else {}))
            events = recorder.drain(self.executions.db)
            self._status(ctx.execution_id, ex.PAUSED_HITL, events)
        if last.type == ev.HITL_PAUSED:
            current = self.executions.get(ctx.execution_id)
            if current is not None and current.status != ex.PAUSED_HITL:  # a restored pause
                self._status(ctx.execution_id, ex.PAUSED_HITL)
            decision = await self._wait(ctx, act.node, last, approval)
        else:
            decision = (Decision(last.data.get("outcome", REJECT), timed_out=True) if last.type == ev.HITL_TIMED_OUT
                        else Decision(last.data.get("action", REJECT), last.data.get("input"), last.data.get("comment")))
        if decision.action != APPROVE:
            text, code = rejected_text(act.node, decision, approval)
            raise StepError(text, code, node=act.node)
        if decision.input is None:
            return act
        try:
            payload = ctx.codec.from_json(decision.input, node.input_type, node.package_key)
        except Exception as exc:  # noqa: BLE001 — checked when the decision was made; a changed artifact
            raise StepError(f'node "{act.node}": the approved input does not fit {node.input_type}: {exc}',
                            "INVALID_INPUT", node=act.node) from None
        return replace(act, payload=payload)

    async def _wait(self, ctx: Any, node: str, paused: ev.EventRecord, approval: dict[str, Any]) -> Decision:
        timeout_at = paused.data.get("timeout_at")
        future = asyncio.get_running_loop().create_future()
        self._waiters[ctx.execution_id] = (node, future)
        park = self._parks.get(ctx.execution_id)
        if park is not None and not park.done():
            park.set_result(node)
        try:
            remaining = None if timeout_at is None else max(0.0, timeout_at / 1000 - time.time())
            try:
                return await asyncio.wait_for(asyncio.shield(future), remaining)
            except TimeoutError:
                if future.done():
                    return future.result()
                outcome = approval.get("on_timeout", REJECT)
                future.set_result(None)  # a resume from now on is refused as timed out
                ctx.recorder.emit(ev.HITL_TIMED_OUT, node, outcome=outcome)
                self._status(ctx.execution_id, resting_status(ctx.gates), ctx.recorder.drain(self.executions.db))
                return Decision(outcome, timed_out=True)
        finally:
            if self._waiters.get(ctx.execution_id, (None, None))[1] is future:
                del self._waiters[ctx.execution_id]


async def until_settled(runtime: Any, execution_id: str) -> None:
    """Return once the execution's run here ends or waits for an approval (at once when it does
    not run here)."""
    await runtime.approvals.settled(execution_id, runtime._tasks.get(execution_id))


def has_approvals(artifact: Any) -> bool:
    """Whether a run of ``artifact`` can pause for an approval."""
    return any(n.approval is not None for n in artifact.nodes)


# -- resuming -------------------------------------------------------------------------------------
def new_resume_token(execution_id: str) -> str:
    """``<execution id>.<random>``: the secret of one pause's resume webhook (HITL_PAUSED
    ``resume_token``; ``POST /invocations/v1/webhooks/resume/{token}``)."""
    return f"{execution_id}.{secrets.token_urlsafe(24)}"


def token_execution(token: str) -> str:
    """The execution id a resume token names ("" for a malformed one)."""
    execution_id, dot, rest = token.partition(".")
    return execution_id if dot and rest and len(execution_id) == 32 else ""


def _refuse(code: str, message: str) -> AxiomError:
    return AxiomError.of(code, message)


def pending_pause(events: ev.EventStore, execution_id: str) -> ev.EventRecord | None:
    """The execution's latest HITL event when it is an unanswered HITL_PAUSED, else None."""
    hitl = events.list(execution_id, types=(ev.HITL_PAUSED, ev.HITL_RESUMED, ev.HITL_TIMED_OUT), limit=10_000_000)
    return hitl[-1] if hitl and hitl[-1].type == ev.HITL_PAUSED else None


async def resume_pause(runtime: Any, execution_id: str, action: str, input: Any = None, *,
                       comment: str | None = None, tenant_id: str | None = None,
                       token: str | None = None, by: str | None = None) -> dict[str, Any]:
    """Approve or reject the execution's approval pause; returns ``{"execution_id", "node",
    "action", "status"}``. Raises AxiomError: ``execution_not_found``; ``invalid_argument`` (an
    unknown action, input with a rejection, input that does not fit the node); ``not_an_approver``
    (``by``, the caller's API key name, is not among the pause's ``approvers``; None = the local
    operator, always allowed); ``not_paused``,
    ``already_resumed``, ``pause_timed_out`` or ``paused_elsewhere`` when there is nothing here to
    resume (the HTTP route answers those 409)."""
    rec = runtime.execution(execution_id, tenant_id)  # an unknown execution first, whatever was asked
    if action not in ACTIONS:
        raise _refuse("invalid_argument", f'action must be "approve" or "reject", not {action!r}')
    if input is not None and action != APPROVE:
        raise _refuse("invalid_argument", "input can only be given with approve (it is the node's edited input)")
    if input is not None and not isinstance(input, dict):
        raise _refuse("invalid_argument", "input must be a JSON object (the node's input message)")
    events: ev.EventStore = runtime._event_log
    hitl = events.list(execution_id, types=(ev.HITL_PAUSED, ev.HITL_RESUMED, ev.HITL_TIMED_OUT), limit=10_000_000)
    if token is not None:  # a resume webhook: the token must be one of this execution's pauses'
        known = [e.data.get("resume_token") or "" for e in hitl if e.type == ev.HITL_PAUSED]
        if not any(hmac.compare_digest(token, k) for k in known):
            raise _refuse("execution_not_found", "execution not found")
        if hitl[-1].type == ev.HITL_PAUSED and not hmac.compare_digest(token, known[-1]):
            raise _refuse("already_resumed", f'execution "{execution_id}": this resume webhook is for an earlier '
                                             "pause, which was already answered")
    if rec.status != ex.PAUSED_HITL or not hitl or hitl[-1].type != ev.HITL_PAUSED:
        if hitl and hitl[-1].type == ev.HITL_TIMED_OUT:
            raise _refuse("pause_timed_out", f'execution "{execution_id}": the approval pause before node '
                                             f'"{hitl[-1].node}" timed out (on_timeout: {hitl[-1].data.get("outcome")}); '
                                             "it can no longer be resumed")
        if hitl and hitl[-1].type == ev.HITL_RESUMED:
            how = "approved" if hitl[-1].data.get("action") == APPROVE else "rejected"
            raise _refuse("already_resumed", f'execution "{execution_id}": the approval pause before node '
                                             f'"{hitl[-1].node}" was already resumed ({how}); status: {rec.status}')
        raise _refuse("not_paused", f'execution "{execution_id}" is not paused for approval (status: {rec.status})')
    paused = hitl[-1]
    node = paused.node or ""
    approvers = paused.data.get("approvers") or []
    if by is not None and approvers and by not in approvers:
        raise _refuse("not_an_approver", f'API key "{by}" may not resume the pause before node "{node}" '
                                         f'(approvers: {", ".join(approvers)})')
    gates: ApprovalGates = runtime.approvals
    here = gates.waiting(execution_id) == node
    db = runtime._db
    if not here and execution_id not in runtime._tasks and rec.owner not in (None, db.instance) and db.alive(rec.owner):
        raise _refuse("paused_elsewhere", f'execution "{execution_id}" is paused in another running runtime; '
                                          "resume it through that runtime (its server or IDE)")
    if input is not None:
        compiled = runtime.compiled(runtime.artifact(rec.graph_id, tenant_id=rec.tenant_id))
        meta = compiled.plan.nodes[node]
        try:
            compiled.codec.from_json(input, meta.input_type, meta.package_key)
        except Exception as exc:  # noqa: BLE001 — InvalidInput names the field
            raise _refuse("invalid_argument", f'input for node "{node}": {exc}') from None
    decision = Decision(action, input, comment or None)
    recorder = runtime.runner.running_recorder(execution_id) or runtime.runner.recorder(execution_id)
    recorder.emit(ev.HITL_RESUMED, node, action=action, **({"input": input} if input is not None else {}),
                  **({"comment": comment} if comment else {}), **({"by": by} if by else {}))
    status = runtime.runner.resting_status(execution_id)  # Waiting on gate while a gate still waits
    gates._status(execution_id, status, recorder.drain(db))
    if not gates.wake(execution_id, decision) and execution_id not in runtime._tasks:
        await runtime.resume_incomplete(only=execution_id)
    return {"execution_id": execution_id, "node": node, "action": action, "status": status}
