"""``HostPool``: the runtime's side of node hosting (it plays the platform's sidecar).

One :class:`~axiom_ide.runtime.host.process.HostProcess` per tenant and package version (per
package root) — nothing of one tenant's invocations shares a process with another's —, started
lazily on first use after regenerating a stale ``gen/``, reused across runs and
executions, and replaced when the package's sources change. A crash, hang or flood fails only
the invocation concerned: the host is retired (killed once its other invocations end) and the
next invocation starts a fresh one. Hosts idle for ``idle_timeout_s`` are stopped, and at most
``max_hosts`` live at once (the least recently used idle one makes room).
"""
from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from axiom_ide.runtime.compiler.artifact import ArtifactNode
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.host import cgroup, wire
from axiom_ide.runtime.host.freshness import ensure_gen, source_fingerprint
from axiom_ide.runtime.host.interpreter import host_python
from axiom_ide.runtime.host.invocation import Invocation, Watchdog
from axiom_ide.runtime.host.process import HostProcess, exit_status
from axiom_ide.runtime.host.records import (
    LogRecord,
    MemoryBackend,
    NodeCall,
    NodeCancelled,
    NodeCrashed,
    NodeFailure,
    NodeHostError,
)
from axiom_ide.runtime.host.sandbox import Sandbox
from axiom_ide.runtime.packages.gendir import gen_home

#: Log bytes one invocation may write before it fails with NodeOutputFlood.
LOG_LIMIT_BYTES = 8 * 1024 * 1024
#: Seconds between checks of a package's source files (reload on change).
FRESHNESS_TTL_S = 0.5
#: Longest line of fd output kept whole; a longer run without a newline is cut into lines this long.
FD_LINE_BYTES = 64 * 1024
#: Seconds a host may sit without invocations before it is stopped.
IDLE_TIMEOUT_S = 300.0
#: Most host processes alive at once (one per tenant and package version in use).
MAX_HOSTS = 32


