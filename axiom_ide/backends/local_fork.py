"""Fork and Run from here over an in-process runtime (guides/debug-a-flow, #13 items 4 and 5).

``LocalBackend.fork`` delegates here. Two ways to continue a recorded execution at one node:

- **Fork from here** (``mode="output"``): a fork at the node's *output* checkpoint. The node is not
  re-run; everything downstream of it runs again from its recorded output.
- **Run from here** (``mode="input"``, the default): a fork at the node's *input* checkpoint — the
  checkpoints recorded before the node's are reused, and the node and everything downstream run
  again. ``input_override`` (a JSON object) replaces the node's input: it is applied as top-level
  overrides of the one upstream output that feeds the node unmapped (the same rule as the fork
  API's ``overrides``); a node fed by a mapped edge or several edges refuses an override with a
  message saying so. The flow's entry node has no upstream checkpoint: running from it starts a
  new execution with the recorded (or overriding) flow input.

A **failed** node has no checkpoint of its own: its input is what its upstream delivered, rebuilt
from the recorded checkpoints exactly as a resumed run rebuilds it (:func:`pending_input`, the
engine's ``steps.refold``). Run from here on it forks at the last recorded checkpoint (everything
that completed is reused; the node and what is downstream run), or, with an edited input, at its
feeder's checkpoint with the edit as overrides.

A checkpoint past its TTL refuses with ``CHECKPOINT_EXPIRED`` ("Checkpoint expired — fork
unavailable"). No Qt here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from axiom_ide.runtime.engine.debug import CHECKPOINT_EXPIRED
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.history import pending_input as pending_input  # re-exported: the one refold

RUN_FROM_HERE, FORK_FROM_HERE = "input", "output"


@dataclass(frozen=True)
class ForkPlan:
    """Where to fork: ``checkpoint_id`` with ``overrides`` of its output — or, when ``checkpoint_id``
    is None, a new run of the flow with ``flow_input`` (running from the entry node)."""

    checkpoint_id: str | None
    overrides: dict[str, Any] | None = None
    flow_input: Any = None


def plan_fork(history: Sequence[Any], node: str, *, mode: str = RUN_FROM_HERE, input_override: Any = None,
              feeders: Sequence[tuple[str, bool]] | None = None, flow_input: Any = None,
              failed: bool = False) -> ForkPlan:
    """Pick the checkpoint a fork at ``node`` continues from. ``history``: the execution's
    checkpoints by step (each with ``id``, ``node``, ``expired``); ``feeders``: the node's incoming
    edges as (source, mapped), or None when unknown (a remote backend: the checkpoint just before
    the node's is taken to feed it); ``failed``: the node failed, so it has no checkpoint and the
    whole history was recorded before it."""
    own = [i for i, cp in enumerate(history) if cp.node == node]
    if own:
        index = own[-1]
    elif failed:
        index = len(history)  # every checkpoint was recorded before the node failed
    else:
        raise AxiomError.of("checkpoint_not_found_or_expired", f'node "{node}" has no checkpoint in this execution')
    if any(cp.expired for cp in history[: index + 1]):
        raise AxiomError.of("checkpoint_not_found_or_expired", CHECKPOINT_EXPIRED)
    if input_override is not None and not isinstance(input_override, dict):
        raise AxiomError.of("invalid_override", "the edited input must be a JSON object")
    if mode == FORK_FROM_HERE:
        if not own:
            raise AxiomError.of("checkpoint_not_found_or_expired",
                                f'node "{node}" failed: it has no output to fork from; use Run from here')
        return ForkPlan(history[index].id)
    if (feeders is not None and not feeders) or (feeders is None and index == 0):
        # the entry node: a new run of the flow with its recorded (or the edited) input
        return ForkPlan(None, flow_input=input_override if input_override is not None else flow_input)
    if index == 0:
        raise AxiomError.of("checkpoint_not_found_or_expired", f'node "{node}" has no recorded input')
    if input_override is None:
        return ForkPlan(history[index - 1].id)
    if feeders is None:
        return ForkPlan(history[index - 1].id, input_override)
    if len(feeders) != 1 or feeders[0][1]:
        raise AxiomError.of("invalid_override", f'node "{node}" is fed by a mapped edge or several edges: '
                            "its input cannot be edited; run from here without edits")
    upstream = [i for i, cp in enumerate(history[:index]) if cp.node == feeders[0][0]]
    if not upstream:
        raise AxiomError.of("checkpoint_not_found_or_expired", f'node "{feeders[0][0]}" has no checkpoint')
    return ForkPlan(history[upstream[-1]].id, input_override)


async def fork(runtime: Any, execution_id: str, *, node: str, input_override: Any = None,
               mode: str = RUN_FROM_HERE, tenant_id: str | None = None) -> str:
    """The new execution's id (it starts at once)."""
    tenant = tenant_id or runtime.tenant_id
    rec = runtime.find_execution(execution_id, tenant_id=tenant)
    if rec is None:
        raise AxiomError.of("execution_not_found", "execution not found")
    if rec.mode == "pipeline":
        raise AxiomError.of("pipeline_flow", "a pipeline execution cannot be forked; run the flow again")
    compiled = runtime.compiled(runtime.artifact(rec.graph_id, tenant_id=rec.tenant_id))
    feeders = [(pe.src, pe.fields is not None) for pe in compiled.plan.incoming.get(node, ()) if not pe.is_loop]
    history = runtime.execution_checkpoints(execution_id, tenant_id=tenant)
    failed = _failed(runtime, execution_id, node, tenant) if all(cp.node != node for cp in history) else False
    where = plan_fork(history, node, mode=mode, input_override=input_override,
                      feeders=feeders, flow_input=rec.input_json, failed=failed)
    if where.checkpoint_id is None:
        return str(await runtime.start(rec.graph_id, where.flow_input, config_id=rec.config_id,
                                       tenant_id=rec.tenant_id))
    child, _ = await runtime.fork(execution_id, where.checkpoint_id, where.overrides, tenant_id=tenant)
    return str(child)


def _failed(runtime: Any, execution_id: str, node: str, tenant_id: str) -> bool:
    state = runtime.replay(execution_id, tenant_id=tenant_id).end.nodes.get(node)
    return state is not None and state.status == "failed"
