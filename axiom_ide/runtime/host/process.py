"""One node host process and its connections, seen from the runtime.

A :class:`HostProcess` spawns ``python -m axiom_ide.runtime.host.worker`` for one tenant's use
of one package version (confined as its :class:`~axiom_ide.runtime.host.sandbox.Sandbox` says),
waits for its ready line, and hands out :class:`Connection`s — one per concurrent
invocation, pooled when idle. The runtime holds the read ends of its stdout/stderr pipes: what
arrives goes to a bounded tail for crash messages and to ``on_output`` (the pool makes it log
records of the invocations running on the host).

Lifecycle: ``new → started → (retired →) dead``. A *retired* host takes no new invocations and
is killed as soon as the ones still running on it finish: that is how a timeout, a cancel, a
flood or a source change restarts a host without failing unrelated invocations.
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axiom_ide.runtime.host import cgroup, wire
from axiom_ide.runtime.host.sandbox import HostLimits, Sandbox, host_env
from axiom_ide.runtime.host.sandbox import command as sandbox_command

if sys.platform == "win32":
    from axiom_ide.runtime.host import winjob

#: How long a host may take to print its ready line.
START_TIMEOUT_S = 30.0
_TAIL_LINES = 200
_TAIL_LINE_CHARS = 2000
_CRASH_LINES = 20


class OutputTail:
    """The last lines a host wrote to stdout/stderr (bounded)."""

    def __init__(self) -> None:
        self.lines: collections.deque[str] = collections.deque(maxlen=_TAIL_LINES)
        self._partial = b""

    def feed(self, data: bytes) -> None:
        data = self._partial + data
        *lines, self._partial = data.split(b"\n")
        if len(self._partial) > _TAIL_LINE_CHARS:
            lines.append(self._partial)
            self._partial = b""
        for line in lines:
            self.lines.append(line[:_TAIL_LINE_CHARS].decode("utf-8", "replace").rstrip("\r"))

    def last(self, n: int = _CRASH_LINES) -> list[str]:
        out = list(self.lines)[-n:]
        if self._partial:
            out.append(self._partial[:_TAIL_LINE_CHARS].decode("utf-8", "replace"))
        return [line for line in out if line.strip()]


class Connection(asyncio.BufferedProtocol):
    """One socket to the worker. ``sink`` receives every frame while an invocation owns it.

    A buffered protocol: the transport reads straight into the connection's reused
    :class:`~axiom_ide.runtime.host.wire.FrameReader` (no allocation per read)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.sink: Any = None  # has on_frame(kind, meta, payload) and on_lost()
        #: context parts this connection's worker holds (see invocation.ContextParts).
        self.parts: Any = None
        self.closed = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self._reader = wire.FrameReader()
        self._paused: asyncio.Future | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        #: the loop this connection lives on (``get_running_loop`` costs a getpid() per call).
        self.loop = asyncio.get_running_loop()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._reader.space()

    def buffer_updated(self, nbytes: int) -> None:
        reader = self._reader
        reader.filled(nbytes)
        while True:
            try:
                frame = reader.next()
            except ValueError:  # a malformed frame: the stream cannot be trusted past it
                sink = self.sink
                self.close()
                if sink is not None:
                    sink.on_lost()
                return
            if frame is None:
                return
            sink = self.sink
            if sink is not None:
                sink.on_frame(*frame)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._paused is not None and not self._paused.done():
            self._paused.set_result(None)
        sink = self.sink
        if sink is not None:
            sink.on_lost()

    def pause_writing(self) -> None:
        self._paused = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self._paused is not None and not self._paused.done():
            self._paused.set_result(None)
        self._paused = None

    async def drain(self) -> None:
        if self._paused is not None:
            await self._paused

    def write(self, data: bytes) -> None:
        if not self.closed:
            self.transport.write(data)  # type: ignore[union-attr]

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.sink = None
            if self.transport is not None:
                self.transport.abort()


class _OutputPipe(asyncio.Protocol):
    """The read end of the host's stdout or stderr pipe. Data is handed over in the loop's read
    callback itself (asyncio's subprocess pipes defer it by a ``call_soon``): output a handler
    wrote before it answered is seen in the same loop iteration as the answer or earlier, so
    before the invocation that answered is over."""

    def __init__(self, host: HostProcess, fd: int):
        self.host, self.fd = host, fd
        self.transport: asyncio.BaseTransport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.host._output(self.fd, data)

    def eof_received(self) -> None:
        pass

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
        self.host._output_closed(self.fd)


