"""Pure step functions of the unary executor (STYLE.md rule 7).

The run's whole state is a :class:`ExecutionState`; these functions are its only writers. They do no
I/O and read nothing but their arguments (the plan, the codec, the state and a node's output), so
the state after *n* completed nodes is a function of the input and the first *n* checkpoints —
which is exactly how a resumed or forked run rebuilds it (:func:`refold`). The async loop in
:mod:`.loop` only dispatches what :attr:`ExecutionState.ready` holds and feeds results back.

Dataflow rules: a completed node evaluates each outgoing edge (condition, then map). A fired
forward edge delivers to its destination; a skipped one settles it without a delivery. A node is
ready when every incoming forward edge has settled and at least one fired (a *join* merges the
fields its edges map, in edge order); when none fired it is dead and its own edges settle as
skipped. A fired loop edge starts a new round for its destination and everything downstream of it,
at most ``loop`` times.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

from axiom_ide.runtime.conditions import ConditionError
from axiom_ide.runtime.engine.codec import Codec, InvalidInput
from axiom_ide.runtime.engine.plan import Plan, PlanEdge
from axiom_ide.runtime.errors import Diagnostic, Location, Severity
from axiom_ide.runtime.transforms import TransformError, evaluate_map

NO_TERMINAL_RESULT = "graph produced no terminal result"


class StepError(Exception):
    """The run cannot continue; ``str()`` is the user-facing text, ``code`` its failure kind,
    :attr:`diagnostic` the whole error value (where, and for a node that raised, the exception's
    type and traceback) the store keeps with the execution."""

    def __init__(self, message: str, code: str, *, node: str | None = None,
                 edge: tuple[str, str] | None = None, exception_type: str | None = None,
                 traceback: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.node = node
        self.edge = edge
        self.exception_type = exception_type
        self.traceback = traceback

    @property
    def diagnostic(self) -> Diagnostic:
        where = Location(edge=self.edge) if self.edge is not None else Location(node=self.node)
        return Diagnostic(self.code, str(self), Severity.ERROR, where, self.exception_type or None,
                          self.traceback or None)


@dataclass(frozen=True)
class Activation:
    """One dispatch of a node with its input bytes."""

    node: str
    payload: bytes
    #: Sources of the edges that fired into this dispatch (edge breakpoints, engine/debug.py).
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class EdgeSkipped:
    src: str
    dst: str
    #: "condition false" | "upstream skipped" | "upstream failed" | "max_iterations (N) reached".
    reason: str


@dataclass
class ExecutionState:
    """Everything the executor knows about one run, in plain data."""

    #: Activations waiting to be dispatched, in order.
    ready: deque = field(default_factory=deque)
    #: Canvas ids currently dispatched and not yet completed.
    running: set = field(default_factory=set)
    #: This round's deliveries per destination: {dst: {src: (bytes | None, fields dict | None)}}.
    inbox: dict = field(default_factory=dict)
    #: This round's settled incoming edges per destination: {dst: {src, ...}}.
    settled: dict = field(default_factory=dict)
    #: Times each loop edge fired: {(src, dst): n}.
    loop_counts: dict = field(default_factory=dict)
    #: Node dispatches so far (the max-steps budget).
    steps: int = 0
    #: Checkpoints so far (completed nodes).
    completed: int = 0
    #: The terminal node's latest output.
    terminal_output: bytes | None = None


def start(plan: Plan, payload: bytes) -> ExecutionState:
    state = ExecutionState()
    state.ready.append(Activation(plan.entry, payload))
    return state


def begin(plan: Plan, state: ExecutionState, act: Activation) -> None:
    """Account for dispatching ``act`` (already popped from ``ready``)."""
    if state.steps >= plan.max_steps:
        raise StepError(f"exceeded max steps ({plan.max_steps})", "MAX_STEPS", node=act.node)
    state.steps += 1
    state.running.add(act.node)


def take(state: ExecutionState, node: str) -> Activation:
    """Pop the ready activation of ``node`` (refold uses this to follow checkpoint order)."""
    for act in state.ready:
        if act.node == node:
            state.ready.remove(act)
            return act
    raise StepError(f'checkpoint history does not match the graph: node "{node}" was not ready',
                    "CHECKPOINT_MISMATCH", node=node)


def complete(plan: Plan, codec: Codec, state: ExecutionState, node: str, output: bytes) -> list[EdgeSkipped]:
    """Feed a node's output into the graph; returns the edges skipped. Raises StepError."""
    state.running.discard(node)
    state.completed += 1
    if node == plan.terminal:
        state.terminal_output = output
    edges = plan.outgoing[node]
    if not edges:
        return []
    meta = plan.nodes[node]
    out_dict: dict[str, Any] | None = None
    skipped: list[EdgeSkipped] = []
    for pe in edges:
        if pe.problem is None and (pe.condition is not None or pe.fields is not None) and out_dict is None:
            out_dict = codec.to_dict(output, meta.output_type, meta.package_key)
        if not edge_fires(pe, out_dict):
            skipped.append(EdgeSkipped(pe.src, pe.dst, "condition false"))
            if not pe.is_loop:
                _settle(plan, codec, state, pe, None, skipped)
            continue
        if pe.is_loop:
            limit = pe.edge.loop or 0
            count = state.loop_counts.get((pe.src, pe.dst), 0)
            if count >= limit:
                skipped.append(EdgeSkipped(pe.src, pe.dst, f"max_iterations ({limit}) reached"))
                continue
        delivery = _deliver(codec, pe, output, out_dict)
        if pe.is_loop:
            state.loop_counts[(pe.src, pe.dst)] = state.loop_counts.get((pe.src, pe.dst), 0) + 1
            for n in (pe.dst, *plan.downstream[pe.dst]):
                state.inbox.pop(n, None)
                state.settled.pop(n, None)
            state.ready.append(Activation(pe.dst, _input_bytes(plan, codec, pe.dst, {pe.src: delivery}), (pe.src,)))
        else:
            _settle(plan, codec, state, pe, delivery, skipped)
    return skipped


