"""The caller's tenant's own things under ``/api/``: secrets, flow configs, API keys, agent memory.

Everything is scoped by the caller's API key's tenant; another tenant's name or id answers exactly
like one that does not exist (404). Values written here are never read back:

- **Secrets** — ``GET /api/secrets`` (names and dates), ``PUT /api/secrets/{name}``
  ``{"value"}`` (201 created / 200 replaced), ``DELETE /api/secrets/{name}`` (204).
- **Configs** — ``GET /api/configs[?flow=]``, ``POST /api/configs`` (201; 409 when that
  flow/name exists), ``GET|PATCH|DELETE /api/configs/{config_id}``. A config is ``{"name",
  "flow" (null: tenant-wide), "node_timeout_seconds" (1–3600), "max_attempts" (1–100),
  "secret_overrides": {NAME: value}}``; responses list override names only. PATCH changes the
  fields it is given; ``remove_overrides: [NAME]`` drops overrides; ``rename`` renames (409 when
  taken). ``GET /api/effective-config[?flow=]`` — the values after the layers, override names only.
- **Keys** — ``GET /api/keys`` (masked), ``POST /api/keys`` ``{"name"}`` (201 with the raw key,
  shown this once), ``DELETE /api/keys/{name}`` (204; the key fails on its next use).
  ``GET /api/whoami`` — the caller's own key: ``{"email", "tenant", "key" (its name), "masked",
  "created_at"}`` (``email`` null: keys here belong to no user account).
- **Memory** (the ``axiom memory`` verbs) — ``GET /api/memory/flows``,
  ``GET /api/memory/flows/{flow_id}/sessions``, ``GET /api/memory/flows/{flow_id}/search?q=&limit=``,
  ``DELETE /api/memory/flows/{flow_id}``, ``GET|DELETE /api/memory/sessions/{session_id}[?flow=]``,
  ``POST /api/memory/sessions/{session_id}/end[?flow=]`` (non-destructive; ``DELETE`` is ``rm``).
"""
from __future__ import annotations

from typing import Annotated, Any, ClassVar

from aiohttp import web
from pydantic import Field, field_validator, model_validator

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.apikeys import KEY_NAME_PATTERN, MAX_NAME_LENGTH, check_key_name, created_json
from axiom_ide.runtime.store.configs import config_exists
from axiom_ide.runtime.store.memory_inspect import MemoryInspector
from axiom_ide.runtime.store.secrets import SECRET_NAME_RE
from axiom_ide.server import management_models as models
from axiom_ide.server import management_spec as spec
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.auth import API_KEY
from axiom_ide.server.envelope import json_response
from axiom_ide.server.management import bad_argument, not_found
from axiom_ide.server.response_models import respond
from axiom_ide.server.routes import Body, Query, RouteTable

ROUTES = RouteTable(invalid=bad_argument, bad_json=lambda detail: bad_argument(f"request body is not valid JSON: {detail}"),
                    not_an_object="request body must be a JSON object")
route = ROUTES.route


def _runtime(request: web.Request) -> Any:
    return request.app[STATE].runtime


# -- request models --------------------------------------------------------------------------------
class SecretValue(Body):
    value: str = Field(description="The secret's value (write-only: never returned).")
    messages: ClassVar[dict[str, str]] = {"value": '"value" (a string) is required'}


Timeout = Annotated[float, Field(ge=1, le=3600, description="Seconds a node may run (1–3600).")]
Attempts = Annotated[int, Field(ge=1, le=100, description="Tries per node (1–100).")]


class _ConfigFields(Body):
    node_timeout_seconds: Timeout | None = None
    max_attempts: Attempts | None = None
    secret_overrides: dict[str, str] | None = Field(
        None, description="NAME: value (write-only). Names start with a letter or _ and use letters, digits, "
                          "_ . - (as secret names).")
    messages: ClassVar[dict[str, str]] = {"node_timeout_seconds:type": "node_timeout_seconds must be a number",
                "node_timeout_seconds:range": "node_timeout_seconds must be between 1 and 3600",
                "max_attempts:type": "max_attempts must be an integer",
                "max_attempts:range": "max_attempts must be between 1 and 100",
                "secret_overrides": "secret_overrides must be an object of NAME: value strings",
                "remove_overrides": "remove_overrides must be a list of names"}
    unknown_fields: ClassVar[str] = "unknown config field(s): {names}"

    def changes(self) -> dict[str, Any]:
        return {"node_timeout_seconds": self.node_timeout_seconds, "max_attempts": self.max_attempts,
                "secret_overrides": self.secret_overrides or {}}


class ConfigCreate(_ConfigFields):
    name: str | None = Field(None, description='The profile\'s name (default "default").')
    flow: str | None = Field(None, description="The flow it applies to; null or absent: tenant-wide.")


