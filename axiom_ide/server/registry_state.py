"""The app's :class:`~axiom_ide.runtime.registry.store.Registry` (``registry(app)``), made when the app is set
up, in the runtime's data dir with the node hosts' sandbox (so a push's tests run as confined as its
nodes). Shared by the registry routes, the single-node routes (pushed nodes are invocable),
``GET /api/packages`` (pushed and published packages are listed) and ``POST /api/compile`` (flows
compile against them)."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from axiom_ide.runtime.registry.store import Registry
from axiom_ide.server.app import STATE

REGISTRY = web.AppKey("axiom_registry", Registry)


def setup(app: web.Application) -> None:
    """Called by the registry routes' ``setup`` (before the app starts)."""
    runtime = app[STATE].runtime
    app[REGISTRY] = Registry(runtime.data_dir, sandbox=getattr(runtime.invoker, "sandbox", None))


def registry(app: web.Application) -> Registry:
    return app[REGISTRY]


def listing_row(reg: Registry, tenant: str | None, entry: Any) -> dict[str, Any]:
    """``GET /api/registry/packages``' row of ``entry``: the stored record, then what its manifest
    declares (description, language, tags, nodes), the messages its protos define and its deploy
    status (``package_listing.py``, as ``GET /api/packages`` says it). A damaged stored tree is
    listed with its record and a failed deploy, never hiding the others."""
    from axiom_ide.runtime.registry.store import proto_files
    from axiom_ide.server.package_listing import FAILED, stored_status
    from axiom_ide.server.registry_models import millis

    row: dict[str, Any] = {"name": entry.name, "version": entry.version, "key": entry.key,
                           "visibility": entry.visibility, "commit": entry.commit,
                           "pushed_at": millis(entry.pushed_at), "published_at": millis(entry.published_at),
                           "description": "", "language": "", "author": "", "license": "", "tags": [], "nodes": [],
                           "messages": [], "deploy_status": FAILED,
                           "deploy_detail": "its stored package cannot be loaded: push it again"}
    try:
        package = reg.package(tenant, entry)
        manifest = package.manifest
        row.update(description=manifest.description or "", language=manifest.language or "",
                   author=manifest.author or "", license=manifest.license or "", tags=list(manifest.tags),
                   nodes=[{"name": n.name, "type": n.type or "unary", "description": n.description or "",
                           "input": n.input, "output": n.output, "required_secrets": list(n.required_secrets)}
                          for n in manifest.nodes],
                   messages=[name for f in proto_files(package.root) for name in f["messages"]])
        row["deploy_status"], row["deploy_detail"] = stored_status(package, entry)
    except Exception:  # noqa: BLE001 - a damaged stored tree must not hide the others
        pass
    return row


def package_rows(app: web.Application, tenant: str | None, skip: set[str]) -> list[tuple[Any, Any]]:
    """The registry's packages ``tenant`` sees (keys in ``skip`` left out), as (record, loaded
    Package) pairs (``None``, an anonymous caller: the published ones)."""
    reg = registry(app)
    out = []
    for entry in reg.visible(tenant):
        if entry.key in skip:
            continue
        try:
            out.append((entry, reg.package(tenant, entry)))
        except Exception:  # noqa: BLE001 - a damaged stored tree must not hide the others
            continue
    return out


def compile_workspace(app: web.Application, tenant: str, handle: Any) -> Any:
    """What ``POST /api/compile`` compiles ``tenant``'s flows against: the server's workspace
    (``handle.get()`` refuses as before when there is none) plus the tenant's pushes and every
    published package."""
    handle.get()
    return registry(app).workspace(tenant, handle.root)


def published_artifact(app: web.Application, graph_id: str) -> Any:
    """The artifact of a published flow (every tenant may read it: ``flow pull``, fork), else None."""
    from axiom_ide.runtime.errors import AxiomError

    record = registry(app).flow_published(graph_id)
    if record is None:
        return None
    try:
        return app[STATE].runtime.artifact(graph_id, tenant_id=str(record["owner"]))
    except AxiomError:
        return None


def spec_package(request: web.Request, name: str, version: str) -> Any:
    """For the public package spec and docs routes: a published package, or the push of the tenant
    whose key the request carries (a private push is never described to anyone else); else None."""
    reg = registry(request.app)
    entry = reg.public(name, version)
    tenant = ""
    if entry is None:
        header = request.headers.get("Authorization", "")
        key = request.app[STATE].runtime.authenticate(header[7:].strip()) if header[:7].lower() == "bearer " else None
        if key is None:
            return None
        tenant = key.tenant_id
        entry = reg.pushed(tenant, name, version)
    if entry is None:
        return None
    try:
        return reg.package(tenant, entry)
    except Exception:  # noqa: BLE001 - a damaged stored tree is "not found" here
        return None


def flow_resolver(app: web.Application, tenant: str, workspace_root: Any) -> Any:
    """How ``POST /api/compile`` resolves ``flow:<x>`` for ``tenant``: a name among the server's
    workspace flows (as before); an artifact id (``flow:<ULID>``, a marketplace flow) among the
    tenant's own artifacts and every published one — another tenant's unpublished artifact is None,
    exactly like a missing one. The flow document it was compiled from is what compiles inside the
    caller's flow, against the caller's packages (``runtime/compiler/marketplace.py``)."""
    from axiom_ide.runtime.compiler.analyze import workspace_flow_resolver
    from axiom_ide.runtime.errors import AxiomError
    from axiom_ide.runtime.model.flow_yaml import flow_from_tree
    from axiom_ide.runtime.model.refs import is_artifact_id

    by_name = workspace_flow_resolver(workspace_root) if workspace_root is not None else None

    def resolve(name: str) -> Any:
        if not is_artifact_id(name):
            return by_name(name) if by_name is not None else None
        try:
            artifact = app[STATE].runtime.artifact(name, tenant_id=tenant)
        except AxiomError:
            artifact = published_artifact(app, name)
        if artifact is None or not artifact.source:
            return None
        return flow_from_tree(artifact.source)

    return resolve


def foreign_invoke(graph_id: str) -> str:
    """The refusal of a direct invoke of another tenant's published flow."""
    return (f"graph {graph_id} belongs to another tenant: fork it (axiom flow pull {graph_id}, then axiom flow "
            f"compile) or place it as a subflow (node: flow:{graph_id}) in a flow of your own")


def foreign_public_flow(app: web.Application, graph_id: str) -> str | None:
    """For the invoke routes, when ``graph_id`` is not the caller's: the refusal naming what to do
    if it is a published flow (public: no secret to keep), else None (unknown and another tenant's
    private artifact stay indistinguishable)."""
    from axiom_ide.runtime.model.refs import is_artifact_id

    if not is_artifact_id(graph_id) or registry(app).flow_published(graph_id) is None:
        return None
    return foreign_invoke(graph_id)
