"""One log line per HTTP request served: method, path, status, latency.

:func:`setup` puts :func:`middleware` first, around every other middleware, so the line has the
status the client really got (a 401 from auth, a 413 or 500 from the envelope) and the latency
covers the whole answer — for an SSE stream, until its last frame. Records go to the
``axiom_ide.server.access`` logger: INFO, WARNING for 5xx; fields ``method``, ``path``,
``status``, ``latency_ms``, ``remote`` and, once authenticated, ``tenant``.

What is never logged: the query string (``request.path`` excludes it; it may carry tokens), any
header (so never ``Authorization`` or an API key) and the body.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

log = logging.getLogger("axiom_ide.server.access")


@web.middleware
async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except asyncio.CancelledError:
        status = 499  # the client went away first (nginx's "client closed request")
        raise
    finally:
        if log.isEnabledFor(logging.INFO):
            _line(request, status, (time.perf_counter() - started) * 1000.0)


#: Fields the text format need not repeat after the message (logs.TextFormatter).
_IN_MESSAGE = ("method", "path", "status")


def _line(request: web.Request, status: int, latency_ms: float) -> None:
    from axiom_ide.server.app import TENANT

    fields: dict[str, Any] = {"method": request.method, "path": request.path, "status": status,
                              "latency_ms": round(latency_ms, 3), "remote": request.remote,
                              "_in_message": _IN_MESSAGE}
    tenant = request.get(TENANT)
    if tenant is not None:
        fields["tenant"] = tenant
    log.log(logging.WARNING if status >= 500 else logging.INFO, "%s %s %d %.1f ms",
            request.method, request.path, status, latency_ms, extra=fields)


def setup(app: web.Application) -> None:
    """Make :func:`middleware` the outermost middleware of ``app`` (before it starts)."""
    app.middlewares.insert(0, middleware)
