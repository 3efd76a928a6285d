"""The Console's Client Builder over HTTP (guides/build-a-client-sdk), per tenant — what
``RemoteBackend.console``'s client methods (``backends/remote_clients.py``) call:

- ``GET /api/clients`` — the caller's clients; ``POST /api/clients`` ``{"name"}`` (201; 409
  ``client_exists``); ``GET|DELETE /api/clients/{name}`` (404 ``client_not_found``).
- ``POST /api/clients/{name}/members`` ``{"members": [{kind, target, alias}]}`` — all or none; each
  member must name a node or flow the caller sees *on this server*: a node of the server's
  workspace, of the caller's pushes or of a published package (``registry_state``), a flow of the
  workspace's ``flows/`` or one the caller compiled. 400 for an unknown member or a bad alias, 409
  ``member_exists`` / ``alias_clash``. A workspace flow is compiled into the snapshot with
  ``POST /api/compile``'s flow resolver, so its ``flow:<name>`` and ``flow:<artifact id>`` subflows
  resolve as there. ``DELETE /api/clients/{name}/members?alias=a&alias=b``.
- ``POST /api/clients/{name}/versions`` ``{"languages"}`` — snapshots the members into the next
  version and answers 202 at once, every language ``pending``; the builds run in a worker thread
  (``pending`` → ``building`` → ``succeeded`` | ``failed`` with the error): poll
  ``GET /api/clients/{name}/versions[/{number}]``. ``POST .../versions/{number}/languages``
  ``{"language"}`` builds another language from the version's frozen snapshot (202; 409
  ``build_exists``).
- ``GET .../versions/{number}/sdk/{language}`` — the zip, ``<name>-sdk-<suffix>.zip`` as an
  attachment; 409 ``build_not_ready`` while it is not ``succeeded``.

The SDKs' baked-in origin is the one the build request came to (``scheme://host``, as the specs'
``servers``): "the deployment you downloaded it from". Errors are
``{"error": <the runtime's code>, "message"}`` in the runtime's words, so a remote says exactly what
the embedded runtime says. Another tenant's client answers exactly as a missing one (404).
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

from aiohttp import web
from pydantic import Field, field_validator

from axiom_ide.runtime.clients.build import zip_name
from axiom_ide.runtime.clients.model import LANGUAGE_KEYS, Member, language
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.server import client_models as m
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import json_response
from axiom_ide.server.management_spec import path_param
from axiom_ide.server.response_models import ErrorMessage, content, respond
from axiom_ide.server.routes import Query, RouteTable

_BASE = "/api/clients"
#: The runtime's error codes that are not a 400.
_STATUS = {"client_not_found": 404, "version_not_found": 404, "build_not_found": 404, "unknown_member": 404,
           "client_exists": 409, "member_exists": 409, "alias_clash": 409, "build_exists": 409,
           "build_not_ready": 409}
#: Builds at a time (each one generates and checks an SDK with the language's toolchain).
BUILD_WORKERS = 2


class _Builders:
    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=BUILD_WORKERS, thread_name_prefix="axiom-client-build")
        self.running: set[asyncio.Future] = set()


BUILDERS = web.AppKey("axiom_client_builders", _Builders)


def _bad(message: str) -> web.Response:
    return json_response({"error": "invalid_argument", "message": message}, status=400)


def _error(exc: AxiomError) -> web.Response:
    code = exc.diagnostics[0].code if exc.diagnostics else "invalid_argument"
    return json_response({"error": code, "message": exc.message}, status=_STATUS.get(code, 400))


ROUTES = RouteTable(invalid=_bad, bad_json=lambda detail: _bad(f"request body is not valid JSON: {detail}"),
                    not_an_object="request body must be a JSON object", tags=["clients"])
route = ROUTES.route

_400 = content("Invalid argument: a bad name, alias or language, an unknown member", ErrorMessage)
_404 = content("No such client, version or build (also another tenant's)", ErrorMessage)
_409 = content("Already exists, or not built yet", ErrorMessage)
_NAME = path_param("name", "The client's name")
_NUMBER = {"name": "number", "in": "path", "required": True, "description": "The version number",
           "schema": {"type": "integer", "minimum": 1}}
_LANGUAGE = {"name": "language", "in": "path", "required": True, "description": "The SDK's language",
             "schema": {"type": "string", "enum": list(LANGUAGE_KEYS)}}
_ZIP = {"description": "The SDK as `<name>-sdk-<suffix>.zip` (Content-Disposition: attachment)",
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}


class MembersRemove(Query):
    alias: list[str] = Field(description="The aliases to remove (repeat the parameter for several)",
                             json_schema_extra={"minItems": 1})
    messages: ClassVar[dict[str, str]] = {"alias:missing": "name at least one alias to remove (?alias=...)"}

    @field_validator("alias", mode="before")
    @classmethod
    def _repeatable(cls, value: Any) -> list[str]:
        return [value] if isinstance(value, str) else value


def _service(request: web.Request) -> Any:
    from axiom_ide.runtime.clients.service import Clients
    from axiom_ide.server.openapi_routes import request_origin
    from axiom_ide.server.registry_state import flow_resolver

    state = request.app[STATE]
    rt, tenant = state.runtime, request[TENANT]
    return Clients(rt.client_store(), lambda: _workspace(request.app, tenant),
                   lambda a: rt.store_artifact(a, tenant_id=tenant), lambda n: rt.latest_artifact(n, tenant_id=tenant),
                   tenant_id=tenant, origin=request_origin(request),
                   flow_resolver=lambda: flow_resolver(request.app, tenant, state.workspace))


def _workspace(app: web.Application, tenant: str) -> Any:
    """What the tenant's members resolve against: the server's workspace (an empty one when it has
    none) plus the tenant's pushes and every published package."""
    from axiom_ide.server.registry_state import registry

    root = app[STATE].workspace
    if root is None:
        root = Path(app[STATE].runtime.data_dir) / "registry" / "no-workspace"
        root.mkdir(parents=True, exist_ok=True)
    return registry(app).workspace(tenant, root)


