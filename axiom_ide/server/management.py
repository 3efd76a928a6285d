"""Management routes the IDE and the CLI need, under ``/api/``: compile, flows, graphs, packages.

- ``POST /api/compile`` — compile a workspace flow (``{"flow": "<name>"}`` or
  ``{"file": "flows/x.flow.yaml"}``, relative to the workspace) or a posted document
  (``{"source": "<flow.yaml text>", "filename": "x.flow.yaml"}``, or the YAML itself as the body
  with a ``yaml`` content type). 201 with the artifact's ``graph_id`` (as ``flow compile --json``
  prints it); 400 ``{"error": "compile_failed", "message", "diagnostics"}`` where every diagnostic
  carries ``text`` = ``file:line:col: error: message``. The artifact is stored for the caller's
  tenant; no other tenant can see or run it.
- ``GET /api/flows`` — the workspace's flows and the caller's compiled-only flows, each with its
  latest artifact for the caller; ``GET /api/flows/{name}/artifacts`` — that flow's artifacts.
- ``GET /api/graphs/{graph_id}`` — one of the caller's artifacts (summary, nodes and the flow
  document as compiled, for ``flow pull``), or a published flow of any tenant's.
- ``GET /api/packages`` — the workspace's packages and their nodes (from each axiom.yaml), then the
  registry's packages the caller sees (its pushes, every published version), each with its
  ``visibility``, ``pushed_at`` / ``published_at`` and ``deploy_status`` (``package_listing.py``).
  Needs no key: without one, the workspace's packages and the published versions — never a push.
  (The workspace is the server's, shared by every tenant, and its packages' specs and docs pages
  are public: the listing shows what those routes serve. Its ``problems`` name server files: keyed
  callers only.)

Secrets, configs, keys and memory are in :mod:`axiom_ide.server.management_tenant`. Errors are
``{"error": "<thing> not found"}`` (404, also for another tenant's ids) or
``{"error": "invalid_argument", "message": ...}`` (400).
"""
from __future__ import annotations

import asyncio
import dataclasses
import os
import weakref
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import ConfigDict, Field, model_validator

from axiom_ide.runtime.errors import AxiomError, Diagnostic, envelope_extras, has_errors
from axiom_ide.server import management_models as models
from axiom_ide.server.app import STATE, TENANT, caller_tenant, key_optional
from axiom_ide.server.envelope import body_bytes, json_response
from axiom_ide.server.management_spec import RESPONSES, path_param
from axiom_ide.server.response_models import respond
from axiom_ide.server.routes import Body, Query, RouteTable

#: Directories never searched for flow files (as the package scan skips them).
_SKIP_DIRS = frozenset({".venv", "venv", "node_modules", "gen", "imports", "__pycache__"})
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class BadArgument(Exception):
    """400 ``{"error": "invalid_argument", "message": str(exc)}``."""


def bad_argument(message: str) -> web.Response:
    return json_response({"error": "invalid_argument", "message": message}, status=400)


def not_found(thing: str) -> web.Response:
    return json_response({"error": f"{thing} not found"}, status=404)


def ms(t: float | None) -> int | None:
    return int(t * 1000) if t is not None else None


