"""LocalBackend: the :class:`Backend` over an in-process :class:`~axiom_ide.runtime.runtime.Runtime`.

Compiling stores the artifact in the runtime's artifact store (so the local HTTP server and the CLI
see the same ``graph_id``); runs, streams, cancels and history go straight to the runtime and its
stores. All coroutines must run on the runtime's event loop (one loop per runtime). ``subscribe``
hands the listener every event the runtime's event bus emits, on that loop's thread.

The store's records stop here: history, events, checkpoints and configs leave as the protocol's
values (``backends/values.py``: ``Execution.from_record``, ``Event.from_record``, ...; checkpoints
as ``CheckpointView``, decoded as the checkpoints API serves them), so the app reads a local and a
remote backend alike. The IDE's local HTTP API is :meth:`LocalBackend.http_app` (the server over
this backend's runtime); ``backends/local_factory.py`` builds a LocalBackend for a data dir.

Compiling an unchanged flow again hands back the same ``graph_id`` (Use via API, Open interactive
docs and Run all compile the canvas first, and a new id each time would make every snippet the
user copied stale): the result is cached by :func:`content_digest` — the artifact without its id and
timestamp, i.e. the canonical flow text plus, per package, its version, the message descriptors
and handlers the flow resolved to. Any edit, or a package whose messages changed, is a new digest.
"""
from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any

from axiom_ide.backends.base import CompiledFlow, ConfigView, RunResult, attribute_failure
from axiom_ide.backends.checkpoint_view import CheckpointView, checkpoint_from_json
from axiom_ide.backends.local_console import LocalConsole
from axiom_ide.backends.local_debug import LocalDebug
from axiom_ide.backends.values import Event, Execution, FlowConfigView
from axiom_ide.runtime.store import executions as ex
from axiom_ide.runtime.store.configs import PLATFORM_NODE_TIMEOUT, TENANT

#: How many distinct compiled flows a backend remembers (an IDE session's open flows and then some).
COMPILE_CACHE_SIZE = 64


