"""Analyze a flow against a workspace: resolve nodes, type-check edges, check topology.

Pure and side-effect free: the canvas runs it live after every edit, ``flow compile`` runs it
before freezing an artifact. Errors block compiling. Type warnings (amber edges: type mismatches,
required fields left unmapped) stay warnings here so the canvas can colour them amber, but they
block running ("Type warnings must be resolved before running.") and compiling alike:
:meth:`Analysis.compile_blockers` is what every compile path refuses on.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from axiom_ide.runtime.errors import AxiomError, Diagnostic, Location, Severity
from axiom_ide.runtime.model.flow import Flow, FlowEdge
from axiom_ide.runtime.model.refs import NodeRef, RefError, parse_import, parse_node_ref

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.runtime.packages import Workspace
    from axiom_ide.runtime.typecheck import EdgeCheck

START_NODE_ERROR = "graph must have exactly one start node"
TERMINAL_NODE_ERROR = "graph must have exactly one terminal node"
PIPELINE_EDGE_ERROR = "an edge leaving a pipeline node may only connect to another pipeline node"
TYPE_WARNINGS_BLOCKER = "Type warnings must be resolved before running."

#: Loads a flow placed as a subflow by name (or by artifact id: ``flow:<ULID>``, a marketplace flow);
#: returns None when there is no such flow, or raises AxiomError saying why it cannot have it.
FlowResolver = Callable[[str], "Flow | None"]


@dataclass(frozen=True)
class SubflowSpec:
    """A flow placed as a node: its contract is its entry input and terminal output."""

    name: str
    analysis: Analysis

    @property
    def kind(self) -> str:
        return "subflow"

    @property
    def input_type(self) -> Any:
        return self.analysis.input_type

    @property
    def output_type(self) -> Any:
        return self.analysis.output_type

    @property
    def is_pipeline(self) -> bool:
        return self.analysis.mode == "pipeline"


@dataclass
class Analysis:
    flow: Flow
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: canvas id → resolved node (a NodeSpec or SubflowSpec), or None when unresolved.
    nodes: dict[str, Any] = field(default_factory=dict)
    #: (src, dst) → EdgeCheck for every edge whose endpoints resolved.
    edge_checks: dict[tuple[str, str], EdgeCheck] = field(default_factory=dict)
    entry: str | None = None
    terminal: str | None = None
    mode: str = "unary"

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def input_type(self) -> Any:
        spec = self.nodes.get(self.entry) if self.entry else None
        return spec.input_type if spec is not None else None

    @property
    def output_type(self) -> Any:
        spec = self.nodes.get(self.terminal) if self.terminal else None
        return spec.output_type if spec is not None else None

    def for_node(self, node_id: str) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.location.node == node_id and d.location.edge is None]

    def for_edge(self, key: tuple[str, str]) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.location.edge == key]

    @property
    def type_warnings(self) -> list[Diagnostic]:
        """Amber edges: mismatched kinds, unmapped required fields, differing messages."""
        return [d for d in self.warnings if d.code.startswith("type_")]

    def compile_blockers(self) -> list[Diagnostic]:
        """Every error, then every type warning raised to an error ("Compilation validates that
        every edge connects type-compatible messages"): what compiling refuses on."""
        return self.errors + [replace(d, severity=Severity.ERROR) for d in self.type_warnings]

    def run_blockers(self) -> list[str]:
        """What must be fixed before the flow can run, in words for the Run button's tooltip."""
        out: list[str] = []
        for d in self.errors:
            if d.message not in out:
                out.append(d.message)
        if self.type_warnings:
            out.append(TYPE_WARNINGS_BLOCKER)
        return out


def _type_name(t: Any) -> str:
    return str(getattr(t, "full_name", t) or "")


def _check_approvals(flow: Flow, a: Analysis, diags: list[Diagnostic]) -> None:
    """An approval gate pauses a unary run before its node; a streaming pipeline cannot pause."""
    pipeline = flow.mode == "pipeline" or any(_is_pipeline(s) for s in a.nodes.values() if s is not None)
    for node in flow.nodes:
        if node.approval is not None and pipeline:
            diags.append(Diagnostic("approval_in_pipeline", f'node "{node.id}" has an approval gate, but this is a '
                                    "pipeline flow, whose frames cannot wait for a human; remove the approval",
                                    Severity.ERROR, Location(node=node.id)))


def _check_mutations(flow: Flow, a: Analysis, diags: list[Diagnostic]) -> None:
    """A pipeline flow does not grow (engine/mutation.py): a mutation-capable node's additions fail it there."""
    pipeline = flow.mode == "pipeline" or any(_is_pipeline(s) for s in a.nodes.values() if s is not None)
    for node in flow.nodes:
        spec = a.nodes.get(node.id)
        if pipeline and spec is not None and getattr(spec, "mutation_capable", False):
            diags.append(Diagnostic("mutation_in_pipeline", f'node "{node.id}" is mutation_capable, but this is a '
                                    "pipeline flow, whose frames stream through the graph it started with: the "
                                    "node fails if it adds nodes or edges; use it in a unary flow",
                                    Severity.WARNING, Location(node=node.id)))


def _check_disabled(flow: Flow, a: Analysis, diags: list[Diagnostic]) -> None:
    """A disabled node passes its input on as its output: only when both are the same message."""
    for node in flow.nodes:
        spec = a.nodes.get(node.id)
        if not node.disabled or spec is None:
            continue
        where = Location(node=node.id)
        if _is_pipeline(spec):
            diags.append(Diagnostic("disabled_node_types", f'node "{node.id}" is disabled, but a pipeline node '
                                    "cannot be passed through; enable it or remove it", Severity.ERROR, where))
            continue
        tin, tout = _type_name(getattr(spec, "input_type", "")), _type_name(getattr(spec, "output_type", ""))
        if tin != tout:
            diags.append(Diagnostic("disabled_node_types", f'node "{node.id}" is disabled, but its input {tin} is not '
                                    f"its output {tout}, so it cannot pass its input through; enable it or remove it",
                                    Severity.ERROR, where))


def _is_pipeline(spec: Any) -> bool:
    if isinstance(spec, SubflowSpec):
        return spec.is_pipeline
    return getattr(spec, "kind", "unary") == "pipeline"


def workspace_flow_resolver(workspace_root: Path) -> FlowResolver:
    """Find ``flow:<name>`` among the workspace's ``*.flow.yaml`` files by their ``name:``; a
    marketplace ``flow:<artifact id>`` from the workspace's copy (``compiler/marketplace.py``: raises
    ``marketplace_flow`` when it has none)."""
    from axiom_ide.runtime.compiler.marketplace import load_cached
    from axiom_ide.runtime.model.flow_yaml import load_flow
    from axiom_ide.runtime.model.refs import is_artifact_id

    def resolve(name: str) -> Flow | None:
        if is_artifact_id(name):
            return load_cached(workspace_root, name)
        candidates = sorted(Path(workspace_root).rglob(f"{name}.flow.yaml")) + sorted(Path(workspace_root).rglob("*.flow.yaml"))
        for path in candidates:
            if any(part.startswith(".") for part in path.relative_to(workspace_root).parts):
                continue
            try:
                ff = load_flow(path)
            except AxiomError:
                continue
            if ff.flow.name == name:
                return ff.flow
        return None

    return resolve


def _source_prefix(d: Diagnostic, workspace: Workspace, ref: NodeRef) -> str:
    """``greeter/messages/messages.proto:25:22: `` for a problem at a line of the node's package (a
    .proto that does not compile): the diagnostic is located at the node, so the message says where
    in the package — relative to the workspace, else to the package — once."""
    if d.location.line is None or not d.location.file:
        return ""
    bases = [getattr(workspace, "root", None)]
    pkg = workspace.package(ref.package, ref.version)
    bases.append(pkg.root if pkg is not None else None)
    for base in bases:
        if base is not None:
            rel = d.relative_to(base)
            if rel is not d:
                return f"{rel.location.position}: "
    return f"{d.location.position}: "


def analyze_flow(
    flow: Flow,
    workspace: Workspace,
    *,
    flow_resolver: FlowResolver | None = None,
    _stack: tuple[str, ...] = (),
) -> Analysis:
    """Resolve, type-check and check the topology of ``flow``. Never raises for user errors."""
    a = Analysis(flow=flow)
    diags = a.diagnostics
    if flow_resolver is None and getattr(workspace, "root", None) is not None:
        flow_resolver = workspace_flow_resolver(workspace.root)

    for item in flow.imports:
        try:
            package, version = parse_import(item)
        except RefError as exc:
            diags.append(Diagnostic("invalid_import", str(exc)))
            continue
        if workspace.package(package, version) is None:
            diags.append(Diagnostic("unknown_package", f'imported package "{item}" is not in the workspace'))
    imported = set(flow.imports)

    # -- resolve nodes -----------------------------------------------------------------------
    for node in flow.nodes:
        where = Location(node=node.id)
        try:
            ref = parse_node_ref(node.node)
        except RefError as exc:
            diags.append(Diagnostic("invalid_node_ref", f'node "{node.id}": {exc}', Severity.ERROR, where))
            a.nodes[node.id] = None
            continue
        if ref.is_subflow:
            a.nodes[node.id] = _resolve_subflow(ref.subflow, node.id, workspace, flow_resolver, _stack + (flow.name,), diags)
            continue
        try:
            a.nodes[node.id] = workspace.resolve(ref)
        except AxiomError as exc:
            a.nodes[node.id] = None
            for d in exc.diagnostics:
                diags.append(Diagnostic(d.code, f'node "{node.id}": {_source_prefix(d, workspace, ref)}{d.message}',
                                        d.severity, where))
            continue
        if ref.package_key not in imported:
            diags.append(Diagnostic(
                "not_imported",
                f'node "{node.id}": package "{ref.package_key}" is not in the flow\'s imports; import it into the Library',
                Severity.WARNING, where,
            ))

    _check_disabled(flow, a, diags)
    _check_approvals(flow, a, diags)
    _check_mutations(flow, a, diags)
    known = {n.id for n in flow.nodes}
    # -- edges -------------------------------------------------------------------------------
    from axiom_ide.runtime.typecheck import check_edge

    # A join's destination fields may come from different incoming edges: a required field is
    # unmapped only if no incoming forward edge maps it (or passes its whole message through).
    covered: dict[str, set[str]] = {}
    for edge in flow.forward_edges():
        fields = covered.setdefault(edge.dst, set())
        if edge.map is not None:
            fields.update(edge.map)
        else:
            fields.add("*")

    for edge in flow.edges:
        where = Location(edge=edge.key)
        label = f'edge "{edge.src}" → "{edge.dst}"'
        missing = [n for n in (edge.src, edge.dst) if n not in known]
        if missing:
            diags.append(Diagnostic("unknown_node", f'{label} references unknown node "{missing[0]}"', Severity.ERROR, where))
            continue
        if edge.src == edge.dst and not edge.is_loop:
            diags.append(Diagnostic("self_edge", f"{label}: a node cannot feed itself; use a loop edge (loop: N)", Severity.ERROR, where))
        if edge.loop is not None and edge.loop < 1:
            diags.append(Diagnostic("invalid_loop", f"{label}: loop (max iterations) must be a positive integer", Severity.ERROR, where))
        src, dst = a.nodes.get(edge.src), a.nodes.get(edge.dst)
        if edge.when is not None:  # against the source's message when it resolved
            _check_condition(edge, label, where, diags, getattr(src, "output_type", None))
        if src is None or dst is None:
            continue
        if _is_pipeline(src) and not _is_pipeline(dst):
            diags.append(Diagnostic("pipeline_edge", f"{label}: {PIPELINE_EDGE_ERROR}", Severity.ERROR, where))
        if src.output_type is None or dst.input_type is None:
            continue
        check = check_edge(src.output_type, dst.input_type, edge.map)
        if not edge.is_loop:
            check = without_joined(check, covered.get(edge.dst, set()) - set(edge.map or ()))
        a.edge_checks[edge.key] = check
        for issue in check.issues:
            field_part = f" field `{issue.dst_field}`:" if issue.dst_field else ":"
            diags.append(Diagnostic(
                f"type_{issue.kind}",
                f"{label}{field_part} {issue.message}",
                Severity.WARNING,
                Location(edge=edge.key, path=issue.dst_field),
            ))

    from axiom_ide.runtime.compiler.compensation import check_compensations, compensation_nodes

    check_compensations(flow, a)
    _check_topology(flow, a, known - set(compensation_nodes(flow)))

    pipeline_nodes = [nid for nid, spec in a.nodes.items() if spec is not None and _is_pipeline(spec)]
    a.mode = "pipeline" if pipeline_nodes else (flow.mode or "unary")
    if flow.mode == "pipeline" and not pipeline_nodes and flow.nodes:
        a.mode = "pipeline"
    a.diagnostics.sort(key=lambda d: 0 if d.severity is Severity.ERROR else 1)
    return a


def joined_elsewhere(flow: Flow, edge: FlowEdge) -> set[str]:
    """The destination fields the *other* forward edges into ``edge.dst`` supply (``"*"`` when one
    passes its whole message through) — what a join's other inputs fill in for this edge."""
    out: set[str] = set()
    for other in flow.forward_edges():
        if other.dst == edge.dst and other.key != edge.key:
            out.update(other.map if other.map is not None else ("*",))
    return out


def without_joined(check: EdgeCheck, covered: set[str]) -> EdgeCheck:
    """``check`` without "Required field is not mapped" for fields another edge into the same join
    maps (``covered``, from :func:`joined_elsewhere`): the flow gets them, so they are no problem."""
    kept = [issue for issue in check.issues
            if not (issue.kind == "required_unmapped" and {issue.dst_field, "*"} & covered)]
    return check if len(kept) == len(check.issues) else replace(check, issues=kept)


def _check_condition(edge: FlowEdge, label: str, where: Location, diags: list[Diagnostic],
                     output_type: Any = None) -> None:
    from axiom_ide.runtime.conditions import ConditionError, compile_condition

    try:
        compile_condition(edge.when or "", output_type)
    except ConditionError as exc:
        diags.append(Diagnostic("invalid_condition", f"{label}: invalid condition: {exc}", Severity.ERROR, where))


def _resolve_subflow(name, node_id, workspace, flow_resolver, stack, diags):
    where = Location(node=node_id)
    if name in stack:
        chain = " → ".join(stack + (name,))
        diags.append(Diagnostic("subflow_cycle", f'node "{node_id}": subflow cycle: {chain}', Severity.ERROR, where))
        return None
    try:
        sub = flow_resolver(name) if flow_resolver else None
    except AxiomError as exc:  # a resolver that knows why (a marketplace flow with no local copy)
        diags.append(Diagnostic(exc.diagnostics[0].code, f'node "{node_id}": {exc.message}', Severity.ERROR, where))
        return None
    if sub is None:
        diags.append(Diagnostic("unknown_flow", f'node "{node_id}": unknown subflow "flow:{name}"', Severity.ERROR, where))
        return None
    inner = analyze_flow(sub, workspace, flow_resolver=flow_resolver, _stack=stack)
    blockers = inner.compile_blockers()
    if blockers:  # a subflow that would not compile on its own cannot compile inside another
        first = blockers[0].message
        diags.append(Diagnostic("subflow_invalid", f'node "{node_id}": subflow "{name}" does not compile: {first}', Severity.ERROR, where))
        return None
    gated = [n.id for n in sub.nodes if n.approval is not None]
    if gated:  # the engine gates the top-level run only (runtime/engine/hitl.py)
        diags.append(Diagnostic("approval_in_subflow", f'node "{node_id}": subflow "{name}" has approval gates '
                                f'({", ".join(gated)}) that do not pause inside a subflow; put the approval on '
                                f'node "{node_id}"', Severity.WARNING, where))
    return SubflowSpec(name, inner)


def _check_topology(flow: Flow, a: Analysis, known: set[str]) -> None:
    diags = a.diagnostics
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(n.id for n in flow.nodes if n.id in known)
    for e in flow.forward_edges():
        if e.src in known and e.dst in known and e.src != e.dst:
            graph.add_edge(e.src, e.dst)
    order = {n.id: i for i, n in enumerate(flow.nodes)}
    starts = sorted((n for n in graph if graph.in_degree(n) == 0), key=order.__getitem__)
    ends = sorted((n for n in graph if graph.out_degree(n) == 0), key=order.__getitem__)
    if len(starts) != 1:
        detail = f"found {len(starts)}: {', '.join(starts)}" if starts else "found none"
        diags.append(Diagnostic("start_nodes", START_NODE_ERROR, Severity.ERROR,
                                Location(node=starts[1] if len(starts) > 1 else None, path=detail)))
    else:
        a.entry = starts[0]
    if len(ends) != 1:
        detail = f"found {len(ends)}: {', '.join(ends)}" if ends else "found none"
        diags.append(Diagnostic("terminal_nodes", TERMINAL_NODE_ERROR, Severity.ERROR,
                                Location(node=ends[1] if len(ends) > 1 else None, path=detail)))
    else:
        a.terminal = ends[0]
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        cycle = None
    if cycle:
        path = " → ".join([cycle[0][0]] + [dst for _, dst in cycle])
        diags.append(Diagnostic(
            "cycle",
            f"graph has a cycle: {path}; make the edge back a loop edge (loop: N)",
            Severity.ERROR,
            Location(edge=(cycle[-1][0], cycle[-1][1])),
        ))
    if a.entry is not None:
        reachable = nx.descendants(graph, a.entry) | {a.entry}
        for n in flow.nodes:
            if n.id not in reachable and n.id in known:
                diags.append(Diagnostic(
                    "unreachable",
                    f'node "{n.id}" is not reachable from the start node "{a.entry}"',
                    Severity.ERROR,
                    Location(node=n.id),
                ))
    # A loop edge must point back to a node that runs before its source.
    for e in flow.edges:
        if e.is_loop and e.src in graph and e.dst in graph and e.src != e.dst:
            if e.dst not in nx.ancestors(graph, e.src):
                diags.append(Diagnostic(
                    "loop_forward",
                    f'loop edge "{e.src}" → "{e.dst}" must point back to a node upstream of "{e.src}"',
                    Severity.ERROR,
                    Location(edge=e.key),
                ))
