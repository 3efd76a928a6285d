"""The node host process: ``python -m axiom_ide.runtime.host.worker --package-root R --socket S``.

It serves one package version. The package root goes on ``sys.path`` so ``nodes.<handler>`` and
``gen.*`` import as they do under ``axiom test`` (``--gen-home``: the directory holding the run's
``gen/`` when the package is read-only, ahead of the root; packages/gendir.py). Each accepted connection gets a thread that
reads one invocation at a time and runs the handler *on that thread* — no hand-offs on the hot
path; concurrent invocations arrive on separate connections. ``async def`` handlers and async
generators run on the thread's own event loop. ``print`` inside a handler becomes a log record
of that invocation. The process exits when its stdin closes (the runtime went away).

Imports stay light: stdlib, protobuf, and this package's ``wire``/``context`` (no grpc, no Qt).
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import importlib
import inspect
import os
import socket
import struct
import sys
import threading
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

from axiom_ide.runtime.host import wire
from axiom_ide.runtime.host.context import context_factory
from axiom_ide.runtime.host.failures import exit_message, limit_breach, node_traceback
from axiom_ide.runtime.host.process_setup import LIMITS, apply_limits, exit_when_stdin_closes, line_buffer_c_stdout

#: Per-thread state: ``inv`` (the invocation running on this thread) and ``loop``.
_local = threading.local()
_import_lock = threading.RLock()
#: The one tenant this host serves (``--tenant``); None: not checked.
_tenant: str | None = None
_handlers: dict[str, Any] = {}
_classes: dict[str, type[Message]] = {}
_SLOT = struct.Struct("<I")


class Abandoned(BaseException):
    """The runtime dropped this invocation (timeout, cancel, flood): unwind without answering.

    A BaseException so that a handler's ``except Exception`` cannot swallow it.
    """


class HandlerError(Exception):
    """A failure the host reports itself (cannot load, wrong return type)."""

    kind = "failure"


class OutputFlood(HandlerError):
    kind = "flood"


# -- loading -------------------------------------------------------------------------------------


def load_handler(name: str) -> Any:
    fn = _handlers.get(name)
    if fn is not None:
        return fn
    with _import_lock:
        try:
            module = importlib.import_module(f"nodes.{name}")
        except Exception as exc:
            raise HandlerError(f"cannot load nodes/{name}.py: {type(exc).__name__}: {exc}") from exc
        fn = getattr(module, name, None)
        if not callable(fn):
            raise HandlerError(f"nodes/{name}.py defines no handler function {name}()")
        _handlers[name] = fn
    return fn


def message_class(full_name: str) -> type[Message]:
    cls = _classes.get(full_name)
    if cls is not None:
        return cls
    from google.protobuf import descriptor_pool, message_factory

    with _import_lock:
        try:
            desc = descriptor_pool.Default().FindMessageTypeByName(full_name)
        except KeyError:
            importlib.import_module("gen.messages_pb2")
            try:
                desc = descriptor_pool.Default().FindMessageTypeByName(full_name)
            except KeyError:
                raise HandlerError(f"unknown message type {full_name!r} in this package's gen/") from None
        cls = _classes[full_name] = message_factory.GetMessageClass(desc)
    return cls


_make_context = None


def make_context(inv: Invocation) -> Any:
    global _make_context
    if _make_context is None:
        with _import_lock:
            sdk = importlib.import_module("gen.axiom_context")
            _make_context = context_factory(sdk)
    mutations: list | None = [] if inv.site.get("mutation_capable") else None
    ax = _make_context(inv, inv.run, inv.variables, inv.graph, inv.site.get("position"), mutations)
    inv.mutations = mutations
    return ax


def thread_loop() -> asyncio.AbstractEventLoop:
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


# -- one invocation ------------------------------------------------------------------------------


class Invocation:
    """The channel back to the runtime for one invocation (the context's ``Channel``).

    Log frames are batched: they go out with the next answer frame, before a memory call, when
    64 KiB are waiting, or within ``LOG_FLUSH_S`` via the flusher thread — one write instead of
    one per line, so logging costs little on the hot path yet still streams live.
    """

    __slots__ = ("frames", "site", "run", "variables", "graph", "attempt", "pending", "ended", "broken", "_partial",
                 "_logs", "_log_size", "_lock", "mutations")

    def __init__(self, frames: wire.SocketFrames, site: dict, run: dict, variables: dict, graph: dict | None,
                 attempt: int):
        self.frames = frames
        #: The call's context parts (see wire.DEFINE): handler, types, canvas id, position; ids;
        #: the reflection view without its position (None: no reflection). ``variables`` came
        #: with this call alone and die with it.
        self.site, self.run, self.variables, self.graph, self.attempt = site, run, variables, graph, attempt
        self.pending: collections.deque = collections.deque()
        self.ended = False
        self.broken = False
        self._partial: dict[str, str] | None = None  # print() text after the last newline, per stream
        self._logs: list[bytes] = []
        self._log_size = 0
        self._lock = threading.Lock()
        #: A mutation-capable call's buffered ``ax.mutation.flow`` additions (sent with RESULT).
        self.mutations: list | None = None

    def send(self, kind: int, meta: bytes = b"", payload: bytes = b"") -> None:
        with self._lock:
            if self._logs:
                meta_frame = b"".join(self._logs) + wire.head(kind, meta, len(payload))
                self._logs.clear()
                self._log_size = 0
                _unflushed.discard(self)
                self._write(wire.SocketFrames.send_raw, meta_frame, payload)
            else:
                self._write(wire.SocketFrames.send, kind, meta, payload)

    def _write(self, fn: Any, *args: Any) -> None:
        if self.broken:
            raise Abandoned()
        try:
            fn(self.frames, *args)
        except OSError:
            self.broken = True
            raise Abandoned() from None

    def flush_logs(self) -> None:
        """Send waiting log frames (the flusher thread calls this too)."""
        with self._lock:
            _unflushed.discard(self)
            if not self._logs or self.broken:
                return
            data = b"".join(self._logs)
            self._logs.clear()
            self._log_size = 0
            try:
                self.frames.sock.sendall(data)
            except OSError:
                self.broken = True

    def read(self) -> tuple[int, bytes, bytes]:
        try:
            frame = self.frames.read()
        except OSError:
            frame = None
        if frame is None:
            raise Abandoned()
        return frame

    def log(self, level: str, message: str, attrs: dict[str, Any] | None, when: float, stream: int = 0) -> None:
        if self.broken:
            raise Abandoned()
        frame = wire.log_frame(level, message, attrs, when, stream)
        with self._lock:
            self._logs.append(frame)
            self._log_size += len(frame)
            big = self._log_size > 65536
            if not big:
                _unflushed.add(self)
                _start_flusher()
        if big:
            self.flush_logs()
            if self.broken:
                raise Abandoned()

    def memory(self, op: str, args: dict[str, Any]) -> tuple[bool, Any]:
        self.send(wire.MEM_CALL, wire.dumps({"op": op, "args": args}))
        while True:
            kind, meta, payload = self.read()
            if kind == wire.MEM_REPLY:
                import json

                reply = json.loads(meta)
                return bool(reply.get("ok")), reply.get("result")
            self.pending.append((kind, payload))  # pipeline input that arrived meanwhile

    def next_input(self) -> bytes | None:
        """The next pipeline input frame's payload, or None after END."""
        if self.ended:
            return None
        kind, payload = self.pending.popleft() if self.pending else self.read()[::2]
        if kind == wire.END:
            self.ended = True
            return None
        return payload

    def drain_inputs(self) -> None:
        while self.next_input() is not None:
            pass

    def write_stream(self, stream: str, text: str) -> None:
        if self._partial is None:
            self._partial = {"stdout": "", "stderr": ""}
        buf = self._partial[stream] + text
        *lines, self._partial[stream] = buf.split("\n")
        code = wire.STREAMS.index(stream)
        for line in lines:
            self.log("info" if code == 1 else "error", line, None, _now(), code)

    def flush_streams(self) -> None:
        if self._partial is None:
            return
        for stream, rest in self._partial.items():
            if rest:
                self._partial[stream] = ""
                code = wire.STREAMS.index(stream)
                self.log("info" if code == 1 else "error", rest, None, _now(), code)


#: Seconds a batched log line may wait before the flusher thread sends it.
LOG_FLUSH_S = 0.05
_unflushed: set[Invocation] = set()
_flusher: threading.Thread | None = None


def _start_flusher() -> None:
    global _flusher
    if _flusher is None:
        _flusher = threading.Thread(target=_flush_forever, name="log-flusher", daemon=True)
        _flusher.start()


def _flush_forever() -> None:
    import time

    while True:
        time.sleep(LOG_FLUSH_S)
        for inv in list(_unflushed):
            inv.flush_logs()


def _now() -> float:
    import time

    return time.time()


class InputFrames:
    """The iterator a pipeline handler receives: input messages as the runtime sends them.
    Usable with ``for`` and ``async for``."""

    def __init__(self, inv: Invocation, cls: type[Message]):
        self._inv, self._cls = inv, cls

    def __iter__(self) -> InputFrames:
        return self

    def __next__(self) -> Any:
        payload = self._inv.next_input()
        if payload is None:
            raise StopIteration
        return self._cls.FromString(payload)

    def __aiter__(self) -> InputFrames:
        return self

    async def __anext__(self) -> Any:
        payload = self._inv.next_input()
        if payload is None:
            raise StopAsyncIteration
        return self._cls.FromString(payload)


#: Message classes seen as outputs, with their full names (skips an ABC isinstance check and a
#: descriptor lookup per answer).
_message_names: dict[type, str] = {}


def serialize_output(result: Any, site: dict) -> bytes:
    expected = site.get("output_type") or ""
    actual = _message_names.get(type(result))
    if actual is None:
        if not isinstance(result, Message):
            got = "None" if result is None else type(result).__name__
            raise HandlerError(f"handler {site.get('handler', '')} returned {got}, expected message "
                               f"{expected or 'a protobuf message'}")
        actual = _message_names[type(result)] = result.DESCRIPTOR.full_name
    if expected and actual != expected:
        handler = site.get("handler", "")
        raise HandlerError(f"handler {handler} returned message {actual}, expected {expected}")
    out = result.SerializeToString()
    if len(out) > wire.MAX_OUTPUT:
        raise OutputFlood(
            f'node "{site.get("canvas_id", "")}" produced {len(out)} bytes of output, '
            f"over the {wire.MAX_OUTPUT // (1024 * 1024)} MiB limit"
        )
    return out


def _error_frame(inv: Invocation, exc: BaseException) -> None:
    breach = limit_breach(LIMITS, inv.site.get("canvas_id", ""), exc)
    if isinstance(exc, HandlerError):
        kind, message, tb = exc.kind, str(exc), ""
    elif isinstance(exc, SystemExit):
        kind, message, tb = "failure", exit_message(exc), node_traceback(exc)
    elif breach is not None:  # the host may be short of memory/fds now: the runtime restarts it
        kind, message, tb = "limit", breach, node_traceback(exc)
    else:
        kind = "failure"
        message = str(exc) or type(exc).__name__
        tb = node_traceback(exc)
    name = "" if isinstance(exc, HandlerError) else type(exc).__name__
    inv.send(wire.ERROR, wire.dumps({"kind": kind, "message": message, "traceback": tb, "type": name}))


def run_unary(inv: Invocation, payload: bytes) -> None:
    site = inv.site
    try:
        fn = load_handler(site["handler"])
        request = message_class(site["input_type"]).FromString(payload)
        result = fn(make_context(inv), request)
        if type(result) not in _message_names and inspect.isawaitable(result):
            result = thread_loop().run_until_complete(result)
        out = serialize_output(result, site)
    except Abandoned:
        raise
    except BaseException as exc:  # noqa: BLE001 — node code may raise anything, even SystemExit
        inv.flush_streams()
        _error_frame(inv, exc)
        return
    inv.flush_streams()
    inv.send(wire.RESULT, wire.dumps({"mutations": inv.mutations}) if inv.mutations else b"", out)


def run_pipeline(inv: Invocation) -> None:
    site = inv.site
    try:
        fn = load_handler(site["handler"])
        inputs = InputFrames(inv, message_class(site["input_type"]))
        frames = fn(make_context(inv), inputs)
        if inspect.isasyncgen(frames):
            loop = thread_loop()
            while True:
                try:
                    item = loop.run_until_complete(frames.__anext__())
                except StopAsyncIteration:
                    break
                inv.send(wire.OUT, b"", serialize_output(item, site))
        elif inspect.isgenerator(frames) or hasattr(frames, "__next__"):
            for item in frames:
                inv.send(wire.OUT, b"", serialize_output(item, site))
        else:
            raise HandlerError(
                f"pipeline handler {site['handler']} must be a generator (use yield); it returned {type(frames).__name__}"
            )
    except Abandoned:
        raise
    except BaseException as exc:  # noqa: BLE001
        inv.flush_streams()
        _error_frame(inv, exc)
    else:
        inv.flush_streams()
        inv.send(wire.DONE)
    inv.drain_inputs()  # resynchronise: the runtime sends END or closes the connection


def serve_connection(sock: socket.socket) -> None:
    import json

    frames = wire.SocketFrames(sock)
    parts: dict[int, Any] = {}  # slot -> context part (wire.DEFINE), decoded once
    try:
        while True:
            try:
                frame = frames.read()
            except (OSError, ValueError):
                return
            if frame is None:
                return
            kind, meta, payload = frame
            frame = None
            if kind == wire.DEFINE:
                part = json.loads(payload)
                if _tenant is not None and part.get("tenant_id", _tenant) != _tenant:
                    return  # this host serves one tenant: never run another's call (the runtime never sends one)
                parts[_SLOT.unpack(meta)[0]] = part
                continue
            if kind != wire.CALL and kind != wire.OPEN:
                continue  # a stray frame of an abandoned invocation
            site, run, graph, attempt, nvars = wire.CALL_META.unpack(meta)
            if nvars:  # the variables live only for this invocation: decode, then wipe the bytes
                variables = wire.load_compact(payload[:nvars])
                payload = payload[nvars:]
                frames.wipe_last()
            else:
                variables = {}
            inv = _local.inv = Invocation(frames, parts[site], parts[run], variables,
                                          None if graph == wire.NO_PART else parts[graph], attempt)
            variables = None
            try:
                run_unary(inv, payload) if kind == wire.CALL else run_pipeline(inv)
            except Abandoned:
                return
            finally:
                _local.inv = None
                # nothing of this invocation stays reachable from this thread until the next one
                del inv, payload, meta
    finally:
        sock.close()


# -- process -------------------------------------------------------------------------------------


class _InvocationStream:
    """``sys.stdout``/``sys.stderr``: lines written during an invocation become its log records;
    anything else goes to the real stream (which the runtime captures)."""

    def __init__(self, name: str, real: Any):
        self._name, self._real = name, real

    def write(self, text: str) -> int:
        inv = getattr(_local, "inv", None)
        if inv is None:
            return self._real.write(text)
        inv.write_stream(self._name, str(text))
        return len(text)

    def flush(self) -> None:
        if getattr(_local, "inv", None) is None:
            self._real.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _refuse(conn: socket.socket) -> None:
    """Answer the invocation on ``conn`` with an error saying why the host cannot take it, so the
    runtime fails that one invocation clearly (instead of seeing a dropped connection)."""
    running = sum(1 for t in threading.enumerate() if t.name == "invocation")
    limits = ", ".join(f"{name} {LIMITS[key]}{unit}" for key, name, unit in (
        ("memory_mib", "memory", " MiB"), ("processes", "processes", "")) if LIMITS.get(key))
    why = (f"the node host cannot run more than {running} invocations at once"
           + (f" within its limits ({limits})" if limits else "") + ": no thread can be started")
    try:
        conn.settimeout(5.0)
        frames = wire.SocketFrames(conn)
        while (frame := frames.read()) is not None:
            if frame[0] in (wire.CALL, wire.OPEN):
                frames.send(wire.ERROR, wire.dumps({"kind": "failure", "message": why, "traceback": ""}))
                break
    except (OSError, ValueError):
        pass
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="axiom_ide.runtime.host.worker")
    parser.add_argument("--package-root", required=True)
    parser.add_argument("--socket", help="Unix socket path to listen on")
    parser.add_argument("--tcp", action="store_true", help="listen on loopback TCP (Windows)")
    parser.add_argument("--tenant", help="the one tenant this host serves (calls for another are refused)")
    parser.add_argument("--limits", help="resource limits as JSON (sandbox.HostLimits)")
    parser.add_argument("--gen-home", help="directory holding gen/ when not the package root (read-only package)")
    args = parser.parse_args(argv)
    global _tenant
    _tenant = args.tenant
    if args.limits:
        import json

        apply_limits(json.loads(args.limits))
    if LIMITS.get("memory_mib"):
        # a thread per concurrent invocation: 8 MiB stacks would spend the address-space limit
        # on ~100 of them; 2 MiB still holds the recursion limit's worth of frames through C calls
        threading.stack_size(2 << 20)

    root = Path(args.package_root).resolve()
    sys.path.insert(0, str(root))
    if args.gen_home:
        sys.path.insert(0, str(Path(args.gen_home).resolve()))
        sys.dont_write_bytecode = True  # a read-only package: no __pycache__ in its tree
    os.chdir(root)
    if args.tcp or not args.socket:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        address = f"tcp:127.0.0.1:{listener.getsockname()[1]}"
    else:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(args.socket)
        address = "unix:" + args.socket
    listener.listen(4096)  # a burst of concurrent invocations connects at once (capped by somaxconn)
    line_buffer_c_stdout()
    real_stdout = sys.stdout
    sys.stdout = _InvocationStream("stdout", sys.stdout)
    sys.stderr = _InvocationStream("stderr", sys.stderr)
    real_stdout.write(f"{wire.READY_LINE} {address}\n")
    real_stdout.flush()
    threading.Thread(target=exit_when_stdin_closes, name="stdin-watch", daemon=True).start()
    while True:
        conn, _ = listener.accept()
        if conn.family == socket.AF_INET:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            threading.Thread(target=serve_connection, args=(conn,), name="invocation", daemon=True).start()
        except RuntimeError:  # no thread to be had (memory or process limit): refuse this invocation
            _refuse(conn)


if __name__ == "__main__":
    main()
