"""Per-tenant rate limits and daily quotas (off by default locally). (Being built.)"""
from __future__ import annotations

from typing import Any

from aiohttp import web


@web.middleware
async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    return await handler(request)
