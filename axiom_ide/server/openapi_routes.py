"""OpenAPI specs and their interactive docs pages (reference/http-api "Live OpenAPI specs").

- ``GET /api/graphs/{artifact_id}/openapi.json`` — a compiled flow's spec (authenticated; an
  unknown artifact and another tenant's answer alike: 404).
- ``GET /api/graphs/{artifact_id}/docs`` — its interactive page, the IDE's "Open interactive docs".
  The page holds no tenant data; it fetches the spec with a key from ``#key=<key>``, its key form
  or Swagger UI's Authorize dialog.
- ``GET /api/packages/{name}@{version}/openapi.json`` and ``.../docs`` — a package version's spec
  (the workspace's, a published one, or — with the owner's bearer key — a tenant's own push)
  and page (public). ``name`` is scoped (``examples/text``), sent as is or URL-encoded.
- ``GET /api/openapi.json`` and ``GET /docs`` — the server's own spec (every route on the app) and
  its page (public).
- ``GET /api/docs-assets/{file}`` — Swagger UI's files from the ``swagger-ui-py`` package and this
  module's page script: the pages load nothing from any other origin, so they work offline.

Specs are built by :mod:`axiom_ide.server.openapi`; each ``servers`` entry is the origin the
request came to, so "Try it out" calls this same server.
"""
from __future__ import annotations

import html
import json
import mimetypes
import re
from importlib import resources
from string import Template
from typing import Any
from urllib.parse import quote

from aiohttp import web

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.server import openapi
from axiom_ide.server.app import STATE, TENANT, public
from axiom_ide.server.envelope import json_response
from axiom_ide.server.routes import RouteTable

ASSETS = "/api/docs-assets"
#: Files served under :data:`ASSETS`: name → (package, path inside it).
_ASSET_FILES = {
    "swagger-ui.css": ("swagger_ui", "static/swagger-ui.css"),
    "swagger-ui-bundle.js": ("swagger_ui", "static/swagger-ui-bundle.js"),
    "favicon-32x32.png": ("swagger_ui", "static/favicon-32x32.png"),
    "favicon-16x16.png": ("swagger_ui", "static/favicon-16x16.png"),
    "axiom-docs.js": ("axiom_ide.server", "static/axiom-docs.js"),
    "axiom-docs.css": ("axiom_ide.server", "static/axiom-docs.css"),
}
_PACKAGE_REF = "/api/packages/{name:.+}@{version:[^/@]+}"


class _Packages:
    """The server workspace's packages, scanned on first use and rescanned per request (cheap:
    unchanged packages keep their compiled messages)."""

    workspace: Any = None


_PACKAGES = web.AppKey("axiom_openapi_packages", _Packages)


def setup(app: web.Application) -> None:
    app[_PACKAGES] = _Packages()
    ROUTES.setup(app)


def request_origin(request: web.Request) -> str:
    """The origin the client used (``scheme://host[:port]``), for ``servers`` entries."""
    return f"{request.scheme}://{request.host}"


# -- specs -----------------------------------------------------------------------------------------
@public
async def server_openapi(request: web.Request) -> web.Response:
    from axiom_ide import __version__

    return json_response(openapi.server_spec(request.app, request_origin(request), version=__version__))


async def graph_openapi(request: web.Request) -> web.Response:
    state = request.app[STATE]
    graph_id = request.match_info["artifact_id"]
    try:
        artifact = state.runtime.artifact(graph_id, tenant_id=request[TENANT])
    except AxiomError as exc:
        return json_response({"error": "graph_not_found", "message": exc.message}, status=404)
    return json_response(openapi.graph_spec(artifact, request_origin(request), workspace=_workspace(request.app)))


@public
async def package_openapi(request: web.Request) -> web.Response:
    package = _package(request)
    if isinstance(package, web.Response):
        return package
    return json_response(openapi.package_spec(package, request_origin(request)))