class HostPool:
    """All node host processes of one runtime. Use from one asyncio event loop."""

    def __init__(
        self,
        *,
        log_sink: Callable[[LogRecord], None] | None = None,
        memory: MemoryBackend | None = None,
        python: str = sys.executable,
        socket_dir: Path | None = None,
        log_limit_bytes: int = LOG_LIMIT_BYTES,
        freshness_ttl_s: float = FRESHNESS_TTL_S,
        sandbox: Sandbox | None = None,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
        max_hosts: int = MAX_HOSTS,
        gen_root: Path | None = None,
        venv_root: Path | None = None,
        python_for_packages: str | Path | None = None,
    ):
        """``gen_root``: where the generated code of read-only packages goes (the runtime passes
        ``<data dir>/gen``; None: the user cache dir; packages/gendir.py). ``venv_root``: where
        packages whose requirements this interpreter lacks get their virtual environment
        (``<data dir>/venvs``; host/interpreter.py); only when ``python`` is this interpreter.
        ``python_for_packages``: the interpreter those virtual environments are made with (None:
        ``AXIOM_IDE_PYTHON``)."""
        self.log_sink = log_sink
        self.memory = memory
        self._python = python
        self.gen_root = gen_root
        self.venv_root = venv_root
        self.python_for_packages = python_for_packages
        self._own_dir = socket_dir is None
        self._socket_dir = Path(socket_dir) if socket_dir is not None else None
        self.log_limit = log_limit_bytes
        self._ttl = freshness_ttl_s
        #: how hosts are confined (bwrap on Linux, limits, scrubbed environment; see sandbox.py).
        self.sandbox = sandbox if sandbox is not None else Sandbox()
        self.idle_timeout = idle_timeout_s
        self.max_hosts = max(1, max_hosts)
        self._reaper: asyncio.TimerHandle | None = None
        self._hosts: dict[tuple[str, str, str, str], HostProcess] = {}  # (tenant, package root, name, version)
        self._all: set[HostProcess] = set()
        self._closing: set[asyncio.Future[None]] = set()
        #: invocations in flight (``cancel`` picks an execution's out of them; the watchdog
        #: looks for waiters whose time is up). Read by Invocation: log_sink, memory, log_limit.
        self._inflight: set[Invocation] = set()
        self.watchdog = Watchdog(self._inflight)

    # -- public -------------------------------------------------------------------------------------
    async def invoke(self, node: ArtifactNode, payload: bytes, call: NodeCall) -> bytes:
        """Run a unary node: serialized input message in, serialized output message out."""
        inv = self._begin_idle(node, call) or await self._begin(node, call)
        reuse = False
        try:
            inv.conn.write(inv.request(wire.CALL, payload))
            tag, value = await inv.next_event()
            if tag == "result":
                reuse = True
                return value
            if tag == "error" and isinstance(value, NodeFailure):
                reuse = True  # the worker answered and is ready for the next call
            raise await self._failure(inv, tag, value)
        finally:
            self._end(inv, reuse)

    async def stream(self, node: ArtifactNode, inputs: AsyncIterator[bytes], call: NodeCall) -> AsyncIterator[bytes]:
        """Run a pipeline node: input frames in, output frames out as the handler yields them.
        ``call.timeout_s`` bounds the time without progress (an input sent or an output received).
        A lost connection reads in the catalog's words: ``open pipeline stream for node "<id>"``,
        ``send to node "<id>"``, ``recv from node "<id>"``."""
        inv = await self._begin(node, call, opening_stream=True)
        pump = None
        clean = False
        try:
            inv.conn.write(inv.request(wire.OPEN))
            pump = asyncio.ensure_future(_pump(inputs, inv))
            while True:
                tag, value = await inv.next_event()
                if tag == "out":
                    yield value
                elif tag == "done":
                    clean = True
                    return
                elif tag == "lost" or (tag == "pump_error" and isinstance(value, OSError)):
                    verb = "send to" if tag == "pump_error" else "recv from"
                    raise await self._stream_lost(inv, inv.host, call.canvas_id, verb, value)
                else:
                    raise await self._failure(inv, tag, value)
        finally:
            reuse = clean and pump is not None and pump.done() and not pump.cancelled() and pump.exception() is None
            if pump is not None and not pump.done():
                pump.cancel()
            self._end(inv, reuse)

    async def cancel(self, execution_id: str) -> None:
        """Fail the in-flight invocations of ``execution_id`` now (NodeCancelled) and restart
        the hosts they ran on (their handlers cannot be stopped otherwise)."""
        for inv in [inv for inv in self._inflight if inv.call.execution_id == execution_id]:
            inv.push("error", NodeCancelled(f'node "{inv.call.canvas_id}" was cancelled', canvas_id=inv.call.canvas_id))
            inv.host.retire()
            self._end(inv, reuse=False)

    async def close(self) -> None:
        """Stop every host process (and every process a node started)."""
        self.watchdog.close()
        if self._reaper is not None:
            self._reaper.cancel()
            self._reaper = None
        hosts = list(self._all)
        self._hosts.clear()
        self._all.clear()
        await asyncio.gather(*(h.close() for h in hosts), return_exceptions=True)
        cgroup.release()
        if self._own_dir and self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    # -- internals --------------------------------------------------------------------------------
    async def _host(self, node: ArtifactNode, tenant: str) -> HostProcess:
        key = (tenant, node.package_root, node.package, node.version)
        host = self._hosts.get(key)
        if host is not None and host.started:
            now = time.monotonic()
            if now - host.checked_at < self._ttl:
                return host
            host.checked_at = now
            if source_fingerprint(Path(node.package_root)) == host.fingerprint:
                return host
            host.retire()  # sources changed: reload
        if host is None or not host.usable:
            if self._socket_dir is None:
                self._socket_dir = Path(tempfile.mkdtemp(prefix="axh-"))
            self._make_room()
            root = Path(node.package_root)
            host = HostProcess(
                node.package_key, root, python=self._python, socket_dir=self._socket_dir,
                fingerprint=source_fingerprint(root), tenant=tenant, sandbox=self.sandbox,
            )
            host.checked_at = host.last_used = time.monotonic()
            host.on_output = self._host_output
            host.on_exit = self._host_exited
            self._hosts[key] = host
            self._all.add(host)
            self._arm_reaper()
        try:
            await host.ensure_started(lambda: self._prepare(host))
        except AxiomError as exc:
            self._forget(host)
            raise NodeFailure(f"cannot prepare {node.package_key}: {exc.message}") from exc
        except RuntimeError as exc:
            self._forget(host)
            raise NodeCrashed(str(exc)) from exc
        return host

    def _prepare(self, host: HostProcess) -> None:
        """Before a host starts (in a thread): a fresh gen/, in the data dir for a read-only
        package; the interpreter, a virtual environment's for requirements this one lacks."""
        host.gen_home = gen_home(host.root, self.gen_root)
        ensure_gen(host.root, host.gen_home)
        if self._python == sys.executable:
            host.python = host_python(host.root, default=self._python, venv_root=self.venv_root,
                                      python_for_packages=self.python_for_packages)

    def _make_room(self) -> None:
        """Before a new host starts: with ``max_hosts`` alive, stop the least recently used
        (an idle one if any; a busy one is retired and dies when its invocations end)."""
        live = [h for h in self._hosts.values() if h.usable]
        while len(live) >= self.max_hosts:
            idle = [h for h in live if h.busy <= 0 and h.started]
            victim = min(idle or live, key=lambda h: h.last_used)
            live.remove(victim)
            self._retire(victim)

    def _retire(self, host: HostProcess) -> None:
        host.retire()
        for k, h in list(self._hosts.items()):
            if h is host:
                del self._hosts[k]
        if host.busy <= 0:
            self._all.discard(host)
            closing = asyncio.ensure_future(host.close())
            self._closing.add(closing)  # held until done: a bare future may be collected mid-close
            closing.add_done_callback(self._closing.discard)

    def _arm_reaper(self) -> None:
        if self._reaper is None and self.idle_timeout > 0:
            self._reaper = asyncio.get_running_loop().call_later(min(self.idle_timeout / 2, 30.0), self._reap)

    def _reap(self) -> None:
        """Stop hosts idle for ``idle_timeout`` (and forget dead ones); re-arm while any live."""
        self._reaper = None
        now = time.monotonic()
        for host in list(self._all):
            if host.usable and not host.started:
                continue  # still starting: its first invocation is waiting for it
            if host.busy <= 0 and (not host.usable or now - host.last_used >= self.idle_timeout):
                self._retire(host)
        if self._all:
            self._arm_reaper()

    def _host_exited(self, host: HostProcess) -> None:
        """A host process exited: the invocations running on it fail now (their connections
        may stay open while a forked child holds them)."""
        for inv in list(self._inflight):
            if inv.host is host and not inv.finished:
                inv.push("lost")

    def _forget(self, host: HostProcess) -> None:
        host.kill()
        self._all.discard(host)
        for k, h in list(self._hosts.items()):
            if h is host:
                del self._hosts[k]

    def _begin_idle(self, node: ArtifactNode, call: NodeCall) -> Invocation | None:
        """The hot path, no awaits before the request is written: a started, recently checked
        host with an idle connection. None when :meth:`_begin` has to do more."""
        host = self._hosts.get((call.tenant_id, node.package_root, node.package, node.version))
        if host is not None and host.started and time.monotonic() - host.checked_at < self._ttl:
            conn = host.acquire_idle()
            if conn is not None:
                inv = Invocation(self, host, conn, node, call)
                self._inflight.add(inv)
                return inv
        return None

    async def _begin(self, node: ArtifactNode, call: NodeCall, *, opening_stream: bool = False) -> Invocation:
        """An invocation on a connection to the node's host. ``opening_stream``: failures read
        ``open pipeline stream for node "<id>": …`` (the catalog's words)."""
        canvas = call.canvas_id
        if not node.handler or not node.package_root:
            raise NodeFailure(f'node "{canvas}" has no handler to run (kind {node.kind!r})', canvas_id=canvas)
        try:
            host = await self._host(node, call.tenant_id)
        except NodeCrashed as exc:
            if not opening_stream:
                raise
            raise NodeCrashed(f'open pipeline stream for node "{canvas}": {exc}', canvas_id=canvas) from exc
        try:
            conn = await host.acquire()
        except OSError as exc:
            host.retire()
            rc = await host.wait_exit(1.0)
            if opening_stream:
                raise await self._stream_lost(None, host, canvas, "open pipeline stream for", exc) from exc
            what = f"exited ({exit_status(rc)})" if rc is not None else f"refused a connection ({exc})"
            raise NodeCrashed(host.describe_exit(f'{what} before running node "{canvas}"'), canvas_id=canvas) from exc
        inv = Invocation(self, host, conn, node, call)
        self._inflight.add(inv)
        return inv

    def _end(self, inv: Invocation, reuse: bool) -> None:
        if inv.host.partial_lines:  # an unfinished fd line: it belongs to the invocations running now
            self._fd_lines(inv.host, b"", final=True)
        self._inflight.discard(inv)
        inv.finish(reuse)

    def _host_output(self, host: HostProcess, fd: int, data: bytes) -> None:
        """What ``host`` wrote straight to fd 1/2 (C extensions, ``os.write``, ``sys.__stdout__``):
        log records of the invocations running on it, counted toward their log budget like
        ``print`` output. An fd write names no thread, so while several invocations run on the
        host each of them gets the lines (and is charged for them); with none running, only the
        crash tail keeps them."""
        self._fd_lines(host, data, fd=fd)

    def _fd_lines(self, host: HostProcess, data: bytes, *, fd: int = 0, final: bool = False) -> None:
        running = [inv for inv in self._inflight if inv.host is host and not inv.finished]
        partial = host.partial_lines
        if not running:
            partial.clear()
            return
        for stream in (fd,) if not final else tuple(partial):
            *lines, rest = (partial.pop(stream, b"") + data).split(b"\n")
            if final and rest:
                lines.append(rest)
            elif len(rest) > FD_LINE_BYTES:
                lines.append(rest)
            elif rest:
                partial[stream] = rest
            for inv in running:
                inv.fd_output(stream, len(data), lines)

    async def _stream_lost(self, inv: Invocation | None, host: HostProcess, canvas: str, verb: str,
                           exc: object) -> NodeCrashed:
        """A pipeline's connection failed, in the catalog's words (``verb``: "open pipeline stream
        for", "send to", "recv from") and the cause; retires the host."""
        if inv is not None:
            inv.finish(False)
        rc = await host.wait_exit(2.0)
        host.retire()
        cause = f"the node's process exited ({exit_status(rc)})" if rc is not None else f"connection lost ({exc or 'closed'})"
        lines = host.tail.last()
        if lines:
            cause += "; last output:\n" + "\n".join("  " + line for line in lines)
        return NodeCrashed(f'{verb} node "{canvas}": {cause}', canvas_id=canvas)

    async def _failure(self, inv: Invocation, tag: str, value: object) -> NodeHostError:
        """The exception to raise for a non-result event; retires the host where needed."""
        canvas = inv.call.canvas_id
        if tag == "lost":
            inv.finish(False)
            rc = await inv.host.wait_exit(2.0)
            inv.host.retire()
            if rc is None:
                return NodeCrashed(inv.host.describe_exit(f'dropped the connection while running node "{canvas}"'), canvas_id=canvas)
            return NodeCrashed(inv.host.describe_exit(f'exited ({exit_status(rc)}) while running node "{canvas}"'), canvas_id=canvas)
        if tag == "pump_error":
            inv.finish(False)
            return value  # type: ignore[return-value]
        assert isinstance(value, NodeHostError), (tag, value)
        if getattr(value, "retire", False):  # a resource limit was hit
            inv.host.retire()
        if not isinstance(value, NodeFailure) or isinstance(value, NodeCancelled):
            inv.finish(False)
            inv.host.retire()  # timeout, flood, cancel: the handler may still be running
        return value


async def _pump(inputs: AsyncIterator[bytes], inv: Invocation) -> None:
    """Send the pipeline's input frames, then END; the worker reads them as the handler asks."""
    conn = inv.conn
    try:
        async for frame in inputs:
            if conn.closed:
                return
            conn.write(wire.encode(wire.FRAME, b"", frame))
            inv.active_at = time.monotonic()
            await conn.drain()
        conn.write(wire.encode(wire.END))
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        inv.push("pump_error", exc)
        raise
