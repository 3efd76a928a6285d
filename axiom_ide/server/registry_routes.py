"""The platform registry over HTTP (``axiom-ide push | publish | flow publish | import``).

- ``POST /api/registry/packages`` — push: ``{"repository", "commit", "archive"}`` (base64 tar.gz of
  the package tree at that commit). The server unpacks it, validates, generates and tests it, then
  deploys it for the caller's tenant only: its nodes answer at ``/invocations/v1/nodes/...`` for
  that tenant, and it is listed by ``GET /api/packages``. Pushing the same version again replaces
  it. 201 with the package, its node endpoints and the build ``log`` (with ``Accept:
  text/event-stream``: 200 and the build steps as SSE frames while they happen, then the result or
  the refusal as the last frame; the push completes even if the client leaves); 400 ``push_failed`` /
  ``invalid_archive`` with the failing step's message (nothing is kept); 409 ``already_published``
  for a published version, ``conflict`` for a package of the server's own workspace.
- ``GET /api/registry/packages`` — what the caller sees: its pushes and every published version, each
  with its description, language, author, license, tags, nodes (name, type, input → output),
  messages (those its protos define) and deploy status (as ``GET /api/packages`` says it), most
  recently published first (``registry.store.newest_first``, the order of ``/api/packages``). Needs no
  key (``key_optional``): without one, the published versions only (``axiom search`` logged out).
- ``POST /api/registry/packages/{owner}/{pkg}/{version}/publish`` — the caller's push becomes public
  and immutable (200); a second publish is 409 ``already_published``; 404 when not pushed.
- ``GET /api/registry/packages/{owner}/{pkg}/protos[?version=]`` — the package's .proto files for
  ``import`` (the most recent visible version when omitted); 404 ``package not found``.
- ``POST /api/registry/flows/{graph_id}/publish`` — the caller's compiled flow becomes public
  (200 ``{"artifact_id", "visibility": "public"}``); 409 ``already_published``; 404 ``graph not found``.
- ``GET /api/registry/flows`` — published flows, newest first (needs no key either).
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import Any

from aiohttp import web

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages.node_id import node_id
from axiom_ide.server import registry_models as m
from axiom_ide.server import registry_state
from axiom_ide.server.app import STATE, TENANT, caller_tenant, key_optional
from axiom_ide.server.envelope import json_response
from axiom_ide.server.response_models import ErrorBody, ErrorMessage, content, respond
from axiom_ide.server.routes import RouteTable

_PATH = "/api/registry/packages/{owner}/{pkg}"


def _bad(message: str) -> web.Response:
    return json_response({"error": "invalid_argument", "message": message}, status=400)


ROUTES = RouteTable(invalid=_bad, bad_json=lambda detail: _bad(f"request body is not valid JSON: {detail}"),
                    not_an_object="request body must be a JSON object", tags=["registry"])

_400 = content("The push failed (validation, generate, tests, archive)", m.PushFailed)
_404 = content("Not found (also another tenant's)", ErrorBody)
_409 = content("Already published (immutable), or a name the server's workspace holds", ErrorMessage)


def _param(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


_PKG_PARAMS = [_param("owner", "the package name's scope"), _param("pkg", "the package name after the scope")]


def _error(exc: AxiomError, status: int, **extra: Any) -> web.Response:
    return json_response({"error": exc.diagnostics[0].code, "message": exc.message, **extra}, status=status)


def _package_json(request: web.Request, entry: Any, log: list[str] | None = None) -> dict[str, Any]:
    from axiom_ide.runtime.api_snippets import example_input, shell_quote

    reg = registry_state.registry(request.app)
    origin = request.app[STATE].options.origin
    owner, _, short = entry.name.partition("/")
    base = f"{origin}/invocations/v1/nodes/{owner}/{short}/{entry.version}"
    try:
        specs, _problems = reg.package(request[TENANT], entry).try_nodes()
    except AxiomError:
        specs = []
    nodes = []
    for spec in specs:
        url = f"{base}/{spec.name}"
        body = json.dumps(example_input(spec.input_type), ensure_ascii=False)
        curl = (f"curl {'-N ' if spec.kind == 'pipeline' else ''}-X POST {shell_quote(url)} "
                f"-H \"Authorization: Bearer $AXIOM_API_KEY\" -H 'Content-Type: application/json' -d {shell_quote(body)}")
        nodes.append({"name": spec.name, "node_id": node_id(entry.name, entry.version, spec.name), "endpoint": url,
                      "curl": curl})
    answer = {"name": entry.name, "version": entry.version, "key": entry.key, "visibility": entry.visibility,
              "commit": entry.commit, "repository": entry.repository, "pushed_at": m.millis(entry.pushed_at),
              "published_at": m.millis(entry.published_at), "package_url": base,
              "docs_url": f"{origin}/api/packages/{entry.name}@{entry.version}/docs", "nodes": nodes}
    if log is not None:
        answer["log"] = log
    return answer


def _reserved(request: web.Request) -> Any:
    root = request.app[STATE].workspace

    def check(name: str, version: str) -> str | None:
        if root is None:
            return None
        from axiom_ide.runtime.packages import Workspace

        if Workspace(root).package(name, version) is not None:
            return f"{name}@{version} is a package of this server's own workspace; push it under another name or version"
        return None
    return check


_STREAMED = {"description": "With `Accept: text/event-stream`: the build progress as Server-Sent Events, one "
                           '`data: {"log": "<line>"}` frame per step as it happens, then `data: {"result": <the '
                           '201 body>}` or `data: {"status": 400|409, "error": <the error body>}`.',
             "content": {"text/event-stream": {"schema": {"type": "string"}}}}


@ROUTES.route("POST", "/api/registry/packages", body=m.PushBody,
              responses={"201": content("Pushed and deployed (private to the caller's tenant)", m.Pushed),
                         "200": _STREAMED, "400": _400, "409": _409})
async def push(request: web.Request, body: m.PushBody) -> web.StreamResponse:
    """Push a package (tenant-private): validate, generate, test and deploy it."""
    if not all(c in "0123456789abcdef" for c in body.commit) or len(body.commit) != 40:
        return _bad("commit must be 40 lowercase hex digits")
    try:
        archive = base64.b64decode(body.archive, validate=True)
    except (binascii.Error, ValueError):
        return json_response({"error": "invalid_archive", "message": "archive is not valid base64"}, status=400)
    log: list[str] = []
    lines: asyncio.Queue[str] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def step(line: str) -> None:
        log.append(line)
        loop.call_soon_threadsafe(lines.put_nowait, line)

    reg = registry_state.registry(request.app)
    # The push runs to its end even when a streaming client leaves (nothing is left half-deployed).
    task = asyncio.ensure_future(asyncio.to_thread(reg.push, request[TENANT], archive, commit=body.commit,
                                                   repository=body.repository, log=step, reserved=_reserved(request)))
    if "text/event-stream" in request.headers.get("Accept", ""):
        return await _stream_push(request, task, lines, log)
    status, answer = await _outcome(request, task, log)
    return json_response(answer, status=status) if status != 201 else respond(m.Pushed, answer, status=201)


async def _outcome(request: web.Request, task: asyncio.Future, log: list[str]) -> tuple[int, dict[str, Any]]:
    try:
        entry = await asyncio.shield(task)
    except AxiomError as exc:
        code = exc.diagnostics[0].code
        if code in ("already_published", "conflict"):
            return 409, {"error": code, "message": exc.message}
        return 400, {"error": code if code in ("push_failed", "invalid_archive") else "push_failed",
                     "message": exc.message, "log": log}
    return 201, _package_json(request, entry, log)


async def _stream_push(request: web.Request, task: asyncio.Future, lines: asyncio.Queue[str],
                       log: list[str]) -> web.StreamResponse:
    from axiom_ide.server import sse

    response = await sse.open_stream(request)
    attached = True
    while not (task.done() and lines.empty()):
        getter = asyncio.ensure_future(lines.get())
        await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
        if not getter.done():
            getter.cancel()
            continue
        if attached:
            attached = await sse.send(response, {"log": getter.result()})
    status, answer = await _outcome(request, task, log)
    if attached:
        final = {"result": m.build_pushed(answer)} if status == 201 else {"status": status, "error": answer}
        await sse.send(response, final)
    return response


@ROUTES.route("GET", "/api/registry/packages",
              responses={"200": content("The caller's pushes and every published version (without a key: the "
                                        "published versions only)", m.RegistryPackages)})
@key_optional
async def list_registry(request: web.Request) -> web.Response:
    """The registry's packages the caller sees, each with its description, nodes and messages."""
    reg = registry_state.registry(request.app)
    tenant = caller_tenant(request)
    rows = await asyncio.to_thread(lambda: [registry_state.listing_row(reg, tenant, e) for e in reg.visible(tenant)])
    return respond(m.RegistryPackages, {"packages": rows})


