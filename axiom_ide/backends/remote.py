"""RemoteBackend: the :class:`Backend` over a remote Axiom deployment's HTTP API (httpx).

``AXIOM_API_URL`` serves ``/api/...`` (compile, configs) and ``AXIOM_INGRESS_URL`` the
``/invocations/...`` routes (invoke, stream, cancel, executions, events, checkpoints); both take the
bearer key. When only one URL is given it serves both (``axiom-ide serve`` is one origin).

Values come back as the protocol's own (``CompiledFlow``, ``RunResult`` with a ``Failure``,
``ConfigView``) and, for history, ``backends/values.py``'s ``Execution``, ``Event`` and
``FlowConfigView`` built from the JSON the API serves, so the IDE's views read local and remote runs
the same way and nothing of the runtime's store is made up here. Checkpoints come back as
:class:`CheckpointView` (the API serves them decoded).

There is no push channel for engine events: ``subscribe`` listeners get the events ``wait`` reads
while it polls the execution. Every failure is an ``AxiomError`` (see ``remote_http.py``); a run that
fails inside an accepted request is a ``RunResult`` with its ``Failure``, as LocalBackend gives.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import os
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import httpx
from httpx_sse import EventSource

from axiom_ide.backends.base import CompiledFlow, ConfigView, RunResult, attribute_failure
from axiom_ide.backends.checkpoint_view import CheckpointView as CheckpointView  # re-exported: the API's value type
from axiom_ide.backends.checkpoint_view import checkpoint_from_json
from axiom_ide.backends.debug_wait import wait_for_pause
from axiom_ide.backends.remote_console import RemoteConsole
from axiom_ide.backends.remote_http import Http, RetryPolicy, Timeouts
from axiom_ide.backends.remote_registry import RemoteRegistry
from axiom_ide.backends.values import (
    CANCELLED,
    COMPLETED,
    FAILED,
    FINAL_STATUSES,
    Event,
    Execution,
    config_from_json,
    event_from_json,
    execution_from_json,
)
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.record_rules import PLATFORM_NODE_TIMEOUT

log = logging.getLogger(__name__)

INVOCATIONS = "/invocations/v1"
DEBUG = INVOCATIONS + "/debug/sessions"
#: Page size the executions list asks for (the API's maximum).
PAGE = 500
#: How many of the newest executions the change probe looks at.
PROBE_ROWS = 50


def compiled_from_json(d: dict[str, Any]) -> CompiledFlow:
    warnings = tuple(w.get("text") or w.get("message", "") if isinstance(w, dict) else str(w)
                     for w in d.get("warnings") or ())
    return CompiledFlow(d["graph_id"], d["flow"], d["mode"], d["entry"], d["terminal"], d["input_type"],
                        d["output_type"], warnings)


class RemoteBackend:
    """``RemoteBackend(api_url, key, ingress_url=None, timeouts=Timeouts(), retry=RetryPolicy())``.

    ``from_env()`` reads ``AXIOM_API_URL``, ``AXIOM_INGRESS_URL`` and ``AXIOM_API_KEY``.
    ``poll_interval`` is how often ``wait`` looks at a running execution.
    """

    def __init__(self, api_url: str, key: str, *, ingress_url: str | None = None,
                 timeouts: Timeouts | None = None, retry: RetryPolicy | None = None,
                 poll_interval: float = 0.2, transport: httpx.AsyncBaseTransport | None = None,
                 on_retry: Callable[[int, float], None] | None = None) -> None:
        if not api_url and not ingress_url:
            raise AxiomError.of("not_configured", "no remote URL: set AXIOM_API_URL (and AXIOM_INGRESS_URL)")
        timeouts, retry = timeouts or Timeouts(), retry or RetryPolicy()
        self.api_url = (api_url or ingress_url or "").rstrip("/")
        self.ingress_url = (ingress_url or api_url or "").rstrip("/")
        http: dict[str, Any] = {"timeouts": timeouts, "retry": retry, "transport": transport, "on_retry": on_retry}
        self.api = Http(self.api_url, key, **http)
        self._key = key
        self.ingress = self.api if self.ingress_url == self.api_url else Http(self.ingress_url, key, **http)
        #: The Console pages' API over the management routes: :mod:`.remote_console`.
        self.console = RemoteConsole(self.api)
        self.poll_interval = poll_interval
        self._listeners: list[Callable[[Any], None]] = []

    @classmethod
    def from_env(cls, **kw: Any) -> RemoteBackend:
        key = os.environ.get("AXIOM_API_KEY", "")
        return cls(os.environ.get("AXIOM_API_URL", ""), key, ingress_url=os.environ.get("AXIOM_INGRESS_URL"), **kw)

    # -- compile and run -----------------------------------------------------------------------
    async def compile(self, flow: Any) -> CompiledFlow:
        """Compile ``flow`` (a Flow) on the remote; raises AxiomError with its diagnostics."""
        from axiom_ide.runtime.model.flow_yaml import dumps_flow, new_flow_file

        return await self.compile_source(dumps_flow(new_flow_file(flow)), f"{flow.name}.flow.yaml")

    async def compile_source(self, text: str, filename: str = "flow.yaml") -> CompiledFlow:
        """Compile flow.yaml text as posted (diagnostics name ``filename``:line:col)."""
        body = await self.api.json("POST", "/api/compile", json_body={"source": text, "filename": filename})
        return compiled_from_json(body)

    async def compile_json(self, text: str, filename: str = "flow.yaml") -> dict[str, Any]:
        """The compile route's whole 201 body (``flow compile --remote --json``)."""
        result: dict[str, Any] = await self.api.json("POST", "/api/compile",
                                                     json_body={"source": text, "filename": filename})
        return result

    def _invoke_body(self, graph_id: str, input: Any, config_id: str | None, **extra: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"graph_id": graph_id, "input": input if input is not None else {}, **extra}
        if config_id:
            body["config_id"] = config_id
        return body

    async def invoke(self, graph_id: str, input: Any, *, config_id: str | None = None, wait: bool = True,
                     timeout: float = 30.0, debug_session_id: str | None = None) -> dict[str, Any]:
        """``POST /v1/flows/invoke`` as the API answers it (the 202 body)."""
        body = self._invoke_body(graph_id, input, config_id, wait=wait,
                                 **({"timeout_seconds": _whole_seconds(timeout)} if wait else {}),
                                 **({"debug_session_id": debug_session_id} if debug_session_id else {}))
        read = timeout + self.api.timeouts.read if wait else None
        answer: dict[str, Any] = await self.ingress.json("POST", f"{INVOCATIONS}/flows/invoke", json_body=body,
                                                         read=read)
        return answer

    async def start(self, graph_id: str, input: Any, *, config_id: str | None = None,
                    debug_session_id: str | None = None) -> str:
        answer = await self.invoke(graph_id, input, config_id=config_id, wait=False,
                                   debug_session_id=debug_session_id)
        return str(answer["execution_id"])

    async def wait(self, execution_id: str, timeout: float | None = None) -> RunResult:
        """Poll the execution until it is final (raises TimeoutError after ``timeout`` seconds);
        ``subscribe`` listeners get its events as they are read."""
        seen = 0
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            rec = await self.get_execution(execution_id)
            if rec is None:
                raise AxiomError.of("execution_not_found", "execution not found")
            if self._listeners:
                seen = await self._relay_events(execution_id, seen)
            if rec.status in FINAL_STATUSES:
                return await self.result(execution_id)
            if deadline is not None and loop.time() >= deadline:
                raise TimeoutError(f"execution {execution_id} did not finish within {timeout:g}s")
            await asyncio.sleep(self.poll_interval)

    async def _relay_events(self, execution_id: str, after: int) -> int:
        for event in await self.events(execution_id, after_seq=after):
            after = event.seq
            for listener in list(self._listeners):
                try:
                    listener(event)
                except Exception:  # one broken listener must not stop a run's wait
                    log.exception("event listener failed")
        return after

    async def result(self, execution_id: str) -> RunResult:
        """The stored end of an execution (or its state so far) as a :class:`RunResult`."""
        rec = await self.get_execution(execution_id)
        if rec is None:
            raise AxiomError.of("execution_not_found", "execution not found")
        failure = None
        if rec.status in (FAILED, CANCELLED):
            detail = rec.diagnostic  # the served error value (location, exception type), when there is one
            failure = attribute_failure(rec.error, rec.error_code or rec.status.upper(),
                                        () if detail is not None else await self.events(execution_id), detail)
        return RunResult(rec.id, rec.status, rec.output if rec.status == COMPLETED else None, failure)

    async def stream(self, graph_id: str, input: Any, *, config_id: str | None = None,
                     timeout: float = 30.0) -> AsyncIterator[dict[str, Any]]:
        """The SSE frames of a pipeline run, as they arrive. A stream that ends before its final
        frame raises ``connection_lost`` naming the execution, so it can be looked up again."""
        body = self._invoke_body(graph_id, input, config_id, timeout_seconds=_whole_seconds(timeout))
        path = f"{INVOCATIONS}/flows/invoke/stream"
        execution_id = None
        async with self.ingress.open("POST", path, json_body=body, read=timeout + self.ingress.timeouts.read,
                                     headers={"Accept": "text/event-stream"}) as response:
            async for sse in EventSource(response).aiter_sse():
                if not sse.data:
                    continue
                try:
                    frame = json.loads(sse.data)
                except ValueError:
                    raise AxiomError.of("invalid_response", f"{path}: a frame that is not JSON: {sse.data[:200]}") from None
                execution_id = frame.get("execution_id", execution_id)
                yield frame
                if frame.get("is_final"):
                    return
        which = f" (execution {execution_id}; look it up by that id)" if execution_id else ""
        raise AxiomError.of("connection_lost", f"the stream from {self.ingress_url} ended before its final frame{which}")

    async def call_node(self, package: str, version: str, node: str, input: Any) -> Any:
        """One node without a flow (``POST /v1/nodes/{owner}/{package}/{version}/{node}``): its output
        JSON. A node error is ``node_error`` with the node's message; an unknown node ``not_found``."""
        owner, _, name = package.partition("/")
        return await self.ingress.json("POST", f"{INVOCATIONS}/nodes/{owner}/{name}/{version}/{node}",
                                       json_body=input if input is not None else {})

    async def openapi(self, graph_id: str) -> dict[str, Any]:
        """The compiled flow's live OpenAPI 3.0 document (``GET /api/graphs/{id}/openapi.json``)."""
        spec: dict[str, Any] = await self.api.json("GET", f"/api/graphs/{graph_id}/openapi.json")
        return spec

    async def whoami(self) -> dict[str, Any]:
        """Who the key is (``GET /api/whoami``): ``{"email", "tenant", "key" (its name), "masked", ...}``.
        A server without that route is asked for its key list instead, which proves the key and
        names it but not its tenant (``tenant`` None)."""
        who = await self.api.json("GET", "/api/whoami", missing_ok=True)
        if isinstance(who, dict):
            return who
        keys = await self.api.json("GET", "/api/keys")
        masked = f"{self._key[:8]}…{self._key[-4:]}"
        name = next((k.get("name") for k in keys.get("keys", []) if k.get("key") == masked), None)
        return {"email": None, "tenant": None, "key": name, "masked": masked}

    @property
    def registry(self) -> RemoteRegistry:
        """The remote's platform registry (push, publish, packages, flows, protos)."""
        return RemoteRegistry(self.api)

    #: Where datasets run on this remote are saved: a local folder (the IDE sets its data dir, so
    #: they sit beside the local batches; None: the user data dir). backends/remote_batch.py.
    batch_dir: str | os.PathLike[str] | None = None

    @property
    def batches(self) -> Any:
        """Run Dataset and Compare Batches over the invocation API (backends/remote_batch.py)."""
        from axiom_ide.backends.remote_batch import batches_of

        return batches_of(self)

    @property
    def flow_tests(self) -> Any:
        """Save as test case, Compare runs and the Tests tab's listing (backends/remote_tests.py)."""
        from axiom_ide.backends.remote_tests import RemoteTests

        return RemoteTests(self)

    @property
    def sessions(self) -> Any:
        """REPLAY / FORK debug sessions and the replay of a history (backends/remote_sessions.py)."""
        from axiom_ide.backends.remote_sessions import RemoteSessions

        return RemoteSessions(self)

    async def publish_flow(self, graph_id: str) -> dict[str, Any]:
        """Publish a compiled flow to the public marketplace (irreversible; ``POST
        /api/registry/flows/{id}/publish``): ``{"artifact_id", "visibility": "public"}``; a second
        publish is refused (409) with the server's words, an unknown artifact is ``not_found``."""
        try:
            return await self.registry.publish_flow(graph_id)
        except AxiomError as exc:
            if exc.message == "not found":  # the route itself is missing (an unknown artifact says "graph not found")
                raise AxiomError.of("not_supported", f"{self.api_url} has no flow marketplace (it does not serve "
                                    "POST /api/registry/flows/{id}/publish)") from None
            raise

    async def cancel(self, execution_id: str) -> bool:
        body = await self.ingress.json("DELETE", f"{INVOCATIONS}/flows/{execution_id}", missing_ok=True)
        return bool(body and body.get("cancelled"))

    # -- history -------------------------------------------------------------------------------
    async def list_executions(self, *, status: str | None = None, flow: str | None = None,
                              limit: int = 200) -> list[Execution]:
        out: list[Execution] = []
        cursor = None
        while len(out) < limit:
            params: dict[str, Any] = {"limit": min(PAGE, limit - len(out))}
            if status:
                params["status"] = status
            if flow:
                params["flow"] = flow
            if cursor:
                params["cursor"] = cursor
            page = await self.ingress.json("GET", f"{INVOCATIONS}/executions", params=params)
            out += [execution_from_json(d) for d in page.get("executions", [])]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        return out

    async def executions_changed_since(self, token: str | None) -> str | None:
        """The remote's executions change token when it differs from ``token`` (None: unchanged),
        as LocalBackend's: one request for the newest :data:`PROBE_ROWS` executions, whose ids,
        statuses and update times make the token (a new run, or one that moved on, changes it)."""
        page = await self.ingress.json("GET", f"{INVOCATIONS}/executions", params={"limit": PROBE_ROWS})
        rows = [(d.get("execution_id"), d.get("status"), d.get("updated_at")) for d in page.get("executions", [])]
        current = hashlib.sha256(json.dumps(rows).encode("utf-8")).hexdigest()[:32]
        return None if current == token else current

    async def get_execution(self, execution_id: str) -> Execution | None:
        body = await self.ingress.json("GET", f"{INVOCATIONS}/executions/{execution_id}", missing_ok=True)
        return execution_from_json(body) if body else None

    async def events(self, execution_id: str, *, after_seq: int = 0) -> list[Event]:
        out: list[Event] = []
        while True:
            page = await self.ingress.json("GET", f"{INVOCATIONS}/executions/{execution_id}/events",
                                           params={"after_seq": after_seq, "limit": 10_000})
            out += [event_from_json(d) for d in page.get("events", [])]
            after_seq = page.get("next_after_seq") or 0
            if not after_seq:
                return out

    async def checkpoints(self, execution_id: str) -> list[CheckpointView]:
        body = await self.ingress.json("GET", f"{INVOCATIONS}/executions/{execution_id}/checkpoints")
        return [checkpoint_from_json(d) for d in body.get("checkpoints", [])]

    async def fork(self, execution_id: str, *, node: str, input_override: Any = None,
                   mode: str = "input") -> str:
        """Run from here / Fork from here as a FORK session of the server, with the local plan
        (a failed node too): see backends/remote_fork.py."""
        from axiom_ide.backends import remote_fork

        return await remote_fork.fork(self, execution_id, node=node, input_override=input_override, mode=mode)

    async def node_payload(self, execution_id: str, node: str) -> Any:
        """The node's payload (backends/payloads.py; a failed node's input: backends/remote_fork.py)."""
        from axiom_ide.backends import remote_fork

        return await remote_fork.node_payload(self, execution_id, node)

    # -- debug sessions (server/debug_routes.py) -----------------------------------------------
    async def create_debug_session(self, *, breakpoints: tuple[str, ...] | list[str] = (), mode: str = "LIVE",
                                   **fields: Any) -> dict[str, Any]:
        """A new session (``LIVE``: pass its ``session_id`` to ``start``; ``REPLAY``/``FORK`` take
        ``execution_id``, ``checkpoint_id``, ``overrides``)."""
        session: dict[str, Any] = await self.ingress.json(
            "POST", DEBUG, json_body={"mode": mode, "breakpoints": list(breakpoints), **fields})
        return session

    async def debug_session(self, session_id: str) -> dict[str, Any] | None:
        session: dict[str, Any] | None = await self.ingress.json("GET", f"{DEBUG}/{session_id}", missing_ok=True)
        return session

    async def set_breakpoints(self, session_id: str, nodes: tuple[str, ...] | list[str],
                              options: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
        """Replace the breakpoints; ``options``: canvas id -> {"condition"?, "hit_count"?}."""
        extra = {"options": {n: {k: v for k, v in o.items() if v is not None} for n, o in options.items()}} \
            if options else {}
        body = await self.ingress.json("PUT", f"{DEBUG}/{session_id}/breakpoints",
                                       json_body={"breakpoints": list(nodes), **extra})
        return list(body["breakpoints"])

    async def debug_control(self, session_id: str, action: str) -> dict[str, Any]:
        """``pause`` | ``continue`` | ``step``; control that does not apply now raises its 409 class
        (``debug_not_paused``, ...) with the server's message."""
        if action not in ("pause", "continue", "step"):
            raise AxiomError.of("invalid_argument", f'debug action must be pause, continue or step, not "{action}"')
        body: dict[str, Any] = await self.ingress.json("POST", f"{DEBUG}/{session_id}/{action}")
        return body

    async def resume_pause(self, execution_id: str, action: str, input: Any = None, *,
                           comment: str | None = None) -> dict[str, Any]:
        """``POST /invocations/v1/executions/{id}/resume`` (server/resume_routes.py); a 409 raises its
        class (``not_paused``, ``already_resumed``, ``pause_timed_out``) with the server's message."""
        payload: dict[str, Any] = {"action": action}
        if input is not None:
            payload["input"] = input
        if comment:
            payload["comment"] = comment
        body: dict[str, Any] = await self.ingress.json("POST", f"/invocations/v1/executions/{execution_id}/resume",
                                                       json_body=payload)
        return body

    async def debug_wait(self, session_id: str, timeout: float, *, not_at: str | None = None) -> dict[str, Any]:
        """Poll the session until its run pauses (at a node other than ``not_at``) or ends; raises
        TimeoutError after ``timeout`` seconds."""
        return await wait_for_pause(self.debug_session, session_id, timeout, not_at=not_at,
                                    poll_interval=self.poll_interval)

    # -- configs -------------------------------------------------------------------------------
    async def flow_configs(self, flow_name: str) -> ConfigView:
        """The tenant default and ``flow_name``'s profiles, and the node timeout they resolve to
        (flow default over tenant default over the platform's)."""
        body = await self.api.json("GET", "/api/configs")
        configs = [config_from_json(d) for d in body.get("configs", [])]
        tenant_default = next((c for c in configs if not c.flow_name and c.name == "default"), None)
        own = sorted((c for c in configs if flow_name and c.flow_name == flow_name), key=lambda c: c.name)
        flow_default = next((c for c in own if c.name == "default"), None)
        timeout, source = PLATFORM_NODE_TIMEOUT, "platform default"
        for cfg, where in ((tenant_default, "tenant default"), (flow_default, "flow default")):
            if cfg is not None and cfg.node_timeout_seconds is not None:
                timeout, source = cfg.node_timeout_seconds, where
        return ConfigView(tuple(([tenant_default] if tenant_default else []) + own), timeout, source)

    # -- live events ---------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Any], None]) -> Callable[[], None]:
        """Call ``listener(Event)`` for the events ``wait`` reads; returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    async def close(self) -> None:
        await self.api.close()
        if self.ingress is not self.api:
            await self.ingress.close()


def _whole_seconds(timeout: float) -> int:
    """``timeout_seconds`` as the API takes it: a positive integer (a fraction rounds up)."""
    return max(1, math.ceil(timeout))
