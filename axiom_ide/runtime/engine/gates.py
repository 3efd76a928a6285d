"""Parallel branches and the gates (joins) where they converge: events, status, and the fan-out quota.

A **fan-out** is a node with several forward edges out; each of its edges that fires starts a
**branch** (its id is the edge, ``"<src>-><dst>"``), each that does not is a skipped branch. A
**gate** is a join (a node with several forward edges in). A :class:`BranchTracker` follows one
unary run (only a plan with a fan-out or a join gets one) and, after each node completes, records:

- BRANCH_STARTED / BRANCH_SKIPPED (node = the branch's first node; ``branch``, ``from``; a skip
  has the ``reason``) for a fan-out's edges;
- BRANCH_FINISHED (node = the branch's last node; ``branch``, ``gate``) when a branch delivers to
  a gate;
- GATE_WAITING (node = the gate; ``waiting_for``: the sources not settled yet) the first time a
  gate has some but not all of its edges settled — the execution's status is then **Waiting on
  gate** until no gate waits — and GATE_OPENED (``branches``: how many delivered) when it runs.
  A pause (approval, debug) shows its own status meanwhile; its resume goes back to Waiting on
  gate, not Running, while a gate still waits (:func:`resting_status`).

Quota: every started branch draws one execution from the tenant's daily budget (reference/http-api
"A fan-out into 10 branches costs 10 executions"), through ``budget(n)`` — the server's daily
execution quota when it has one (``server/execution_budget.py``), else nothing is counted. A
fan-out the budget cannot pay for fails the run with the quota's own text after where it happened
(error catalog: ``... daily executions quota exceeded (cap N)``) — ``node "n0": fan-out into 10
branches: daily executions quota exceeded (cap 500)``, code ``QUOTA_EXCEEDED`` — before any of its
branches runs.

A resumed run refolds its completed nodes without the tracker, so nothing is drawn twice; the
joins the refolded state holds half-settled wait again at once (:meth:`BranchTracker.resumed`), so
the resumed run reads Waiting on gate from its first write, not Running until a next gate event.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axiom_ide.runtime.engine.plan import Plan
from axiom_ide.runtime.engine.steps import EdgeSkipped, ExecutionState, StepError
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex


def has_branches(plan: Plan) -> bool:
    """Whether a run of ``plan`` has branches or gates to follow."""
    return bool(plan.joins) or any(sum(not pe.is_loop for pe in out) > 1 for out in plan.outgoing.values())


def resting_status(tracker: BranchTracker | None) -> str:
    """The status of a run nothing pauses: **Waiting on gate** while one of its gates waits, else
    Running — what a resumed approval or debug pause goes back to (engine/hitl.py, Runtime)."""
    return ex.WAITING_ON_GATE if tracker is not None and tracker.waiting else ex.RUNNING


class BranchTracker:
    def __init__(self, plan: Plan, *, budget: Callable[[int], str | None] | None = None,
                 set_status: Callable[[str], None] | None = None) -> None:
        self.plan = plan
        self.budget = budget
        self.set_status = set_status
        #: node → the branch it runs in (inherited downstream until a gate).
        self.branch_of: dict[str, str] = {}
        #: Gates with some, not all, edges settled.
        self.waiting: set[str] = set()
        #: Per gate, the activation its last GATE_OPENED announced.
        self._opened: dict[str, Any] = {}

    def resumed(self, state: ExecutionState, recorder: Any = None) -> None:
        """Follow a run refolded from checkpoints: its joins with some, not all, edges settled wait.
        A resumed run's log has their GATE_WAITING already; a fork's own log (``recorder``) gets one."""
        for gate, settled in state.settled.items():
            if settled and gate in self.plan.joins and gate not in self.waiting:
                self.waiting.add(gate)
                if recorder is not None:
                    rest = [pe.src for pe in self.plan.incoming[gate] if pe.src not in settled]
                    recorder.emit(ev.GATE_WAITING, gate, waiting_for=rest)

    def after_complete(self, recorder: Any, state: ExecutionState, node: str, skipped: list[EdgeSkipped]) -> None:
        plan = self.plan
        forward = [pe for pe in plan.outgoing[node] if not pe.is_loop]
        not_fired = {s.dst: s.reason for s in skipped if s.src == node}
        if len(forward) > 1:
            started = [pe for pe in forward if pe.dst not in not_fired]
            if started and self.budget is not None:
                refused = self.budget(len(started))
                if refused:
                    raise StepError(f'node "{node}": fan-out into {len(started)} branches: {refused}',
                                    "QUOTA_EXCEEDED", node=node)
            for pe in forward:
                branch = f"{node}->{pe.dst}"
                if pe.dst in not_fired:
                    recorder.emit(ev.BRANCH_SKIPPED, pe.dst, branch=branch, reason=not_fired[pe.dst], **{"from": node})
                else:
                    recorder.emit(ev.BRANCH_STARTED, pe.dst, branch=branch, **{"from": node})
                    if pe.dst not in plan.joins:
                        self.branch_of[pe.dst] = branch
        elif node in self.branch_of:
            for pe in forward:
                if pe.dst not in plan.joins and pe.dst not in not_fired:
                    self.branch_of[pe.dst] = self.branch_of[node]
        for pe in forward:
            if pe.dst not in plan.joins:
                continue
            gate = pe.dst
            if pe.dst not in not_fired:
                recorder.emit(ev.BRANCH_FINISHED, node, branch=self.branch_of.get(node, f"{node}->{gate}"), gate=gate)
            self._gate_state(recorder, state, gate)
        for s in skipped:  # dead branches settle their gates too
            if s.src != node and s.dst in plan.joins:
                self._gate_state(recorder, state, s.dst)

    def _gate_state(self, recorder: Any, state: ExecutionState, gate: str) -> None:
        settled = state.settled.get(gate)
        was_waiting = bool(self.waiting)
        if settled:  # some edges in, not all: the gate waits
            if gate not in self.waiting:
                self.waiting.add(gate)
                rest = [pe.src for pe in self.plan.incoming[gate] if pe.src not in settled]
                recorder.emit(ev.GATE_WAITING, gate, waiting_for=rest)
        else:
            opened = next((a for a in state.ready if a.node == gate), None)
            if opened is not None and self._opened.get(gate) is not opened:
                self._opened[gate] = opened
                recorder.emit(ev.GATE_OPENED, gate, branches=len(opened.via))
            self.waiting.discard(gate)
        if self.set_status is not None and was_waiting != bool(self.waiting):
            self.set_status(ex.WAITING_ON_GATE if self.waiting else ex.RUNNING)
