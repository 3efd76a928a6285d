"""The flow model: nodes (placements of package nodes or subflows) and edges between them.

Invariants kept by the methods here (validation reports the rest):
- node ids are unique within a flow; an edge is identified by its (src, dst) pair;
- every mutation goes through a method, which fires exactly one change event *after* the change,
  so the canvas (a view) and undo commands (document/commands.py) stay in step with the truth.
Nothing here knows about YAML or Qt; ``flow_yaml`` maps this model to the file and back.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from enum import Enum
from typing import Any

from axiom_ide.runtime.model.refs import NodeRef, parse_node_ref
from axiom_ide.runtime.observer import Event


class FlowMode(str, Enum):
    UNARY = "unary"
    PIPELINE = "pipeline"


@dataclass
class FlowNode:
    """One placement of a node on the canvas."""

    #: Canvas id: unique in the flow, ``^[a-z0-9][a-z0-9_-]*$``; errors name nodes by it.
    id: str
    #: ``package@version:Node`` or ``flow:<name>``.
    node: str
    #: Optional grid pin; both ``col`` and ``row`` or neither.
    col: int | None = None
    row: int | None = None
    #: ``disabled: true``: the node passes its input through (input and output types must match).
    disabled: bool = False
    #: ``approval:`` as written (a mapping, or True): a human-in-the-loop gate before the node
    #: runs (``model/approval.py``). None = no gate.
    approval: Any = None
    #: ``compensate: <canvas id>``: the node run (saga-style) when a later failure ends the run
    #: after this node completed; it receives this node's output (runtime/engine/compensation.py).
    compensate: str | None = None

    @property
    def ref(self) -> NodeRef:
        """The parsed reference; raises ``RefError`` when malformed."""
        return parse_node_ref(self.node)

    @property
    def pinned(self) -> bool:
        return self.col is not None and self.row is not None


@dataclass
class FlowEdge:
    """A forward edge ``src → dst`` (or a loop-back edge when ``loop`` is set)."""

    src: str
    dst: str
    #: Edge plan: destination field → ``src.path | transform(args) | ...``. ``None`` = pass-through.
    map: dict[str, str] | None = None
    #: CEL condition over the source node's output (``output.<field>``).
    when: str | None = None
    #: Loop-back edge with this max_iterations.
    loop: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.src, self.dst)

    @property
    def is_loop(self) -> bool:
        return self.loop is not None


_FLOW_ATTRS = ("name", "description", "mode", "imports", "join")


class Flow:
    """A flow document's content. Mutate only through the methods; listen on the events."""

    def __init__(
        self,
        name: str = "",
        *,
        description: str | None = None,
        mode: str | None = None,
        imports: list[str] | None = None,
        nodes: list[FlowNode] | None = None,
        edges: list[FlowEdge] | None = None,
        join: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.description = description
        #: "unary" | "pipeline" | None (None = unary unless a pipeline node forces it).
        self.mode = mode
        self.imports: list[str] = list(imports or [])
        self.nodes: list[FlowNode] = list(nodes or [])
        self.edges: list[FlowEdge] = list(edges or [])
        #: Per-node join policy: canvas id → {"on_failure": "abort" | "ignore"}.
        self.join: dict[str, Any] = dict(join or {})

        #: (node, index) after a node was inserted.
        self.node_added = Event()
        #: (node, index) after a node was removed (its edges are removed separately, first).
        self.node_removed = Event()
        #: (old_id, node) after a node's fields changed (old_id differs on a rename).
        self.node_changed = Event()
        #: (edge, index) after an edge was inserted.
        self.edge_added = Event()
        #: (edge, index) after an edge was removed.
        self.edge_removed = Event()
        #: (old_key, edge) after an edge's fields changed.
        self.edge_changed = Event()
        #: (attribute name) after name/description/mode/imports/join changed.
        self.flow_changed = Event()

    # -- queries -----------------------------------------------------------------------------
    def node(self, node_id: str) -> FlowNode | None:
        for n in self.nodes:
            if n.id == node_id:
                return n
        return None

    def node_index(self, node_id: str) -> int:
        for i, n in enumerate(self.nodes):
            if n.id == node_id:
                return i
        raise KeyError(node_id)

    def edge(self, src: str, dst: str) -> FlowEdge | None:
        for e in self.edges:
            if e.src == src and e.dst == dst:
                return e
        return None

    def edge_index(self, src: str, dst: str) -> int:
        for i, e in enumerate(self.edges):
            if e.src == src and e.dst == dst:
                return i
        raise KeyError((src, dst))

    def edges_of(self, node_id: str) -> list[FlowEdge]:
        return [e for e in self.edges if e.src == node_id or e.dst == node_id]

    def forward_edges(self) -> Iterator[FlowEdge]:
        return (e for e in self.edges if not e.is_loop)

    def unique_id(self, base: str) -> str:
        """A canvas id derived from ``base`` not yet used in this flow."""
        taken = {n.id for n in self.nodes}
        if base not in taken:
            return base
        i = 2
        while f"{base}-{i}" in taken:
            i += 1
        return f"{base}-{i}"

    # -- node mutations ----------------------------------------------------------------------
    def add_node(self, node: FlowNode, index: int | None = None) -> int:
        if self.node(node.id) is not None:
            raise ValueError(f'duplicate node id "{node.id}"')
        index = len(self.nodes) if index is None else index
        self.nodes.insert(index, node)
        self.node_added.emit(node, index)
        return index

    def remove_node(self, node_id: str) -> tuple[FlowNode, int]:
        index = self.node_index(node_id)
        node = self.nodes.pop(index)
        self.join.pop(node_id, None)
        self.node_removed.emit(node, index)
        return node, index

    def update_node(self, node_id: str, **changes: Any) -> FlowNode:
        """Change fields of a node (``id`` renames it and re-points its edges)."""
        index = self.node_index(node_id)
        old = self.nodes[index]
        new = replace(old, **changes)
        if new.id != node_id:
            if self.node(new.id) is not None:
                raise ValueError(f'duplicate node id "{new.id}"')
            for i, e in enumerate(self.edges):
                if e.src == node_id or e.dst == node_id:
                    self.edges[i] = replace(
                        e,
                        src=new.id if e.src == node_id else e.src,
                        dst=new.id if e.dst == node_id else e.dst,
                    )
            if node_id in self.join:
                self.join[new.id] = self.join.pop(node_id)
            for i, n in enumerate(self.nodes):  # compensation references follow the rename
                if n.compensate == node_id and i != index:
                    self.nodes[i] = replace(n, compensate=new.id)
            if new.compensate == node_id:
                new = replace(new, compensate=new.id)
        self.nodes[index] = new
        self.node_changed.emit(node_id, new)
        return new

    def rename_node(self, old_id: str, new_id: str) -> FlowNode:
        """Give node ``old_id`` the canvas id ``new_id``: its edges and join policy follow (one
        ``node_changed(old_id, node)`` event). Raises ValueError on a taken id."""
        return self.update_node(old_id, id=new_id)

    # -- edge mutations ----------------------------------------------------------------------
    def add_edge(self, edge: FlowEdge, index: int | None = None) -> int:
        if self.edge(edge.src, edge.dst) is not None:
            raise ValueError(f'duplicate edge "{edge.src}" → "{edge.dst}"')
        index = len(self.edges) if index is None else index
        self.edges.insert(index, edge)
        self.edge_added.emit(edge, index)
        return index

    def remove_edge(self, src: str, dst: str) -> tuple[FlowEdge, int]:
        index = self.edge_index(src, dst)
        edge = self.edges.pop(index)
        self.edge_removed.emit(edge, index)
        return edge, index

    def update_edge(self, src: str, dst: str, **changes: Any) -> FlowEdge:
        index = self.edge_index(src, dst)
        old = self.edges[index]
        if "map" in changes and changes["map"] is not None:
            changes["map"] = dict(changes["map"])
        new = replace(old, **changes)
        if new.key != old.key and self.edge(*new.key) is not None:
            raise ValueError(f'duplicate edge "{new.src}" → "{new.dst}"')
        self.edges[index] = new
        self.edge_changed.emit(old.key, new)
        return new

    # -- flow attributes -----------------------------------------------------------------------
    def set_attr(self, name: str, value: Any) -> None:
        if name not in _FLOW_ATTRS:
            raise AttributeError(name)
        setattr(self, name, copy.deepcopy(value))
        self.flow_changed.emit(name)

    # -- copies and comparison ---------------------------------------------------------------
    def clone(self) -> Flow:
        """A deep copy with no listeners."""
        return Flow(
            self.name,
            description=self.description,
            mode=self.mode,
            imports=list(self.imports),
            nodes=[replace(n) for n in self.nodes],
            edges=[replace(e, map=dict(e.map) if e.map is not None else None) for e in self.edges],
            join=copy.deepcopy(self.join),
        )

    def to_plain(self) -> dict[str, Any]:
        """A plain-dict form (no YAML styling) — for comparisons, JSON and artifacts."""
        out: dict[str, Any] = {"name": self.name}
        if self.description is not None:
            out["description"] = self.description
        if self.mode is not None:
            out["mode"] = self.mode
        out["imports"] = list(self.imports)
        out["nodes"] = [
            {k: v for k, v in (("id", n.id), ("node", n.node), ("col", n.col), ("row", n.row),
                               ("disabled", True if n.disabled else None),
                               ("approval", copy.deepcopy(n.approval)), ("compensate", n.compensate))
                if v is not None}
            for n in self.nodes
        ]
        out["edges"] = [edge_to_plain(e) for e in self.edges]
        out["join"] = copy.deepcopy(self.join)
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Flow) and self.to_plain() == other.to_plain()

    def __repr__(self) -> str:
        return f"<Flow {self.name!r}: {len(self.nodes)} nodes, {len(self.edges)} edges>"


def edge_to_plain(e: FlowEdge) -> dict[str, Any]:
    """An edge in its flow.yaml key form (``from``/``to``/``map``/``when``/``loop``), unset keys left out."""
    d: dict[str, Any] = {"from": e.src, "to": e.dst}
    if e.map is not None:
        d["map"] = dict(e.map)
    if e.when is not None:
        d["when"] = e.when
    if e.loop is not None:
        d["loop"] = e.loop
    return d


def node_fields() -> tuple[str, ...]:
    return tuple(f.name for f in fields(FlowNode))
