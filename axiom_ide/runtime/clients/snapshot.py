"""A version's frozen snapshot of a client's members.

For a node member: its package, version, node name, mode and input/output message types; for a
flow member: the flow compiled now (the artifact is stored for the tenant, so the SDK's
``graph_id`` stays valid however the flow changes later), its mode and types. ``descriptor_sets``
holds, per package key, a serialized FileDescriptorSet (base64) with every file the members' types
need — what the SDK generators build real protobuf types from.
"""
from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2

from axiom_ide.runtime.clients.model import Member
from axiom_ide.runtime.errors import AxiomError

#: Where a workspace keeps its flows.
FLOWS_DIR = "flows"


def flow_file(workspace: Any, name: str) -> Path:
    return Path(workspace.root) / FLOWS_DIR / f"{name}.flow.yaml"


def node_member(target: str, alias: str = "") -> Member:
    """``owner/pkg@version:Node`` as a member (the ref checked for shape, not yet resolved)."""
    from axiom_ide.runtime.clients.model import default_alias
    from axiom_ide.runtime.model.refs import RefError, parse_node_ref

    try:
        ref = parse_node_ref((target or "").strip())
    except RefError as exc:
        raise AxiomError.of("invalid_member", str(exc)) from None
    if ref.is_subflow:
        raise AxiomError.of("invalid_member", f'"{target}" is a flow; add it with --flow')
    text = f"{ref.package_key}:{ref.node}"
    return Member("node", text, alias or default_alias(ref.node))


def flow_member(name: str, alias: str = "") -> Member:
    from axiom_ide.runtime.clients.model import default_alias

    name = (name or "").strip()
    if not name:
        raise AxiomError.of("invalid_member", "a flow name is required")
    return Member("flow", name, alias or default_alias(name))


def check_member(member: Member, workspace: Any, latest_artifact: Callable[[str], Any]) -> None:
    """Raise a precise ``unknown_*`` error when the member names nothing that exists."""
    if member.kind == "node":
        from axiom_ide.runtime.model.refs import parse_node_ref

        workspace.resolve(parse_node_ref(member.target))
    elif not flow_file(workspace, member.target).is_file() and latest_artifact(member.target) is None:
        raise AxiomError.of("unknown_flow", f'flow "{member.target}" not found: no {FLOWS_DIR}/{member.target}.flow.yaml '
                            "in the workspace and no compiled flow of that name")


def _files(desc: Any, out: dict[str, bytes]) -> None:
    from axiom_ide.runtime.compiler.compile import _collect_files

    _collect_files(desc, out)


def _type(package_key: str, full_name: str) -> dict[str, str]:
    return {"package": package_key, "type": full_name}


def take(members: list[Member] | tuple[Member, ...], workspace: Any, store_artifact: Callable[[Any], None],
         latest_artifact: Callable[[str], Any], *, client: str, flow_resolver: Any = None) -> dict[str, Any]:
    """The snapshot of ``members`` now (raises the resolver's or compiler's error, naming the member).

    A flow member's ``flow:<x>`` subflows resolve with ``flow_resolver`` — the one the compile route
    uses (the server's: workspace flows by name, ``flow:<artifact id>`` among the tenant's and the
    published artifacts); None is the compiler's default, the workspace's flows by name and its
    marketplace copies (a local workspace)."""
    from axiom_ide.runtime.model.refs import parse_node_ref

    if not members:
        raise AxiomError.of("empty_client", f'client "{client}" has no members; add nodes or flows first')
    files: dict[str, dict[str, bytes]] = {}
    out: list[dict[str, Any]] = []
    for m in members:
        try:
            if m.kind == "node":
                spec = workspace.resolve(parse_node_ref(m.target))
                key = f"{spec.package}@{spec.version}"
                _files(spec.input_type, files.setdefault(key, {}))
                _files(spec.output_type, files[key])
                out.append({"kind": "node", "alias": m.alias, "target": m.target, "package": spec.package,
                            "version": spec.version, "node": spec.name, "mode": spec.kind,
                            "description": spec.description,
                            "input": _type(key, spec.input_type.full_name),
                            "output": _type(key, spec.output_type.full_name)})
            else:
                artifact = _flow_artifact(m.target, workspace, store_artifact, latest_artifact, flow_resolver)
                for key, blob in artifact.descriptor_sets:
                    bucket = files.setdefault(key, {})
                    for f in descriptor_pb2.FileDescriptorSet.FromString(blob).file:
                        bucket.setdefault(f.name, f.SerializeToString())
                out.append({"kind": "flow", "alias": m.alias, "target": m.target, "flow": artifact.flow_name,
                            "graph_id": artifact.graph_id, "mode": artifact.mode,
                            "description": str(artifact.source.get("description") or ""),
                            "input": _type(_key_of(artifact, artifact.input_type), artifact.input_type),
                            "output": _type(_key_of(artifact, artifact.output_type), artifact.output_type)})
        except AxiomError as exc:
            first = exc.diagnostics[0].message if exc.diagnostics else str(exc)
            raise AxiomError.of("member_error", f'member "{m.alias}" ({m.kind} {m.target}): {first}') from None
    sets = {}
    for key in sorted(files):
        fds = descriptor_pb2.FileDescriptorSet()
        for blob in files[key].values():
            fds.file.add().MergeFromString(blob)
        sets[key] = base64.b64encode(fds.SerializeToString()).decode("ascii")
    return {"client": client, "members": out, "descriptor_sets": sets}


def _flow_artifact(name: str, workspace: Any, store_artifact: Callable[[Any], None],
                   latest_artifact: Callable[[str], Any], flow_resolver: Any = None) -> Any:
    path = flow_file(workspace, name)
    if path.is_file():
        from axiom_ide.runtime.compiler.compile import compile_flow
        from axiom_ide.runtime.model.flow_yaml import load_flow

        artifact, _ = compile_flow(load_flow(path).flow, workspace, flow_resolver=flow_resolver)
        store_artifact(artifact)
        return artifact
    artifact = latest_artifact(name)
    if artifact is None:
        raise AxiomError.of("unknown_flow", f'flow "{name}" not found')
    return artifact


def _key_of(artifact: Any, full_name: str) -> str:
    """The package key whose descriptor set defines ``full_name``."""
    for key, blob in artifact.descriptor_sets:
        for f in descriptor_pb2.FileDescriptorSet.FromString(blob).file:
            prefix = f"{f.package}." if f.package else ""
            if any(prefix + m.name == full_name for m in f.message_type):
                return str(key)
    return ""


def message_classes(snapshot: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """(package key, full name) → a protobuf message class, for every member type (tests, checks)."""
    from google.protobuf import descriptor_pool, message_factory

    pools = {}
    for key, b64 in snapshot["descriptor_sets"].items():
        pool = descriptor_pool.DescriptorPool()
        for f in descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(b64)).file:
            pool.Add(f)
        pools[key] = pool
    out = {}
    for m in snapshot["members"]:
        for t in (m["input"], m["output"]):
            out[(t["package"], t["type"])] = message_factory.GetMessageClass(
                pools[t["package"]].FindMessageTypeByName(t["type"]))
    return out
