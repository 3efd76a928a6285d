"""Run from here / Fork from here and the payload popover over a remote (``RemoteBackend.fork`` and
``RemoteBackend.node_payload`` delegate here), with the same choices as the embedded runtime.

The checkpoint a fork continues from is picked by the one rule of :func:`.local_fork.plan_fork`,
from what the remote serves: the execution's checkpoints, its events (whether the node **failed**:
a failed node has no checkpoint, so every recorded checkpoint came before it) and the compiled
flow's source (``GET /api/graphs/{graph_id}``: the node's incoming forward edges and whether they
are mapped, the ``feeders``). The fork itself is the server's FORK debug session
(``POST /invocations/v1/debug/sessions``): the reused checkpoints are copied, only the node and
what is downstream runs on the remote — the remote's events of the fork start at the node.

A failed node's input (what the popover shows and Run from here edits) is rebuilt by the remote
from its checkpoints, as the local runtime rebuilds it (``GET /invocations/v1/executions/{id}/nodes/
{node}/input``, server/input_routes.py); a remote without that route shows no input. No Qt here.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from axiom_ide.backends.local_fork import RUN_FROM_HERE, plan_fork
from axiom_ide.backends.payloads import NodePayload, payload_from_history
from axiom_ide.runtime.errors import AxiomError

if TYPE_CHECKING:
    from axiom_ide.backends.remote import RemoteBackend

INVOCATIONS = "/invocations/v1"


def _q(part: str) -> str:
    return quote(part, safe="")


def feeders_of(source: dict[str, Any] | None, node: str) -> list[tuple[str, bool]] | None:
    """``node``'s incoming forward edges as (source, mapped) from a compiled flow's ``source``
    (flow.yaml as a dict; a loop-back edge is not a feeder); None when the source is unknown."""
    if not source:
        return None
    return [(str(e.get("from")), e.get("map") is not None) for e in source.get("edges") or ()
            if e.get("to") == node and e.get("loop") is None]


async def fork(backend: RemoteBackend, execution_id: str, *, node: str, input_override: Any = None,
               mode: str = RUN_FROM_HERE) -> str:
    """The new execution's id (it starts at once on the remote)."""
    rec = await backend.get_execution(execution_id)
    if rec is None:
        raise AxiomError.of("execution_not_found", "execution not found")
    if rec.mode == "pipeline":
        raise AxiomError.of("pipeline_flow", "a pipeline execution cannot be forked; run the flow again")
    graph, history, events = await asyncio.gather(
        backend.api.json("GET", f"/api/graphs/{_q(rec.graph_id)}", missing_ok=True) if rec.graph_id else _none(),
        backend.checkpoints(execution_id), backend.events(execution_id))
    failed = (all(cp.node != node for cp in history)
              and payload_from_history(execution_id, node, history, events).status == "failed")
    where = plan_fork(history, node, mode=mode, input_override=input_override,
                      feeders=feeders_of((graph or {}).get("source"), node), flow_input=rec.input_json,
                      failed=failed)
    if where.checkpoint_id is None:  # the entry node: a new run with the recorded (or edited) input
        return await backend.start(rec.graph_id, where.flow_input, config_id=rec.config_id)
    session = await backend.create_debug_session(mode="FORK", execution_id=execution_id,
                                                 checkpoint_id=where.checkpoint_id, overrides=where.overrides or {})
    return str(session["execution_id"])


async def node_payload(backend: RemoteBackend, execution_id: str, node: str) -> NodePayload:
    """The node's payload from the remote's checkpoints and events; a failed node's input is the one
    the remote rebuilds from its checkpoints."""
    checkpoints, events = await asyncio.gather(backend.checkpoints(execution_id), backend.events(execution_id))
    payload = payload_from_history(execution_id, node, checkpoints, events)
    if payload.status != "failed" or payload.checkpoint_id is not None:
        return payload
    body = await backend.ingress.json("GET", f"{INVOCATIONS}/executions/{_q(execution_id)}/nodes/{_q(node)}/input",
                                      missing_ok=True)
    if not isinstance(body, dict) or body.get("input") is None:
        return payload
    from dataclasses import replace

    return replace(payload, input=body["input"])


async def _none() -> None:
    return None
