"""One node host process and its connections, seen from the runtime.

A :class:`HostProcess` spawns ``python -m axiom_ide.runtime.host.worker`` for one package
version, waits for its ready line, and hands out :class:`Connection`s — one per concurrent
invocation, pooled when idle. Its stdout/stderr are kept as a bounded tail for crash messages.

Lifecycle: ``new → started → (retired →) dead``. A *retired* host takes no new invocations and
is killed as soon as the ones still running on it finish: that is how a timeout, a cancel, a
flood or a source change restarts a host without failing unrelated invocations.
"""
from __future__ import annotations

import asyncio
import collections
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import axiom_ide
from axiom_ide.runtime.host import wire

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


class HostProcess:
    """A worker process serving one package version."""

    def __init__(self, key: str, root: Path, *, python: str, socket_dir: Path, fingerprint: tuple):
        #: ``package@version``.
        self.key = key
        self.root = root
        self.fingerprint = fingerprint
        #: monotonic time of the last fingerprint check (the pool throttles them).
        self.checked_at = 0.0
        self.retired = False
        self.tail = OutputTail()
        self._python = python
        self._socket_dir = socket_dir
        self._proc: asyncio.subprocess.Process | None = None
        self._address = ""
        self._idle: list[Connection] = []
        self._busy = 0
        self._start: asyncio.Task | None = None
        self._readers: list[asyncio.Task] = []
        self._dead = False

    # -- state ------------------------------------------------------------------------------------
    @property
    def usable(self) -> bool:
        """Takes new invocations: not retired and not known dead."""
        return not self.retired and not self._dead and (self._proc is None or self._proc.returncode is None)

    @property
    def started(self) -> bool:
        return self._address != "" and self.usable

    # -- start ------------------------------------------------------------------------------------
    async def ensure_started(self, prepare: Callable[[], Any]) -> None:
        """Start the process once (concurrent callers share the start); ``prepare`` runs first
        in a thread (the pool regenerates ``gen/`` there)."""
        if self._start is None:
            self._start = asyncio.ensure_future(self._spawn(prepare))
        await asyncio.shield(self._start)

    async def _spawn(self, prepare: Callable[[], Any]) -> None:
        await asyncio.to_thread(prepare)
        env = dict(os.environ)
        src = str(Path(axiom_ide.__file__).resolve().parents[1])
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env["PYTHONUNBUFFERED"] = "1"
        args = [self._python, "-m", "axiom_ide.runtime.host.worker", "--package-root", str(self.root)]
        if sys.platform == "win32":
            args.append("--tcp")
        else:
            fd, path = tempfile.mkstemp(prefix="h", suffix=".sock", dir=self._socket_dir)
            os.close(fd)
            os.unlink(path)
            args += ["--socket", path]
        self._proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            cwd=str(self.root),
        )
        self._readers.append(asyncio.ensure_future(self._read_stream(self._proc.stderr)))
        try:
            self._address = await asyncio.wait_for(self._read_ready(), START_TIMEOUT_S)
        except asyncio.TimeoutError:
            self.kill()
            raise RuntimeError(self.describe_exit(f"did not start within {START_TIMEOUT_S:g}s"))
        self._readers.append(asyncio.ensure_future(self._read_stream(self._proc.stdout)))
        if not self._address:
            rc = await self._proc.wait()
            await asyncio.gather(*self._readers, return_exceptions=True)
            self._dead = True
            raise RuntimeError(self.describe_exit(f"exited ({_status(rc)}) while starting"))

    async def _read_ready(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        while True:
            line = await self._proc.stdout.readline()
            if not line:
                return ""
            text = line.decode("utf-8", "replace").strip()
            if text.startswith(wire.READY_LINE):
                return text.split(" ", 1)[1]
            self.tail.feed(line)

    async def _read_stream(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:
            return
        while True:
            data = await stream.read(65536)
            if not data:
                return
            self.tail.feed(data)

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
        self.retired = True
        for conn in self._idle:
            conn.close()
        self._idle.clear()
        if self._proc is not None and self._proc.returncode is None:
            try:
                self._proc.kill()
            except ProcessLookupError:
                pass
        if self._proc is not None and self._proc.stdin is not None:
            self._proc.stdin.close()

    async def wait_exit(self, timeout: float) -> int | None:
        """The exit code (negative: signal), or None if still running after ``timeout``."""
        if self._proc is None:
            return None
        try:
            rc = await asyncio.wait_for(self._proc.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        self._dead = True
        # Let the pipe readers pick up the last words before they are quoted.
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
        if self._proc is not None:
            await self.wait_exit(5.0)
        for task in self._readers:
            task.cancel()


def _status(rc: int | None) -> str:
    if rc is None:
        return "still running"
    return f"signal {-rc}" if rc < 0 else f"code {rc}"


def exit_status(rc: int | None) -> str:
    return _status(rc)
