"""Runtime flow mutation: a ``mutation_capable`` node's buffered ``ax.mutation.flow`` additions.

A node declared ``mutation_capable: true`` in its package's axiom.yaml gets a buffering
``ax.mutation.flow`` in the node host (host/context.py): ``add_node(package, version,
canvas_position=None, node=None)`` returns the new placement's instance id (numbered after the
running flow's nodes; ``node`` names the package's node when it has several) and
``add_edge(src_instance, dst_instance, condition=None)`` buffers an edge, the condition being
``{"op": "EQ", "field": "tools", "value": "ToolX"}`` (ops EQ NEQ LT LTE GT GTE CONTAINS; EQ on a
repeated field is membership). The additions come back with the node's result and
:func:`apply_mutations` applies them *after the handler returned*, before the node's outgoing
edges are evaluated (so an edge from the node itself fires at once):

- each added node is resolved from the packages of the flow's workspace (a unary package node),
  placed with canvas id ``added-<instance>``;
- each added edge is a pass-through edge: the destination must take the source's output message
  (else ``... takes X, but instance N outputs Y``); endpoints must exist; no duplicate edge;
- the forward graph must stay acyclic (``... makes a cycle: a → added-3 → a``);
- every added node draws one execution from the tenant's daily quota (reference/http-api:
  "runtime graph mutations ... each draw from the same budget") through the runner's
  ``execution_budget(tenant_id, n)`` when one is set; a refusal fails the node with its text.

A rejected batch applies nothing: the node fails with ``axiom: mutation rejected: <reason>`` (the
SDK's documented prefix). An applied batch is recorded as one FLOW_MUTATED event on the node with
the added ``nodes`` and ``edges`` (what replay draws), the run continues on the grown plan, and
reflection shows the grown graph from then on (node hosts and the in-process invoker alike). The
event also keeps the batch (``ops``): a run resumed after a restart, or forked from one of its
checkpoints, re-applies the batches recorded before that point (:func:`regrow`) before it refolds
its checkpoints — a fork records them in its own log — so the added nodes' checkpoints match and
nothing is drawn from the quota twice.

Inside a subflow a mutation grows *that subflow's own run* (its plan, its reflection at its depth):
instance ids follow the subflow's nodes, the added node runs inside the subflow, and FLOW_MUTATED
is recorded on the node's nested id (``<subflow node>/<node>``, like every subflow step; replay of
the parent draws no added node). The parent's graph never changes. A subflow's steps are not
checkpointed — the subflow node as a whole is — so there is nothing to regrow: a resume or fork
that reaches the subflow node again re-runs the subflow, whose node buffers and applies its
additions anew (drawing the quota again, as any re-run node does); one that starts after the
subflow node's checkpoint uses its output and never re-runs it.

A pipeline flow does not grow: its frames stream through the graph it started with. A
mutation-capable unary node there that buffers additions fails with
``axiom: mutation rejected: flow mutation is not supported in a pipeline flow ...``
(:func:`pipeline_refusal`; the compiler warns about such a node, ``mutation_in_pipeline``).
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from axiom_ide.runtime.compiler.artifact import ArtifactEdge, ArtifactNode
from axiom_ide.runtime.engine.plan import build_plan
from axiom_ide.runtime.engine.steps import StepError, node_error_text
from axiom_ide.runtime.event_types import FLOW_MUTATED

#: The deterministic prefix of a rejected mutation's error (reference/sdk/typescript).
REJECTED = "axiom: mutation rejected: "
#: The events :func:`regrow` reads.
REGROW_EVENTS = (FLOW_MUTATED, "NODE_COMPLETED")

_OPS = {"": "==", "EQ": "==", "NEQ": "!=", "LT": "<", "LTE": "<=", "GT": ">", "GTE": ">="}


class Rejected(Exception):
    """A buffered mutation the platform refuses; ``str()`` is the reason."""


def _workspace(nodes: Any) -> Any:
    from axiom_ide.runtime.packages import Workspace

    roots: list[Path] = []
    for n in nodes:
        if n.package_root:
            base = Path(n.package_root).parent.parent  # <workspace>/packages/<dir>
            if base not in roots:
                roots.append(base)
    if not roots:
        raise Rejected("the flow has no package nodes to find packages from")
    return Workspace(roots[0], roots[1:])


def _resolve(ws: Any, op: dict[str, Any]) -> Any:
    from axiom_ide.runtime.errors import AxiomError
    from axiom_ide.runtime.model.refs import parse_node_ref

    package, version, name = op.get("package") or "", op.get("version") or "", op.get("node")
    pkg = ws.package(package, version)
    if pkg is None:
        raise Rejected(f'package "{package}@{version}" not found in the workspace')
    if not name:
        names = [n.name for n in pkg.manifest.nodes]
        if len(names) != 1:
            raise Rejected(f'package "{package}@{version}" has {len(names)} nodes ({", ".join(names)}); '
                           "name one with add_node(..., node=...)")
        name = names[0]
    try:
        spec = ws.resolve(parse_node_ref(f"{package}@{version}:{name}"))
    except AxiomError as exc:
        raise Rejected(str(exc)) from None
    if spec.kind != "unary":
        raise Rejected(f'"{spec.ref}" is a {spec.kind} node; only unary nodes can be added')
    return spec


def _condition(cond: dict[str, Any] | None, src_desc: Any) -> str | None:
    """The CEL ``when`` text of a structural condition on the source's output message."""
    if not cond:
        return None
    op = str(cond.get("op") or "").upper()
    path = str(cond.get("field") or "")
    value = str(cond.get("value", ""))
    if not path or not all(p.isidentifier() for p in path.split(".")):
        raise Rejected(f"condition field {path!r} is not a field path")
    desc, field = src_desc, None
    for part in path.split("."):
        field = desc.fields_by_name.get(part) if desc is not None else None
        if field is None:
            raise Rejected(f"condition field `{path}` is not in `{src_desc.full_name}`")
        desc = field.message_type
    assert field is not None
    if field.type in (field.TYPE_STRING, field.TYPE_BYTES, field.TYPE_ENUM):
        literal = json.dumps(value)
    elif field.type == field.TYPE_BOOL:
        if value.lower() not in ("true", "false"):
            raise Rejected(f"condition value {value!r} for `{path}` is not true or false")
        literal = value.lower()
    else:
        try:
            float(value)
        except ValueError:
            raise Rejected(f"condition value {value!r} for `{path}` is not a number") from None
        literal = value
    flag = getattr(field, "is_repeated", None)  # newer protobuf; older ones have only ``label``
    repeated = flag if isinstance(flag, bool) else field.label == field.LABEL_REPEATED
    if op == "CONTAINS":
        return f"output.{path}.exists(x, x.contains({literal}))" if repeated else f"output.{path}.contains({literal})"
    if op not in _OPS:
        raise Rejected(f'condition op "{op}" is not one of EQ, NEQ, LT, LTE, GT, GTE, CONTAINS')
    if repeated:
        return f"{literal} in output.{path}" if _OPS[op] == "==" else f"output.{path}.exists(x, x {_OPS[op]} {literal})"
    return f"output.{path} {_OPS[op]} {literal}"