class _HostProtocol(asyncio.SubprocessProtocol):
    """The host as asyncio's child watcher sees it: its exit is reported by the process itself
    (``process_exited``), at once — not when its pipes close, which a forked child that keeps
    them open would delay indefinitely. On Windows it also carries stdout/stderr."""

    def __init__(self, host: HostProcess):
        self.host = host

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.host._output(fd, data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd in (1, 2):
            self.host._output_closed(fd)

    def process_exited(self) -> None:
        self.host._exited()


class HostProcess:
    """A worker process serving one tenant's invocations of one package version."""

    def __init__(self, key: str, root: Path, *, python: str, socket_dir: Path, fingerprint: tuple,
                 tenant: str = "", sandbox: Sandbox | None = None):
        #: ``package@version``.
        self.key = key
        self.root = root
        #: the one tenant whose invocations this host runs.
        self.tenant = tenant
        self.fingerprint = fingerprint
        #: monotonic time of the last fingerprint check (the pool throttles them).
        self.checked_at = 0.0
        #: monotonic time an invocation last ended here (idle reaping, LRU eviction).
        self.last_used = 0.0
        self.retired = False
        self.tail = OutputTail()
        #: ``on_output(host, fd, data)``: what the host writes to fd 1/2 after its ready line
        #: (the pool turns it into log records of the invocations running on it).
        self.on_output: Callable[[HostProcess, int, bytes], None] | None = None
        #: ``on_exit(host)``: the process exited (called once, at once).
        self.on_exit: Callable[[HostProcess], None] | None = None
        #: the unfinished last line of fd 1 and fd 2 (kept by whoever handles ``on_output``).
        self.partial_lines: dict[int, bytes] = {}
        #: the interpreter the worker runs on (the pool may pick a package's venv before the start).
        self.python = python
        #: the directory holding the run's gen/ (set by the pool before the start; packages/gendir.py).
        self.gen_home: Path | None = None
        self._socket_dir = socket_dir
        self._sandbox = sandbox if sandbox is not None else Sandbox(enabled=False, limits=None)
        self._transport: asyncio.SubprocessTransport | None = None
        self._pid: int | None = None
        self._returncode: int | None = None
        self._exit: asyncio.Future[int] | None = None
        self._job = None  # Windows job object (winjob.Job)
        self._in_bwrap = False
        self._pids: cgroup.PidsGroup | None = None  # Linux: the host's pids cgroup, where one can be made
        self._dir: Path | None = None  # the host's own directory: its socket (and private tmp)
        self._address = ""
        self._ready: asyncio.Future[str] | None = None
        self._before_ready = b""
        self._idle: list[Connection] = []
        self._busy = 0
        self._start: asyncio.Task | None = None
        #: done when the stdout/stderr readers have seen the end of their pipes.
        self._readers: list[asyncio.Future] = []
        self._pipes: list[asyncio.BaseTransport] = []
        self._dead = False
        #: seconds the process took from spawn to its ready line.
        self.start_s = 0.0

    # -- state ------------------------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        """Takes new invocations: not retired and not known dead."""
        return not self.retired and not self._dead and self._returncode is None

    @property
    def started(self) -> bool:
        return self._address != "" and self.usable

    @property
    def pid(self) -> int | None:
        return self._pid

    def process_tree(self) -> list[int]:
        """The host's pid and its descendants' (Linux; elsewhere the host's alone): under bwrap
        the worker is the host's grandchild."""
        if self._pid is None or self._returncode is not None:
            return []
        out, todo = [], [self._pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo += [int(c) for c in children.read_text().split()]
                except (OSError, ValueError):
                    pass
        return out

    @property
    def busy(self) -> int:
        return self._busy

    # -- start ------------------------------------------------------------------------------------
    async def ensure_started(self, prepare: Callable[[], Any]) -> None:
        """Start the process once (concurrent callers share the start); ``prepare`` runs first
        in a thread (the pool regenerates ``gen/`` there)."""
        if self._start is None:
            self._start = asyncio.ensure_future(self._spawn(prepare))
        await asyncio.shield(self._start)

    async def _spawn(self, prepare: Callable[[], Any]) -> None:
        sandbox = self._sandbox
        await asyncio.to_thread(prepare)
        await asyncio.to_thread(sandbox.tool)  # the first time: looks for bwrap (and warns once)
        began = time.monotonic()
        self._dir = Path(tempfile.mkdtemp(prefix="h", dir=self._socket_dir))
        private_tmp = self._dir / "tmp"
        private_tmp.mkdir()
        worker = [self.python, "-m", "axiom_ide.runtime.host.worker", "--package-root", str(self.root)]
        if self.tenant:
            worker += ["--tenant", self.tenant]
        read_only: tuple[Path, ...] = ()
        if self.gen_home is not None and self.gen_home != self.root:  # a read-only package's gen/
            worker += ["--gen-home", str(self.gen_home)]
            read_only = (self.gen_home,)
        limits = sandbox.limits
        if limits is not None and limits.processes and sys.platform.startswith("linux"):
            self._pids = await asyncio.to_thread(cgroup.PidsGroup.create, limits.processes)
        if limits is not None and limits.processes and sys.platform != "win32" and self._pids is None:
            limits = dataclasses.replace(limits, processes=None)  # nothing here to enforce it with
        if limits is not None:
            worker += ["--limits", limits.to_json()]
        if sys.platform == "win32":
            worker.append("--tcp")
        else:
            worker += ["--socket", str(self._dir / "h.sock")]
        args, scrub = sandbox_command(sandbox, worker, root=self.root, host_dir=self._dir, python=self.python,
                                      read_only=read_only)
        in_bwrap = self._in_bwrap = args[0] != worker[0] and sys.platform.startswith("linux")
        if self._pids is not None:  # join the pids cgroup before anything else runs
            args = ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', self._pids.procs, *args]
        env = host_env(sandboxed=scrub, private_tmp="/tmp" if in_bwrap else str(private_tmp))
        loop = asyncio.get_running_loop()
        self._ready = loop.create_future()
        self._exit = loop.create_future()
        if sys.platform == "win32":  # the proactor cannot read os.pipe(): asyncio's pipes (a hop later)
            self._transport, _ = await loop.subprocess_exec(
                lambda: _HostProtocol(self), *args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=env, cwd=str(self.root),
                creationflags=subprocess.CREATE_NEW_PROCESS_GROUP,  # type: ignore[attr-defined]
            )
            self._pid = self._transport.get_pid()
            # a job object even unsandboxed: its children die with the host (kill on close)
            limits = sandbox.limits if sandbox.enabled and sandbox.limits is not None else HostLimits(None, None, None, None)
            self._job = winjob.confine(self._transport.get_extra_info("subprocess"), limits)
        else:
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            try:
                # a session of its own: the whole process group dies with the host (kill())
                self._transport, _ = await loop.subprocess_exec(
                    lambda: _HostProtocol(self), *args, stdin=subprocess.PIPE, stdout=out_w, stderr=err_w,
                    env=env, cwd=str(self.root), start_new_session=True,
                )
            except BaseException:
                os.close(out_r)
                os.close(err_r)
                raise
            finally:
                os.close(out_w)
                os.close(err_w)
            self._pid = self._transport.get_pid()
            for fd, read_end in ((1, out_r), (2, err_r)):
                transport, pipe = await loop.connect_read_pipe(functools.partial(_OutputPipe, self, fd),
                                                               os.fdopen(read_end, "rb", 0))
                self._pipes.append(transport)
                self._readers.append(pipe.closed)
        if self._returncode is not None and not self._ready.done():  # exited before we looked
            self._output_closed(1)
        try:
            self._address = await asyncio.wait_for(self._ready, START_TIMEOUT_S)
        except TimeoutError:
            self.kill()
            raise RuntimeError(self.describe_exit(f"did not start within {START_TIMEOUT_S:g}s")) from None
        if not self._address:
            rc = await self.wait_exit(5.0)
            self._dead = True
            raise RuntimeError(self.describe_exit(f"exited ({_status(rc)}) while starting"))
        self.start_s = time.monotonic() - began
        self.last_used = time.monotonic()  # idle from now, not from when the start began

    def _exited(self) -> None:
        """The process is gone: kill what it left behind (its process group; under bwrap the
        PID namespace died with it), end a start still waiting, tell the pool."""
        if self._exit is None or self._exit.done():
            return
        rc = self._transport.get_returncode() if self._transport is not None else None
        if rc is not None and self._in_bwrap and 128 < rc < 128 + 65:
            rc = 128 - rc  # bwrap exits 128+N when its child died of signal N: report the signal
        self._returncode = rc if rc is not None else -9
        self._dead = True
        self._kill_group()
        self._exit.set_result(self._returncode)
        ready = self._ready
        if ready is not None and not ready.done():
            # its stdout may still be held open by a child: do not wait for the pipe to end
            self.tail.feed(self._before_ready)
            self._before_ready = b""
            ready.set_result("")
        if self.on_exit is not None:
            self.on_exit(self)

    def _kill_group(self) -> None:
        if self._pids is not None:
            self._pids.kill_all()  # also what left the process group with setsid()
        if self._job is not None:
            self._job.close()  # kill-on-close: every process of the job
            self._job = None
        if self._pid is not None and sys.platform != "win32":
            try:
                os.killpg(self._pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def _output(self, fd: int, data: bytes) -> None:
        """Bytes the process wrote to ``fd``: its ready line, then the tail and ``on_output``."""
        ready = self._ready
        if ready is not None and not ready.done():
            if fd != 1:
                self.tail.feed(data)
                return
            self._before_ready += data
            while b"\n" in self._before_ready:
                line, self._before_ready = self._before_ready.split(b"\n", 1)
                text = line.decode("utf-8", "replace").strip()
                if text.startswith(wire.READY_LINE):
                    ready.set_result(text.split(" ", 1)[1])
                    data, self._before_ready = self._before_ready, b""
                    break
                self.tail.feed(line + b"\n")
            else:
                return
            if not data:
                return
        self.tail.feed(data)
        if self.on_output is not None:
            self.on_output(self, fd, data)

    def _output_closed(self, fd: int) -> None:
        ready = self._ready
        if fd == 1 and ready is not None and not ready.done():  # exited (or closed stdout) before ready
            self.tail.feed(self._before_ready)
            self._before_ready = b""
            ready.set_result("")

    # -- connections ------------------------------------------------------------------------------
    def acquire_idle(self) -> Connection | None:
        """An idle connection (counted busy), or None when a new one must be opened."""
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed:
                self._busy += 1
                return conn
        return None

    async def acquire(self) -> Connection:
        """An idle connection, or a new one; counts as busy until released or abandoned."""
        self._busy += 1
        while self._idle:
            conn = self._idle.pop()
            if not conn.closed:
                return conn
        try:
            loop = asyncio.get_running_loop()
            if self._address.startswith("tcp:"):
                host, port = self._address[4:].rsplit(":", 1)
                _, conn = await loop.create_connection(Connection, host, int(port))
            else:
                _, conn = await loop.create_unix_connection(Connection, self._address[5:])
        except BaseException:
            self._busy -= 1
            raise
        return conn

    def release(self, conn: Connection, reuse: bool) -> None:
        """The invocation on ``conn`` is over; keep the connection if it is in a clean state."""
        self._busy -= 1
        self.last_used = time.monotonic()
        conn.sink = None
        if reuse and self.usable and not conn.closed:
            self._idle.append(conn)
        else:
            conn.close()
        if self.retired and self._busy <= 0:
            self.kill()

    def retire(self) -> None:
        """Take no new invocations; die once the running ones are over."""
        self.retired = True
        if self._busy <= 0:
            self.kill()

    def kill(self) -> None:
        """Kill the host and everything it started (its process group, its bwrap PID namespace,
        its job object)."""
        self.retired = True
        for conn in self._idle:
            conn.close()
        self._idle.clear()
        if self._transport is not None and self._returncode is None:
            self._kill_group()
            try:
                self._transport.kill()
            except ProcessLookupError:
                pass
        if self._transport is not None:
            stdin = self._transport.get_pipe_transport(0)
            if stdin is not None:
                stdin.close()

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code (negative: signal), or None if still running after ``timeout``."""
        if self._exit is None:
            return None
        try:
            rc = await asyncio.wait_for(asyncio.shield(self._exit), timeout)
        except TimeoutError:
            return None
        self._dead = True
        # Let the pipe readers pick up the last words before they are quoted (the group is
        # killed, so nothing holds the pipes for long).
        if self._readers:
            await asyncio.wait(self._readers, timeout=0.5)
        return rc

    def describe_exit(self, what: str) -> str:
        """``node host for pkg@ver <what>``, plus the last lines it wrote."""
        text = f"node host for {self.key} {what}"
        lines = self.tail.last()
        if lines:
            text += "; last output:\n" + "\n".join("  " + line for line in lines)
        return text

    async def close(self) -> None:
        self.kill()
        if self._start is not None and not self._start.done():
            self._start.cancel()
        if self._transport is not None:
            await self.wait_exit(5.0)
            self._transport.close()
        if self._pids is not None:
            for _ in range(100):  # its last processes are being reaped
                self._pids.kill_all()
                if self._pids.remove():
                    break
                await asyncio.sleep(0.02)
        for pipe in self._pipes:  # a pipe still open after the exit: stop reading
            pipe.close()
        for reader in self._readers:
            reader.cancel()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)


def _status(rc: int | None) -> str:
    if rc is None:
        return "still running"
    return f"signal {-rc}" if rc < 0 else f"code {rc}"


def exit_status(rc: int | None) -> str:
    return _status(rc)
