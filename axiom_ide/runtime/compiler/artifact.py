"""The compiled artifact: an immutable, self-describing snapshot of a flow ready to execute.

Compiling never changes the source flow; it produces one of these with a fresh 26-char ULID
(``graph_id``). The artifact carries the message descriptors its nodes speak (as serialized
FileDescriptorSets per package), so executing it never depends on packages changing later;
node *code* is found at run time through ``package_root`` (a host process per package version).
"""
from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ArtifactNode:
    """One node placement, resolved."""

    #: Canvas id (errors and events name nodes by it).
    id: str
    #: 1-based instance number (reflection's ``instance_id``).
    instance: int
    #: The flow.yaml reference (``pkg@ver:Node`` or ``flow:<name>``).
    ref: str
    #: "unary" | "pipeline" | "subflow".
    kind: str
    package: str = ""
    version: str = ""
    name: str = ""
    #: Fully-qualified input/output message names.
    input_type: str = ""
    output_type: str = ""
    #: Handler function name and package root for the node host.
    handler: str = ""
    package_root: str = ""
    required_secrets: tuple[str, ...] = ()
    mutation_capable: bool = False
    #: The compiled subflow, for ``kind == "subflow"``.
    subflow: Artifact | None = None
    #: Disabled in the flow: the engine passes the node's input on as its output, never calling it.
    disabled: bool = False
    #: A human-in-the-loop gate before the node runs: ``Approval.to_json()`` (model/approval.py).
    approval: dict[str, Any] | None = None
    #: Canvas id of the node that compensates this one after a failure (flow.yaml ``compensate:``).
    compensate: str | None = None

    @property
    def package_key(self) -> str:
        return f"{self.package}@{self.version}"


@dataclass(frozen=True)
class ArtifactEdge:
    src: str
    dst: str
    #: (destination field, plan text) pairs in file order; None = pass-through.
    map: tuple[tuple[str, str], ...] | None = None
    when: str | None = None
    #: max_iterations for loop-back edges; None for forward edges.
    loop: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.src, self.dst)


@dataclass(frozen=True)
class Artifact:
    graph_id: str
    flow_name: str
    #: "unary" | "pipeline" (frozen at compile time).
    mode: str
    entry: str
    terminal: str
    nodes: tuple[ArtifactNode, ...]
    #: Forward edges.
    edges: tuple[ArtifactEdge, ...]
    loop_edges: tuple[ArtifactEdge, ...]
    #: canvas id → join policy, for nodes with several incoming forward edges.
    joins: tuple[tuple[str, str], ...]
    #: Fully-qualified names of the flow's input (entry input) and output (terminal output).
    input_type: str
    output_type: str
    #: package key → serialized FileDescriptorSet with every message the flow uses.
    descriptor_sets: tuple[tuple[str, bytes], ...] = ()
    #: The flow document as compiled (plain dict), for ``flow pull`` and the read-only canvas.
    source: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    created_at: float = 0.0
    #: Warnings compile reported (amber edges etc.).
    warnings: tuple[str, ...] = ()

    def node(self, node_id: str) -> ArtifactNode:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    # -- JSON ------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return _artifact_to_json(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Artifact:
        return _artifact_from_json(data)


def _artifact_to_json(a: Artifact) -> dict[str, Any]:
    out: dict[str, Any] = {
        "graph_id": a.graph_id,
        "flow_name": a.flow_name,
        "mode": a.mode,
        "entry": a.entry,
        "terminal": a.terminal,
        "nodes": [],
        "edges": [_edge_json(e) for e in a.edges],
        "loop_edges": [_edge_json(e) for e in a.loop_edges],
        "joins": [list(j) for j in a.joins],
        "input_type": a.input_type,
        "output_type": a.output_type,
        "descriptor_sets": {k: base64.b64encode(v).decode("ascii") for k, v in a.descriptor_sets},
        "source": a.source,
        "created_at": a.created_at,
        "warnings": list(a.warnings),
    }
    for n in a.nodes:
        d = asdict(n) if n.subflow is None else {**{k: v for k, v in asdict(n).items() if k != "subflow"}}
        d["required_secrets"] = list(n.required_secrets)
        d["subflow"] = _artifact_to_json(n.subflow) if n.subflow is not None else None
        out["nodes"].append(d)
    return out


def _edge_json(e: ArtifactEdge) -> dict[str, Any]:
    return {
        "from": e.src,
        "to": e.dst,
        "map": [list(p) for p in e.map] if e.map is not None else None,
        "when": e.when,
        "loop": e.loop,
    }


def _edge_from_json(d: dict[str, Any]) -> ArtifactEdge:
    return ArtifactEdge(
        d["from"], d["to"],
        tuple((str(k), str(v)) for k, v in d["map"]) if d.get("map") is not None else None,
        d.get("when"), d.get("loop"),
    )


def _artifact_from_json(d: dict[str, Any]) -> Artifact:
    nodes = []
    for n in d["nodes"]:
        sub = n.get("subflow")
        nodes.append(ArtifactNode(
            **{k: v for k, v in n.items() if k not in ("subflow", "required_secrets")},
            required_secrets=tuple(n.get("required_secrets") or ()),
            subflow=_artifact_from_json(sub) if sub else None,
        ))
    return Artifact(
        graph_id=d["graph_id"],
        flow_name=d["flow_name"],
        mode=d["mode"],
        entry=d["entry"],
        terminal=d["terminal"],
        nodes=tuple(nodes),
        edges=tuple(_edge_from_json(e) for e in d["edges"]),
        loop_edges=tuple(_edge_from_json(e) for e in d["loop_edges"]),
        joins=tuple((j[0], j[1]) for j in d["joins"]),
        input_type=d["input_type"],
        output_type=d["output_type"],
        descriptor_sets=tuple((k, base64.b64decode(v)) for k, v in d.get("descriptor_sets", {}).items()),
        source=d.get("source") or {},
        created_at=d.get("created_at", 0.0),
        warnings=tuple(d.get("warnings") or ()),
    )