def _workspace(app: web.Application) -> Any:
    """The server's workspace (None when it serves none)."""
    root, holder = app[STATE].workspace, app[_PACKAGES]
    if root is None:
        return None
    if holder.workspace is None:
        from axiom_ide.runtime.packages import Workspace

        holder.workspace = Workspace(root)
    else:
        holder.workspace.refresh()
    return holder.workspace


def _package(request: web.Request) -> Any:
    name, version = request.match_info["name"], request.match_info["version"]
    ws = _workspace(request.app)
    package = ws.package(name, version) if ws is not None else None
    if package is None:  # a published package, or (spec only) the key holder's own push
        from axiom_ide.server.registry_state import spec_package

        package = spec_package(request, name, version)
    if package is None:
        return json_response({"error": "package_not_found", "message": f'package "{name}@{version}" not found'},
                                 status=404)
    return package


# -- pages -----------------------------------------------------------------------------------------
#: What a package reference can be (``owner/name``, a version): only these reach the key-asking page.
_PACKAGE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)?")
_PACKAGE_VERSION = re.compile(r"[0-9][0-9A-Za-z.+-]*")


def _page(title: str, spec_url: str, *, needs_key: bool, kind: str = "flow") -> web.Response:
    template = Template(resources.files("axiom_ide.server").joinpath("static/docs.html").read_text("utf-8"))
    config = json.dumps({"specUrl": spec_url, "needsKey": needs_key, "kind": kind}).replace("<", "\\u003c")
    body = template.substitute(title=html.escape(title), assets=ASSETS, config=config)
    return web.Response(text=body, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


@public
async def server_docs(request: web.Request) -> web.Response:
    return _page("Axiom IDE local API — Interactive Docs", "/api/openapi.json", needs_key=False, kind="server")


@public
async def graph_docs(request: web.Request) -> web.Response:
    graph_id = request.match_info["artifact_id"]
    return _page(f"Flow {graph_id} — Interactive API Docs",
                 f"/api/graphs/{quote(graph_id, safe='')}/openapi.json", needs_key=True)


@public
async def package_docs(request: web.Request) -> web.Response:
    """A public package's page loads its spec as is. Any other name@version — a tenant's private
    push, which ``push`` and ``info`` link to, or nothing at all — gets the page that asks for the
    key (a browser sends none) and loads the spec with it, as a flow's page does; the spec route
    then answers 404 for a key that cannot see the package, and the page says so."""
    name, version = request.match_info["name"], request.match_info["version"]
    spec_url = f"/api/packages/{quote(name, safe='/')}@{quote(version, safe='')}/openapi.json"
    package = _package(request)
    if isinstance(package, web.Response):
        if not (_PACKAGE_NAME.fullmatch(name) and _PACKAGE_VERSION.fullmatch(version)):
            return package  # not a package reference at all: the 404, and nothing of it on a page
        return _page(f"{name}@{version} — Interactive Docs", spec_url, needs_key=True, kind="package")
    return _page(f"{package.key} — Interactive Docs", spec_url, needs_key=False, kind="package")


@public
async def docs_asset(request: web.Request) -> web.StreamResponse:
    entry = _ASSET_FILES.get(request.match_info["file"])
    if entry is None:
        return json_response({"error": "not_found"}, status=404)
    package, path = entry
    data = resources.files(package).joinpath(path).read_bytes()
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        content_type += "; charset=utf-8"
    return web.Response(body=data, headers={"Content-Type": content_type, "Cache-Control": "public, max-age=86400"})


# -- this module's operations, for the server's own spec --------------------------------------------
_HTML = {"description": "An HTML page (Swagger UI, served from this server).",
         "content": {"text/html": {"schema": {"type": "string"}}}}
_SPEC = {"description": "An OpenAPI 3.0 document.",
         "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}}
_NAME = {"name": "name", "in": "path", "required": True,
         "description": "Scoped package name, e.g. `examples/text` (its `/` may be sent URL-encoded as `%2F`).",
         "schema": {"type": "string"}, "example": "examples/text"}
_VERSION = {"name": "version", "in": "path", "required": True, "schema": {"type": "string"}, "example": "0.1.0"}
_ARTIFACT = {"name": "artifact_id", "in": "path", "required": True, "schema": openapi.GRAPH_ID}
_PACKAGE_404 = openapi.json_content("No such package version.", openapi.ERROR_CLASS,
                             {"error": "package_not_found", "message": 'package "examples/nope@0.1.0" not found'})

#: Summaries, parameters and responses of the routes declared below (none takes a body or a query).
_DOCUMENTED: dict[tuple[str, str], dict[str, Any]] = {
    ("GET", "/api/openapi.json"): {"summary": "This server's own OpenAPI document", "tags": ["docs"],
                                   "responses": {"200": _SPEC}},
    ("GET", "/docs"): {"summary": "Interactive docs of this server's API", "tags": ["docs"],
                       "responses": {"200": _HTML}},
    ("GET", "/api/graphs/{artifact_id}/openapi.json"): {
        "summary": "A compiled flow's OpenAPI document (its invoke operation, input and result schemas)",
        "tags": ["docs"], "parameters": [_ARTIFACT],
        "responses": {"200": _SPEC, "404": openapi.json_content(
            "No compiled artifact with this id for the caller's tenant.", openapi.ERROR_CLASS,
            {"error": "graph_not_found", "message": 'compiled artifact "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD" not found'})}},
    ("GET", "/api/graphs/{artifact_id}/docs"): {
        "summary": "A compiled flow's interactive docs page (loads the spec with the caller's key)",
        "tags": ["docs"], "parameters": [_ARTIFACT], "responses": {"200": _HTML, "404": openapi.json_content(
            "Not an artifact id.", openapi.ERROR_CLASS, {"error": "not found"})}},
    ("GET", "/api/packages/{name}@{version}/openapi.json"): {
        "summary": "A package version's OpenAPI document (one operation per node)", "tags": ["docs"],
        "parameters": [_NAME, _VERSION], "responses": {"200": _SPEC, "404": _PACKAGE_404}},
    ("GET", "/api/packages/{name}@{version}/docs"): {
        "summary": "A package version's interactive docs page", "tags": ["docs"],
        "parameters": [_NAME, _VERSION], "responses": {"200": _HTML, "404": _PACKAGE_404}},
    ("GET", ASSETS + "/{file}"): {
        "summary": "A static file of the docs pages (Swagger UI, bundled with the server)", "tags": ["docs"],
        "parameters": [{"name": "file", "in": "path", "required": True,
                        "schema": {"type": "string", "enum": sorted(_ASSET_FILES)}}],
        "responses": {"200": {"description": "The file.", "content": {"*/*": {"schema": {"type": "string",
                                                                                       "format": "binary"}}}},
                      "404": openapi.json_content("No such file.", openapi.ERROR_CLASS, {"error": "not_found"})}},
}

ROUTES = RouteTable(invalid=lambda message: json_response({"error": "invalid_argument", "message": message}, status=400),
                    tags=["docs"])
# Only artifact ids match the graph routes (anything else is the router's 404), as the spec's pattern says.
_ARTIFACT_PATH = "/api/graphs/{artifact_id:" + openapi.GRAPH_ID["pattern"].strip("^$") + "}"
for _path, _spec_path, _handler in (
        ("/api/openapi.json", "/api/openapi.json", server_openapi), ("/docs", "/docs", server_docs),
        (_ARTIFACT_PATH + "/openapi.json", "/api/graphs/{artifact_id}/openapi.json", graph_openapi),
        (_ARTIFACT_PATH + "/docs", "/api/graphs/{artifact_id}/docs", graph_docs),
        (_PACKAGE_REF + "/openapi.json", "/api/packages/{name}@{version}/openapi.json", package_openapi),
        (_PACKAGE_REF + "/docs", "/api/packages/{name}@{version}/docs", package_docs),
        (ASSETS + "/{file}", ASSETS + "/{file}", docs_asset)):
    _doc = _DOCUMENTED[("GET", _spec_path)]
    ROUTES.route("GET", _path, summary=_doc["summary"], parameters=_doc.get("parameters"),
                 responses=_doc["responses"])(_handler)

OPERATIONS = ROUTES.operations()
