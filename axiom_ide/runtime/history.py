"""Execution history as JSON: one execution's detail, and its checkpoints with decoded payloads;
and :func:`pending_input`, the input a node without a checkpoint (a failed one) was dispatched with.

The CLI (``axiom-ide executions show|checkpoints``) and the HTTP API
(``/invocations/v1/executions/{id}[/checkpoints[/{checkpoint_id}]]``) both render history through
these functions, so a field reads the same wherever a user meets it. Checkpoint payloads are
protobuf bytes; they are decoded with the execution's own compiled artifact (its descriptors travel
with it), so a checkpoint decodes the same after the workspace's packages have changed. An expired
checkpoint keeps its row but shows :data:`~axiom_ide.runtime.store.checkpoints.SNAPSHOT_EXPIRED`
in place of its payloads.

Nothing here checks tenancy: callers decide who may see ``rec`` before asking.
"""
from __future__ import annotations

import base64
from typing import Any

from axiom_ide.runtime.errors import envelope_extras
from axiom_ide.runtime.store.checkpoints import FRAMES_PREFIX, SNAPSHOT_EXPIRED, Checkpoint, unpack_frames
from axiom_ide.runtime.store.executions import ExecutionRecord


def failure_extras(rec: ExecutionRecord) -> dict[str, Any]:
    """A failed execution's error value beyond ``error``/``error_code``: ``location`` (node, edge,
    file position) and ``exception_type``; empty for the rest and for rows stored before it."""
    return {k: v for k, v in envelope_extras(rec.diagnostic).items() if k != "code"}


def execution_detail(runtime: Any, rec: ExecutionRecord) -> dict[str, Any]:
    """``rec.to_json()`` plus ``forks``: the ids of executions forked from this one, oldest first;
    a failure's ``location`` and ``exception_type`` (its error value) beside the documented fields."""
    body = rec.to_json()
    body.update(failure_extras(rec))
    body["forks"] = [child.id for child in runtime.forks(rec.id, tenant_id=rec.tenant_id)]
    return body


def checkpoint_json(runtime: Any, rec: ExecutionRecord, cp: Checkpoint, *, compiled: Any = None) -> dict[str, Any]:
    """One checkpoint: id, step, node, attempt, created_at (unix ms) and the decoded input/output.

    A payload that cannot be decoded (its type is missing from the artifact) is given as base64 in
    ``input_base64``/``output_base64`` with ``input``/``output`` null, rather than failing the view.
    """
    row: dict[str, Any] = {"checkpoint_id": cp.id, "execution_id": cp.execution_id, "step": cp.step,
                           "node": cp.node, "attempt": cp.attempt, "created_at": int(cp.created_at * 1000),
                           "input_type": cp.input_type, "output_type": cp.output_type}
    if cp.expired:
        row["expired"] = True
        row["input"] = row["output"] = SNAPSHOT_EXPIRED
        return row
    row["expired"] = False
    compiled = compiled if compiled is not None else _compiled(runtime, rec)
    node = compiled.plan.nodes.get(cp.node) if compiled is not None else None
    key = node.package_key if node is not None else ""
    if cp.input_type.startswith(FRAMES_PREFIX):
        return _frames_json(row, compiled, cp, key)
    for field, payload, type_name in (("input", cp.input, cp.input_type), ("output", cp.output, cp.output_type)):
        try:
            row[field] = compiled.codec.to_json(payload or b"", type_name, key)
        except Exception:  # noqa: BLE001 — undecodable history is shown raw, not hidden
            row[field] = None
            row[f"{field}_base64"] = base64.b64encode(payload or b"").decode("ascii")
    return row


def _frames_json(row: dict[str, Any], compiled: Any, cp: Checkpoint, key: str) -> dict[str, Any]:
    """A pipeline node's checkpoint: ``frames: {"input": [...], "output": [...]}`` decoded frame by
    frame; ``input``/``output`` are the first frame of each side (what a unary view shows)."""
    frames: dict[str, list[Any]] = {}
    for field, payload, type_name in (("input", cp.input, cp.input_type), ("output", cp.output, cp.output_type)):
        type_name = type_name[len(FRAMES_PREFIX):]
        decoded: list[Any] = []
        for frame in unpack_frames(payload):
            try:
                decoded.append(compiled.codec.to_json(frame, type_name, key))
            except Exception:  # noqa: BLE001 — undecodable history is shown raw, not hidden
                decoded.append({"base64": base64.b64encode(frame).decode("ascii")})
        frames[field] = decoded
        row[field] = decoded[0] if decoded else None
    row["frames"] = frames
    return row


def checkpoints_json(runtime: Any, rec: ExecutionRecord) -> list[dict[str, Any]]:
    """Every checkpoint of ``rec``, by step, decoded (see :func:`checkpoint_json`)."""
    items = runtime.execution_checkpoints(rec.id, tenant_id=rec.tenant_id)
    if not items:
        return []
    compiled = _compiled(runtime, rec)
    return [checkpoint_json(runtime, rec, cp, compiled=compiled) for cp in items]


def _compiled(runtime: Any, rec: ExecutionRecord) -> Any:
    """The execution's compiled artifact (looked up as its own tenant), or None if it is gone."""
    from axiom_ide.runtime.errors import AxiomError

    try:
        return runtime.compiled(runtime.artifact(rec.graph_id, tenant_id=rec.tenant_id))
    except AxiomError:
        return None


def pending_input(runtime: Any, execution_id: str, node: str, *, tenant_id: str | None = None) -> Any:
    """The decoded input ``node`` was dispatched with when it has no checkpoint (it failed): the
    execution's checkpoints refolded as a resumed run does, then the node's ready activation.
    None when it cannot be rebuilt (an expired checkpoint, a history that does not match)."""
    from axiom_ide.runtime.engine import steps

    tenant = tenant_id or runtime.tenant_id
    rec = runtime.find_execution(execution_id, tenant_id=tenant)
    if rec is None or rec.mode == "pipeline":
        return None
    history = runtime.execution_checkpoints(execution_id, tenant_id=tenant)
    if any(cp.expired for cp in history):
        return None
    compiled = runtime.compiled(runtime.artifact(rec.graph_id, tenant_id=rec.tenant_id))
    meta = compiled.plan.nodes.get(node)
    try:
        state = steps.refold(compiled.plan, compiled.codec, rec.input or b"",
                             [(cp.node, cp.output or b"") for cp in history])
        act = next((a for a in state.ready if a.node == node), None)
        if act is None or meta is None:
            return None
        return compiled.codec.to_json(act.payload, meta.input_type, meta.package_key)
    except Exception:  # noqa: BLE001 — a history the plan cannot refold shows no input, it does not fail the view
        return None
