"""The Runtime: everything one data dir runs on, behind one object.

A ``Runtime`` owns the database, the artifact store, executions with their events and
checkpoints, the node invoker (the host pool, or an :class:`InlineInvoker` when asked with
``inline=True``), debug sessions, secrets, flow configs, agent memory, and an event bus
(:attr:`events`, a plain :class:`~axiom_ide.runtime.observer.Event` emitting ``EventRecord``) that
live views subscribe to. Async methods must be called on one event loop; construction is sync.
Opening a runtime evicts expired checkpoint payloads; :meth:`resume_incomplete` continues every
execution a previous process left unfinished.
"""
from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from axiom_ide.runtime import telemetry
from axiom_ide.runtime.artifact_access import ArtifactAccess
from axiom_ide.runtime.compiler.artifact import Artifact
from axiom_ide.runtime.debug_access import DebugAccess
from axiom_ide.runtime.engine.codec import InvalidInput
from axiom_ide.runtime.engine.debug import (
    CHECKPOINT_EXPIRED,
    FORK,
    REPLAY,
    DebugGate,
    DebugSession,
    apply_overrides,
)
from axiom_ide.runtime.engine.hitl import ApprovalGates, resume_pause
from axiom_ide.runtime.engine.loop import RunConfig
from axiom_ide.runtime.engine.pipeline_runner import PipelineRunner
from axiom_ide.runtime.engine.runner import Compiled, Outcome, Runner
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.history_reads import HistoryReads
from axiom_ide.runtime.key_access import KeyAccess
from axiom_ide.runtime.observer import Event
from axiom_ide.runtime.settings_access import SettingsAccess
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store import executions as ex
from axiom_ide.runtime.store.apikeys import ApiKeyStore
from axiom_ide.runtime.store.artifacts import ArtifactStore
from axiom_ide.runtime.store.checkpoints import Checkpoint, CheckpointStore, SqliteCheckpointStore, new_checkpoint_id
from axiom_ide.runtime.store.configs import ConfigStore
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.debug_sessions import DebugSessionStore
from axiom_ide.runtime.store.events import EventStore
from axiom_ide.runtime.store.executions import ExecutionRecord, ExecutionStore, new_execution_id
from axiom_ide.runtime.store.memory import SqliteMemory
from axiom_ide.runtime.store.memory_inspect import MemoryInspector
from axiom_ide.runtime.store.secrets import SecretBox, SecretStore, load_master_key
from axiom_ide.runtime.store.usage import UsageStore


def default_invoker(log_sink: Any, memory: Any, sandbox: Any = None, data_dir: Path | None = None,
                    python_for_packages: Path | None = None) -> Any:
    """The host pool: node code runs in host processes (``inline=True`` asks for in-process).
    ``sandbox``: a :class:`~axiom_ide.runtime.host.sandbox.Sandbox` (None: the default, bwrap where present).
    ``python_for_packages``: makes the virtual environments of packages this interpreter does not
    satisfy (None: ``AXIOM_IDE_PYTHON``; host/interpreter.py)."""
    from axiom_ide.runtime.host import HostPool  # here: the pool's asyncio/subprocess machinery

    return HostPool(log_sink=log_sink, memory=memory, sandbox=sandbox,
                    gen_root=data_dir / "gen" if data_dir else None, venv_root=data_dir / "venvs" if data_dir else None,
                    python_for_packages=python_for_packages)