def content_digest(artifact: Any) -> str:
    """sha256 of everything an artifact is made of except what each compile makes up anew (its
    ``graph_id`` and ``created_at``, its subflows' too)."""
    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("graph_id", "created_at")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    text = json.dumps(strip(artifact.to_json()), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class LocalBackend(LocalDebug):
    """``LocalBackend(runtime, workspace)``; ``workspace`` is a Workspace or a callable returning one
    (the IDE rescans packages, so it hands a provider)."""

    #: :meth:`start` and :meth:`stream` take the editor's ``pins`` (a RemoteBackend does not: pins
    #: never leave the IDE).
    takes_pins = True

    def __init__(self, runtime: Any, workspace: Any = None) -> None:
        self.runtime = runtime
        self._workspace = workspace
        #: content digest → CompiledFlow, most recent last.
        self._compiled: OrderedDict[str, CompiledFlow] = OrderedDict()
        #: The Console pages' API (API Keys, ...): :mod:`.local_console`.
        self.console = LocalConsole(runtime, runtime.tenant_id, lambda: self.workspace)
        from axiom_ide.backends.local_sessions import LocalSessions

        #: REPLAY / FORK debug sessions (backends/local_sessions.py).
        self.sessions = LocalSessions(runtime)
        from axiom_ide.backends.local_batch import LocalBatches

        #: Datasets: a flow over a JSONL / CSV file, saved as a batch (backends/local_batch.py).
        self.batches = LocalBatches(runtime)
        from axiom_ide.backends.local_tests import LocalTests

        #: Flow tests: a flow's ``.flow.test.yaml`` listed, run, grown (backends/local_tests.py).
        self.flow_tests = LocalTests(runtime, lambda: self.workspace)

    @property
    def workspace(self) -> Any:
        return self._workspace() if callable(self._workspace) else self._workspace

    @property
    def tenant(self) -> str:
        return self.runtime.tenant_id

    # -- compile and run -----------------------------------------------------------------------
    async def compile(self, flow: Any) -> CompiledFlow:
        """Compile ``flow`` (a Flow; the caller hands a snapshot it will not edit) and store it.
        Raises the compiler's AxiomError with every diagnostic when the flow does not compile."""
        from axiom_ide.runtime.compiler.compile import compile_flow

        artifact, _ = compile_flow(flow, self.workspace)
        digest = content_digest(artifact)
        cached = self._compiled.get(digest)
        if cached is not None and self.runtime.find_artifact(cached.graph_id, tenant_id=self.tenant) is not None:
            self._compiled.move_to_end(digest)
            return cached  # unchanged since its last compile: the same graph_id
        self.runtime.artifact(artifact)  # store it for this tenant
        compiled = self._compiled[digest] = CompiledFlow(
            artifact.graph_id, artifact.flow_name, artifact.mode, artifact.entry, artifact.terminal,
            artifact.input_type, artifact.output_type, tuple(artifact.warnings))
        while len(self._compiled) > COMPILE_CACHE_SIZE:
            self._compiled.popitem(last=False)
        return compiled

    async def start(self, graph_id: str, input: Any, *, config_id: str | None = None,
                    debug_session_id: str | None = None, pins: dict[str, Any] | None = None) -> str:
        """``pins`` (canvas id → output JSON): the editor's pinned outputs (runtime/pins.py); only the
        IDE passes them — the HTTP invoke has no such field, so API runs never see a pin."""
        if pins:
            return await self.runtime.start(graph_id, input, config_id=config_id,
                                            debug_session_id=debug_session_id, pins=pins)
        return await self.runtime.start(graph_id, input, config_id=config_id, debug_session_id=debug_session_id)

    async def wait(self, execution_id: str, timeout: float | None = None) -> RunResult:
        await self.runtime.wait(execution_id, timeout)
        return await self.result(execution_id)

    async def result(self, execution_id: str) -> RunResult:
        """The stored end of an execution (or its state so far) as a :class:`RunResult`."""
        rec = self.runtime.execution(execution_id, self.tenant)
        failure = None
        if rec.status in (ex.FAILED, ex.CANCELLED):
            detail = rec.diagnostic
            events = () if detail is not None else self.runtime.execution_events(execution_id, tenant_id=self.tenant)
            failure = attribute_failure(rec.error, rec.error_code or rec.status.upper(), events, detail)
        output = rec.output if rec.status == ex.COMPLETED else None
        return RunResult(rec.id, rec.status, output, failure)

    async def stream(self, graph_id: str, input: Any, *, config_id: str | None = None,
                     timeout: float = 30.0, pins: dict[str, Any] | None = None) -> AsyncIterator[dict[str, Any]]:
        """``pins`` as for :meth:`start`: a pinned node answers each frame reaching it with its pin."""
        extra = {"pins": pins} if pins else {}
        async for frame in self.runtime.stream(graph_id, input, timeout=timeout, config_id=config_id, **extra):
            yield frame

    async def cancel(self, execution_id: str) -> bool:
        return await self.runtime.cancel(execution_id)

    # -- history -------------------------------------------------------------------------------
    async def list_executions(self, *, status: str | None = None, flow: str | None = None,
                              limit: int = 200) -> list[Execution]:
        return [Execution.from_record(r) for r in
                self.runtime.list_executions(status=status, flow_name=flow, tenant_id=self.tenant, limit=limit)]

    async def executions_changed_since(self, token: str | None) -> str | None:
        """The executions' change token when it differs from ``token`` (None: unchanged). Runs
        started by other processes on the same data dir change it too (it reads the database)."""
        current = self.runtime.executions_change_token(tenant_id=self.tenant)
        return None if current == token else current

    async def get_execution(self, execution_id: str) -> Execution | None:
        rec = self.runtime.find_execution(execution_id, tenant_id=self.tenant)
        return None if rec is None else Execution.from_record(rec)

    async def events(self, execution_id: str) -> list[Event]:
        return [Event.from_record(e) for e in self.runtime.execution_events(execution_id, tenant_id=self.tenant)]

    async def checkpoints(self, execution_id: str) -> list[CheckpointView]:
        """The execution's checkpoints by step, payloads decoded with its own compiled artifact
        (``runtime/history.py``, what ``GET …/checkpoints`` serves)."""
        from axiom_ide.runtime.history import checkpoints_json

        rec = self.runtime.execution(execution_id, self.tenant)
        return [checkpoint_from_json(d) for d in checkpoints_json(self.runtime, rec)]

    async def fork(self, execution_id: str, *, node: str, input_override: Any = None,
                   mode: str = "input") -> str:
        """Run from here (``mode="input"``) or Fork from here (``"output"``): see backends/local_fork.py."""
        from axiom_ide.backends import local_fork

        return await local_fork.fork(self.runtime, execution_id, node=node, input_override=input_override,
                                     mode=mode, tenant_id=self.tenant)

    async def node_payload(self, execution_id: str, node: str) -> Any:
        """The node's decoded Input/Output (frames, error) in that execution: see backends/payloads.py."""
        from axiom_ide.backends import payloads

        return payloads.node_payload(self.runtime, execution_id, node, tenant_id=self.tenant)

    async def resume_pause(self, execution_id: str, action: str, input: Any = None, *,
                           comment: str | None = None) -> dict[str, Any]:
        """Approve / reject an approval pause (engine/hitl.py): ``{"execution_id", "node", "action",
        "status"}``; a refusal raises AxiomError (``not_paused``, ``already_resumed``, ...)."""
        out: dict[str, Any] = await self.runtime.resume_pause(execution_id, action, input, comment=comment,
                                                              tenant_id=self.tenant)
        return out

    # -- configs -------------------------------------------------------------------------------
    async def flow_configs(self, flow_name: str) -> ConfigView:
        rt = self.runtime
        tenant_default = rt.config("default", flow_name=TENANT, tenant_id=self.tenant)
        own = rt.list_configs(flow_name=flow_name, tenant_id=self.tenant) if flow_name else []
        profiles = tuple(FlowConfigView.from_record(c) for c in ([tenant_default] if tenant_default else []) + own)
        resolved = rt.config_layers(flow_name, None, tenant_id=self.tenant)
        source = "platform default"
        for cfg in (tenant_default, rt.config("default", flow_name=flow_name, tenant_id=self.tenant)):
            if cfg is not None and cfg.node_timeout_seconds is not None and cfg.id in resolved.layers:
                source = "tenant default" if cfg.flow_name == TENANT else "flow default"
        timeout = resolved.node_timeout_seconds if resolved.node_timeout_seconds else PLATFORM_NODE_TIMEOUT
        return ConfigView(profiles, timeout, source)

    # -- live events ---------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``listener(Event)`` for every engine event; returns the unsubscribe function."""
        def relay(record: Any) -> None:
            listener(Event.from_record(record))

        self.runtime.events.connect(relay)
        return lambda: self.runtime.events.disconnect(relay)

    # -- the IDE's local HTTP API --------------------------------------------------------------
    def http_app(self, *, workspace: Any, options: Any) -> Any:
        """The platform's HTTP API (``server/app.create_app``) over this backend's runtime, for
        the IDE's local server (``app/local_server.py``)."""
        from axiom_ide.server.app import create_app

        return create_app(self.runtime, workspace=workspace, options=options)

    async def close(self) -> None:
        await self.runtime.close()
