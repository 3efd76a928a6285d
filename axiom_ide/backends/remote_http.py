"""The HTTP side of :class:`~axiom_ide.backends.remote.RemoteBackend`: one httpx client with the bearer
key, bounded timeouts, Retry-After-aware retries (tenacity) and the platform's error envelope turned
into :class:`AxiomError` values.

Every failure is an ``AxiomError`` whose message says what and where:

- a refused or unresolvable address → ``unreachable`` "cannot reach <origin>: ..."
- a failed TLS handshake (untrusted certificate, no TLS at the other end) → ``tls`` "TLS failure
  talking to <origin>: ..."
- no answer within the configured timeout → ``timeout`` "<origin> did not answer <METHOD> <path>
  within <n>s"
- the connection dropped mid-answer → ``connection_lost``
- 401 → ``unauthorized`` (the docs' body ``{"error": "unauthorized"}``)
- an envelope ``{"error", "message"}`` → that class and message; ``{"error_message"}`` (400/500) →
  that text; a body that is not JSON → the status line and the start of the body.

429 and 503 are retried: the wait is the larger of the server's ``Retry-After`` and an exponential
backoff, capped; a ``Retry-After`` beyond the cap (a daily quota resetting at midnight) is not worth
waiting for and fails at once, saying when to retry.
"""
from __future__ import annotations

import email.utils
import json
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import tenacity

from axiom_ide.runtime.errors import AxiomError, Diagnostic, Location, Severity

#: Statuses that mean "not now, try again" (rate limit, quota service or dependency unavailable).
RETRY_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """How 429/503 answers are retried."""

    #: Tries in all (the first one included).
    attempts: int = 5
    #: First backoff in seconds; doubled each retry.
    base: float = 0.5
    #: No single wait is longer than this; a Retry-After above it fails at once.
    cap: float = 30.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds for each phase of a request; ``read`` is per chunk (an SSE stream adds its own)."""

    connect: float = 5.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 5.0

    def httpx(self, read: float | None = None) -> httpx.Timeout:
        return httpx.Timeout(connect=self.connect, read=self.read if read is None else read,
                             write=self.write, pool=self.pool)


class _RetryLater(Exception):
    """A 429/503 answer, to be retried after ``wait`` seconds (from Retry-After, when given)."""

    def __init__(self, response: httpx.Response, body: bytes) -> None:
        self.response = response
        self.body = body
        self.retry_after = retry_after(response, body)


def retry_after(response: httpx.Response, body: bytes = b"") -> float | None:
    """The server's Retry-After in seconds (delta-seconds or an HTTP date), else the envelope's
    ``retry_after_seconds``, else None."""
    value = response.headers.get("Retry-After")
    if value:
        value = value.strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value) if value else None
            if when is not None:
                return max(0.0, when.timestamp() - time.time())
    data = _json(body)
    if isinstance(data, dict) and isinstance(data.get("retry_after_seconds"), (int, float)):
        return max(0.0, float(data["retry_after_seconds"]))
    return None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except ValueError:
        return None


def _slug(text: str) -> str:
    return "_".join(text.lower().replace("-", " ").split()) or "error"


def diagnostics_from_json(items: Any) -> list[Diagnostic]:
    """The compile route's diagnostics back into Diagnostic values (so the IDE marks the same nodes)."""
    out = []
    for d in items if isinstance(items, list) else []:
        if not isinstance(d, dict):
            continue
        loc = d.get("location") or {}
        edge = loc.get("edge")
        try:
            severity = Severity(d.get("severity", "error"))
        except ValueError:
            severity = Severity.ERROR
        out.append(Diagnostic(str(d.get("code") or "error"), str(d.get("message") or ""), severity, Location(
            file=loc.get("file"), line=loc.get("line"), column=loc.get("column"), node=loc.get("node"),
            edge=(edge["from"], edge["to"]) if isinstance(edge, dict) else None, path=loc.get("path"))))
    return out


def envelope_error(method: str, url: httpx.URL, status: int, reason: str, body: bytes) -> AxiomError:
    """The AxiomError for a non-success answer, in the envelope's own words."""
    where = f"{method} {url.path}"
    data = _json(body)
    if status == 401:
        return AxiomError.of("unauthorized", f"unauthorized: {url.scheme}://{url.netloc.decode()} refused the API key "
                             '(missing, invalid or revoked); run "axiom-ide login" with a valid key')
    if isinstance(data, dict):
        cls = data.get("error")
        message = data.get("message") or data.get("error_message")
        if cls == "compile_failed" and data.get("diagnostics"):
            diagnostics = diagnostics_from_json(data["diagnostics"])
            if any(d.is_error for d in diagnostics):
                return AxiomError(diagnostics)
        if isinstance(cls, str) and cls:
            text = str(message) if message else cls
            seconds = data.get("retry_after_seconds")
            if isinstance(seconds, (int, float)) and status in RETRY_STATUSES:
                text += f" (retry after {seconds:g}s)"
            return AxiomError.of(_slug(cls), text)
        if isinstance(message, str) and message:
            return AxiomError.of(_MESSAGE_CODES.get(status, "server_error"), message)
    snippet = body[:200].decode("utf-8", "replace").strip()
    return AxiomError.of(f"http_{status}", f"{where}: HTTP {status} {reason}" + (f": {snippet}" if snippet else ""))