class Runtime(HistoryReads, KeyAccess, SettingsAccess, ArtifactAccess, DebugAccess):
    def __init__(self, data_dir: Path | str, *, invoker: Any = None, inline: bool = False,
                 durability: str = "normal", tenant_id: str = "local",
                 checkpoints: CheckpointStore | None = None, use_keyring: bool = True,
                 sandbox: Any = None, python_for_packages: Path | str | None = None) -> None:
        """``sandbox``: how node hosts are confined (a host.sandbox.Sandbox; None: the default —
        bubblewrap where present, limits and a scrubbed environment always). The desktop passes
        ``Sandbox(enabled=False)`` to relax it for local debugging of native code.
        ``python_for_packages``: the interpreter that makes the virtual environment of a package
        whose requirements this one lacks (None: ``AXIOM_IDE_PYTHON``; the desktop's setting)."""
        self.data_dir = Path(data_dir)
        self.python_for_packages = Path(python_for_packages) if python_for_packages else None
        self.tenant_id = tenant_id
        # The engine's per-step writes go through the step journal (store/journal.py).
        self._db = open_database(self.data_dir, durability=durability, journal=True)
        self._artifacts = ArtifactStore(self._db)
        self._executions = ExecutionStore(self._db)
        self._event_log = EventStore(self._db)
        self._checkpoints = checkpoints or SqliteCheckpointStore(self._db)
        try:
            self._checkpoints.expire()
            box = SecretBox(load_master_key(self.data_dir, use_keyring=use_keyring)[0])
        except BaseException:  # e.g. the master key is unavailable: don't leave the database open
            self._db.close()
            raise
        self._secrets = SecretStore(self._db, box)
        self._configs_store = ConfigStore(self._db, box)
        self._memory = SqliteMemory(self._db)
        self._memory.consolidator.resume_pending()  # sessions ended before a stop; episodic retention
        self._memory.on_event = self._memory_event
        self._api_keys = ApiKeyStore(self._db)
        #: Every engine event, as it happens: ``runtime.events.connect(fn)``; fn(EventRecord).
        self.events = Event()
        #: Executions as log records and, with an OTLP endpoint configured, traces.
        self.telemetry = telemetry.attach(self)
        if invoker is None:
            if inline:
                from axiom_ide.runtime.engine.inline import InlineInvoker

                invoker = InlineInvoker(log_sink=self._log_sink, memory=self._memory, gen_root=self.data_dir / "gen")
            else:
                from axiom_ide.runtime.host.sandbox import Sandbox

                # a deny-list sandbox (macOS) must know the data dir to hide it
                sandbox = dataclasses.replace(sandbox or Sandbox(), private_paths=(str(self.data_dir.resolve()),))
                invoker = default_invoker(self._log_sink, self._memory, sandbox, self.data_dir, self.python_for_packages)
        self.invoker = invoker
        self.runner = Runner(self._executions, self._event_log, self._checkpoints, invoker, self.events.emit)
        #: Pipeline runs' lifecycle (unary runs': :attr:`runner`).
        self.pipelines = PipelineRunner(self.runner)
        #: Human-in-the-loop approval pauses of the runs here (engine/hitl.py; :meth:`resume_pause`).
        self.approvals = ApprovalGates(self._executions, self._event_log)
        self.runner.hitl = self.approvals
        self._debug_store = DebugSessionStore(self._db)
        #: Sessions in use, by id (others load from :attr:`_debug_store` on demand).
        self.debug_sessions: dict[str, DebugSession] = {}
        self._compiled: dict[str, Compiled] = {}
        #: Executions in flight here (finished ones are dropped; :meth:`wait` then reads the store).
        self._tasks: dict[str, asyncio.Task] = {}
        #: (tenant, flow, config_id) → ((config generation, data_version), RunConfig).
        self._configs: dict[tuple[str, str, str | None], tuple[tuple[int, int], RunConfig]] = {}

    # -- helpers -------------------------------------------------------------------------------
    def usage(self) -> UsageStore:
        """The per-tenant usage counters (the server's rate and quota limits)."""
        return UsageStore(self._db)

    def client_store(self) -> Any:
        """Clients, their versions and SDK builds (runtime/clients). Opened once: opening fails the
        builds a stopped process left pending or building (``ClientStore.fail_interrupted``), for
        ``serve`` and the IDE alike."""
        store = getattr(self, "_client_store", None)
        if store is None:
            from axiom_ide.runtime.clients.store import ClientStore

            store = self._client_store = ClientStore(self._db)
            store.fail_interrupted()
        return store

    def memory_inspector(self) -> MemoryInspector:
        """The operator's view of agent memory (one tenant per call)."""
        return MemoryInspector(self._db, self._memory)

    def _memory_event(self, execution_id: str, node: str, type_: str, data: dict) -> None:
        """A node's memory call becomes a MEMORY_READ / MEMORY_WRITE / MEMORY_SEARCH event of its execution."""
        recorder = self.runner.running_recorder(execution_id)
        if recorder is not None:
            recorder.emit(type_, node, **data)

    def _log_sink(self, record: Any) -> None:
        """A node's ``ax.log`` line (a host LogRecord) becomes a LOG event of its execution."""
        recorder = self.runner.running_recorder(record.execution_id)
        if recorder is not None:
            recorder.emit(ev.LOG, record.canvas_id, level=record.level, message=record.message,
                          **({"attrs": record.attrs} if record.attrs else {}))

    def artifact(self, target: str | Artifact, *, tenant_id: str | None = None) -> Artifact:
        """``target`` as an Artifact (stored for ``tenant_id`` when new). A graph id that belongs to
        another tenant is reported exactly like one that does not exist."""
        tenant = tenant_id or self.tenant_id
        if isinstance(target, Artifact):
            if self._artifacts.get(target.graph_id) is None:
                self._artifacts.put(target, tenant_id=tenant)
            return target
        artifact = self._artifacts.get(target)
        if artifact is None or self._artifacts.tenant_of(target) != tenant:
            raise AxiomError.of("graph_not_found", f'compiled artifact "{target}" not found')
        return artifact

    def compiled(self, artifact: Artifact) -> Compiled:
        c = self._compiled.get(artifact.graph_id)
        if c is None:
            c = self._compiled[artifact.graph_id] = Compiled(artifact)
        return c

    def resolve_config(self, flow_name: str, config_id: str | None, *, tenant_id: str | None = None) -> RunConfig:
        """The four-layer resolution of the flow-configs page, with the tenant's secrets decrypted.

        Cached per (tenant, flow, config_id): an entry is used only while nothing it was resolved
        from can have changed — this process's writes to secrets and configs bump
        ``_db.config_generation``, and any commit by another process (the CLI on the same data dir)
        moves SQLite's ``data_version``. Refusals (unknown config) are not cached."""
        tenant = tenant_id or self.tenant_id
        key = (tenant, flow_name, config_id)
        stamp = (self._db.config_generation, self._db.data_version())
        hit = self._configs.get(key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        r = self._configs_store.resolve(flow_name, config_id, secrets=self._secrets.resolve(tenant_id=tenant),
                                 tenant_id=tenant)
        config = RunConfig(node_timeout_seconds=r.node_timeout_seconds, max_attempts=r.max_attempts,
                           secrets=r.secrets, config_id=config_id)
        if len(self._configs) >= 1024:  # many tenants or flows: start over rather than grow
            self._configs.clear()
        self._configs[key] = (stamp, config)
        return config

    def _new_record(self, artifact: Artifact, input_json: Any, *, tenant_id: str | None = None,
                    **kw: Any) -> ExecutionRecord:
        return ExecutionRecord(id=new_execution_id(), graph_id=artifact.graph_id, flow_name=artifact.flow_name,
                               mode=artifact.mode, tenant_id=tenant_id or self.tenant_id, status=ex.QUEUED,
                               input_json=input_json, owner=self._db.instance, **kw)

    # -- unary -------------------------------------------------------------------------------
    async def start(self, target: str | Artifact, input: Any, *, config_id: str | None = None,
                    debug_session_id: str | None = None, tenant_id: str | None = None,
                    payload: bytes | None = None, pins: dict[str, Any] | None = None) -> str:
        """Accept an execution and start it in the background; returns its id. ``payload`` (the
        entry message as protobuf bytes) is used instead of ``input`` when given. A pipeline flow or
        an unknown debug session raises before anything is recorded. ``pins`` (canvas id → output
        JSON; only the editor's runs and flow-test cases — their mocks — pass them, runtime/pins.py):
        those nodes are not called, a pin that names no node or is not its output message raises
        before anything is recorded."""
        tenant = tenant_id or self.tenant_id
        artifact = self.artifact(target, tenant_id=tenant)
        if artifact.mode == "pipeline":
            raise AxiomError.of("pipeline_flow", "this is a pipeline flow; stream it (flow run prints frames)")
        if debug_session_id:
            self._attachable(debug_session_id, tenant)
        compiled = self.compiled(artifact)
        pinned: dict[str, bytes] = {}
        if pins:
            from axiom_ide.runtime.pins import encode_pins

            pinned = encode_pins(compiled, pins)
        if payload is not None:
            input = self._payload_json(compiled, payload)
        rec = self._new_record(artifact, input, config_id=config_id, debug_session=debug_session_id,
                               tenant_id=tenant)
        try:
            payload = compiled.encode_input(input) if payload is None else compiled.check_input(payload)
        except InvalidInput as exc:
            self.runner.reject(rec, str(exc), "INVALID_INPUT")
            return rec.id
        rec = replace(rec, input=payload)
        try:
            config = self.resolve_config(artifact.flow_name, config_id, tenant_id=tenant)
        except AxiomError as exc:
            self.runner.reject(rec, exc.message, "CONFIG")
            return rec.id
        started: dict[str, Any] = {"config_id": config_id} if config_id else {}
        if pinned:
            started["pinned"] = sorted(pinned)
        rec, recorder = self.runner.accept(rec, **started)
        gate = self._gate(debug_session_id, rec.id, tenant_id=tenant)
        self._spawn(rec.id, self.runner.run_unary(rec, compiled, config, debug=gate, recorder=recorder,
                                                  pins=pinned))
        return rec.id

    @staticmethod
    def _payload_json(compiled: Compiled, payload: bytes) -> Any:
        """The entry payload as JSON for the execution's record (None when it does not decode)."""
        try:
            return compiled.codec.to_json(payload, compiled.artifact.input_type,
                                          compiled.plan.nodes[compiled.plan.entry].package_key)
        except Exception:  # noqa: BLE001 — check_input reports it as the execution's error
            return None

    def _attachable(self, session_id: str, tenant_id: str) -> DebugSession:
        session = self.debug_session(session_id, tenant_id=tenant_id)
        if session.mode == REPLAY:
            raise AxiomError.of("debug_session_read_only",
                                "a REPLAY session only reads history; debug a run with a LIVE session")
        busy = session.execution_id is not None and self._tasks.get(session.execution_id)
        if busy and not busy.done():
            raise AxiomError.of("debug_session_busy",
                                f'debug session "{session_id}" is attached to running execution '
                                f'"{session.execution_id}"')
        return session

    def _gate(self, session_id: str | None, execution_id: str, *, tenant_id: str | None = None,
              restore: bool = False) -> DebugGate | None:
        """Attach ``session_id`` to ``execution_id`` with a new gate; ``restore`` rebuilds the gate
        from the stored control state (a run stored as paused pauses again where it was)."""
        if not session_id:
            return None
        session = self.debug_session(session_id, tenant_id=tenant_id)
        stored = self._debug_store.get(session_id) if restore else None
        session.execution_id = execution_id
        self._debug_store.set_execution(session_id, execution_id)

        def paused(node: str) -> None:  # folded at once: a pause is what other processes wait to see
            self._executions.update(execution_id, status=ex.DEBUG_PAUSED)
            self._db.sync()

        def resumed() -> None:  # Waiting on gate while a gate of the run still waits
            self._executions.update(execution_id, status=self.runner.resting_status(execution_id))
            self._db.sync()

        def changed(gate: DebugGate) -> None:
            self._debug_store.set_control(session_id, gate.control, gate.paused_at or gate.released, gate.pause_reason)

        if not restore:
            session.hits.clear()  # a new run counts from zero; a resumed one where it was
        session.gate = DebugGate(session_id, session.breakpoints, on_pause=paused, on_resume=resumed,
                                 on_change=changed, options=session.options, hits=session.hits,
                                 on_hit=session.save,
                                 restore=(stored.control, stored.paused_at, stored.pause_reason)
                                 if stored is not None else None)
        if not restore:
            changed(session.gate)
        return session.gate

    def _spawn(self, execution_id: str, coro: Any) -> asyncio.Task:
        return self._track(execution_id, asyncio.get_running_loop().create_task(coro, name=f"execution-{execution_id}"))

    def _track(self, execution_id: str, task: asyncio.Task) -> asyncio.Task:
        """Keep ``task`` while it runs; a finished one is dropped (its execution is in the store)."""
        self._tasks[execution_id] = task

        def finished(t: asyncio.Task) -> None:
            if self._tasks.get(execution_id) is t:
                del self._tasks[execution_id]

        task.add_done_callback(finished)
        return task

    def running(self) -> list[str]:
        """Ids of the executions in flight in this runtime (unary and pipeline), oldest first."""
        return [i for i, t in self._tasks.items() if not t.done()]

    async def wait(self, execution_id: str, timeout: float | None = None) -> Outcome:
        """The execution's outcome once it ends (at once for one that has ended, here or before)."""
        task = self._tasks.get(execution_id)
        if task is None:
            rec = self._executions.get(execution_id)
            if rec is None:
                raise AxiomError.of("execution_not_found", "execution not found")
            return Outcome(rec.id, rec.status, rec.output, None, rec.error, rec.error_code, rec.diagnostic)
        outcome = await asyncio.wait_for(asyncio.shield(task), timeout)
        # Python 3.11's wait_for returns the result when a cancel of the waiter lands as the run
        # ends (gh-86296): the cancel is not lost here (a batch's Ctrl+C once ran every row).
        me = asyncio.current_task()
        if me is not None and me.cancelling():
            raise asyncio.CancelledError
        return outcome

    async def run(self, target: str | Artifact, input: Any, *, timeout: float | None = None, **kw: Any) -> Outcome:
        """Start and wait. On timeout the execution is cancelled and the Outcome says so."""
        execution_id = await self.start(target, input, **kw)
        try:
            return await self.wait(execution_id, timeout)
        except TimeoutError:
            await self.cancel(execution_id)
            return Outcome(execution_id, ex.FAILED, error="timeout waiting for result", code="TIMEOUT")

    async def cancel(self, execution_id: str) -> bool:
        """Cancel now, even inside a long node. False when it is not running here."""
        task = self._tasks.get(execution_id)
        if task is None or task.done():
            return False
        self.runner.request_cancel(execution_id)
        for session in self.debug_sessions.values():
            if session.execution_id == execution_id and session.gate is not None:
                session.gate.resume()
        task.cancel()
        try:
            await self.invoker.cancel(execution_id)
        finally:
            await asyncio.gather(task, return_exceptions=True)
            self.runner.end_unstarted_cancel(self._executions.get(execution_id))  # never reached its first step
        return True

    # -- pipeline ------------------------------------------------------------------------------
    async def stream(self, target: str | Artifact, input: Any, *, timeout: float = 30.0,
                     config_id: str | None = None, tenant_id: str | None = None,
                     payload: bytes | None = None, pins: dict[str, Any] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Frames as produced, then one final frame (``success: true`` or ``error``). ``payload``
        (the entry message as protobuf bytes) is used instead of ``input`` when given. ``pins`` as
        for :meth:`start`: a pinned node answers every frame reaching it with its pin."""
        tenant = tenant_id or self.tenant_id
        artifact = self.artifact(target, tenant_id=tenant)
        compiled = self.compiled(artifact)
        pinned: dict[str, bytes] = {}
        if pins:
            from axiom_ide.runtime.pins import encode_pins

            pinned = encode_pins(compiled, pins)
        if payload is not None:
            input = self._payload_json(compiled, payload)
        rec = self._new_record(artifact, input, config_id=config_id, tenant_id=tenant)
        try:
            payload = compiled.encode_input(input) if payload is None else compiled.check_input(payload)
        except InvalidInput as exc:
            self.runner.reject(rec, str(exc), "INVALID_INPUT")
            yield {"execution_id": rec.id, "frame_index": 0, "is_final": True, "error": str(exc)}
            return
        config = self.resolve_config(artifact.flow_name, config_id, tenant_id=tenant)
        async for frame in self.pipelines.stream(replace(rec, input=payload), compiled, config, payload,
                                                 timeout=timeout, track=self._track, pins=pinned):
            yield frame

    # -- single nodes ----------------------------------------------------------------------------
    def _node_call(self, endpoint: Any, tenant_id: str | None) -> tuple[Any, float]:
        """A NodeCall for a direct call of ``endpoint`` (tenant default config and secrets)."""
        from axiom_ide.runtime.engine.invoker import make_call

        tenant = tenant_id or self.tenant_id
        config = self.resolve_config("", None, tenant_id=tenant)
        timeout = config.node_timeout_seconds
        call = make_call(execution_id=new_execution_id(), flow_id="", tenant_id=tenant,
                         canvas_id=endpoint.name, variables=config.variables, timeout_s=timeout)
        return call, timeout

    async def invoke_node(self, endpoint: Any, payload: bytes, *, tenant_id: str | None = None) -> bytes:
        """Run one unary package node (a :class:`~.engine.single_node.NodeEndpoint`) on ``payload``;
        raises the invoker's errors (NodeFailure carries the handler's message verbatim)."""
        from axiom_ide.runtime.engine.invoker import NodeTimeout

        call, timeout = self._node_call(endpoint, tenant_id)
        limit = timeout if not getattr(self.invoker, "enforces_timeout", True) else timeout + 2.0
        try:
            async with asyncio.timeout(limit):
                return await self.invoker.invoke(endpoint.node, payload, call)
        except TimeoutError:
            raise NodeTimeout(f"timed out after {timeout:g}s") from None

    async def stream_node(self, endpoint: Any, payloads: list[bytes], *,
                          tenant_id: str | None = None) -> AsyncGenerator[bytes, None]:
        """Run one pipeline package node over the input frames ``payloads``; yields output frames."""
        call, _timeout = self._node_call(endpoint, tenant_id)

        async def inputs() -> AsyncIterator[bytes]:
            for p in payloads:
                yield p

        async for frame in self.invoker.stream(endpoint.node, inputs(), call):
            yield frame

    # -- resume, fork, debug -------------------------------------------------------------------
    async def resume_incomplete(self, *, wait: bool = False, only: str | None = None) -> list[str]:
        """Continue every execution a previous process left incomplete (same ids) — or only the
        execution ``only``. Executions another live runtime on this data dir is running are left to it."""
        resumed = []
        for rec in self._executions.incomplete():
            if rec.id in self._tasks or (only is not None and rec.id != only):
                continue
            if rec.owner is not None and rec.owner != self._db.instance and self._db.alive(rec.owner):
                continue
            if rec.owner != self._db.instance and not self._executions.claim(rec.id, self._db.instance, rec.owner):
                continue  # another runtime starting just now took it
            if rec.mode == "pipeline":
                self._end_interrupted_pipeline(rec)
                continue
            if rec.input is None:
                self.runner.finish(rec.id, self.runner.recorder(rec.id), ex.FAILED, code="INTERRUPTED",
                                    error="the runtime stopped before this execution's input was recorded; "
                                          "it cannot be resumed")
                continue
            try:
                artifact = self.artifact(rec.graph_id, tenant_id=rec.tenant_id)
                config = self.resolve_config(rec.flow_name, rec.config_id, tenant_id=rec.tenant_id)
            except AxiomError as exc:
                self.runner.finish(rec.id, self.runner.recorder(rec.id), ex.FAILED, error=exc.message, code="RESUME")
                continue
            gate = None
            if rec.debug_session and self._debug_store.get(rec.debug_session) is not None:
                gate = self._gate(rec.debug_session, rec.id, tenant_id=rec.tenant_id, restore=True)
            self._spawn(rec.id, self.runner.run_unary(rec, self.compiled(artifact), config, resume=True,
                                                      debug=gate))
            resumed.append(rec.id)
        if wait:
            for execution_id in resumed:
                await self.wait(execution_id)
        return resumed

    def _end_interrupted_pipeline(self, rec: ExecutionRecord) -> None:
        """A pipeline run the runtime died in ends Failed, saying how far it got. It is not resumed:
        its frames went to the caller of the stream, and that connection died with the runtime —
        re-running would produce frames nobody receives (and re-run nodes for nothing)."""
        frames: dict[str, int] = {}
        for e in self._event_log.list(rec.id, types=(ev.FRAME, ev.NODE_COMPLETED), limit=10_000_000):
            count = e.data["frame_index"] + 1 if e.type == ev.FRAME else e.data.get("frames", 0)
            frames[e.node or ""] = max(frames.get(e.node or "", 0), count)
        try:
            terminal = self.compiled(self.artifact(rec.graph_id, tenant_id=rec.tenant_id)).plan.terminal
            where = f'its terminal node "{terminal}" had produced {frames.get(terminal, 0)} frame(s)'
        except AxiomError:
            where = "its compiled artifact is gone"
        self.runner.finish(rec.id, self.runner.recorder(rec.id), ex.FAILED, code="INTERRUPTED",
                            error=f"the runtime stopped during this pipeline execution; {where}. A pipeline "
                                  "run is not resumed: its frames went to a stream whose caller is gone — "
                                  "invoke the flow again",
                            data={"frames": frames})

    async def resume_pause(self, execution_id: str, action: str, input: Any = None, *,
                           comment: str | None = None, tenant_id: str | None = None,
                           token: str | None = None, by: str | None = None) -> dict[str, Any]:
        """Approve or reject an execution's approval pause (engine/hitl.py ``resume_pause``;
        ``token``: a resume webhook's, checked against the execution's pauses)."""
        return await resume_pause(self, execution_id, action, input, comment=comment, tenant_id=tenant_id,
                                  token=token, by=by)

    def set_execution_budget(self, budget: Any) -> None:
        """``budget(tenant_id, n)`` draws n executions from the tenant's daily quota for a run's
        fan-out branches (the refusal text, or None); None counts nothing (engine/gates.py)."""
        self.runner.execution_budget = budget

    async def fork(self, execution_id: str, checkpoint_id: str, overrides: dict[str, Any] | None = None, *,
                   breakpoints: set[str] | None = None, tenant_id: str | None = None) -> tuple[str, DebugSession]:
        """A new execution continuing from ``checkpoint_id`` with top-level-key overrides of its output,
        driven by a new FORK session. Nothing is recorded when the fork is refused."""
        source = self.execution(execution_id, tenant_id or self.tenant_id)
        if source.mode == "pipeline":  # its checkpoints hold frames, not one output to continue from
            raise AxiomError.of("pipeline_flow", "a pipeline execution cannot be forked; run the flow again")
        history = self._checkpoints.list(execution_id)
        upto = next((i for i, cp in enumerate(history) if cp.id == checkpoint_id), None)
        if upto is None:
            raise AxiomError.of("checkpoint_not_found_or_expired", "checkpoint not found")
        prefix = history[: upto + 1]
        if any(cp.expired for cp in prefix):
            raise AxiomError.of("checkpoint_not_found_or_expired", CHECKPOINT_EXPIRED)
        artifact = self.artifact(source.graph_id, tenant_id=source.tenant_id)
        compiled = self.compiled(artifact)
        last = prefix[-1]
        node = compiled.plan.nodes[last.node]
        output = last.output or b""
        if overrides:
            merged = apply_overrides(compiled.codec.to_json(output, node.output_type, node.package_key), overrides)
            try:
                output = compiled.codec.from_json(merged, node.output_type, node.package_key)
            except InvalidInput as exc:
                raise AxiomError.of("invalid_override", str(exc)) from None
        session = self.create_debug_session(FORK, breakpoints=breakpoints, tenant_id=source.tenant_id)
        rec = self._executions.create(replace(
            self._new_record(artifact, source.input_json, config_id=source.config_id, debug_session=session.id,
                             tenant_id=source.tenant_id),
            input=source.input, parent_id=source.id, fork_checkpoint=checkpoint_id))
        now = time.time()
        for cp in prefix:
            self._checkpoints.put(Checkpoint(new_checkpoint_id(now), rec.id, cp.step, cp.node, cp.attempt, cp.input_type,
                                            cp.output_type, cp.input, output if cp is last else cp.output, now))
        session.execution_id = rec.id
        config = self.resolve_config(artifact.flow_name, source.config_id, tenant_id=source.tenant_id)
        gate = self._gate(session.id, rec.id, tenant_id=source.tenant_id)
        self._spawn(rec.id, self.runner.run_unary(rec, compiled, config, resume=True, debug=gate,
                                                  forked_from=(source.id, checkpoint_id)))
        return rec.id, session

    async def close(self) -> None:
        """Stop: running executions stay incomplete (a later runtime resumes them)."""
        for task in list(self._tasks.values()):
            if not task.done():
                task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        try:
            await self.telemetry.close(time.time())
            await self.invoker.close()
        finally:
            self._memory.close()  # its consolidation thread writes to the database
            self._db.close()