class ConfigPatch(_ConfigFields):
    remove_overrides: list[str] | None = Field(None, description="Secret override names to drop.")
    rename: str | None = Field(None, description="A new name for the config (409 when that flow/name exists).")

    @model_validator(mode="before")
    @classmethod
    def _fixed(cls, data: Any) -> Any:
        if isinstance(data, dict) and ("name" in data or "flow" in data):
            raise ValueError("a config's name and flow are not PATCH fields; rename it with \"rename\", "
                             "or create another config for another flow")
        return data


class KeyCreate(Body):
    name: str = Field(description="Unique among the tenant's active keys; surrounding blanks are dropped.",
                      json_schema_extra={"minLength": 1, "maxLength": MAX_NAME_LENGTH, "pattern": KEY_NAME_PATTERN})
    messages: ClassVar[dict[str, str]] = {"name": '"name" (a string) is required'}

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        try:
            return check_key_name(value)
        except AxiomError as exc:
            raise ValueError(exc.message) from None


class MemorySearch(Query):
    q: str = Field(pattern=r"\S", max_length=4096, description="The query (not blank, at most 4096 characters).")
    limit: int = Field(10, ge=1, le=100, description="Most results (1–100).")
    session: str | None = Field(None, description="Search only this session's memory entries.")
    messages: ClassVar[dict[str, str]] = {"q": '"q" (the search query) is required: 1 to 4096 characters',
                "limit": 'limit must be an integer from 1 to 100; got {value}'}


class FlowFilter(Query):
    flow: str | None = Field(None, description="Only this flow's (a flow name).")


_SECRET_NAME = {"name": "name", "in": "path", "required": True,
                "description": "Letters, digits, _ . - ; starts with a letter or _",
                "schema": {"type": "string", "pattern": SECRET_NAME_RE.pattern}}


# -- secrets ---------------------------------------------------------------------------------------
@route("GET", "/api/secrets", tags=["secrets"], responses=spec.RESPONSES[("GET", "/api/secrets")])
async def list_secrets(request: web.Request) -> web.Response:
    """The caller's secret names with their dates; never a value."""
    return respond(models.Secrets, {"secrets": _runtime(request).list_secrets(tenant_id=request[TENANT])})


@route("PUT", "/api/secrets/{name}", tags=["secrets"], body=SecretValue, parameters=[_SECRET_NAME],
       responses=spec.RESPONSES[("PUT", "/api/secrets/{name}")])
async def put_secret(request: web.Request, body: SecretValue) -> web.Response:
    """Store or replace a secret's value (encrypted at rest; never returned)."""
    name = request.match_info["name"]
    try:
        replaced = _runtime(request).set_secret(name, body.value, tenant_id=request[TENANT])
    except AxiomError as exc:
        return bad_argument(exc.message)
    return respond(models.SecretSet, {"name": name, "replaced": replaced}, status=200 if replaced else 201)


@route("DELETE", "/api/secrets/{name}", tags=["secrets"], parameters=[_SECRET_NAME],
       responses=spec.RESPONSES[("DELETE", "/api/secrets/{name}")])
async def delete_secret(request: web.Request) -> web.Response:
    """Delete a secret now; the next execution no longer sees it."""
    if not _runtime(request).delete_secret(request.match_info["name"], tenant_id=request[TENANT]):
        return not_found("secret")
    return web.Response(status=204)


# -- configs ---------------------------------------------------------------------------------------
_CONFIG_ID = spec.path_param("config_id", "The config's id")


@route("GET", "/api/configs", tags=["configs"], query=FlowFilter, responses=spec.RESPONSES[("GET", "/api/configs")])
async def list_configs(request: web.Request, query: FlowFilter) -> web.Response:
    """The caller's configs (tenant-wide and per-flow profiles); flow narrows to one flow."""
    rows = _runtime(request).list_configs(flow_name=query.flow, tenant_id=request[TENANT])
    return respond(models.Configs, {"configs": [c.to_json() for c in rows]})


@route("POST", "/api/configs", tags=["configs"], body=ConfigCreate, responses=spec.RESPONSES[("POST", "/api/configs")])
async def create_config(request: web.Request, body: ConfigCreate) -> web.Response:
    """Create a config profile (tenant-wide when flow is null); 409 if the name is taken."""
    runtime = _runtime(request)
    tenant = request[TENANT]
    name, flow = body.name or "default", body.flow or ""
    if runtime.config(name, flow_name=flow, tenant_id=tenant) is not None:
        return json_response({"error": "already_exists", "message": config_exists(name, flow).message}, status=409)
    try:
        config = runtime.set_config(name, flow_name=flow, tenant_id=tenant, **body.changes())
    except AxiomError as exc:
        return bad_argument(exc.message)
    return respond(models.Config, config.to_json(), status=201)