@ROUTES.route("POST", _PATH + "/{version}/publish", parameters=[*_PKG_PARAMS, _param("version", "semver")],
              responses={"200": content("Published (public, immutable)", m.Pushed),
                         "404": content("Not pushed by the caller's tenant", ErrorMessage), "409": _409})
async def publish(request: web.Request) -> web.Response:
    """Publish a pushed package version to the public marketplace (irreversible)."""
    mi = request.match_info
    name = f"{mi['owner']}/{mi['pkg']}"
    reg = registry_state.registry(request.app)
    try:
        entry = await asyncio.to_thread(reg.publish, request[TENANT], name, mi["version"])
    except AxiomError as exc:
        if exc.diagnostics[0].code == "not_found":
            return json_response({"error": "package not found", "message": exc.message}, status=404)
        return _error(exc, 409)
    return respond(m.Pushed, _package_json(request, entry))


@ROUTES.route("GET", _PATH + "/protos", query=m.ProtosQuery, parameters=_PKG_PARAMS,
              responses={"200": content("The package's .proto files", m.Protos), "404": _404})
async def protos(request: web.Request, query: m.ProtosQuery) -> web.Response:
    """The .proto files of a package version, for ``import``."""
    from axiom_ide.runtime.registry.store import imported_protos, proto_files

    mi = request.match_info
    name = f"{mi['owner']}/{mi['pkg']}"
    reg = registry_state.registry(request.app)
    entry = reg.find(request[TENANT], name, query.version)
    if entry is None:
        return json_response({"error": "package not found"}, status=404)
    tree = reg.tree(request[TENANT], entry)
    files = await asyncio.to_thread(proto_files, tree)
    imports = await asyncio.to_thread(imported_protos, tree)
    return respond(m.Protos, {"name": entry.name, "version": entry.version, "files": files, "imports": imports})


