"""The thin async loop of the unary executor: dispatch what is ready, feed results back.

All decisions are made by the pure functions in :mod:`.steps`; this loop only runs nodes
(concurrently, as asyncio tasks, when several are ready), enforces the per-node timeout and retry
budget from the resolved config, commits each node's checkpoint *before* anything else is
dispatched, and records events. A single ready node with nothing else in flight is awaited directly
(no task), which keeps a linear chain's per-step overhead low. Cancelling the task running
:func:`drive` cancels every node in flight.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from axiom_ide.runtime.engine import steps
from axiom_ide.runtime.engine.codec import Codec
from axiom_ide.runtime.engine.invoker import NODE_ERRORS, NodeTimeout, make_call
from axiom_ide.runtime.engine.plan import Plan, build_plan
from axiom_ide.runtime.engine.steps import Activation, ExecutionState, StepError
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store.checkpoints import Checkpoint, CheckpointStore, new_checkpoint_id

DEFAULT_NODE_TIMEOUT = 300.0
#: Extra time given to an invoker that enforces the timeout itself before the loop steps in.
TIMEOUT_GRACE = 2.0


@dataclass(frozen=True)
class RunConfig:
    """The resolved flow config for one run (see :mod:`axiom_ide.runtime.configs`)."""

    node_timeout_seconds: float = DEFAULT_NODE_TIMEOUT
    max_attempts: int = 1
    #: Plain config parameters passed to nodes as variables.
    params: dict[str, Any] = field(default_factory=dict)
    #: Secret name → plaintext, resolved at start; only ever handed to node hosts.
    secrets: dict[str, str] = field(default_factory=dict, repr=False)
    config_id: str | None = None

    @cached_property
    def variables(self) -> dict[str, str]:
        """The run's variables as node hosts take them: one flat string map (config parameters,
        then secrets — ``ax.secrets.get`` reads it). Computed once per config (configs are cached
        across runs); treat it as read-only."""
        out = {k: str(v) for k, v in self.params.items()}
        out.update(self.secrets)
        return out


@dataclass
class RunContext:
    execution_id: str
    flow_id: str
    tenant_id: str
    plan: Plan
    codec: Codec
    invoker: Any
    recorder: Any
    #: None inside subflows (the subflow node as a whole is checkpointed by its parent).
    checkpoints: CheckpointStore | None
    config: RunConfig = field(default_factory=RunConfig)
    #: A DebugGate when the run is part of a debug session.
    debug: Any = None
    #: Canvas id → the reflection view for calls to that node.
    reflection: dict[str, Any] = field(default_factory=dict)
    #: Canvas id → attempts a resumed run's history already used on the node's pending activation
    #: (an interrupted one included): its next run is numbered after them. Used once per node.
    attempt_base: dict[str, int] = field(default_factory=dict)
    #: Canvas id → a pinned output (protobuf bytes): the node is not called, this is its output
    #: (an editor run's pins, a flow-test case's mocks; runtime/pins.py). Its events say ``pinned: true``.
    pins: dict[str, bytes] = field(default_factory=dict)
    _variables: dict[str, Any] | None = None
    #: ApprovalGates when the plan has approval nodes (engine/hitl.py; the top-level run only: a
    #: subflow's context has no checkpoints and is not gated).
    hitl: Any = None
    #: A BranchTracker when the plan has fan-outs or joins (engine/gates.py; for its own plan only).
    gates: Any = None
    #: The running state's loop counts (set by :func:`drive`) and the per-call views they give
    #: (reflection's ``loop_iterations``; engine/reflection.py).
    loop_counts: dict = field(default_factory=dict)
    _calls: Any = None
    #: ``budget(tenant_id, n)``: draw n executions from the daily quota (refusal text or None),
    #: for nodes a runtime mutation adds (engine/mutation.py). None: nothing is counted.
    budget: Any = None

    def reflection_for(self, node: str) -> dict[str, Any]:
        """The reflection view for a call of ``node`` now (the run's loop counts in its position)."""
        if not self.loop_counts:
            return self.reflection.get(node, {})
        if self._calls is None:
            from axiom_ide.runtime.engine.reflection import CallViews

            self._calls = CallViews(self.reflection, {n: m.instance for n, m in self.plan.nodes.items()})
        return self._calls.view(node, self.loop_counts)

    @property
    def variables(self) -> dict[str, Any]:
        if self._variables is None:
            self._variables = self.config.variables
        return self._variables


@dataclass(frozen=True)
class NodeResult:
    ok: bool
    output: bytes | None
    error: str | None
    code: str | None
    attempt: int
    duration_ms: float
    #: A handler that raised: ``exception_type`` and ``traceback`` (see :func:`steps.raised_fields`).
    raised: dict[str, str] = field(default_factory=dict)
    #: The output is the node's pin (the node was not called).
    pinned: bool = False
    #: A mutation-capable node's buffered ``ax.mutation.flow`` additions (engine/mutation.py).
    mutations: tuple = ()


def _input_of(ctx: RunContext, act: Activation) -> Callable[[], dict[str, Any]]:
    """Decodes ``act``'s input for a breakpoint condition (only when one asks)."""
    meta = ctx.plan.nodes[act.node]
    return lambda: ctx.codec.to_dict(act.payload, meta.input_type, meta.package_key)


async def drive(ctx: RunContext, state: ExecutionState) -> bytes:
    """Run until nothing is ready or running; returns the terminal output. Raises StepError."""
    ctx.loop_counts = state.loop_counts
    tasks: dict[asyncio.Future, Activation] = {}
    try:
        while True:
            while state.ready and (ctx.debug is None or not tasks):
                if (ctx.hitl is not None and ctx.checkpoints is not None
                        and ctx.plan.nodes[state.ready[0].node].approval is not None):  # a mutation may grow ctx.plan
                    if tasks:  # an approval pause waits for the nodes in flight first
                        break
                    state.ready[0] = await ctx.hitl.before_dispatch(ctx, state.ready[0])
                if ctx.debug is not None:
                    head = state.ready[0]
                    await ctx.debug.before_dispatch(head.node, ctx.recorder, _input_of(ctx, head), via=head.via)
                act = state.ready.popleft()
                steps.begin(ctx.plan, state, act)
                if not tasks and not state.ready and ctx.debug is None:
                    _apply(ctx, state, act, await run_node(ctx, act))  # the common, linear case
                    continue
                tasks[asyncio.ensure_future(run_node(ctx, act))] = act
            if not tasks:
                if state.ready:
                    continue
                break
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in [t for t in tasks if t in done]:  # dispatch order: deterministic
                act = tasks.pop(task)
                _apply(ctx, state, act, task.result())
    finally:
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
    return steps.finish(state)


def _apply(ctx: RunContext, state: ExecutionState, act: Activation, result: NodeResult) -> None:
    if result.ok and result.mutations:  # applied after the handler returned, before its edges
        from axiom_ide.runtime.engine.mutation import apply_mutations

        try:
            apply_mutations(ctx, act.node, list(result.mutations))
        except StepError as exc:
            ctx.recorder.emit(ev.NODE_FAILED, act.node, duration_ms=result.duration_ms, attempt=result.attempt,
                              error=str(exc), final=True)
            raise
    plan = ctx.plan
    if not result.ok:
        skipped = steps.fail(plan, ctx.codec, state, act.node, result.error or "", result.code or "NODE_FAILED",
                             **result.raised)
    else:
        node = plan.nodes[act.node]
        cp = None
        if ctx.checkpoints is not None:
            now = time.time()
            cp = Checkpoint(new_checkpoint_id(now), ctx.execution_id, state.completed + 1, act.node,
                            result.attempt, node.input_type, node.output_type, act.payload,
                            result.output, now)
        ctx.recorder.emit(ev.NODE_COMPLETED, act.node, duration_ms=result.duration_ms,
                          attempt=result.attempt, **({"checkpoint_id": cp.id} if cp else {}),
                          **({"pinned": True} if result.pinned else {}))
        if cp is not None:
            try:
                ctx.recorder.commit_checkpoint(ctx.checkpoints, cp)
            except Exception as exc:  # e.g. disk full: the run cannot stay durable
                raise StepError(f'checkpoint write failed after node "{act.node}": {exc}',
                                "CHECKPOINT_WRITE", node=act.node) from exc
        assert result.output is not None  # an ok result carries its output
        skipped = steps.complete(plan, ctx.codec, state, act.node, result.output)
        if ctx.gates is not None and ctx.gates.plan is plan:  # not a subflow's steps
            ctx.gates.after_complete(ctx.recorder, state, act.node, skipped)
    for s in skipped:
        ctx.recorder.emit(ev.EDGE_SKIPPED, s.dst, edge={"from": s.src, "to": s.dst}, reason=s.reason)


async def run_node(ctx: RunContext, act: Activation) -> NodeResult:
    """Invoke one node with the config's timeout and retry budget; never raises node errors."""
    node = ctx.plan.nodes[act.node]
    timeout = ctx.config.node_timeout_seconds
    attempts = max(1, int(ctx.config.max_attempts))
    # A re-run after an interrupted attempt continues its numbering, with the full retry budget.
    base = ctx.attempt_base.pop(act.node, 0) if ctx.attempt_base else 0
    last = base + attempts
    error, code, duration = "", "NODE_FAILED", 0.0
    raised: dict[str, str] = {}
    pinned = ctx.pins.get(act.node) if ctx.pins else None
    if pinned is not None:  # a pin (or a flow test's mock): the node's host is never called
        ctx.recorder.emit(ev.NODE_STARTED, act.node, attempt=base + 1, pinned=True)
        return NodeResult(True, pinned, None, None, base + 1, 0.0, pinned=True)
    for attempt in range(base + 1, last + 1):
        ctx.recorder.emit(ev.NODE_STARTED, act.node, attempt=attempt)
        if ctx.checkpoints is not None:  # durable before the node can have any effect
            ctx.recorder.write_ahead(ctx.checkpoints)
        t0 = time.perf_counter()
        raised = {}
        try:
            if getattr(node, "disabled", False):  # compile allowed it: its input is its output's type
                output = act.payload
            elif node.kind == "subflow":
                output = await run_subflow(ctx, node, act.payload)
            else:
                call = make_call(execution_id=ctx.execution_id, flow_id=ctx.flow_id,
                                 tenant_id=ctx.tenant_id, canvas_id=act.node, attempt=attempt,
                                 variables=ctx.variables, reflection=ctx.reflection_for(act.node),
                                 timeout_s=timeout)
                limit = timeout if not getattr(ctx.invoker, "enforces_timeout", True) else timeout + TIMEOUT_GRACE
                output = await bounded(ctx.invoker.invoke(node, act.payload, call), limit)
        except TimeoutError:  # the words the node host uses, so both invokers read alike
            error, code = f'node "{act.node}" timed out after {timeout:g}s', "NODE_TIMEOUT"
        except NodeTimeout as exc:
            error, code = str(exc) or f'node "{act.node}" timed out after {timeout:g}s', "NODE_TIMEOUT"
        except NODE_ERRORS as exc:
            error, code, raised = str(exc) or type(exc).__name__, "NODE_FAILED", steps.raised_fields(exc)
        except StepError as exc:  # a subflow failed
            error, code, raised = str(exc), exc.code, steps.raised_fields(exc)
        else:
            duration = round((time.perf_counter() - t0) * 1000.0, 3)
            mutations = getattr(output, "mutations", None)
            if mutations is not None:  # host/invocation.Mutated: plain bytes from here on
                return NodeResult(True, bytes(output), None, None, attempt, duration, mutations=tuple(mutations))
            return NodeResult(True, output, None, None, attempt, duration)
        duration = round((time.perf_counter() - t0) * 1000.0, 3)
        ctx.recorder.emit(ev.NODE_FAILED, act.node, duration_ms=duration, attempt=attempt,
                          error=error, final=attempt == last, **raised)
    return NodeResult(False, None, error, code, last, duration, raised)


async def bounded(awaitable: Any, limit: float) -> Any:
    """``await awaitable``, raising TimeoutError after ``limit`` seconds. What ``asyncio.timeout``
    does, with one timer handle and no context-manager object: it runs once per step."""
    task = asyncio.current_task()
    assert task is not None  # awaited inside a task, like every engine step
    loop = asyncio.get_running_loop()
    cancelling = task.cancelling()
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    handle = loop.call_at(loop.time() + limit, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if expired:
            expired = False
            if task.uncancel() <= cancelling:  # our cancel, not someone else's
                raise TimeoutError from None
        raise
    finally:
        handle.cancel()
        if expired:  # fired, but the awaitable ended some other way: take our cancel back
            task.uncancel()


async def run_subflow(ctx: RunContext, node: Any, payload: bytes) -> bytes:
    """A subflow node runs its compiled sub-artifact as a nested step (no checkpoints of its own)."""
    from axiom_ide.runtime.engine.runner import reflection_views

    where = (ctx.reflection.get(node.id) or {}).get("position") or {}
    sub = replace(ctx, plan=build_plan(node.subflow), recorder=ctx.recorder.child(node.id),
                  reflection=reflection_views(node.subflow, depth=int(where.get("depth", 0)) + 1,
                                              stack=[*where.get("subflow_stack_graph_ids", ()), ctx.plan.artifact.graph_id]),
                  checkpoints=None, debug=None, _variables=ctx._variables, attempt_base={}, pins={},
                  loop_counts={}, _calls=None)
    return await drive(sub, steps.start(sub.plan, payload))
