"""The caller's tenant's own things under ``/api/``: secrets, flow configs, API keys, agent memory.

Everything is scoped by the caller's API key's tenant; another tenant's name or id answers exactly
like one that does not exist (404). Values written here are never read back:

- **Secrets** — ``GET /api/secrets`` (names and dates), ``PUT /api/secrets/{name}``
  ``{"value"}`` (201 created / 200 replaced), ``DELETE /api/secrets/{name}`` (204).
- **Configs** — ``GET /api/configs[?flow=]``, ``POST /api/configs`` (201; 409 when that
  flow/name exists), ``GET|PATCH|DELETE /api/configs/{config_id}``. A config is ``{"name",
  "flow" (null: tenant-wide), "node_timeout_seconds" (1–3600), "max_attempts" (1–100),
  "secret_overrides": {NAME: value}}``; responses list override names only. PATCH changes the
  fields it is given; ``remove_overrides: [NAME]`` drops overrides.
- **Keys** — ``GET /api/keys`` (masked), ``POST /api/keys`` ``{"name"}`` (201 with the raw key,
  shown this once), ``DELETE /api/keys/{name}`` (204; the key fails on its next use).
- **Memory** (the ``axiom memory`` verbs) — ``GET /api/memory/flows``,
  ``GET /api/memory/flows/{flow_id}/sessions``, ``GET /api/memory/flows/{flow_id}/search?q=&limit=``,
  ``DELETE /api/memory/flows/{flow_id}``, ``GET|DELETE /api/memory/sessions/{session_id}[?flow=]``,
  ``POST /api/memory/sessions/{session_id}/end[?flow=]`` (non-destructive; ``DELETE`` is ``rm``).
"""
from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.apikeys import created_json
from axiom_ide.runtime.store.memory_inspect import MemoryInspector
from axiom_ide.server.app import STATE, TENANT
from axiom_ide.server.envelope import json_response
from axiom_ide.server.management import BadArgument, bad_argument, json_body, not_found


def _runtime(request: web.Request) -> Any:
    return request.app[STATE].runtime


# -- secrets ---------------------------------------------------------------------------------------
async def list_secrets(request: web.Request) -> web.Response:
    """The caller's secret names with their dates; never a value."""
    return json_response({"secrets": _runtime(request).secrets.list(tenant_id=request[TENANT])})


async def put_secret(request: web.Request) -> web.Response:
    """Store or replace a secret's value (encrypted at rest; never returned)."""
    name = request.match_info["name"]
    try:
        data = await json_body(request)
        value = data.get("value")
        if not isinstance(value, str):
            raise BadArgument('"value" (a string) is required')
        replaced = _runtime(request).secrets.set(name, value, tenant_id=request[TENANT])
    except BadArgument as exc:
        return bad_argument(str(exc))
    except AxiomError as exc:
        return bad_argument(exc.message)
    return json_response({"name": name, "replaced": replaced}, status=200 if replaced else 201)


async def delete_secret(request: web.Request) -> web.Response:
    """Delete a secret now; the next execution no longer sees it."""
    if not _runtime(request).secrets.delete(request.match_info["name"], tenant_id=request[TENANT]):
        return not_found("secret")
    return web.Response(status=204)


# -- configs ---------------------------------------------------------------------------------------
_CONFIG_FIELDS = {"name", "flow", "node_timeout_seconds", "max_attempts", "secret_overrides", "remove_overrides"}