async def _locked(request: web.Request, fn: Any) -> Any:
    """Run ``fn`` (which reads the workspace) in a thread, one workspace user at a time."""
    from axiom_ide.server.management import workspace_handle

    async with workspace_handle(request.app).lock:
        return await asyncio.to_thread(fn)


def _start(request: web.Request, service: Any, name: str, number: int, languages: list[str]) -> None:
    """The builds run on in the builders' threads (their own pool: a queue of SDK builds never holds
    up the other routes' worker threads); the answer does not wait for them."""
    builders = request.app[BUILDERS]
    future = asyncio.get_running_loop().run_in_executor(builders.pool, service.run_builds, name, number, languages)
    builders.running.add(future)
    future.add_done_callback(builders.running.discard)


def _client(c: Any) -> dict[str, Any]:
    return c.to_json()


# -- clients ---------------------------------------------------------------------------------------
@route("GET", _BASE, responses={"200": content("The caller's clients", m.ClientList)})
async def list_clients(request: web.Request) -> web.Response:
    """The caller's clients with their members."""
    return respond(m.ClientList, {"clients": [_client(c) for c in _service(request).clients()]})


@route("POST", _BASE, body=m.ClientCreate, responses={
    "201": content("Created (empty: no members, no language yet)", m.ClientReply), "400": _400, "409": _409})
async def create_client(request: web.Request, body: m.ClientCreate) -> web.Response:
    """Create an empty client."""
    try:
        return respond(m.ClientReply, _client(_service(request).create(body.name)), status=201)
    except AxiomError as exc:
        return _error(exc)


@route("GET", _BASE + "/{name}", parameters=[_NAME],
       responses={"200": content("The client", m.ClientReply), "404": _404})
async def get_client(request: web.Request) -> web.Response:
    """One client with its members."""
    try:
        return respond(m.ClientReply, _client(_service(request).get(request.match_info["name"])))
    except AxiomError as exc:
        return _error(exc)


@route("DELETE", _BASE + "/{name}", parameters=[_NAME],
       responses={"204": {"description": "Deleted, with all its versions"}, "404": _404})
async def delete_client(request: web.Request) -> web.Response:
    """Delete a client with all its versions and SDKs."""
    name = request.match_info["name"]
    if not _service(request).delete(name):
        return json_response({"error": "client_not_found", "message": f'no client named "{name}"'}, status=404)
    return web.Response(status=204)


# -- members ---------------------------------------------------------------------------------------
@route("POST", _BASE + "/{name}/members", parameters=[_NAME], body=m.MembersAdd, responses={
    "200": content("The client with its new members", m.ClientReply), "400": _400, "404": _404, "409": _409})
