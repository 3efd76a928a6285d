"""Per-tenant rate limits and daily quotas (reference/http-api "Rate limits", "Daily quotas").

``ServerOptions.limits`` picks them:

- ``off`` (the local default): no limits.
- ``platform``: the documented beta values — every route 100 requests/s, burst 200; routes under
  ``/invocations/`` additionally 5/s, burst 10; 2,000 invocations and 500 executions per UTC day.
- explicit numbers over the platform values, as ``key=value,key=value`` or a JSON object, with
  keys ``rate``, ``burst``, ``invoke_rate``, ``invoke_burst``, ``daily_invocations``,
  ``daily_executions``; the value ``off`` drops that limit (e.g. ``burst=3,rate=0`` — three
  requests, never refilled — or ``daily_invocations=2,rate=off``).

Only authenticated requests are limited (public docs and package specs are not). A request over a
token bucket gets 429 ``{"error":"rate limit exceeded"}`` with ``Retry-After: 1``. A request that
would pass a daily budget gets 429 ``{"error":"quota_exceeded","message":"daily invocations quota
exceeded (cap 2000)","retry_after_seconds":N}`` with ``Retry-After: N``, N counting down to midnight
UTC; usage is kept in the ``tenant_usage`` table (:mod:`axiom_ide.runtime.store.usage`), so a
restart does not reset it. If that table cannot be read or written the request is refused with 503
``quota_unavailable`` (``retry_after_seconds: 5``), as the platform does.

What counts is decided from the route path alone, so it holds for every route module:

- an **invocation** (one authenticated request that triggers compute) is a ``POST`` to
  ``/invocations/v1/flows/invoke`` or ``.../invoke/stream``, under ``/invocations/v1/nodes/``,
  or to any path with a ``resume`` segment (resume, resume webhooks) or ending in ``fork`` /
  ``forks`` (debug-session forks, also from a REPLAY session); a debug session created with
  ``"mode": "FORK"`` is one too, charged by its route through :func:`charge` (the path alone
  cannot tell it from a LIVE or REPLAY session);
- an invocation also draws one **execution** (one flow run), except a single-node call and a
  resume (it continues a run that already drew its execution). Fan-out branches draw theirs while
  the run goes (``server/execution_budget.py``).

A reservation is given back when the route refuses the request (400 and above — a bad body, an
unknown graph, a missing node — except :data:`RAN_STATUSES`): no compute ran, so it was not an
invocation. Compute that ran and failed counts: 202 with ``result.success: false``, a final SSE frame
with ``error``, a node's own error (422) or a node host that failed (502).
"""
from __future__ import annotations

import json
import sqlite3
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from aiohttp import web

from axiom_ide.runtime.store.usage import EXECUTIONS, INVOCATIONS, UsageStore, seconds_to_utc_midnight, utc_day
from axiom_ide.server.app import STATE, TENANT, is_public
from axiom_ide.server.envelope import json_response

RATE_LIMITED = {"error": "rate limit exceeded"}
#: Error statuses that mean compute did run (a node's own error, a node host that failed).
RAN_STATUSES = frozenset({422, 502})
QUOTA_UNAVAILABLE = {"error": "quota_unavailable", "retry_after_seconds": 5}
R = TypeVar("R", bound=web.StreamResponse)


@dataclass(frozen=True)
class Limits:
    """Rates in requests/second; a None field is no limit. Defaults are the platform's beta values."""

    rate: float | None = 100.0
    burst: float | None = 200.0
    invoke_rate: float | None = 5.0
    invoke_burst: float | None = 10.0
    daily_invocations: int | None = 2000
    daily_executions: int | None = 500

    @property
    def any(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))


OFF = Limits(None, None, None, None, None, None)
PLATFORM = Limits()
_NAMES = tuple(f.name for f in fields(Limits))


def parse_limits(spec: str | Limits | None) -> Limits:
    """``off`` | ``platform`` | ``key=value,...`` | a JSON object (see the module docstring).
    Raises ValueError with a message naming the bad part."""
    if isinstance(spec, Limits):
        return spec
    text = (spec or "off").strip()
    if text.lower() == "off":
        return OFF
    if text.lower() == "platform":
        return PLATFORM
    if text.startswith("{"):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"limits JSON is malformed: {exc}") from None
        if not isinstance(items, dict):
            raise ValueError("limits JSON must be an object")
    else:
        items = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f'limits: expected key=value, got "{part}" (or use "off" or "platform")')
            items[key.strip()] = value.strip()
    changes: dict[str, Any] = {}
    for key, value in items.items():
        if key not in _NAMES:
            raise ValueError(f'unknown limit "{key}"; one of: {", ".join(_NAMES)}')
        if value is None or (isinstance(value, str) and value.lower() in ("off", "none")):
            changes[key] = None
            continue
        try:
            number = float(value) if key.endswith(("rate", "burst")) else int(value)
        except (TypeError, ValueError):
            raise ValueError(f'limit {key} must be a number or "off"; got "{value}"') from None
        if number < 0:
            raise ValueError(f"limit {key} must not be negative; got {value}")
        changes[key] = number
    return replace(PLATFORM, **changes)


