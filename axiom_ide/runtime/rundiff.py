"""Two executions compared node by node (``axiom-ide executions diff A B``).

:func:`run_summary` reads what one execution recorded — its record, each node's status and
duration from the event log, each node's input and output from its checkpoints (decoded by
:mod:`.history`) — into plain JSON; :func:`diff_runs` compares two summaries: per node the field
paths whose input or output differ, both statuses and durations, and the *first divergent node*
(the earliest node, in the order the first run reached them, whose status, input or output
differs, or that only one run reached). Durations are shown, never counted as a divergence.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from axiom_ide.runtime.store import events as ev

_MISSING = "<missing>"


def run_summary(runtime: Any, rec: Any) -> dict[str, Any]:
    """One execution as ``{"execution": {...}, "nodes": {id: {status, duration_ms, attempts, input, output, error}}}``,
    nodes in the order they first started."""
    from axiom_ide.runtime.history import checkpoints_json, execution_detail

    return summary_of(execution_detail(runtime, rec), runtime.execution_events(rec.id, tenant_id=rec.tenant_id),
                      checkpoints_json(runtime, rec))


def summary_of(execution: dict[str, Any], events: Iterable[Any], checkpoints: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """:func:`run_summary` from what the history API serves: the execution's detail JSON, its events
    (``node``, ``type``, ``duration_ms``, ``data``) and its decoded checkpoint rows (a remote's)."""
    nodes: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.node is None:
            continue
        n = nodes.setdefault(e.node, {"status": "started", "duration_ms": None, "attempts": 0,
                                      "input": None, "output": None})
        if e.type == ev.NODE_STARTED:
            n["attempts"] += 1
        elif e.type == ev.NODE_COMPLETED:
            n["status"], n["duration_ms"] = "completed", e.duration_ms
        elif e.type == ev.NODE_FAILED:
            n["status"], n["duration_ms"] = "failed", e.duration_ms
            n["error"] = (e.data or {}).get("error")
    for row in checkpoints:
        n = nodes.setdefault(row["node"], {"status": "completed", "duration_ms": None, "attempts": 1})
        n["input"], n["output"] = row.get("input"), row.get("output")
    return {"execution": execution, "nodes": nodes}


def value_diff(a: Any, b: Any, path: str = "") -> list[dict[str, Any]]:
    """The leaves where ``a`` and ``b`` differ: ``[{"path": "items[1].name", "a": .., "b": ..}]``."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[dict[str, Any]] = []
        for k in list(a) + [k for k in b if k not in a]:
            sub = f"{path}.{k}" if path else str(k)
            out += value_diff(a.get(k, _MISSING), b.get(k, _MISSING), sub)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in value_diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [{"path": path or "(whole)", "a": a, "b": b}]


def diff_runs(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Compare two :func:`run_summary` results."""
    ea, eb = a["execution"], b["execution"]
    order = list(a["nodes"]) + [n for n in b["nodes"] if n not in a["nodes"]]
    nodes = []
    first = None
    for node_id in order:
        na, nb = a["nodes"].get(node_id), b["nodes"].get(node_id)
        row: dict[str, Any] = {"node": node_id,
                               "status": [na["status"] if na else None, nb["status"] if nb else None],
                               "duration_ms": [na.get("duration_ms") if na else None, nb.get("duration_ms") if nb else None]}
        if na is None or nb is None:
            row["only_in"] = "a" if nb is None else "b"
            diverges = True
        else:
            row["input"] = value_diff(na.get("input"), nb.get("input"))
            row["output"] = value_diff(na.get("output"), nb.get("output"))
            if na.get("error") != nb.get("error"):
                row["error"] = [na.get("error"), nb.get("error")]
            diverges = bool(row["input"] or row["output"] or na["status"] != nb["status"] or "error" in row)
        row["diverges"] = diverges
        if diverges and first is None:
            first = node_id
        nodes.append(row)
    return {
        "a": _head(ea), "b": _head(eb),
        "same_flow": ea.get("flow") == eb.get("flow"),
        "input": value_diff(ea.get("input"), eb.get("input")),
        "output": value_diff(ea.get("output"), eb.get("output")),
        "first_divergent_node": first,
        "nodes": nodes,
    }


def _head(e: dict[str, Any]) -> dict[str, Any]:
    keys = ("execution_id", "flow", "graph_id", "status", "duration_ms", "error")
    return {k: e.get(k) for k in keys if e.get(k) is not None}


def _ms(v: Any) -> str:
    return "-" if v is None else f"{v:.1f} ms"


def _j(v: Any) -> str:
    import json

    return "(missing)" if v == _MISSING else json.dumps(v, ensure_ascii=False, sort_keys=True)


def format_run_diff(d: dict[str, Any]) -> str:
    """The human report: a header per run, then one block per node (``*`` marks the first divergent)."""
    a, b = d["a"], d["b"]
    lines = [f"{k} {e['execution_id']}  {e.get('flow', '')} (graph {e.get('graph_id', '-')})  {e.get('status', '')}  "
             f"{_ms(e.get('duration_ms'))}" for k, e in (("A", a), ("B", b))]
    if not d["same_flow"]:
        lines.append(f"(two flows: {a.get('flow')} and {b.get('flow')})")
    for what in ("input", "output"):
        for c in d[what]:
            lines.append(f"~ {what} {c['path']}: {_j(c['a'])} → {_j(c['b'])}")
    for row in d["nodes"]:
        mark = "*" if row["node"] == d["first_divergent_node"] else ("~" if row["diverges"] else "=")
        sa, sb = row["status"]
        status = sa if sa == sb else f"{sa or '-'} → {sb or '-'}"
        da, db = row["duration_ms"]
        lines.append(f"{mark} {row['node']}: {status}  ({_ms(da)} → {_ms(db)})"
                     + (f"  only in {row['only_in'].upper()}" if "only_in" in row else ""))
        for what in ("input", "output"):
            for c in row.get(what, []):
                lines.append(f"    {what} {c['path']}: {_j(c['a'])} → {_j(c['b'])}")
        if "error" in row:
            lines.append(f"    error: {_j(row['error'][0])} → {_j(row['error'][1])}")
    first = d["first_divergent_node"]
    lines.append(f"first divergent node: {first}" if first else "no divergent node")
    return "\n".join(lines)
