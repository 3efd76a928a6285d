"""Bearer API keys: every route but the public ones needs ``Authorization: Bearer <64 hex>``.

The key is looked up on every request (no cache), so a revoked key fails on its very next use. A
missing, malformed, unknown or revoked key gets 401 ``{"error":"unauthorized"}`` — also on paths
that do not exist, so an unauthenticated caller learns nothing about the routes. A ``key_optional``
route (the marketplace reads) lets a request without an ``Authorization`` header through with no
tenant: it answers it as the public. Otherwise
``request[TENANT]`` is the key's tenant; every handler scopes what it reads and writes by it, and
``request[API_KEY]`` the key's stored row (name, tenant, masked prefix; never the key itself).
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from axiom_ide.runtime.store.apikeys import ApiKey
from axiom_ide.server.app import STATE, TENANT, is_key_optional, is_public
from axiom_ide.server.envelope import json_response

#: request[API_KEY]: the API key the request authenticated with (``GET /api/whoami`` names it).
API_KEY = web.RequestKey("axiom_api_key", ApiKey)


@web.middleware
async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if is_public(request):
        return await handler(request)
    header = request.headers.get("Authorization", "")
    if not header and is_key_optional(request):
        return await handler(request)
    raw = header[7:].strip() if header[:7].lower() == "bearer " else None
    key = request.app[STATE].runtime.authenticate(raw)
    if key is None:
        return json_response({"error": "unauthorized"}, status=401)
    request[TENANT] = key.tenant_id
    request[API_KEY] = key
    return await handler(request)