def _tls_failure(exc: BaseException) -> bool:
    """A failed TLS handshake (certificate not trusted, not TLS at the other end, ...)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "SSL" in str(exc) or "CERTIFICATE" in str(exc).upper()


#: The class of an ``{"error_message"}`` body by status (the envelope table's rows without a class).
_MESSAGE_CODES = {400: "invalid_request", 404: "not_found", 422: "node_error", 502: "node_unreachable"}


class Http:
    """``await http.json("GET", "/path")`` → the decoded body; every failure an AxiomError."""

    def __init__(self, base_url: str, key: str, *, timeouts: Timeouts, retry: RetryPolicy,
                 transport: httpx.AsyncBaseTransport | None = None,
                 on_retry: Callable[[int, float], None] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        #: ``on_retry(status, seconds)`` before each wait (the IDE's status bar says "retrying in …").
        self.on_retry = on_retry
        self.timeouts = timeouts
        self.retry = retry
        # No key (``search`` / ``info`` logged out): no Authorization header at all, so the marketplace
        # reads answer as the public; every other route answers 401, said as "unauthorized".
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.client = httpx.AsyncClient(base_url=self.base_url, timeout=timeouts.httpx(), transport=transport,
                                        headers={**headers, "User-Agent": "axiom-ide"})

    async def close(self) -> None:
        await self.client.aclose()

    def _transport_error(self, method: str, path: str, exc: Exception, read: float | None) -> AxiomError:
        if isinstance(exc, httpx.TimeoutException):
            limit = {httpx.ConnectTimeout: self.timeouts.connect, httpx.WriteTimeout: self.timeouts.write,
                     httpx.PoolTimeout: self.timeouts.pool}.get(type(exc), read if read is not None else self.timeouts.read)
            return AxiomError.of("timeout", f"{self.base_url} did not answer {method} {path} within {limit:g}s")
        if isinstance(exc, httpx.ConnectError) and _tls_failure(exc):
            return AxiomError.of("tls", f"TLS failure talking to {self.base_url}: {exc}")
        if isinstance(exc, httpx.ConnectError):
            return AxiomError.of("unreachable", f"cannot reach {self.base_url}: {exc or type(exc).__name__}")
        return AxiomError.of("connection_lost", f"the connection to {self.base_url} was lost during {method} {path}: "
                             f"{exc or type(exc).__name__}")

    def _wait(self, state: tenacity.RetryCallState) -> float:
        backoff = min(self.retry.cap, self.retry.base * 2 ** (state.attempt_number - 1))
        exc = state.outcome.exception() if state.outcome else None
        hinted = exc.retry_after if isinstance(exc, _RetryLater) else None
        return min(self.retry.cap, max(backoff, hinted or 0.0))

    def _before_sleep(self, state: tenacity.RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        if self.on_retry is not None and isinstance(exc, _RetryLater) and state.next_action is not None:
            self.on_retry(exc.response.status_code, state.next_action.sleep)

    def _worth_retrying(self, state: tenacity.RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if not isinstance(exc, _RetryLater):
            return False
        return exc.retry_after is None or exc.retry_after <= self.retry.cap

    @asynccontextmanager
    async def open(self, method: str, path: str, *, json_body: Any = None, params: Any = None,
                   read: float | None = None, headers: Mapping[str, str] | None = None,
                   ) -> AsyncIterator[httpx.Response]:
        """A streamed response with a success status (retried on 429/503); the caller reads it."""
        timeout = self.timeouts.httpx(read)
        response: httpx.Response | None = None
        try:
            async for attempt in tenacity.AsyncRetrying(
                    stop=tenacity.stop_after_attempt(max(1, self.retry.attempts)), wait=self._wait,
                    retry=self._worth_retrying, before_sleep=self._before_sleep, reraise=True):
                with attempt:
                    request = self.client.build_request(method, path, json=json_body, params=params,
                                                        timeout=timeout, headers=headers)
                    response = await self.client.send(request, stream=True)
                    if response.status_code < 400:
                        break
                    body = await response.aread()
                    await response.aclose()
                    if response.status_code in RETRY_STATUSES:
                        raise _RetryLater(response, body)
                    raise envelope_error(method, response.url, response.status_code, response.reason_phrase, body)
        except _RetryLater as last:
            r = last.response
            raise envelope_error(method, r.url, r.status_code, r.reason_phrase, last.body) from None
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise self._transport_error(method, path, exc, read) from None
        assert response is not None
        try:
            yield response
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise self._transport_error(method, path, exc, read) from None
        finally:
            await response.aclose()

    async def json(self, method: str, path: str, *, json_body: Any = None, params: Any = None,
                   read: float | None = None, missing_ok: bool = False) -> Any:
        """The decoded JSON body of a success answer (None for 204, or for 404 when ``missing_ok``)."""
        try:
            async with self.open(method, path, json_body=json_body, params=params, read=read) as response:
                body = await response.aread()
        except AxiomError as exc:
            if missing_ok and (exc.diagnostics[0].code.endswith("not_found") or exc.diagnostics[0].code == "http_404"):
                return None
            raise
        if response.status_code == 204 or not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            snippet = body[:200].decode("utf-8", "replace")
            raise AxiomError.of("invalid_response", f"{method} {path}: {self.base_url} answered "
                                f"{response.status_code} with a body that is not JSON: {snippet}") from None
