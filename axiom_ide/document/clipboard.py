"""Clipboard text for copied nodes: plain JSON, so it survives any clipboard and reads in a diff.

Shape: ``{"axiom-ide": "nodes/1", "nodes": [{id, node, col, row}], "edges": [{from, to, map?, when?, loop?}]}``.
Cells are the *displayed* cells (unpinned nodes get their layout cell), so a paste keeps the shape.
Only edges with both ends in the copied set are kept.
"""
from __future__ import annotations

import json
from typing import Any

from axiom_ide.runtime.model.flow import Flow, edge_to_plain

#: Marker identifying our clipboard payloads (and its version).
MARKER = "nodes/1"
#: MIME type the canvas puts on the clipboard next to text/plain.
MIME_TYPE = "application/x-axiom-flow-nodes+json"


def dumps(flow: Flow, node_ids: list[str], cells: dict[str, tuple[int, int]]) -> str:
    wanted = [n for n in flow.nodes if n.id in set(node_ids)]
    ids = {n.id for n in wanted}
    nodes = [{"id": n.id, "node": n.node, "col": cells.get(n.id, (0, 0))[0], "row": cells.get(n.id, (0, 0))[1]} for n in wanted]
    edges = [edge_to_plain(e) for e in flow.edges if e.src in ids and e.dst in ids]
    return json.dumps({"axiom-ide": MARKER, "nodes": nodes, "edges": edges}, indent=1, ensure_ascii=False)


def loads(text: str) -> dict[str, Any] | None:
    """The payload, or None when ``text`` is not one of ours (pasting arbitrary text is a no-op)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("axiom-ide") != MARKER:
        return None
    nodes = []
    for raw in data.get("nodes") or []:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str) and isinstance(raw.get("node"), str):
            col, row = raw.get("col"), raw.get("row")
            nodes.append({"id": raw["id"], "node": raw["node"],
                          "col": col if isinstance(col, int) and col >= 0 else 0,
                          "row": row if isinstance(row, int) and row >= 0 else 0})
    edges = []
    for raw in data.get("edges") or []:
        if isinstance(raw, dict) and isinstance(raw.get("from"), str) and isinstance(raw.get("to"), str):
            edges.append({k: raw[k] for k in ("from", "to", "map", "when", "loop") if k in raw})
    return {"nodes": nodes, "edges": edges}