def _cycle(nodes: list[str], edges: list[tuple[str, str]]) -> list[str] | None:
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for s, d in edges:
        out[s].append(d)
    color: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        color[n] = 1
        stack.append(n)
        for m in out[n]:
            if color.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in color and (found := visit(m)) is not None:
                return found
        stack.pop()
        color[n] = 2
        return None

    for n in nodes:
        if n not in color and (found := visit(n)) is not None:
            return found
    return None


#: Why a pipeline flow's node cannot grow the flow (its rejection and the compiler's warning say it).
PIPELINE_REASON = "flow mutation is not supported in a pipeline flow: its frames stream through the graph it started with"


def pipeline_refusal(node_id: str) -> StepError:
    """The failure of a pipeline flow's node that buffered additions."""
    return _fail(node_id, PIPELINE_REASON + "; run its additions in a unary flow")


def _fail(node_id: str, reason: str, code: str = "MUTATION_REJECTED") -> StepError:
    return StepError(node_error_text(node_id, REJECTED + reason), code, node=node_id)


def apply_mutations(ctx: Any, node_id: str, ops: list[dict[str, Any]], *, again: bool = False) -> dict[str, Any]:
    """Apply ``node_id``'s buffered additions to the run (``ctx``: its RunContext); raises
    StepError (``axiom: mutation rejected: …``, code MUTATION_REJECTED) and applies nothing when
    any one is refused. Returns the FLOW_MUTATED data. ``again``: re-applying a recorded batch
    (:func:`regrow`): no event, no quota drawn."""
    try:
        art, added_nodes, added_edges, descs = _check(ctx, node_id, ops)
    except Rejected as exc:
        raise _fail(node_id, str(exc)) from None
    budget = getattr(ctx, "budget", None)
    if added_nodes and budget is not None and not again:
        refused = budget(ctx.tenant_id, len(added_nodes))
        if refused:
            raise StepError(node_error_text(node_id, f"adding {len(added_nodes)} node(s) to the flow: {refused}"),
                            "QUOTA_EXCEEDED", node=node_id)
    grown = replace(art, nodes=art.nodes + tuple(added_nodes), edges=art.edges + tuple(added_edges),
                    descriptor_sets=art.descriptor_sets + tuple(descs))
    from axiom_ide.runtime.engine.reflection import reflection_views

    ctx.codec._add_sets(grown)  # additive: the added packages' messages
    before = ctx.plan
    ctx.plan = build_plan(grown, max_steps=ctx.plan.max_steps)
    gates = getattr(ctx, "gates", None)
    if gates is not None and gates.plan is before:  # branch tracking follows the grown top-level plan
        gates.plan = ctx.plan
    views: list[dict[str, Any]] = list(ctx.reflection.values())
    where = (views[0].get("position") if views else None) or {}  # a subflow's view keeps its depth
    ctx.reflection = reflection_views(grown, depth=int(where.get("depth", 0)),
                                      stack=list(where.get("subflow_stack_graph_ids", ())))
    ctx._calls = None
    data = {"nodes": [{"id": n.id, "instance": n.instance, "ref": n.ref, "name": n.name, "package": n.package,
                       "version": n.version, "input_type": n.input_type, "output_type": n.output_type}
                      for n in added_nodes],
            "edges": [{"from": e.src, "to": e.dst, **({"when": e.when} if e.when else {})} for e in added_edges],
            "ops": ops}
    if not again:
        ctx.recorder.emit(FLOW_MUTATED, node_id, **data)
    return data


