"""The aiohttp application: the platform's HTTP API over one :class:`Runtime`.

``create_app`` wires the middlewares (error envelope and size cap, bearer-key auth, rate limits and
quotas) and lets each route module add its routes through ``setup(app)``:

- ``invocations``  — ``/invocations/v1/flows/invoke[/stream]``, ``/v1/nodes/...``, cancel
- ``history_routes`` — ``/invocations/v1/executions[/{id}[/events|/checkpoints[/{cp}]]]``
- ``debug_routes`` — debug sessions: create, breakpoints, pause/continue/step, fork
- ``openapi_routes`` — ``/api/graphs/{id}/openapi.json``, ``/api/packages/{name}@{version}/...``, docs
- ``management``   — the server's own ``/api/...`` routes (compile, flows, packages, secrets, ...)
- ``registry_routes`` — ``/api/registry/...``: push, publish, flow publish, protos (the platform registry)
- ``input_routes`` — a failed node's rebuilt input, a flow's entry message descriptors (remote parity)
- ``client_routes`` — ``/api/clients/...``: the Console's Client Builder (clients, members, builds, SDK zips)

Handlers read shared state with ``request.app[STATE]`` and the caller's tenant with
``request[TENANT]`` (set by the auth middleware). A handler marked :func:`public` needs no key; one
marked :func:`key_optional` (the marketplace reads) answers without a key too, as the public, and
with one as that key's tenant (:func:`caller_tenant`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from axiom_ide.runtime.runtime import Runtime

#: The platform's hard cap on an input payload (reference/http-api: 16 MiB).
MAX_PAYLOAD_BYTES = 16 * 1024 * 1024
#: Seconds a request body may take to arrive in full (a stalled or lying client is answered 408).
BODY_TIMEOUT = 60.0

ROUTE_MODULES = ("invocations", "history_routes", "debug_routes", "openapi_routes", "management",
                 "resume_routes", "execution_budget", "registry_routes", "input_routes", "client_routes")


@dataclass
class ServerOptions:
    #: "off" (local default), "platform" (the documented beta values), or explicit numbers.
    limits: str = "off"
    max_payload_bytes: int = MAX_PAYLOAD_BYTES
    body_timeout: float = BODY_TIMEOUT
    #: The origin clients use (for generated specs and curl commands); set once bound.
    origin: str = "http://127.0.0.1:8765"
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ServerState:
    runtime: Runtime
    workspace: Path | None
    options: ServerOptions


STATE = web.AppKey("axiom_state", ServerState)
#: request[TENANT]: the tenant the request's API key resolves to.
TENANT = web.RequestKey("axiom_tenant", str)


def public(handler: Callable) -> Callable:
    """Mark a route handler as needing no API key (package specs and docs pages)."""
    handler.axiom_public = True  # type: ignore[attr-defined]
    return handler


def key_optional(handler: Callable) -> Callable:
    """Mark a route handler as answering anonymous callers (no ``Authorization`` header) as well:
    the marketplace reads ``axiom search`` / ``axiom info`` make logged out. A key that is sent is
    checked as on every other route (a bad or revoked one is still 401)."""
    handler.axiom_key_optional = True  # type: ignore[attr-defined]
    return handler


def is_key_optional(request: web.Request) -> bool:
    handler = getattr(request.match_info, "handler", None)
    return bool(getattr(handler, "axiom_key_optional", False))


def caller_tenant(request: web.Request) -> str | None:
    """The tenant of the request's key, or None for an anonymous caller of a :func:`key_optional` route."""
    return request.get(TENANT)


def is_public(request: web.Request) -> bool:
    handler = getattr(request.match_info, "handler", None)
    return bool(getattr(handler, "axiom_public", False))


def create_app(runtime: Runtime, *, workspace: Path | None = None,
               options: ServerOptions | None = None) -> web.Application:
    import importlib

    from axiom_ide.server import access_log, auth, envelope, limits

    options = options or ServerOptions()
    app = web.Application(
        # The body cap is enforced by the envelope middleware so the 413 carries the sizes; aiohttp's
        # own limit is only a backstop well above it.
        client_max_size=options.max_payload_bytes * 4,
        middlewares=[envelope.middleware, auth.middleware, limits.middleware],
    )
    access_log.setup(app)
    app[STATE] = ServerState(runtime, Path(workspace) if workspace else None, options)
    for name in ROUTE_MODULES:
        importlib.import_module(f"axiom_ide.server.{name}").setup(app)
    return app
