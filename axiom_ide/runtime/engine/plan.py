"""The execution plan: an artifact's topology with edge plans and conditions compiled once.

A :class:`Plan` is immutable and derived purely from an :class:`Artifact`; the step functions in
:mod:`.steps` read it, never change it. Compiling an edge's ``map`` or ``when`` never fails here —
a bad expression is kept as its error and reported when the edge is evaluated, in the catalog's
words, so a plan can always be built for replay and inspection.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axiom_ide.runtime.compiler.artifact import Artifact, ArtifactEdge, ArtifactNode
from axiom_ide.runtime.conditions import ConditionError, compile_condition
from axiom_ide.runtime.transforms import PlanSyntaxError, parse_plan

#: More node dispatches than this fail the run with "exceeded max steps (1000)".
MAX_STEPS = 1000


@dataclass(frozen=True)
class PlanEdge:
    edge: ArtifactEdge
    src: str
    dst: str
    is_loop: bool
    #: dst field → compiled FieldPlan, or None for a pass-through edge.
    fields: dict[str, Any] | None
    #: Compiled condition, or None when the edge has no ``when``.
    condition: Any
    #: A compile problem to report when the edge is evaluated: ("adapter"|"condition", text).
    problem: tuple[str, str] | None = None

    @property
    def label(self) -> str:
        return f'edge "{self.src}" → "{self.dst}"'


@dataclass(frozen=True)
class Plan:
    artifact: Artifact
    nodes: dict[str, ArtifactNode]
    #: Forward edges into each node, in artifact order.
    incoming: dict[str, tuple[PlanEdge, ...]]
    #: Forward then loop edges out of each node.
    outgoing: dict[str, tuple[PlanEdge, ...]]
    #: Join policy ("abort" | "ignore") per node with several incoming forward edges.
    joins: dict[str, str]
    #: Nodes forward-reachable from each node (excluding itself).
    downstream: dict[str, frozenset[str]]
    entry: str
    terminal: str
    max_steps: int = MAX_STEPS

    @property
    def is_single_chain(self) -> bool:
        return all(len(v) <= 1 for v in self.outgoing.values())


def _compile_edge(edge: ArtifactEdge, is_loop: bool) -> PlanEdge:
    fields = None
    condition = None
    problem = None
    if edge.map is not None:
        fields = {}
        for dst_field, text in edge.map:
            try:
                fields[dst_field] = parse_plan(text)
            except PlanSyntaxError as exc:
                problem = ("adapter", f"{dst_field}: {exc}")
    if edge.when:
        try:
            condition = compile_condition(edge.when)
        except ConditionError as exc:
            problem = ("condition", str(exc))
    return PlanEdge(edge, edge.src, edge.dst, is_loop, fields, condition, problem)


def build_plan(artifact: Artifact, *, max_steps: int = MAX_STEPS) -> Plan:
    nodes = {n.id: n for n in artifact.nodes}
    incoming: dict[str, list[PlanEdge]] = {n: [] for n in nodes}
    outgoing: dict[str, list[PlanEdge]] = {n: [] for n in nodes}
    forward = [_compile_edge(e, False) for e in artifact.edges]
    loops = [_compile_edge(e, True) for e in artifact.loop_edges]
    for pe in forward:
        incoming[pe.dst].append(pe)
        outgoing[pe.src].append(pe)
    for pe in loops:
        outgoing[pe.src].append(pe)
    downstream: dict[str, frozenset[str]] = {}
    for node_id in nodes:
        seen: set[str] = set()
        stack = [pe.dst for pe in outgoing[node_id] if not pe.is_loop]
        while stack:
            n = stack.pop()
            if n not in seen:
                seen.add(n)
                stack.extend(pe.dst for pe in outgoing[n] if not pe.is_loop)
        downstream[node_id] = frozenset(seen)
    joins = dict(artifact.joins)
    for node_id, edges in incoming.items():
        if len(edges) > 1:
            joins.setdefault(node_id, "abort")
    return Plan(
        artifact=artifact, nodes=nodes,
        incoming={k: tuple(v) for k, v in incoming.items()},
        outgoing={k: tuple(v) for k, v in outgoing.items()},
        joins=joins, downstream=downstream, entry=artifact.entry, terminal=artifact.terminal,
        max_steps=max_steps,
    )
