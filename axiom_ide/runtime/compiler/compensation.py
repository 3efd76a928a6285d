"""Compensation (saga) declarations: ``compensate: <canvas id>`` on a node of flow.yaml.

A compensation node is a node of the flow that no edge touches: it is not part of the graph's
topology (not a start, terminal or unreachable node) and runs only when a run fails after the node
it compensates completed (runtime/engine/compensation.py). It receives the compensated node's
output, so its input message must be that node's output message. The file-level checks (the id
names a node; no edges; no compensation of a compensation) are in model/validate.py with file:line;
these are the same checks on the model, plus the message types.
"""
from __future__ import annotations

from typing import Any

from axiom_ide.runtime.errors import Diagnostic, Location, Severity
from axiom_ide.runtime.model.flow import Flow


def compensation_nodes(flow: Flow) -> dict[str, str]:
    """Compensation node → the node it compensates (the first one declaring it), for declarations
    that name an existing other node."""
    ids = {n.id for n in flow.nodes}
    out: dict[str, str] = {}
    for n in flow.nodes:
        if n.compensate and n.compensate in ids and n.compensate != n.id:
            out.setdefault(n.compensate, n.id)
    return out


def _name(t: Any) -> str:
    return t if isinstance(t, str) else getattr(t, "full_name", "")


def check_compensations(flow: Flow, a: Any) -> None:
    """Append to ``a.diagnostics`` every compensation problem (errors, located at the node)."""
    ids = {n.id for n in flow.nodes}
    targets = compensation_nodes(flow)
    diags = a.diagnostics
    for n in flow.nodes:
        if not n.compensate:
            continue
        where = Location(node=n.id)
        if n.compensate == n.id:
            diags.append(Diagnostic("invalid_compensate", f'node "{n.id}": a node cannot compensate itself',
                                    Severity.ERROR, where))
            continue
        if n.compensate not in ids:
            diags.append(Diagnostic("unknown_node", f'node "{n.id}": compensate names unknown node "{n.compensate}"',
                                    Severity.ERROR, where))
            continue
        if n.id in targets:
            diags.append(Diagnostic("invalid_compensate",
                                    f'node "{n.id}": a compensation node cannot declare a compensation itself',
                                    Severity.ERROR, where))
        src, dst = a.nodes.get(n.id), a.nodes.get(n.compensate)
        if src is None or dst is None:
            continue
        if getattr(dst, "kind", "") == "pipeline" or getattr(src, "kind", "") == "pipeline":
            diags.append(Diagnostic("invalid_compensate",
                                    f'node "{n.id}": compensation is for unary nodes; "{n.compensate}" or "{n.id}" is a pipeline node',
                                    Severity.ERROR, where))
            continue
        out, takes = _name(src.output_type), _name(dst.input_type)
        if out and takes and out != takes:
            diags.append(Diagnostic(
                "compensate_type",
                f'node "{n.id}": compensation "{n.compensate}" takes {takes}, but "{n.id}" outputs {out} '
                "(a compensation receives the output of the node it compensates)",
                Severity.ERROR, where))
    for e in flow.edges:
        for end in (e.src, e.dst):
            if end in targets:
                diags.append(Diagnostic(
                    "compensation_edge",
                    f'edge "{e.src}" → "{e.dst}": "{end}" compensates "{targets[end]}" and runs only after a failure; '
                    "it cannot have edges", Severity.ERROR, Location(edge=e.key)))
                break