def regrow(ctx: Any, events: Any, *, until_checkpoint: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    """Re-apply an execution's recorded batches (its FLOW_MUTATED events, in order) to a run
    about to refold its checkpoints — a resume, or a fork (then only the batches before the
    completion of ``until_checkpoint``, found among the NODE_COMPLETED events also passed).
    Returns (node, data) per batch re-applied, for a fork to record in its own log."""
    out: list[tuple[str, dict[str, Any]]] = []
    for e in events:
        if until_checkpoint is not None and e.type != FLOW_MUTATED and e.data.get("checkpoint_id") == until_checkpoint:
            break
        if e.type == FLOW_MUTATED and e.node in ctx.plan.nodes and isinstance(e.data.get("ops"), list):
            out.append((e.node, apply_mutations(ctx, e.node, e.data["ops"], again=True)))
    return out


def added_by(events: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The nodes and edges an execution's FLOW_MUTATED events added, in order (replay draws them)."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for e in events:
        if e.type == FLOW_MUTATED and e.node and "/" not in e.node:
            nodes.extend(n for n in e.data.get("nodes") or () if isinstance(n, dict) and n.get("id"))
            edges.extend(x for x in e.data.get("edges") or () if isinstance(x, dict) and x.get("from") and x.get("to"))
    return nodes, edges


def _check(ctx: Any, node_id: str, ops: list[dict[str, Any]]) -> tuple[Any, list, list, list]:
    from axiom_ide.runtime.compiler.compile import _collect_files

    plan = ctx.plan
    art = plan.artifact
    if not plan.nodes[node_id].mutation_capable:
        raise Rejected(f'node "{node_id}" is not mutation_capable')
    by_inst: dict[int, ArtifactNode] = {n.instance: n for n in art.nodes}
    taken = {n.id for n in art.nodes}
    edges = {(e.src, e.dst) for e in art.edges}
    added_nodes: list[ArtifactNode] = []
    added_edges: list[ArtifactEdge] = []
    files: dict[str, dict[str, bytes]] = {}
    ws = None
    for op in ops:
        kind = op.get("op") if isinstance(op, dict) else None
        if kind == "add_node":
            iid = op.get("instance_id")
            if not isinstance(iid, int) or iid in by_inst:
                raise Rejected(f"add_node: instance id {iid!r} is already in the flow")
            ws = ws or _workspace(art.nodes)
            spec = _resolve(ws, op)
            canvas = f"added-{iid}"
            while canvas in taken:
                canvas += "x"
            taken.add(canvas)
            key = f"{spec.package}@{spec.version}"
            if key not in {k for k, _ in art.descriptor_sets}:
                _collect_files(spec.input_type, files.setdefault(key, {}))
                _collect_files(spec.output_type, files[key])
            node = ArtifactNode(id=canvas, instance=iid, ref=spec.ref, kind="unary", package=spec.package,
                                version=spec.version, name=spec.name, input_type=spec.input_type.full_name,
                                output_type=spec.output_type.full_name, handler=spec.handler,
                                package_root=str(spec.package_root), required_secrets=tuple(spec.required_secrets),
                                mutation_capable=bool(spec.mutation_capable))
            by_inst[iid] = node
            added_nodes.append(node)
        elif kind == "add_edge":
            s, d = op.get("src_instance"), op.get("dst_instance")
            src, dst = by_inst.get(s), by_inst.get(d)  # type: ignore[arg-type]
            label = f"add_edge {s} → {d}"
            if src is None or dst is None:
                raise Rejected(f"{label}: instance {s if src is None else d} is not in the flow")
            if src.id == dst.id:
                raise Rejected(f"{label}: a node cannot feed itself")
            if (src.id, dst.id) in edges:
                raise Rejected(f'{label}: the flow already has the edge "{src.id}" → "{dst.id}"')
            if src.kind != "unary" or dst.kind != "unary":
                raise Rejected(f"{label}: mutation edges join unary nodes")
            if src.output_type != dst.input_type:
                raise Rejected(f'{label}: "{dst.id}" takes {dst.input_type}, but "{src.id}" outputs {src.output_type} '
                               "(an added edge passes the whole message)")
            src_desc = ctx.codec.message_class(src.output_type, src.package_key).DESCRIPTOR \
                if op.get("condition") else None
            when = _condition(op.get("condition"), src_desc)
            edges.add((src.id, dst.id))
            added_edges.append(ArtifactEdge(src.id, dst.id, None, when, None))
        else:
            raise Rejected(f"unknown mutation {kind!r}")
    all_nodes = [n.id for n in art.nodes] + [n.id for n in added_nodes]
    cycle = _cycle(all_nodes, [(e.src, e.dst) for e in art.edges] + [(e.src, e.dst) for e in added_edges])
    if cycle is not None:
        raise Rejected("the added edges make a cycle: " + " → ".join(cycle))
    descs = []
    if files:
        from google.protobuf import descriptor_pb2

        for key, blobs in files.items():
            fds = descriptor_pb2.FileDescriptorSet()
            for blob in blobs.values():
                fds.file.add().MergeFromString(blob)
            descs.append((key, fds.SerializeToString()))
    return art, added_nodes, added_edges, descs