@ROUTES.route("POST", "/api/registry/flows/{graph_id}/publish", parameters=[_param("graph_id", "the artifact id")],
              responses={"200": content("Published", m.FlowPublished), "404": _404, "409": _409})
async def publish_flow(request: web.Request) -> web.Response:
    """Publish a compiled flow (its artifact id) to the public marketplace (irreversible)."""
    graph_id = request.match_info["graph_id"]
    try:
        artifact = request.app[STATE].runtime.artifact(graph_id, tenant_id=request[TENANT])
    except AxiomError:
        return json_response({"error": "graph not found"}, status=404)
    reg = registry_state.registry(request.app)
    try:
        await asyncio.to_thread(reg.publish_flow, request[TENANT], artifact.graph_id, artifact.flow_name)
    except AxiomError as exc:
        return _error(exc, 409)
    return respond(m.FlowPublished, {"artifact_id": artifact.graph_id, "visibility": "public"})


@ROUTES.route("GET", "/api/registry/flows", responses={"200": content("Published flows, newest first", m.PublicFlows)})
@key_optional
async def public_flows(request: web.Request) -> web.Response:
    """Every published flow."""
    rows = [{"graph_id": r["graph_id"], "flow": r["flow"], "published_at": m.millis(r["published_at"])}
            for r in registry_state.registry(request.app).published_flows()]
    return respond(m.PublicFlows, {"flows": rows})


def setup(app: web.Application) -> None:
    registry_state.setup(app)
    ROUTES.setup(app)


OPERATIONS = ROUTES.operations()
