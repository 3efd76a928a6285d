"""Clipboard text for copied nodes: plain JSON, so it survives any clipboard and reads in a diff.

Shape::

    {"axiom-ide": "nodes/1",
     "nodes": [{id, node, col, row, disabled?, approval?, compensate?, ...}],
     "edges": [{from, to, map?, when?, loop?}],
     "join": {id: policy},              # the flow's join policy of copied nodes, if any
     "outside": {id: "pkg@ver:Node"},   # nodes a copied key names that were not copied
     "from": "/path/to/x.flow.yaml"}     # the flow copied from, when it has a file

Every key a :class:`FlowNode` has travels (read from the dataclass fields, so a key added to the
model travels too); cells are the *displayed* cells (unpinned nodes get their layout cell), so a
paste keeps the shape. Only edges with both ends in the copied set are kept. ``outside`` lets a
paste decide whether a ``compensate:`` naming a node left behind still means the same node in the
target flow (document.py ``_insert_group``). ``from`` lets what lives beside that flow follow the copy
(its pins, ``app/pins.py``) without the clipboard carrying it.
"""
from __future__ import annotations

import copy
import json
from dataclasses import fields
from typing import Any

from axiom_ide.runtime.model.flow import Flow, FlowNode, edge_to_plain

#: Marker identifying our clipboard payloads (and its version).
MARKER = "nodes/1"
#: MIME type the canvas puts on the clipboard next to text/plain.
MIME_TYPE = "application/x-axiom-flow-nodes+json"

#: FlowNode fields whose defaults are left out of the payload; ``id``/``node``/cells always travel.
_PLACEMENT = ("id", "node", "col", "row")


def _node_keys(n: FlowNode) -> dict[str, Any]:
    """The node's keys other than its placement, defaults left out (as flow.yaml leaves them out)."""
    out: dict[str, Any] = {}
    for f in fields(FlowNode):
        if f.name in _PLACEMENT:
            continue
        value = getattr(n, f.name)
        if value != f.default:
            out[f.name] = copy.deepcopy(value)
    return out


def dumps(flow: Flow, node_ids: list[str], cells: dict[str, tuple[int, int]], source: str | None = None) -> str:
    wanted = [n for n in flow.nodes if n.id in set(node_ids)]
    ids = {n.id for n in wanted}
    nodes = [{"id": n.id, "node": n.node, "col": cells.get(n.id, (0, 0))[0], "row": cells.get(n.id, (0, 0))[1],
              **_node_keys(n)} for n in wanted]
    edges = [edge_to_plain(e) for e in flow.edges if e.src in ids and e.dst in ids]
    payload: dict[str, Any] = {"axiom-ide": MARKER, "nodes": nodes, "edges": edges}
    join = {k: copy.deepcopy(v) for k, v in flow.join.items() if k in ids}
    if join:
        payload["join"] = join
    outside = {}
    for n in wanted:
        other = flow.node(n.compensate) if n.compensate and n.compensate not in ids else None
        if other is not None:
            outside[other.id] = other.node
    if outside:
        payload["outside"] = outside
    if source:
        payload["from"] = source
    return json.dumps(payload, indent=1, ensure_ascii=False)


def _clean_keys(raw: dict[str, Any]) -> dict[str, Any]:
    """The node keys of a payload entry that have the model's types (others are dropped: a paste
    of a hand-edited payload never builds a node the model could not have loaded)."""
    out: dict[str, Any] = {}
    for f in fields(FlowNode):
        if f.name in _PLACEMENT or f.name not in raw:
            continue
        value = raw[f.name]
        if f.name == "disabled" and not isinstance(value, bool):
            continue
        if f.name == "compensate" and not isinstance(value, str):
            continue
        out[f.name] = value
    return out


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
                          "row": row if isinstance(row, int) and row >= 0 else 0,
                          **_clean_keys(raw)})
    edges = []
    for raw in data.get("edges") or []:
        if isinstance(raw, dict) and isinstance(raw.get("from"), str) and isinstance(raw.get("to"), str):
            edges.append({k: raw[k] for k in ("from", "to", "map", "when", "loop") if k in raw})
    join = data.get("join")
    outside = data.get("outside")
    source = data.get("from")
    return {"nodes": nodes, "edges": edges, "from": source if isinstance(source, str) else None,
            "join": {k: v for k, v in join.items() if isinstance(v, dict)} if isinstance(join, dict) else {},
            "outside": {k: v for k, v in outside.items() if isinstance(v, str)} if isinstance(outside, dict) else {}}


def pasted_keys(data: dict[str, Any], id_map: dict[str, str], flow: Flow) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Each pasted node's keys (new id → keys) with the references remapped for ``flow`` (the
    target), and a note for every key that could not be kept.

    ``compensate:`` naming a node pasted along points at that node's copy. Naming a node left
    behind, it is kept only when ``flow`` has a compensation node of that id placing the same
    package node (no edges, compensating nothing itself): duplicating a step in its own flow keeps
    its undo, and so does a paste into a flow that has the same undo node. Otherwise it is dropped
    — a same-named node of another flow is another node — and the note says so."""
    out: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for raw in data["nodes"]:
        new_id = id_map[raw["id"]]
        keys = {k: v for k, v in raw.items() if k not in _PLACEMENT}
        target = keys.get("compensate")
        if target is not None:
            if target in id_map:
                keys["compensate"] = id_map[target]
            elif not _same_compensator(flow, target, data["outside"].get(target)):
                del keys["compensate"]
                notes.append(f'Pasted {new_id} without compensate: "{target}" is not a compensation node of this flow')
        out[new_id] = keys
    return out, notes


def _same_compensator(flow: Flow, node_id: str, ref: str | None) -> bool:
    node = flow.node(node_id)
    return (node is not None and ref is not None and node.node == ref and not node.compensate
            and not flow.edges_of(node_id))
