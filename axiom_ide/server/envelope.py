"""The error envelope (reference/http-api "Error envelope") and the payload size cap.

The middleware runs first, around every other middleware and handler:

- **Size cap.** A request body larger than ``ServerOptions.max_payload_bytes`` (16 MiB) gets 413
  ``{"error":"payload_too_large","message":"payload exceeds hard cap: actual=N max=M",
  "max_bytes":M,"actual_bytes":N}``. A declared ``Content-Length`` is checked before a byte is read;
  a chunked body is counted while it is read and the rest is drained (up to :data:`DRAIN_LIMIT`) so
  the client can read the answer and ``actual_bytes`` is the true size. The body read here is what
  ``request.read()`` / ``request.json()`` return in the handlers.
- **Unclassified failures.** Any exception a handler lets escape (other than aiohttp's own HTTP
  responses) becomes 500 ``{"accepted": false, "error_message": "..."}`` — for an
  :class:`AxiomError` its message, otherwise ``internal error: ...`` (and a logged traceback).

Helpers build the documented bodies so every route words them the same way.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.server.app import STATE

log = logging.getLogger(__name__)

#: How much of an oversized chunked body is read (and discarded) to report its real size; past
#: this the connection is closed and ``actual_bytes`` is omitted.
DRAIN_LIMIT = 1 << 30
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def reply(status: int, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> web.Response:
    """A compact JSON response."""
    return web.json_response(body, status=status, headers=headers, dumps=_dumps)


#: An error body is a JSON reply too.
error = reply


def unclassified(message: str) -> web.Response:
    """500 ``{"accepted": false, "error_message": message}`` (the envelope's catch-all row)."""
    return error(500, {"accepted": False, "error_message": message})


def invalid_body(detail: str) -> web.Response:
    """400 ``{"accepted": false, "error_message": "invalid request body: <detail>"}``."""
    return error(400, {"accepted": False, "error_message": f"invalid request body: {detail}"})


def too_large(actual: int | None, limit: int) -> web.Response:
    body: dict[str, Any] = {"error": "payload_too_large",
                            "message": f"payload exceeds hard cap: actual={actual if actual is not None else 'unknown'} "
                                       f"max={limit}",
                            "max_bytes": limit}
    if actual is not None:
        body["actual_bytes"] = actual
    return error(413, body)


async def _read_capped(request: web.Request, limit: int) -> tuple[bytes | None, int | None]:
    """(body, None) when within ``limit``; (None, size) when over (size None: too big to count)."""
    chunks: list[bytes] = []
    size = 0
    content = request.content
    while True:
        chunk = await content.readany()
        if not chunk:
            return b"".join(chunks), None
        size += len(chunk)
        if size > limit:
            break
        chunks.append(chunk)
    chunks.clear()
    while size <= DRAIN_LIMIT:
        chunk = await content.readany()
        if not chunk:
            return None, size
        size += len(chunk)
    return None, None


@web.middleware
async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.method in _BODY_METHODS and request.body_exists:
        limit = request.app[STATE].options.max_payload_bytes
        declared = request.content_length
        if declared is not None and declared > limit:
            return too_large(declared, limit)
        body, oversize = await _read_capped(request, limit)
        if body is None:
            response = too_large(oversize, limit)
            if oversize is None:
                response.force_close()
            return response
        request._read_bytes = body  # what request.read()/json() return from here on
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except AxiomError as exc:
        return unclassified(exc.message)
    except Exception as exc:
        log.exception("%s %s failed", request.method, request.path)
        return unclassified(f"internal error: {exc}")
