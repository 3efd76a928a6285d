"""The document's live analysis: the compiler's ``analyze_flow``; validate-only without a workspace.

:func:`analyze` never raises for user errors. The result always has the attributes the canvas and
the app read: ``diagnostics``, ``nodes`` {canvas id: NodeSpec | None}, ``edge_checks``
{(src, dst): EdgeCheck}, ``entry``, ``terminal``, ``mode``, ``ok``, ``run_blockers()``,
``for_node(id)`` and ``for_edge(key)``.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from axiom_ide.runtime.errors import AxiomError, Diagnostic, Location, Severity
from axiom_ide.runtime.model.flow import Flow
from axiom_ide.runtime.model.flow_yaml import FlowFile, new_flow_file, sync_tree
from axiom_ide.runtime.model.refs import RefError, parse_node_ref
from axiom_ide.runtime.model.validate import validate_flow_file

log = logging.getLogger(__name__)

#: The docs' wording for the structural rule the canvas enforces on connect.
PIPELINE_EDGE_ERROR = "an edge leaving a pipeline node may only connect to another pipeline node"


@dataclass
class FallbackAnalysis:
    """Validate + resolve only: the analysis without a workspace, or when the compiler failed."""

    flow: Flow
    diagnostics: list[Diagnostic] = field(default_factory=list)
    nodes: dict[str, Any] = field(default_factory=dict)
    edge_checks: dict[tuple[str, str], Any] = field(default_factory=dict)
    entry: str | None = None
    terminal: str | None = None
    mode: str = "unary"

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    def for_node(self, node_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.location.node == node_id and d.location.edge is None]

    def for_edge(self, key: tuple[str, str]) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.location.edge == tuple(key)]

    def run_blockers(self) -> list[str]:
        out: list[str] = []
        for d in self.diagnostics:
            if d.is_error and d.message not in out:
                out.append(d.message)
        return out


def is_pipeline(spec: Any) -> bool:
    """Whether a resolved node (NodeSpec or subflow spec) streams."""
    if spec is None:
        return False
    if hasattr(spec, "is_pipeline"):
        return bool(spec.is_pipeline)
    return getattr(spec, "kind", "unary") == "pipeline"


def resolve_node(workspace: Any, ref_text: str) -> tuple[Any, str | None]:
    """(NodeSpec, None) or (None, reason) for one node reference."""
    try:
        ref = parse_node_ref(ref_text)
    except RefError as exc:
        return None, str(exc)
    if ref.is_subflow:
        return None, f'subflow "flow:{ref.subflow}" is resolved by the compiler'
    if workspace is None:
        return None, "no workspace: packages cannot be resolved"
    try:
        return workspace.resolve(ref), None
    except AxiomError as exc:
        return None, exc.message


class _ResolveOnce:
    """The workspace, resolving each distinct node reference once per analysis: a 5,000-node flow
    usually places a handful of node types, and building a NodeSpec is not free."""

    def __init__(self, workspace: Any) -> None:
        self._workspace = workspace
        self._specs: dict[Any, Any] = {}

    def resolve(self, ref: Any) -> Any:
        key = str(ref)
        spec = self._specs.get(key)
        if spec is None:
            spec = self._specs[key] = self._workspace.resolve(ref)  # errors are not cached
        return spec

    def __getattr__(self, name: str) -> Any:
        return getattr(self._workspace, name)


def analyze(file: FlowFile, workspace: Any) -> Any:
    """The compiler's analysis of ``file.flow`` (or a :class:`FallbackAnalysis`)."""
    flow = file.flow
    if workspace is not None:
        from axiom_ide.runtime.compiler.analyze import analyze_flow  # here: the compiler loads networkx

        workspace = _ResolveOnce(workspace)
        try:
            return analyze_flow(flow, workspace)
        except Exception as exc:
            log.exception("analysing flow %r failed", flow.name)
            fb = _fallback(flow, workspace)
            fb.diagnostics.insert(0, Diagnostic("analyze_failed", f"analysis failed: {exc}", Severity.ERROR))
            return fb
    return _fallback(flow, workspace)


def _fallback(flow: Flow, workspace: Any) -> FallbackAnalysis:
    a = FallbackAnalysis(flow=flow)
    ff = new_flow_file(flow.clone())
    sync_tree(ff.doc, ff.flow)
    a.diagnostics += validate_flow_file(ff)
    for node in flow.nodes:
        spec, reason = resolve_node(workspace, node.node)
        a.nodes[node.id] = spec
        if spec is None and reason:
            a.diagnostics.append(Diagnostic("unresolved_node", f'node "{node.id}": {reason}', Severity.ERROR, Location(node=node.id)))
    if any(is_pipeline(s) for s in a.nodes.values()):
        a.mode = "pipeline"
    else:
        a.mode = flow.mode or "unary"
    return a
