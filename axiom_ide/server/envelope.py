"""The error envelope (reference/http-api "Error envelope") and the payload size cap.

The middleware runs first, around every other middleware and handler:

- **Size cap.** A request body larger than ``ServerOptions.max_payload_bytes`` (16 MiB) gets 413
  ``{"error":"payload_too_large","message":"payload exceeds hard cap: actual=N max=M",
  "max_bytes":M,"actual_bytes":N}``. A declared ``Content-Length`` is checked before a byte is read;
  a chunked body is counted while it is read and the rest is drained (up to :data:`DRAIN_LIMIT`) so
  the client can read the answer and ``actual_bytes`` is the true size. The body read here is kept
  in ``request[BODY]``; handlers get it with :func:`body_bytes` or, parsed, :func:`read_json`.
- **Body read timeout.** The whole body must arrive within ``ServerOptions.body_timeout`` seconds
  (``serve --body-timeout``, default 60): a client that stops sending, or announces an absurd chunk
  size and never sends it, gets 408 ``{"error":"request_timeout","message":"request body not
  received within 60s"}`` and the connection is closed instead of being held open forever.
- **Router answers.** An unknown path is 404 ``{"error":"not found"}`` and a method the path does not
  have 405 ``{"error":"method not allowed","message":...}`` with ``Allow`` (JSON, as everywhere).
- **Unclassified failures.** Any exception a handler lets escape (other than aiohttp's own HTTP
  responses) becomes 500 ``{"accepted": false, "error_message": "..."}`` — for an
  :class:`AxiomError` its message, otherwise ``internal error: ...`` (and a logged traceback).

Helpers build the documented bodies so every route words them the same way. :func:`read_json` is
the one place a JSON body is parsed: it refuses nesting deeper than :data:`MAX_JSON_DEPTH` (Python's
parser would otherwise fail with ``RecursionError`` — a 500 — at about 1,000 levels, and anything
deep enough to pass it could still overflow a later recursive step).
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable
from typing import Any

from aiohttp import web

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.server.app import STATE

log = logging.getLogger(__name__)

#: request[BODY]: the request body as read (and capped) by the middleware; b"" when there is none.
BODY = web.RequestKey("axiom_body", bytes)
#: The deepest JSON nesting (objects and arrays) a body may have; protobuf's JSON parser refuses
#: past 100 as well, so no message can need more.
MAX_JSON_DEPTH = 100

#: How much of an oversized chunked body is read (and discarded) to report its real size; past
#: this the connection is closed and ``actual_bytes`` is omitted.
DRAIN_LIMIT = 1 << 30
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _dumps(body: Any) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def reply(status: int, body: Any, *, headers: dict[str, str] | None = None) -> web.Response:
    """A compact JSON response (the docs print bodies compact: ``{"error":"rate limit exceeded"}``)."""
    return web.json_response(body, status=status, headers=headers, dumps=_dumps)


def json_response(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """``web.json_response`` with the compact encoding every route answers with."""
    return reply(status, body, headers=headers)


#: An error body is a JSON reply too.
error = reply


def unclassified(message: str) -> web.Response:
    """500 ``{"accepted": false, "error_message": message}`` (the envelope's catch-all row)."""
    return error(500, {"accepted": False, "error_message": message})


def invalid_body(detail: str) -> web.Response:
    """400 ``{"accepted": false, "error_message": "invalid request body: <detail>"}``."""
    return error(400, {"accepted": False, "error_message": f"invalid request body: {detail}"})


class BodyError(ValueError):
    """The body is not the JSON the route needs; ``str(exc)`` says why (no prefix)."""


def body_bytes(request: web.Request) -> bytes:
    """The request body the middleware read (b"" for none)."""
    return request.get(BODY, b"")


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number")


def _too_deep(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    children: Iterable[Any]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def parse_json(raw: bytes | str) -> Any:
    """``raw`` parsed; BodyError with the parser's message, or for nesting over MAX_JSON_DEPTH."""
    try:
        data = json.loads(raw)
    except RecursionError:
        raise BodyError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, and UnicodeDecodeError for bytes that are not UTF-8
        raise BodyError(str(exc)) from None
    if _too_deep(data, MAX_JSON_DEPTH):
        raise BodyError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return data


def read_json(request: web.Request, *, empty: Any = ..., want_object: bool = True) -> Any:
    """The body parsed as JSON (a JSON object unless ``want_object`` is false); ``empty`` is
    returned for a blank body when given. Raises :class:`BodyError`."""
    raw = body_bytes(request)
    if empty is not ... and not raw.strip():
        return empty
    data = parse_json(raw)
    if want_object and not isinstance(data, dict):
        raise BodyError(f"expected a JSON object, got {_json_type(data)}")
    return data


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


def body_timeout(seconds: float) -> web.Response:
    response = error(408, {"error": "request_timeout", "message": f"request body not received within {seconds:g}s"})
    response.force_close()  # the rest of the body may never come: do not wait for it
    return response


@web.middleware
async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.method in _BODY_METHODS and request.body_exists:
        options = request.app[STATE].options
        limit = options.max_payload_bytes
        declared = request.content_length
        if declared is not None and declared > limit:
            return too_large(declared, limit)
        try:
            body, oversize = await asyncio.wait_for(_read_capped(request, limit), options.body_timeout)
        except TimeoutError:
            return body_timeout(options.body_timeout)
        if body is None:
            response = too_large(oversize, limit)
            if oversize is None:
                response.force_close()
            return response
        request[BODY] = body
    try:
        return await handler(request)
    except web.HTTPMethodNotAllowed as exc:  # the router's own answers, in JSON like every other one
        return error(405, {"error": "method not allowed", "message": f"{request.method} is not allowed here; "
                                                                    f"allowed: {', '.join(sorted(exc.allowed_methods))}"},
                     headers={"Allow": ",".join(sorted(exc.allowed_methods))})
    except web.HTTPNotFound as exc:
        if exc.content_type == "application/json":
            raise
        return error(404, {"error": "not found"})
    except web.HTTPException:
        raise
    except AxiomError as exc:
        return unclassified(exc.message)
    except Exception as exc:
        log.exception("%s %s failed", request.method, request.path)
        return unclassified(f"internal error: {exc}")
