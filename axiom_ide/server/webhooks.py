"""Webhook delivery: the result of an asynchronous invoke, POSTed to the caller's URL.

An invoke may carry ``"webhook": {"url": "https://...", "headers": {...}}``
(concepts/execution-model). When the caller does not get the result inline — ``wait`` is false, or a
``wait`` ran out of time — the server POSTs the same body a completed waited invoke returns
(``{"accepted": true, "execution_id": ..., "result": {...}}``) as JSON to ``url`` with the given
headers plus ``X-Axiom-Execution-Id``.

A delivery is retried on connection errors, timeouts, 408, 429 and 5xx answers, up to
:attr:`Policy.attempts` tries in all, waiting ``base_delay × 2^(n-1)`` seconds (capped at
``max_delay``) before retry *n*; any other answer (2xx, or a 4xx that a retry cannot fix) ends it.
Deliveries are tasks owned by :class:`WebhookSender`, which the server drains on shutdown.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429}) | frozenset(range(500, 600))


@dataclass(frozen=True)
class Webhook:
    url: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Policy:
    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    #: Seconds one POST may take.
    timeout: float = 10.0

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        return min(self.max_delay, self.base_delay * (2 ** (retry - 1)))


def parse_webhook(value: Any) -> Webhook:
    """The request's ``webhook`` field; ValueError names what is wrong."""
    if not isinstance(value, dict):
        raise ValueError('webhook must be an object {"url": "...", "headers": {...}}')
    url = value.get("url")
    if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ValueError("webhook.url must be an http:// or https:// URL")
    headers = value.get("headers") or {}
    if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise ValueError("webhook.headers must be an object of string values")
    unknown = sorted(set(value) - {"url", "headers"})
    if unknown:
        raise ValueError(f"webhook has unknown field(s): {', '.join(unknown)}")
    return Webhook(url, tuple(headers.items()))


class WebhookSender:
    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or Policy()
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task] = set()

    def send(self, hook: Webhook, execution_id: str, body: dict[str, Any] | Awaitable[dict[str, Any]]) -> asyncio.Task:
        """Deliver ``body`` in the background; an awaitable body (e.g. "when the run ends") is
        awaited first."""
        async def run() -> bool:
            return await self.deliver(hook, execution_id, body if isinstance(body, dict) else await body)

        task = asyncio.get_running_loop().create_task(run(), name=f"webhook-{execution_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def deliver(self, hook: Webhook, execution_id: str, body: dict[str, Any]) -> bool:
        """POST ``body`` until accepted or out of attempts; True when delivered."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.policy.timeout)
        headers = {**dict(hook.headers), "X-Axiom-Execution-Id": execution_id}
        for attempt in range(1, self.policy.attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self.policy.delay(attempt - 1))
            try:
                response = await self._client.post(hook.url, json=body, headers=headers)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code not in RETRY_STATUSES:
                    if response.is_success:
                        return True
                    log.warning("webhook for execution %s refused by %s: HTTP %s (not retried)",
                                execution_id, hook.url, response.status_code)
                    return False
                problem = f"HTTP {response.status_code}"
            log.warning("webhook for execution %s to %s failed (attempt %d/%d): %s",
                        execution_id, hook.url, attempt, self.policy.attempts, problem)
        return False

    async def close(self, grace: float = 5.0) -> None:
        """Give pending deliveries ``grace`` seconds, then cancel the rest."""
        pending = [t for t in self._tasks if not t.done()]
        if pending:
            _done, late = await asyncio.wait(pending, timeout=grace)
            for t in late:
                t.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None