def node_error_text(node: str, message: str) -> str:
    """``node "<id>": <message>`` — or ``message`` alone when it names the node already (a host
    timeout reads ``node "<id>" timed out after 1s``, a lost pipeline ``recv from node "<id>"``):
    no error names its node twice."""
    named = f'node "{node}"'
    return message if named in message else f"{named}: {message}"


def raised_fields(exc: BaseException) -> dict[str, str]:
    """``exception_type`` and ``traceback`` of a node failure that has them (a handler raised), for
    its NODE_FAILED event and its StepError; {} otherwise."""
    out = {"exception_type": getattr(exc, "exception_type", "") or "", "traceback": getattr(exc, "traceback", "") or ""}
    return {k: v for k, v in out.items() if v}


def fail(plan: Plan, codec: Codec, state: ExecutionState, node: str, message: str,
         code: str = "NODE_FAILED", *, exception_type: str | None = None,
         traceback: str | None = None) -> list[EdgeSkipped]:
    """A node failed for good: abort (raise StepError) unless a downstream join ignores failures.
    ``exception_type`` and ``traceback`` (a handler that raised) go into the error value."""
    state.running.discard(node)
    joins = [j for j in plan.downstream[node] if j in plan.joins]
    text = node_error_text(node, message)
    if not joins:
        raise StepError(text, code, node=node, exception_type=exception_type, traceback=traceback)
    if any(plan.joins[j] != "ignore" for j in joins):
        raise StepError(f"downstream join failed: {text}", "JOIN_FAILED", node=node,
                        exception_type=exception_type, traceback=traceback)
    skipped: list[EdgeSkipped] = []
    for pe in plan.outgoing[node]:
        if not pe.is_loop:
            skipped.append(EdgeSkipped(pe.src, pe.dst, "upstream failed"))
            _settle(plan, codec, state, pe, None, skipped)
    return skipped


