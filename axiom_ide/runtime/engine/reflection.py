"""The ``ax.reflection.flow`` view node hosts serve: every field of the SDK reference, filled.

:func:`reflection_views` builds, once per artifact, the JSON view per canvas id (SDK field names):
``nodes`` (with ``node_ulid``: a package node's registry id, :func:`packages.node_id.node_id`; a
subflow placement's id is its compiled sub-artifact's ``graph_id``), ``edges`` and ``loop_edges``
(with ``condition_summary`` digested from the edge's ``when:``), ``graph_id`` and a ``position``
(``current_instance``, ``depth`` — 0 at the root, +1 per subflow —, ``subflow_stack_graph_ids``
root → immediate parent, ``loop_iterations``). :func:`call_view` gives one call its view with
the run's current loop counts (keyed by the loop's destination instance, as the SDK says); views
are cached per distinct count so the host's per-site context part is reused.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from axiom_ide.runtime.compiler.artifact import Artifact, ArtifactEdge
from axiom_ide.runtime.packages.node_id import node_id

#: ``output.a.b <op> literal`` (or the mirrored ``literal <op> output.a.b``).
_FIELD = r"output\.([A-Za-z_][\w.]*)"
_LITERAL = r"(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null)"
_OPS = {"==": "EQ", "!=": "NEQ", "<": "LT", "<=": "LTE", ">": "GT", ">=": "GTE"}
_MIRROR = {"LT": "GT", "LTE": "GTE", "GT": "LT", "GTE": "LTE", "EQ": "EQ", "NEQ": "NEQ"}
_COMPARE = re.compile(rf"\s*{_FIELD}\s*(==|!=|<=|>=|<|>)\s*{_LITERAL}\s*\Z")
_COMPARE_MIRRORED = re.compile(rf"\s*{_LITERAL}\s*(==|!=|<=|>=|<|>)\s*{_FIELD}\s*\Z")
_IN = re.compile(rf"\s*{_LITERAL}\s+in\s+{_FIELD}\s*\Z")
_IN_LIST = re.compile(rf"\s*{_FIELD}\s+in\s+\[([^\]]*)\]\s*\Z")
_CALL = re.compile(rf"\s*{_FIELD}\.(contains|startsWith|endsWith)\(\s*{_LITERAL}\s*\)\s*\Z")
_BOOL = re.compile(rf"\s*(!?)\s*{_FIELD}\s*\Z")
_CALL_OPS = {"contains": "CONTAINS", "startsWith": "STARTS_WITH", "endsWith": "ENDS_WITH"}


def _operand(literal: str) -> str:
    if literal[:1] in "\"'":
        return re.sub(r"\\(.)", r"\1", literal[1:-1])
    return literal


def condition_summary(when: str | None) -> dict[str, Any] | None:
    """The agent-readable digest of an edge condition (``field``, ``op``, ``operands``), or None
    for an unconditional edge. ``"ToolX" in output.tools`` reads field="tools", op="EQ",
    operands=["ToolX"] (EQ on a repeated field is membership, as the SDK says). A condition of
    any other shape reads op="CEL" with its text as the one operand (the field it is about is
    the first ``output.<field>`` it selects, else "")."""
    if not when or not when.strip():
        return None
    if m := _COMPARE.match(when):
        return {"field": m[1], "op": _OPS[m[2]], "operands": [_operand(m[3])]}
    if m := _COMPARE_MIRRORED.match(when):
        return {"field": m[3], "op": _MIRROR[_OPS[m[2]]], "operands": [_operand(m[1])]}
    if m := _IN.match(when):
        return {"field": m[2], "op": "EQ", "operands": [_operand(m[1])]}
    if m := _IN_LIST.match(when):
        items = re.findall(_LITERAL, m[2])
        return {"field": m[1], "op": "IN", "operands": [_operand(i) for i in items]}
    if m := _CALL.match(when):
        return {"field": m[1], "op": _CALL_OPS[m[2]], "operands": [_operand(m[3])]}
    if m := _BOOL.match(when):
        return {"field": m[2], "op": "EQ", "operands": ["false" if m[1] else "true"]}
    first = re.search(_FIELD, when)
    return {"field": first[1] if first else "", "op": "CEL", "operands": [when.strip()]}


def reflection_views(artifact: Artifact, *, depth: int = 0,
                     stack: Sequence[str] = ()) -> dict[str, dict[str, Any]]:
    """Per canvas id, the JSON view node hosts serve as ``ax.reflection.flow`` (SDK field names).
    ``depth`` and ``stack`` (graph ids, root → immediate parent) place a subflow's graph."""
    instance = {n.id: n.instance for n in artifact.nodes}

    def edge(e: ArtifactEdge) -> dict[str, Any]:
        return {"src_instance": instance[e.src], "dst_instance": instance[e.dst],
                "canvas_edge_id": f"{e.src}->{e.dst}", "has_condition": bool(e.when),
                "has_adapter": e.map is not None, "max_iterations": e.loop or 0,
                "condition_summary": condition_summary(e.when)}

    def ulid(n: Any) -> str:
        if n.kind == "subflow" and n.subflow is not None:
            return n.subflow.graph_id
        return node_id(n.package, n.version, n.name) if n.package else ""

    base = {
        "graph_id": artifact.graph_id,
        "nodes": [{"instance_id": n.instance, "node_ulid": ulid(n), "name": n.name, "package_name": n.package,
                   "package_version": n.version,
                   "node_type": {"unary": "node"}.get(n.kind, n.kind),
                   "input_message_name": n.input_type, "output_message_name": n.output_type,
                   "canvas_node_id": n.id} for n in artifact.nodes],
        "edges": [edge(e) for e in artifact.edges],
        "loop_edges": [edge(e) for e in artifact.loop_edges],
    }
    ids = list(stack)
    return {n.id: dict(base, position={"current_instance": n.instance, "depth": depth, "loop_iterations": {},
                                        "subflow_stack_graph_ids": ids}) for n in artifact.nodes}


def loop_iterations(instances: Mapping[str, int], loop_counts: Mapping[tuple[str, str], int]) -> dict[str, int]:
    """The run's loop counts as the SDK keys them: destination instance (as a JSON key) → times
    the loop edges into it fired."""
    out: dict[str, int] = {}
    for (_src, dst), n in loop_counts.items():
        key = str(instances[dst])
        out[key] = out.get(key, 0) + n
    return out


class CallViews:
    """The view for each call of one graph: the static view, with ``loop_iterations`` set from
    the run's loop counts (cached per distinct count, so an unchanged position is the same mapping)."""

    __slots__ = ("_views", "_instances", "_cache")

    def __init__(self, views: Mapping[str, dict[str, Any]], instances: Mapping[str, int]) -> None:
        self._views = views
        self._instances = instances
        self._cache: dict[tuple[str, tuple], dict[str, Any]] = {}

    def view(self, node: str, loop_counts: Mapping[tuple[str, str], int]) -> dict[str, Any]:
        view = self._views.get(node, {})
        if not loop_counts or not view:
            return view
        key = (node, tuple(sorted(loop_counts.items())))
        hit = self._cache.get(key)
        if hit is None:
            if len(self._cache) > 256:
                self._cache.clear()
            position = dict(view["position"], loop_iterations=loop_iterations(self._instances, loop_counts))
            hit = self._cache[key] = dict(view, position=position)
        return hit