# -- the workspace -----------------------------------------------------------------------------------
class _WorkspaceHandle:
    """The app's Workspace, rescanned before each use; one user at a time (compiles run in a thread)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.lock = asyncio.Lock()
        self._workspace: Any = None

    def get(self) -> Any:
        from axiom_ide.runtime.packages import Workspace

        if self.root is None:
            raise BadArgument("this server has no workspace to compile against")
        if self._workspace is None:
            self._workspace = Workspace(self.root)
        else:
            self._workspace.refresh()
        return self._workspace


_WORKSPACES: weakref.WeakKeyDictionary[web.Application, _WorkspaceHandle] = weakref.WeakKeyDictionary()


def workspace_handle(app: web.Application) -> _WorkspaceHandle:
    handle = _WORKSPACES.get(app)
    if handle is None:
        handle = _WORKSPACES[app] = _WorkspaceHandle(app[STATE].workspace)
    return handle


def flow_files(root: Path | None) -> list[Path]:
    """``*.flow.yaml`` under the workspace (hidden and generated directories skipped), sorted."""
    if root is None or not root.is_dir():
        return []
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in _SKIP_DIRS)
        found += [Path(dirpath) / f for f in filenames if f.endswith(".flow.yaml")]
    return sorted(found)


def _read_flow_name(path: Path) -> tuple[str | None, dict[str, Any]]:
    """(the file's ``name:``, its description/mode), or (None, {"error": ...}) when unreadable."""
    from axiom_ide.runtime.model.flow_yaml import load_flow

    try:
        flow = load_flow(path, fast=True).flow
    except AxiomError as exc:
        return None, {"error": exc.diagnostics[0].render()}
    return flow.name, {"description": flow.description or "", "mode": flow.mode}


def find_flow_file(root: Path | None, name: str) -> Path | None:
    """The workspace file whose ``name:`` is ``name`` (``<name>.flow.yaml`` files first)."""
    files = flow_files(root)
    for path in sorted(files, key=lambda p: p.name != f"{name}.flow.yaml"):
        if _read_flow_name(path)[0] == name:
            return path
    return None


# -- compile ---------------------------------------------------------------------------------------
def _locate(ff: Any, d: Diagnostic) -> Diagnostic:
    """Give a diagnostic the file:line:col of its node or edge in the document (of ``nodes:`` for a
    graph-level one such as "graph must have exactly one start node")."""
    loc = d.location
    if loc.line is not None or ff is None:
        return d if loc.file or ff is None else dataclasses.replace(d, location=dataclasses.replace(loc, file=_display(ff)))
    key_path: tuple[Any, ...] = ("nodes",)  # a graph-level problem: point at the node list
    if loc.edge is not None:
        for i, e in enumerate(ff.flow.edges):
            if (e.src, e.dst) == tuple(loc.edge):
                key_path = ("edges", i)
                break
    elif loc.node is not None:
        for i, n in enumerate(ff.flow.nodes):
            if n.id == loc.node:
                key_path = ("nodes", i)
                break
    line, column = ff.where(*key_path)
    return dataclasses.replace(d, location=dataclasses.replace(loc, file=_display(ff), line=line, column=column))


def _display(ff: Any) -> str | None:
    """The flow file as diagnostics name it: the display name it was compiled under (a workspace flow's
    path relative to the workspace, ``/``-separated)."""
    return ff.path.as_posix() if ff.path is not None else None


def _workspace_relative(root: Path | None, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Every file a compile names (the flow's, a package's) as the workspace's user reads it: never
    the server's absolute paths."""
    return list(diagnostics) if root is None else [d.relative_to(root) for d in diagnostics]


def diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {**d.to_json(), "text": d.render()}


def compile_failed(diagnostics: list[Diagnostic]) -> web.Response:
    errors = [d for d in diagnostics if d.is_error] or diagnostics
    return respond(models.CompileFailed, {"error": "compile_failed", "message": errors[0].render(),
                          "diagnostics": [diagnostic_json(d) for d in diagnostics],
                          **{k: v for k, v in envelope_extras(errors[0]).items() if k != "code"}}, status=400)


def _compile_text(workspace: Any, text: str, display: str, flow_resolver: Any = None) -> tuple[Any, list[Diagnostic]]:
    """(artifact, warnings) — or raises AxiomError whose diagnostics carry file:line:col."""
    from axiom_ide.runtime.compiler.compile import compile_flow
    from axiom_ide.runtime.model.flow_yaml import loads_flow
    from axiom_ide.runtime.model.validate import validate_flow_file

    ff = loads_flow(text, display)  # yaml_syntax errors are located already
    checks = validate_flow_file(ff)
    if has_errors(checks):
        raise AxiomError([_locate(ff, d) for d in checks])
    try:
        artifact, analysis = compile_flow(ff.flow, workspace, flow_resolver=flow_resolver)
    except AxiomError as exc:
        raise AxiomError([_locate(ff, d) for d in exc.diagnostics]) from None
    return artifact, [_locate(ff, d) for d in list(checks) + list(analysis.warnings)]


_SEND_ONE = ('send one of "flow" (a workspace flow name), "file" (a path in the workspace) or '
             '"source" (flow.yaml text)')


class CompileRequest(Body):
    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={
        "anyOf": [{"required": ["flow"]}, {"required": ["file"]}, {"required": ["source"]}],
        "description": "One of flow, file or source (source wins, then file)."})
    flow: str = Field(None, description="a workspace flow's name")  # type: ignore[assignment]
    file: str = Field(None, description="a flow file's path relative to the workspace")  # type: ignore[assignment]
    source: str = Field(None, description="flow.yaml text")  # type: ignore[assignment]
    filename: str = Field(None, description="the file name diagnostics use for `source` (default flow.yaml)")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one(self) -> CompileRequest:
        if self.flow is None and self.file is None and self.source is None:
            raise ValueError(_SEND_ONE)
        return self


class CompileQuery(Query):
    filename: str | None = Field(None, description="With a YAML body: the file name diagnostics use.")


def _compile_source(request: web.Request, body: CompileRequest | None, query: CompileQuery) -> tuple[str, str]:
    """(flow.yaml text, the file name diagnostics use) from the request."""
    root = request.app[STATE].workspace
    if body is None:  # a YAML body
        try:
            return body_bytes(request).decode("utf-8"), query.filename or "flow.yaml"
        except UnicodeDecodeError:
            raise BadArgument("the flow document is not UTF-8") from None
    if body.source is not None:
        return body.source, body.filename or "flow.yaml"
    if body.file is not None:
        if root is None:
            raise BadArgument("this server has no workspace to read files from")
        try:
            path = (root / body.file).resolve()
            if not path.is_relative_to(root.resolve()) or not path.is_file():
                raise BadArgument(f'no flow file "{body.file}" in the workspace')
            return path.read_text(encoding="utf-8"), body.file
        except (OSError, ValueError) as exc:  # a NUL in the path, unreadable, not UTF-8
            raise BadArgument(f'cannot read flow file "{body.file}": {exc}') from None
    path = find_flow_file(root, body.flow)
    if path is None:
        raise BadArgument(f'no flow named "{body.flow}" in the workspace')
    return path.read_text(encoding="utf-8"), path.relative_to(root).as_posix()


ROUTES = RouteTable(invalid=bad_argument, bad_json=lambda detail: bad_argument(f"request body is not valid JSON: {detail}"),
                    not_an_object="request body must be a JSON object", tags=["management"])


@ROUTES.route("POST", "/api/compile", body=CompileRequest, query=CompileQuery, responses=RESPONSES[("POST", "/api/compile")],
              extra_content={t: {"schema": {"type": "string", "description": "flow.yaml text"}} for t in _YAML_TYPES})
async def compile_route(request: web.Request, body: CompileRequest | None, query: CompileQuery) -> web.Response:
    """Compile a workspace flow or a posted flow.yaml into an artifact of the caller's tenant."""
    from axiom_ide.server.registry_state import compile_workspace, flow_resolver

    try:
        text, display = _compile_source(request, body, query)
    except BadArgument as exc:
        return bad_argument(str(exc))
    handle = workspace_handle(request.app)
    async with handle.lock:
        try:
            artifact, warnings = await asyncio.to_thread(lambda: _compile_text(
                compile_workspace(request.app, request[TENANT], handle), text, display,  # + the registry's
                flow_resolver(request.app, request[TENANT], handle.root)))  # + marketplace flows
        except AxiomError as exc:
            return compile_failed(_workspace_relative(handle.root, exc.diagnostics))
        except BadArgument as exc:
            return bad_argument(str(exc))
    warnings = _workspace_relative(handle.root, warnings)
    request.app[STATE].runtime.store_artifact(artifact, tenant_id=request[TENANT])
    return respond(models.Compiled, {
        "ok": True, "graph_id": artifact.graph_id, "flow": artifact.flow_name, "mode": artifact.mode,
        "entry": artifact.entry, "terminal": artifact.terminal, "input_type": artifact.input_type,
        "output_type": artifact.output_type, "created_at": ms(artifact.created_at),
        "warnings": [diagnostic_json(d) for d in warnings]}, status=201)


# -- flows and graphs ------------------------------------------------------------------------------
def _artifact_row(row: dict[str, Any]) -> dict[str, Any]:
    return {"graph_id": row["graph_id"], "flow": row["flow_name"], "mode": row["mode"],
            "created_at": ms(row["created_at"])}


@ROUTES.route("GET", "/api/flows", responses=RESPONSES[("GET", "/api/flows")])
async def list_flows(request: web.Request) -> web.Response:
    """The workspace's flows and the caller's compiled-only flows, each with its latest artifact."""
    state = request.app[STATE]
    tenant = request[TENANT]
    runtime = state.runtime
    root = state.workspace
    flows: dict[str, dict[str, Any]] = {}
    problems = []
    for path in flow_files(root):
        assert root is not None  # flow_files found files under it
        name, info = _read_flow_name(path)
        rel = str(path.relative_to(root))
        if name is None:
            problems.append({"file": rel, **info})
            continue
        flows.setdefault(name, {"name": name, "file": rel, **info})
    for row in runtime.list_artifacts(limit=10_000, tenant_id=tenant):
        flows.setdefault(row["flow_name"], {"name": row["flow_name"], "file": None, "description": "",
                                            "mode": row["mode"]})
    out = []
    for name in sorted(flows):
        latest = runtime.list_artifacts(name, limit=1, tenant_id=tenant)
        out.append({**flows[name], "latest_artifact": _artifact_row(latest[0]) if latest else None})
    return respond(models.Flows, {"flows": out, "problems": problems})


@ROUTES.route("GET", "/api/flows/{name}/artifacts", parameters=[path_param("name", "The flow's name")], responses=RESPONSES[("GET", "/api/flows/{name}/artifacts")])
async def list_flow_artifacts(request: web.Request) -> web.Response:
    """One flow's artifacts compiled by the caller, newest first."""
    rows = request.app[STATE].runtime.list_artifacts(request.match_info["name"], limit=1000,
                                                      tenant_id=request[TENANT])
    return respond(models.Artifacts, {"flow": request.match_info["name"], "artifacts": [_artifact_row(r) for r in rows]})


@ROUTES.route("GET", "/api/graphs/{graph_id}", parameters=[path_param("graph_id", "The artifact's 26-character ULID")], responses=RESPONSES[("GET", "/api/graphs/{graph_id}")])
async def get_graph(request: web.Request) -> web.Response:
    """One of the caller's compiled artifacts: summary, nodes and the flow document as compiled."""
    from axiom_ide.server.registry_state import published_artifact

    try:
        a = request.app[STATE].runtime.artifact(request.match_info["graph_id"], tenant_id=request[TENANT])
    except AxiomError:
        a = published_artifact(request.app, request.match_info["graph_id"])  # a published flow: any tenant's
        if a is None:
            return not_found("graph")
    return respond(models.Graph, {
        "graph_id": a.graph_id, "flow": a.flow_name, "mode": a.mode, "entry": a.entry, "terminal": a.terminal,
        "input_type": a.input_type, "output_type": a.output_type, "created_at": ms(a.created_at),
        "warnings": list(a.warnings),
        "nodes": [{"id": n.id, "node": n.ref, "kind": n.kind, "input_type": n.input_type,
                   "output_type": n.output_type} for n in a.nodes],
        "source": a.source})


# -- packages --------------------------------------------------------------------------------------
@ROUTES.route("GET", "/api/packages", responses=RESPONSES[("GET", "/api/packages")])
@key_optional
async def list_packages(request: web.Request) -> web.Response:
    """The workspace's packages with their nodes, as their axiom.yaml files declare them, then the
    registry's the caller sees (without a key: no push, what ``axiom-ide search`` / ``info`` show
    logged out)."""
    from axiom_ide.server.package_listing import package_row
    from axiom_ide.server.registry_state import package_rows

    handle = workspace_handle(request.app)
    packages: list[dict[str, Any]] = []
    problems: list[str] = []
    tenant = caller_tenant(request)
    if handle.root is not None:  # public like its specs and docs pages; its problems name server files
        async with handle.lock:
            ws = await asyncio.to_thread(handle.get)
            packages = await asyncio.to_thread(lambda: [package_row(p) for _, p in sorted(ws.packages.items())])
            # not the server's paths; and only to a caller with a key
            problems = [d.relative_to(handle.root).render() for d in ws.problems] if tenant is not None else []
    # then what the caller pushed and what is published (registry_routes.py)
    seen = {p["key"] for p in packages}
    rows = await asyncio.to_thread(lambda: [package_row(p, e) for e, p in package_rows(request.app, tenant, seen)])
    packages += rows
    return respond(models.Packages, {"packages": packages, "problems": problems})


def setup(app: web.Application) -> None:
    from axiom_ide.server import management_tenant, usage_routes

    ROUTES.setup(app)
    management_tenant.setup(app)
    usage_routes.setup(app)


OPERATIONS = ROUTES.operations()