def _config_changes(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    unknown = sorted(set(data) - (_CONFIG_FIELDS - ({"remove_overrides"} if creating else {"name", "flow"})))
    if unknown:
        raise BadArgument(f"unknown config field(s): {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for key in ("node_timeout_seconds", "max_attempts"):
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise BadArgument(f"{key} must be a number")
        out[key] = value
    overrides = data.get("secret_overrides") or {}
    if not isinstance(overrides, dict) or not all(isinstance(v, str) for v in overrides.values()):
        raise BadArgument("secret_overrides must be an object of NAME: value strings")
    out["secret_overrides"] = overrides
    remove = data.get("remove_overrides") or []
    if not isinstance(remove, list) or not all(isinstance(v, str) for v in remove):
        raise BadArgument("remove_overrides must be a list of names")
    out["remove_overrides"] = tuple(remove)
    return out


async def list_configs(request: web.Request) -> web.Response:
    """The caller's configs (tenant-wide and per-flow profiles); ``flow`` narrows to one flow."""
    flow = request.query.get("flow")
    rows = _runtime(request).configs.list(flow_name=flow, tenant_id=request[TENANT])
    return json_response({"configs": [c.to_json() for c in rows]})


async def create_config(request: web.Request) -> web.Response:
    """Create a config profile (tenant-wide when ``flow`` is null); 409 if the name is taken."""
    configs = _runtime(request).configs
    tenant = request[TENANT]
    try:
        data = await json_body(request)
        name = data.get("name") or "default"
        flow = data.get("flow") or ""
        if not isinstance(name, str) or not isinstance(flow, str):
            raise BadArgument("name and flow must be strings")
        changes = _config_changes(data, creating=True)
        if configs.get(name, flow_name=flow, tenant_id=tenant) is not None:
            scope = f'flow "{flow}"' if flow else "the tenant default"
            return json_response({"error": "already_exists",
                                      "message": f'a config named "{name}" already exists for {scope}'}, status=409)
        config = configs.set(name, flow_name=flow, tenant_id=tenant, **changes)
    except BadArgument as exc:
        return bad_argument(str(exc))
    except AxiomError as exc:
        return bad_argument(exc.message)
    return json_response(config.to_json(), status=201)


async def get_config(request: web.Request) -> web.Response:
    """One config by id; its secret overrides by name only."""
    config = _runtime(request).configs.by_id(request.match_info["config_id"], tenant_id=request[TENANT])
    return json_response(config.to_json()) if config is not None else not_found("config")


async def update_config(request: web.Request) -> web.Response:
    """Change the given fields of a config; ``remove_overrides`` drops secret overrides."""
    configs = _runtime(request).configs
    tenant = request[TENANT]
    config = configs.by_id(request.match_info["config_id"], tenant_id=tenant)
    if config is None:
        return not_found("config")
    try:
        data = await json_body(request)
        if "name" in data or "flow" in data:
            raise BadArgument("a config's name and flow cannot change; create another config instead")
        updated = configs.set(config.name, flow_name=config.flow_name, tenant_id=tenant,
                              **_config_changes(data, creating=False))
    except BadArgument as exc:
        return bad_argument(str(exc))
    except AxiomError as exc:
        return bad_argument(exc.message)
    return json_response(updated.to_json())


async def delete_config(request: web.Request) -> web.Response:
    """Delete a config and its secret overrides."""
    configs = _runtime(request).configs
    config = configs.by_id(request.match_info["config_id"], tenant_id=request[TENANT])
    if config is None:
        return not_found("config")
    configs.delete(config.name, flow_name=config.flow_name, tenant_id=request[TENANT])
    return web.Response(status=204)


# -- keys ------------------------------------------------------------------------------------------
async def list_keys(request: web.Request) -> web.Response:
    """The caller's active API keys, masked, with created and last-used times."""
    return json_response({"keys": [k.to_json() for k in _runtime(request).api_keys.list(tenant_id=request[TENANT])]})


async def create_key(request: web.Request) -> web.Response:
    """Mint an API key for the caller's tenant; the raw key is in this response only."""
    try:
        data = await json_body(request)
        name = data.get("name")
        if not isinstance(name, str):
            raise BadArgument('"name" (a string) is required')
        raw, key = _runtime(request).api_keys.create(name, tenant_id=request[TENANT])
    except BadArgument as exc:
        return bad_argument(str(exc))
    except AxiomError as exc:
        if exc.diagnostics[0].code == "key_exists":
            return json_response({"error": "already_exists", "message": exc.message}, status=409)
        return bad_argument(exc.message)
    return json_response(created_json(raw, key), status=201)


async def revoke_key(request: web.Request) -> web.Response:
    """Revoke one of the caller's keys; it fails on its very next use."""
    if not _runtime(request).api_keys.revoke(request.match_info["name"], tenant_id=request[TENANT]):
        return not_found("key")
    return web.Response(status=204)


# -- memory ----------------------------------------------------------------------------------------
def _memory(request: web.Request) -> MemoryInspector:
    return MemoryInspector(_runtime(request).db)


async def memory_flows(request: web.Request) -> web.Response:
    """Flows with agent memory: session count and last activity."""
    return json_response({"flows": _memory(request).flows(request[TENANT])})


async def memory_sessions(request: web.Request) -> web.Response:
    """One flow's memory sessions: turn and entry counts and last activity."""
    return json_response({"flow_id": request.match_info["flow_id"],
                              "sessions": _memory(request).sessions(request[TENANT], request.match_info["flow_id"])})


async def memory_search(request: web.Request) -> web.Response:
    """Search one flow's memories; ranked results with scores, the method and the latency."""
    query = request.query.get("q", "").strip()
    if not query:
        return bad_argument('"q" (the search query) is required')
    raw = request.query.get("limit", "10")
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= 100:
        return bad_argument(f'limit must be an integer from 1 to 100; got "{raw}"')
    result = _memory(request).search(request[TENANT], request.match_info["flow_id"], query, int(raw))
    return json_response({"flow_id": request.match_info["flow_id"], "query": query, **result})


async def memory_session(request: web.Request) -> web.Response:
    """One session's conversation turns and memory entries (``flow`` narrows to one flow)."""
    body = _memory(request).session(request[TENANT], request.match_info["session_id"], request.query.get("flow"))
    return json_response(body) if body is not None else not_found("memory session")


async def end_memory_session(request: web.Request) -> web.Response:
    """Close a session (``axiom memory end``): marked ended, its history kept (non-destructive)."""
    session_id = request.match_info["session_id"]
    flows = _memory(request).end_session(request[TENANT], session_id, request.query.get("flow"))
    if not flows:
        return not_found("memory session")
    body = _memory(request).session(request[TENANT], session_id, request.query.get("flow"))
    return json_response({"session_id": session_id, "flows": flows,
                              "ended_at": body["ended_at"] if body is not None else None})


async def delete_memory_session(request: web.Request) -> web.Response:
    """Permanently delete one session's turns and entries; reports how many records went."""
    removed = _memory(request).delete_session(request[TENANT], request.match_info["session_id"],
                                              request.query.get("flow"))
    if not removed:
        return not_found("memory session")
    return json_response({"session_id": request.match_info["session_id"], "deleted": removed})


async def delete_memory_flow(request: web.Request) -> web.Response:
    """Permanently delete all of one flow's memory; reports how many records went."""
    removed = _memory(request).delete_flow(request[TENANT], request.match_info["flow_id"])
    if not removed:
        return not_found("flow memory")
    return json_response({"flow_id": request.match_info["flow_id"], "deleted": removed})


def setup(app: web.Application) -> None:
    r = app.router
    r.add_get("/api/secrets", list_secrets)
    r.add_put("/api/secrets/{name}", put_secret)
    r.add_delete("/api/secrets/{name}", delete_secret)
    r.add_get("/api/configs", list_configs)
    r.add_post("/api/configs", create_config)
    r.add_get("/api/configs/{config_id}", get_config)
    r.add_patch("/api/configs/{config_id}", update_config)
    r.add_delete("/api/configs/{config_id}", delete_config)
    r.add_get("/api/keys", list_keys)
    r.add_post("/api/keys", create_key)
    r.add_delete("/api/keys/{name}", revoke_key)
    r.add_get("/api/memory/flows", memory_flows)
    r.add_get("/api/memory/flows/{flow_id}/sessions", memory_sessions)
    r.add_get("/api/memory/flows/{flow_id}/search", memory_search)
    r.add_delete("/api/memory/flows/{flow_id}", delete_memory_flow)
    r.add_get("/api/memory/sessions/{session_id}", memory_session)
    r.add_delete("/api/memory/sessions/{session_id}", delete_memory_session)
    r.add_post("/api/memory/sessions/{session_id}/end", end_memory_session)
