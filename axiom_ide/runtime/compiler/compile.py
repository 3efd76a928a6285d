"""compile = analyze + freeze: an immutable :class:`Artifact` with a new ULID.

Compiling never touches the source flow (STYLE.md rule 6). Errors and type warnings (a type
mismatch, a required destination field left unmapped — what disables the editor's Run button)
raise :class:`AxiomError` carrying every such diagnostic as an error, so ``flow compile``,
``flow run FILE``, ``POST /api/compile`` and the IDE's Run / Use via API refuse alike; other
warnings travel on the artifact and are printed by the CLI.
"""
from __future__ import annotations

import time
from typing import Any

from google.protobuf import descriptor_pb2
from ulid import ULID

from axiom_ide.runtime.compiler.analyze import Analysis, SubflowSpec, analyze_flow
from axiom_ide.runtime.compiler.artifact import Artifact, ArtifactEdge, ArtifactNode
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow import Flow


def new_graph_id() -> str:
    return str(ULID())


def compile_flow(flow: Flow, workspace: Any, *, flow_resolver=None, store=None) -> tuple[Artifact, Analysis]:
    """Compile ``flow``; store the artifact when ``store`` (an ArtifactStore) is given."""
    analysis = analyze_flow(flow, workspace, flow_resolver=flow_resolver)
    blockers = analysis.compile_blockers()
    if blockers:
        raise AxiomError(blockers)
    artifact = freeze(analysis)
    if store is not None:
        _store_tree(store, artifact)
    return artifact, analysis


def _store_tree(store, artifact: Artifact) -> None:
    store.put(artifact)


def freeze(analysis: Analysis) -> Artifact:
    flow = analysis.flow
    nodes: list[ArtifactNode] = []
    files: dict[str, dict[str, bytes]] = {}
    for instance, node in enumerate(flow.nodes, start=1):
        spec = analysis.nodes[node.id]
        if isinstance(spec, SubflowSpec):
            sub = freeze(spec.analysis)
            nodes.append(ArtifactNode(
                id=node.id, instance=instance, ref=node.node, kind="subflow", name=spec.name,
                input_type=sub.input_type, output_type=sub.output_type, subflow=sub,
                compensate=node.compensate,
            ))
            for key, blob in sub.descriptor_sets:
                fds = descriptor_pb2.FileDescriptorSet.FromString(blob)
                bucket = files.setdefault(key, {})
                for f in fds.file:
                    bucket.setdefault(f.name, f.SerializeToString())
            continue
        key = f"{spec.package}@{spec.version}"
        _collect_files(spec.input_type, files.setdefault(key, {}))
        _collect_files(spec.output_type, files[key])
        nodes.append(ArtifactNode(
            id=node.id,
            instance=instance,
            ref=node.node,
            kind=spec.kind,
            package=spec.package,
            version=spec.version,
            name=spec.name,
            input_type=spec.input_type.full_name,
            output_type=spec.output_type.full_name,
            handler=spec.handler,
            package_root=str(spec.package_root),
            required_secrets=tuple(spec.required_secrets),
            mutation_capable=bool(getattr(spec, "mutation_capable", False)),
            disabled=node.disabled,
            approval=_approval(node.approval),
            compensate=node.compensate,
        ))
    edges: list[ArtifactEdge] = []
    loops: list[ArtifactEdge] = []
    for e in flow.edges:
        frozen = ArtifactEdge(e.src, e.dst, tuple(e.map.items()) if e.map is not None else None, e.when, e.loop)
        (loops if e.is_loop else edges).append(frozen)
    incoming: dict[str, int] = {}
    for ae in edges:
        incoming[ae.dst] = incoming.get(ae.dst, 0) + 1
    joins = tuple(
        (node_id, str((flow.join.get(node_id) or {}).get("on_failure", "abort")))
        for node_id in (n.id for n in flow.nodes) if incoming.get(node_id, 0) > 1
    )
    descriptor_sets = []
    for key in sorted(files):
        fds = descriptor_pb2.FileDescriptorSet()
        for blob in files[key].values():
            fds.file.add().MergeFromString(blob)
        descriptor_sets.append((key, fds.SerializeToString()))
    entry = analysis.entry or ""
    terminal = analysis.terminal or ""
    return Artifact(
        graph_id=new_graph_id(),
        flow_name=flow.name,
        mode=analysis.mode,
        entry=entry,
        terminal=terminal,
        nodes=tuple(nodes),
        edges=tuple(edges),
        loop_edges=tuple(loops),
        joins=joins,
        input_type=_type_name(analysis.input_type),
        output_type=_type_name(analysis.output_type),
        descriptor_sets=tuple(descriptor_sets),
        source=flow.to_plain(),
        created_at=time.time(),
        warnings=tuple(d.render() for d in analysis.warnings),
    )


def _type_name(desc: Any) -> str:
    if desc is None:
        return ""
    return desc if isinstance(desc, str) else desc.full_name


def _collect_files(desc: Any, out: dict[str, bytes]) -> None:
    """Add the file defining ``desc`` and its dependencies (dependencies first)."""
    def visit(fd: Any) -> None:
        if fd.name in out:
            return
        for dep in fd.dependencies:
            visit(dep)
        proto = descriptor_pb2.FileDescriptorProto()
        fd.CopyToProto(proto)
        out[fd.name] = proto.SerializeToString()

    visit(desc.file)


def _approval(raw: Any) -> dict[str, Any] | None:
    """A node's ``approval:`` as the artifact keeps it (validate reported a malformed one)."""
    if raw is None:
        return None
    from axiom_ide.runtime.model.approval import parse_approval

    approval, _ = parse_approval(raw)
    return approval.to_json() if approval is not None else None