def finish(state: ExecutionState) -> bytes:
    """The run's result once nothing is ready or running. Raises StepError when there is none."""
    if state.terminal_output is None:
        raise StepError(NO_TERMINAL_RESULT, "NO_TERMINAL_RESULT")
    return state.terminal_output


def refold(plan: Plan, codec: Codec, payload: bytes, outputs: list[tuple[str, bytes]]) -> ExecutionState:
    """The state after the given completions (checkpoint order): how resume and fork start."""
    state = start(plan, payload)
    for node, output in outputs:
        begin(plan, state, take(state, node))
        complete(plan, codec, state, node, output)
    return state


# -- one edge, shared with the pipeline engine ---------------------------------------------------
def edge_fires(pe: PlanEdge, out_dict: dict | None) -> bool:
    """Whether ``pe`` carries the source's output: raises the edge's compile problem (adapter or
    condition, as the error catalog words it) or a condition that fails to evaluate."""
    if pe.problem is not None:
        kind, text = pe.problem
        raise StepError(f"{pe.label}: EvaluateEdge {kind}: {text}", "EDGE_" + kind.upper(), edge=(pe.src, pe.dst))
    if pe.condition is None:
        return True
    try:
        return bool(pe.condition.evaluate(out_dict))
    except ConditionError as exc:
        raise StepError(f"{pe.label}: EvaluateEdge condition: {exc}", "EDGE_CONDITION",
                        edge=(pe.src, pe.dst)) from None


def map_fields(pe: PlanEdge, out_dict: dict | None) -> dict[str, Any]:
    """The destination's fields from the edge's ``map:`` (an EDGE_ADAPTER StepError on failure)."""
    assert pe.fields is not None  # called only for an edge with a map:
    try:
        return evaluate_map(pe.fields, out_dict or {})
    except TransformError as exc:
        raise StepError(exc.edge_message(pe.src, pe.dst), "EDGE_ADAPTER", edge=(pe.src, pe.dst)) from None


# -- internals -----------------------------------------------------------------------------------
def _deliver(codec: Codec, pe: PlanEdge, output: bytes, out_dict: dict | None):
    return (output, None) if pe.fields is None else (None, map_fields(pe, out_dict))


def _settle(plan: Plan, codec: Codec, state: ExecutionState, pe: PlanEdge, delivery, skipped: list) -> None:
    dst = pe.dst
    settled = state.settled.setdefault(dst, set())
    settled.add(pe.src)
    if delivery is not None:
        state.inbox.setdefault(dst, {})[pe.src] = delivery
    incoming = plan.incoming[dst]
    if len(settled) < len(incoming) or any(e.src not in settled for e in incoming):
        return
    inbox = state.inbox.pop(dst, {})
    state.settled.pop(dst, None)
    if inbox:
        state.ready.append(Activation(dst, _input_bytes(plan, codec, dst, inbox), tuple(inbox)))
        return
    for out in plan.outgoing[dst]:  # dead node: its forward edges settle as skipped
        if not out.is_loop:
            skipped.append(EdgeSkipped(out.src, out.dst, "upstream skipped"))
            _settle(plan, codec, state, out, None, skipped)


def _input_bytes(plan: Plan, codec: Codec, dst: str, inbox: dict) -> bytes:
    node = plan.nodes[dst]
    if len(inbox) == 1:
        (payload, fields), = inbox.values()
        if payload is not None:
            return payload
        merged = fields
    else:
        merged = {}
        for pe in plan.incoming[dst]:  # edge order decides overlapping fields
            if pe.src in inbox:
                payload, fields = inbox[pe.src]
                if payload is not None:
                    src = plan.nodes[pe.src]
                    fields = codec.to_dict(payload, src.output_type, src.package_key)
                merged.update(fields)
    try:
        return codec.from_dict(merged, node.input_type, node.package_key)
    except InvalidInput as exc:
        raise StepError(f'node "{dst}": {exc}', "INVALID_INPUT", node=dst) from None