@route("GET", "/api/configs/{config_id}", tags=["configs"], parameters=[_CONFIG_ID],
       responses=spec.RESPONSES[("GET", "/api/configs/{config_id}")])
async def get_config(request: web.Request) -> web.Response:
    """One config by id; its secret overrides by name only."""
    config = _runtime(request).config_by_id(request.match_info["config_id"], tenant_id=request[TENANT])
    return respond(models.Config, config.to_json()) if config is not None else not_found("config")


@route("PATCH", "/api/configs/{config_id}", tags=["configs"], body=ConfigPatch, parameters=[_CONFIG_ID],
       responses=spec.RESPONSES[("PATCH", "/api/configs/{config_id}")])
async def update_config(request: web.Request, body: ConfigPatch) -> web.Response:
    """Change the given fields of a config; remove_overrides drops secret overrides."""
    runtime = _runtime(request)
    tenant = request[TENANT]
    config = runtime.config_by_id(request.match_info["config_id"], tenant_id=tenant)
    if config is None:
        return not_found("config")
    try:
        updated = runtime.set_config(config.name, flow_name=config.flow_name, tenant_id=tenant, **body.changes(),
                                     remove_overrides=tuple(body.remove_overrides or ()), rename_to=body.rename)
    except AxiomError as exc:
        if exc.diagnostics[0].code == "already_exists":
            return json_response({"error": "already_exists", "message": exc.message}, status=409)
        return bad_argument(exc.message)
    return respond(models.Config, updated.to_json())


@route("DELETE", "/api/configs/{config_id}", tags=["configs"], parameters=[_CONFIG_ID],
       responses=spec.RESPONSES[("DELETE", "/api/configs/{config_id}")])
async def delete_config(request: web.Request) -> web.Response:
    """Delete a config and its secret overrides."""
    runtime = _runtime(request)
    config = runtime.config_by_id(request.match_info["config_id"], tenant_id=request[TENANT])
    if config is None:
        return not_found("config")
    runtime.delete_config(config.name, flow_name=config.flow_name, tenant_id=request[TENANT])
    return web.Response(status=204)


# -- keys ------------------------------------------------------------------------------------------
@route("GET", "/api/keys", tags=["keys"], responses=spec.RESPONSES[("GET", "/api/keys")])
async def list_keys(request: web.Request) -> web.Response:
    """The caller's active API keys, masked, with created and last-used times."""
    return respond(models.Keys, {"keys": [k.to_json() for k in _runtime(request).list_api_keys(tenant_id=request[TENANT])]})


@route("POST", "/api/keys", tags=["keys"], body=KeyCreate, responses=spec.RESPONSES[("POST", "/api/keys")])
async def create_key(request: web.Request, body: KeyCreate) -> web.Response:
    """Mint an API key for the caller's tenant; the raw key is in this response only."""
    try:
        raw, key = _runtime(request).create_api_key(body.name, tenant_id=request[TENANT])
    except AxiomError as exc:
        if exc.diagnostics[0].code == "key_exists":
            return json_response({"error": "already_exists", "message": exc.message}, status=409)
        return bad_argument(exc.message)
    return respond(models.NewKey, created_json(raw, key), status=201)


@route("DELETE", "/api/keys/{name}", tags=["keys"], parameters=[spec.path_param("name", "The key's name")],
       responses=spec.RESPONSES[("DELETE", "/api/keys/{name}")])
async def revoke_key(request: web.Request) -> web.Response:
    """Revoke one of the caller's keys; it fails on its very next use."""
    if not _runtime(request).revoke_api_key(request.match_info["name"], tenant_id=request[TENANT]):
        return not_found("key")
    return web.Response(status=204)


@route("GET", "/api/whoami", tags=["keys"], responses=spec.RESPONSES[("GET", "/api/whoami")])
async def whoami(request: web.Request) -> web.Response:
    """The identity and tenant of the API key this request carries (no secret material)."""
    key = request[API_KEY]
    return respond(models.Whoami, {"email": None, "tenant": key.tenant_id, "key": key.name, "masked": key.masked,
                                   "created_at": int(key.created_at * 1000)})


# -- memory ----------------------------------------------------------------------------------------
_FLOW_ID = spec.path_param("flow_id", "The flow's id (ULID form, what node code reads as ax.flow_id) or its name")
_SESSION_ID = spec.path_param("session_id", "The session id node code chose")


def _memory(request: web.Request) -> MemoryInspector:
    return _runtime(request).memory_inspector()


@route("GET", "/api/memory/flows", tags=["memory"], responses=spec.RESPONSES[("GET", "/api/memory/flows")])
async def memory_flows(request: web.Request) -> web.Response:
    """Flows with agent memory: session count and last activity."""
    return respond(models.MemoryFlows, {"flows": _memory(request).flows(request[TENANT])})