def classify(method: str, path: str) -> tuple[bool, bool]:
    """(is an invocation, starts an execution) for a request — see the module docstring."""
    if method != "POST":
        return False, False
    segments = [s for s in path.split("/") if s]
    if path.startswith("/invocations/v1/nodes/"):
        return True, False
    if path.rstrip("/") in ("/invocations/v1/flows/invoke", "/invocations/v1/flows/invoke/stream"):
        return True, True
    if "resume" in segments:  # continues a run that already counted as an execution
        return True, False
    if segments and segments[-1] in ("fork", "forks"):
        return True, True
    return False, False


class _Bucket:
    __slots__ = ("rate", "burst", "tokens", "stamp")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.stamp = rate, burst, burst, now

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = now


class Limiter:
    """Token buckets per tenant (in memory: they refill within a second or two anyway) and the
    daily budgets (in the database)."""

    def __init__(self, limits: Limits, usage: UsageStore) -> None:
        self.limits = limits
        self.usage = usage
        self._buckets: dict[tuple[str, str], _Bucket] = {}

    def _bucket(self, tenant: str, kind: str, rate: float | None, burst: float | None, now: float) -> _Bucket | None:
        if rate is None or burst is None:
            return None
        bucket = self._buckets.get((tenant, kind))
        if bucket is None:
            bucket = self._buckets[(tenant, kind)] = _Bucket(rate, burst, now)
        bucket.refill(now)
        return bucket

    def take(self, tenant: str, invocation_route: bool, now: float) -> bool:
        """Take one token from every bucket that applies, or none when any is empty."""
        lim = self.limits
        buckets = [self._bucket(tenant, "all", lim.rate, lim.burst, now)]
        if invocation_route:
            buckets.append(self._bucket(tenant, "invocations", lim.invoke_rate, lim.invoke_burst, now))
        live = [b for b in buckets if b is not None]
        if any(b.tokens < 1.0 for b in live):
            return False
        for b in live:
            b.tokens -= 1.0
        return True


_LIMITERS: weakref.WeakKeyDictionary[web.Application, Limiter | None] = weakref.WeakKeyDictionary()


def limiter_for(app: web.Application) -> Limiter | None:
    """The app's limiter (built on first use from ``ServerOptions.limits``); None when limits are off."""
    if app in _LIMITERS:
        return _LIMITERS[app]
    state = app[STATE]
    limits = parse_limits(state.options.limits)
    limiter = Limiter(limits, state.runtime.usage()) if limits.any else None
    _LIMITERS[app] = limiter
    return limiter


def _quota_exceeded(budget: str, cap: int, now: float) -> web.Response:
    wait = seconds_to_utc_midnight(now)
    return json_response({"error": "quota_exceeded", "message": f"daily {budget} quota exceeded (cap {cap})",
                              "retry_after_seconds": wait}, status=429, headers={"Retry-After": str(wait)})


@web.middleware
async def middleware(request: web.Request, handler: Any) -> web.StreamResponse:
    limiter = limiter_for(request.app)
    if limiter is None or is_public(request) or TENANT not in request:
        return await handler(request)
    if not limiter.take(request[TENANT], request.path.startswith("/invocations/"), time.monotonic()):
        return json_response(RATE_LIMITED, status=429, headers={"Retry-After": "1"})
    invocation, execution = classify(request.method, request.path)
    if not invocation:
        return await handler(request)
    return await _charged(request, limiter, execution, lambda: handler(request))


async def charge(request: web.Request, call: Callable[[], Awaitable[R]], *, execution: bool = True) -> R | web.Response:
    """Run ``call`` as one invocation (and, with ``execution``, one execution) of the daily quotas,
    for a route whose body — not its path — makes it one (a debug session created with mode FORK).
    Refused over a cap with the same 429 the middleware gives; released when ``call`` refuses."""
    limiter = limiter_for(request.app)
    if limiter is None or is_public(request) or TENANT not in request:
        return await call()
    return await _charged(request, limiter, execution, call)


async def _charged(request: web.Request, limiter: Limiter, execution: bool,
                   call: Callable[[], Awaitable[R]]) -> R | web.Response:
    tenant = request[TENANT]
    lim = limiter.limits
    if lim.daily_invocations is None and lim.daily_executions is None:
        return await call()
    now = time.time()
    day = utc_day(now)
    drawn = {"invocations": 1, "executions": 1 if execution else 0}
    try:
        exhausted = limiter.usage.reserve(tenant, day, **drawn, invocation_cap=lim.daily_invocations,
                                          execution_cap=lim.daily_executions)
    except sqlite3.Error:
        return json_response(QUOTA_UNAVAILABLE, status=503, headers={"Retry-After": "5"})
    if exhausted == INVOCATIONS:
        return _quota_exceeded(INVOCATIONS, lim.daily_invocations or 0, now)
    if exhausted == EXECUTIONS:
        return _quota_exceeded(EXECUTIONS, lim.daily_executions or 0, now)
    try:
        response = await call()
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.status not in RAN_STATUSES:
            limiter.usage.release(tenant, day, **drawn)
        raise
    except Exception:  # the envelope answers 500: the run was never accepted
        limiter.usage.release(tenant, day, **drawn)
        raise
    if response.status >= 400 and response.status not in RAN_STATUSES:
        limiter.usage.release(tenant, day, **drawn)
    return response