async def add_members(request: web.Request, body: m.MembersAdd) -> web.Response:
    """Add members — all or none."""
    service = _service(request)
    members = [Member(x.kind, x.target.strip(), x.alias) for x in body.members]
    try:
        client = await _locked(request, lambda: service.add(request.match_info["name"], members))
    except AxiomError as exc:
        return _error(exc)
    return respond(m.ClientReply, _client(client))


@route("DELETE", _BASE + "/{name}/members", parameters=[_NAME], query=MembersRemove, responses={
    "200": content("The client without them", m.ClientReply), "400": _400, "404": _404})
async def remove_members(request: web.Request, query: MembersRemove) -> web.Response:
    """Remove members by alias (a build already made is never altered)."""
    try:
        return respond(m.ClientReply, _client(_service(request).remove(request.match_info["name"], query.alias)))
    except AxiomError as exc:
        return _error(exc)


# -- versions --------------------------------------------------------------------------------------
@route("GET", _BASE + "/{name}/versions", parameters=[_NAME],
       responses={"200": content("Versions, newest first", m.VersionList), "404": _404})
async def list_versions(request: web.Request) -> web.Response:
    """The client's versions with the status of each language."""
    name = request.match_info["name"]
    try:
        versions = _service(request).versions(name)
    except AxiomError as exc:
        return _error(exc)
    return respond(m.VersionList, {"client": name, "versions": [v.to_json() for v in versions]})


@route("POST", _BASE + "/{name}/versions", parameters=[_NAME], body=m.BuildRequest, responses={
    "202": content("The new version, every language pending (the builds run on)", m.VersionReply),
    "400": _400, "404": _404})
async def build_version(request: web.Request, body: m.BuildRequest) -> web.Response:
    """Build a version: snapshot the members now, then build each language from that snapshot."""
    service, name = _service(request), request.match_info["name"]
    try:
        number = await _locked(request, lambda: service.new_version(name, body.languages))
        version = service.version(name, number)
    except AxiomError as exc:
        return _error(exc)
    _start(request, service, name, number, list(body.languages))
    return respond(m.VersionReply, version.to_json(), status=202)


def _number(request: web.Request) -> int:
    return int(request.match_info["number"])


@route("GET", _BASE + "/{name}/versions/{number:[0-9]+}", parameters=[_NAME, _NUMBER],
       responses={"200": content("The version", m.VersionReply), "404": _404})
async def get_version(request: web.Request) -> web.Response:
    """One version with the status of each language."""
    try:
        version = _service(request).version(request.match_info["name"], _number(request))
    except AxiomError as exc:
        return _error(exc)
    return respond(m.VersionReply, version.to_json())


@route("POST", _BASE + "/{name}/versions/{number:[0-9]+}/languages", parameters=[_NAME, _NUMBER],
       body=m.LanguageAdd, responses={"202": content("The version, the language pending", m.VersionReply),
                                      "400": _400, "404": _404, "409": _409})
async def add_language(request: web.Request, body: m.LanguageAdd) -> web.Response:
    """+ language…: build another language of the version from its frozen snapshot."""
    service, name, number = _service(request), request.match_info["name"], _number(request)
    try:
        key = service.queue_language(name, number, body.language)
        version = service.version(name, number)
    except AxiomError as exc:
        return _error(exc)
    _start(request, service, name, number, [key])
    return respond(m.VersionReply, version.to_json(), status=202)


@route("GET", _BASE + "/{name}/versions/{number:[0-9]+}/sdk/{language}", parameters=[_NAME, _NUMBER, _LANGUAGE],
       responses={"200": _ZIP, "400": _400, "404": _404, "409": _409})
async def download_sdk(request: web.Request) -> web.StreamResponse:
    """Download a succeeded build's SDK zip."""
    name = request.match_info["name"]
    try:
        lang = language(request.match_info["language"])
        data = _service(request).archive(name, _number(request), lang)
    except AxiomError as exc:
        return _error(exc)
    return web.Response(body=data, content_type="application/zip",
                        headers={"Content-Disposition": f'attachment; filename="{zip_name(name, lang)}"'})


def setup(app: web.Application) -> None:
    # A build cut off by the last stop would say "building" forever: opening the store fails it, with why.
    app[STATE].runtime.client_store()
    app[BUILDERS] = _Builders()

    async def _stop(app: web.Application) -> None:
        app[BUILDERS].pool.shutdown(wait=False, cancel_futures=True)  # queued ones fail at the next start

    app.on_cleanup.append(_stop)
    ROUTES.setup(app)


OPERATIONS = ROUTES.operations()