@route("GET", "/api/memory/flows/{flow_id}/sessions", tags=["memory"], parameters=[_FLOW_ID],
       responses=spec.RESPONSES[("GET", "/api/memory/flows/{flow_id}/sessions")])
async def memory_sessions(request: web.Request) -> web.Response:
    """One flow's memory sessions: turn and entry counts and last activity."""
    return respond(models.MemorySessions, {"flow_id": request.match_info["flow_id"],
                          "sessions": _memory(request).sessions(request[TENANT], request.match_info["flow_id"])})


@route("GET", "/api/memory/flows/{flow_id}/search", tags=["memory"], parameters=[_FLOW_ID], query=MemorySearch,
       responses=spec.RESPONSES[("GET", "/api/memory/flows/{flow_id}/search")])
async def memory_search(request: web.Request, query: MemorySearch) -> web.Response:
    """Search one flow's memories; ranked results with scores, the method and the latency."""
    text = query.q.strip()
    result = _memory(request).search(request[TENANT], request.match_info["flow_id"], text, query.limit,
                                     session_id=query.session)
    return respond(models.MemorySearchResult, {"flow_id": request.match_info["flow_id"], "query": text, **result})


@route("GET", "/api/memory/sessions/{session_id}", tags=["memory"], parameters=[_SESSION_ID], query=FlowFilter,
       responses=spec.RESPONSES[("GET", "/api/memory/sessions/{session_id}")])
async def memory_session(request: web.Request, query: FlowFilter) -> web.Response:
    """One session's conversation turns and memory entries (flow narrows to one flow)."""
    body = _memory(request).session(request[TENANT], request.match_info["session_id"], query.flow)
    return respond(models.MemorySession, body) if body is not None else not_found("memory session")


@route("POST", "/api/memory/sessions/{session_id}/end", tags=["memory"], parameters=[_SESSION_ID], query=FlowFilter,
       responses=spec.RESPONSES[("POST", "/api/memory/sessions/{session_id}/end")])
async def end_memory_session(request: web.Request, query: FlowFilter) -> web.Response:
    """Close a session (axiom memory end): marked ended, its history kept (non-destructive), and
    consolidated in the background (the session's ``consolidation`` tells how it stands)."""
    session_id = request.match_info["session_id"]
    flows = _memory(request).end_session(request[TENANT], session_id, query.flow)
    if not flows:
        return not_found("memory session")
    body = _memory(request).session(request[TENANT], session_id, query.flow)
    return respond(models.MemoryEnded, {"session_id": session_id, "flows": flows,
                          "ended_at": body["ended_at"] if body is not None else None})


@route("DELETE", "/api/memory/sessions/{session_id}", tags=["memory"], parameters=[_SESSION_ID], query=FlowFilter,
       responses=spec.RESPONSES[("DELETE", "/api/memory/sessions/{session_id}")])
async def delete_memory_session(request: web.Request, query: FlowFilter) -> web.Response:
    """Permanently delete one session's turns and entries; reports how many records went."""
    removed = _memory(request).delete_session(request[TENANT], request.match_info["session_id"], query.flow)
    if not removed:
        return not_found("memory session")
    return respond(models.Deleted, {"session_id": request.match_info["session_id"], "deleted": removed})


@route("DELETE", "/api/memory/flows/{flow_id}", tags=["memory"], parameters=[_FLOW_ID],
       responses=spec.RESPONSES[("DELETE", "/api/memory/flows/{flow_id}")])
async def delete_memory_flow(request: web.Request) -> web.Response:
    """Permanently delete all of one flow's memory; reports how many records went."""
    removed = _memory(request).delete_flow(request[TENANT], request.match_info["flow_id"])
    if not removed:
        return not_found("flow memory")
    return respond(models.Deleted, {"flow_id": request.match_info["flow_id"], "deleted": removed})


@route("GET", "/api/effective-config", tags=["configs"], query=FlowFilter,
       responses=spec.RESPONSES[("GET", "/api/effective-config")])
async def effective_config(request: web.Request, query: FlowFilter) -> web.Response:
    """The values a run of the flow gets with no profile selected, after the four layers (platform,
    tenant default, the flow's default); no flow: the tenant default alone. Override names only."""
    resolved = _runtime(request).config_layers(query.flow or "", None, tenant_id=request[TENANT])
    return respond(models.EffectiveConfig, {
        "flow": query.flow or None, "node_timeout_seconds": resolved.node_timeout_seconds,
        "max_attempts": resolved.max_attempts, "secret_overrides": sorted(resolved.secrets),
        "layers": list(resolved.layers)})


setup = ROUTES.setup
OPERATIONS = ROUTES.operations()
