"""InlineInvoker: runs node handlers inside this process (same interface as ``HostPool``).

For the pure-scheduler benchmark and fast engine tests. Every package has top-level modules named
``gen`` and ``nodes``, so loading a package purges those names from ``sys.modules`` and imports
with the package root first on ``sys.path``; each package version is loaded once and its handlers
and message classes are kept. Handlers run in a worker thread by default (so a long node never
blocks the loop and cancel is immediate); ``threaded=False`` calls sync handlers on the loop
thread, which is what the scheduler benchmark measures. This is *not* isolation: use the host.

Every package's generated ``messages_pb2`` registers a file named ``messages.proto``; to load two
packages in one process, each package's ``gen`` modules are imported with
``descriptor_pool.Default`` pointing at a pool of that package's own.
"""
from __future__ import annotations

import asyncio
import importlib
import inspect
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pool
from google.protobuf.message import Message

from axiom_ide.runtime.engine.invoker import LogRecord, NodeCall, NodeFailure

_IMPORT_LOCK = threading.Lock()


class _Package:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.handlers: dict[str, Callable] = {}
        self.classes: dict[str, type[Message]] = {}
        self.context_mod: Any = None
        self.secrets_cls: Any = None


class InlineInvoker:
    #: The loop applies the node timeout itself (a thread cannot be interrupted).
    enforces_timeout = False

    def __init__(self, *, log_sink: Callable[..., None] | None = None, memory: Any = None,
                 threaded: bool = True, gen_root: Path | None = None) -> None:
        """``gen_root``: where a read-only package's generated code goes (packages/gendir.py)."""
        self.log_sink = log_sink
        self.gen_root = gen_root
        self.memory = memory
        self.threaded = threaded
        self._packages: dict[str, _Package] = {}

    # -- loading ------------------------------------------------------------------------------
    def _package(self, root: str) -> _Package:
        pkg = self._packages.get(root)
        if pkg is None:
            pkg = self._packages[root] = _load_package(Path(root), self.gen_root)
        return pkg

    def _handler(self, node: Any) -> tuple[_Package, Callable]:
        pkg = self._package(node.package_root)
        fn = pkg.handlers.get(node.handler)
        if fn is None:
            raise NodeFailure(f"handler {node.handler} not found in {pkg.root / 'nodes'}")
        return pkg, fn

    def _context(self, pkg: _Package, call: NodeCall, mutations: list | None = None) -> Any:
        mod: Any = pkg.context_mod  # the generated gen/axiom_context module
        if pkg.secrets_cls is None:
            class _Secrets(mod.AxiomSecrets):
                def __init__(self, values: Any) -> None:
                    self._values = values

                def get(self, name: str) -> tuple[str, bool]:
                    return (str(self._values[name]), True) if name in self._values else ("", False)

            pkg.secrets_cls = _Secrets
        log = _Logger(mod.AxiomLogger, self.log_sink, call)
        view = getattr(call, "reflection", None)
        reflection = None
        if view:  # the same ax.reflection.flow a node host serves (mutations: node hosts only)
            from axiom_ide.runtime.host.context import flow_reflection

            reflection = mod.AxiomReflection(flow_reflection(mod, view))
        mutation = None
        if mutations is not None:  # a mutation-capable unary node: additions buffered, as in a host
            from axiom_ide.runtime.host.context import buffering_mutation

            mutation = buffering_mutation(mod, mutations, view)
        return mod.AxiomContext(log=log, secrets=pkg.secrets_cls(getattr(call, "variables", None) or {}),
                                reflection=reflection, mutation=mutation,
                                execution_id=call.execution_id, flow_id=call.flow_id, tenant_id=call.tenant_id)

    # -- the invoker interface -----------------------------------------------------------------
    async def invoke(self, node: Any, payload: bytes, call: NodeCall) -> bytes:
        pkg, fn = self._handler(node)
        message = pkg.classes[node.input_type].FromString(payload)
        mutations: list | None = [] if getattr(node, "mutation_capable", False) else None
        ax = self._context(pkg, call, mutations)
        try:
            if inspect.iscoroutinefunction(fn):
                result = await fn(ax, message)
            elif self.threaded:
                result = await _in_daemon_thread(fn, ax, message)
            else:
                result = fn(ax, message)
        except asyncio.CancelledError:
            raise
        except SystemExit as exc:  # sys.exit() in node code ends the call, never this process
            from axiom_ide.runtime.host.failures import exit_message

            raise NodeFailure(exit_message(exc)) from None
        except Exception as exc:  # noqa: BLE001 — the handler's message, verbatim
            from axiom_ide.runtime.host.failures import node_traceback

            raise NodeFailure(str(exc) or type(exc).__name__, canvas_id=call.canvas_id,
                              exception_type=type(exc).__name__,
                              traceback=node_traceback(exc)) from None
        if result is None:
            raise NodeFailure(f"handler {node.handler} returned None")
        if mutations:
            from axiom_ide.runtime.host.invocation import Mutated

            return Mutated.of(result.SerializeToString(), mutations)
        return result.SerializeToString()

    async def stream(self, node: Any, inputs: AsyncIterator[bytes], call: NodeCall) -> AsyncIterator[bytes]:
        pkg, fn = self._handler(node)
        cls = pkg.classes[node.input_type]
        ax = self._context(pkg, call)
        loop = asyncio.get_running_loop()
        out: asyncio.Queue = asyncio.Queue(maxsize=16)
        done = object()
        cancelled = threading.Event()

        async def next_input() -> bytes:  # a coroutine, as run_coroutine_threadsafe wants
            return await inputs.__anext__()

        def pull():
            while not cancelled.is_set():
                try:
                    data = asyncio.run_coroutine_threadsafe(next_input(), loop).result()
                except StopAsyncIteration:
                    return
                yield cls.FromString(data)

        def worker():
            try:
                for item in fn(ax, pull()):
                    if cancelled.is_set():
                        return
                    asyncio.run_coroutine_threadsafe(out.put(item.SerializeToString()), loop).result()
                asyncio.run_coroutine_threadsafe(out.put(done), loop).result()
            except BaseException as exc:  # noqa: BLE001 — handed to the consumer
                if not cancelled.is_set():
                    if isinstance(exc, SystemExit):
                        from axiom_ide.runtime.host.failures import exit_message

                        failure = NodeFailure(exit_message(exc))
                    else:
                        from axiom_ide.runtime.host.failures import node_traceback

                        failure = NodeFailure(str(exc) or type(exc).__name__, canvas_id=call.canvas_id,
                                              exception_type=type(exc).__name__,
                                              traceback=node_traceback(exc))
                    asyncio.run_coroutine_threadsafe(out.put(failure), loop).result()

        thread = threading.Thread(target=worker, daemon=True, name=f"inline-{node.id}")
        thread.start()
        try:
            while True:
                item = await out.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            cancelled.set()

    async def cancel(self, execution_id: str) -> None:
        """Nothing to do: cancelling the awaiting task abandons the worker thread's result."""

    async def close(self) -> None:
        self._packages.clear()


async def _in_daemon_thread(fn: Callable, *args: Any) -> Any:
    """Run ``fn`` in a daemon thread: an abandoned (cancelled, hung) handler never blocks exit."""
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if not fut.done():
            fut.set_result(value) if ok else fut.set_exception(value)

    def work() -> None:
        try:
            outcome = (True, fn(*args))
        except BaseException as exc:  # noqa: BLE001 — handed to the awaiting task
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop is gone: nobody is waiting any more
            pass

    threading.Thread(target=work, daemon=True, name="inline-node").start()
    return await fut


class _Logger:
    def __init__(self, base: type, sink: Callable[..., None] | None, call: NodeCall) -> None:
        self._sink, self._call = sink, call

    def _emit(self, level: str, msg: str, attrs: dict) -> None:
        if self._sink is not None:
            call = self._call
            self._sink(LogRecord(call.execution_id, call.canvas_id, level, str(msg), dict(attrs), time.time()))

    def debug(self, msg: str, **attrs: Any) -> None:
        self._emit("debug", msg, attrs)

    def info(self, msg: str, **attrs: Any) -> None:
        self._emit("info", msg, attrs)

    def warn(self, msg: str, **attrs: Any) -> None:
        self._emit("warn", msg, attrs)

    def error(self, msg: str, **attrs: Any) -> None:
        self._emit("error", msg, attrs)


def _activate(root: Path, home: Path) -> None:
    """Make ``gen`` and ``nodes`` resolve to this package's modules (``gen`` from ``home``)."""
    for name in list(sys.modules):
        if name in ("gen", "nodes") or name.startswith(("gen.", "nodes.")):
            del sys.modules[name]
    for text in dict.fromkeys((str(root), str(home))):  # home last: first on sys.path
        if text in sys.path:
            sys.path.remove(text)
        sys.path.insert(0, text)
    importlib.invalidate_caches()


def _load_package(root: Path, gen_root: Path | None = None) -> _Package:
    # Fresh and complete gen/ (the host checks the same): a process killed while generating can
    # leave axiom_context.py without the *_pb2 modules. A read-only package's goes to gen_root.
    from axiom_ide.runtime.host.freshness import ensure_gen
    from axiom_ide.runtime.packages.gendir import gen_home

    home = gen_home(root, gen_root)
    ensure_gen(root, home)
    pkg = _Package(root)
    pool = descriptor_pool.DescriptorPool()
    with _IMPORT_LOCK:
        _activate(root, home)
        default = descriptor_pool.Default
        descriptor_pool.Default = lambda: pool
        bytecode = sys.dont_write_bytecode
        sys.dont_write_bytecode = bytecode or home != root  # a read-only package: no __pycache__ in it
        try:
            pkg.context_mod = importlib.import_module("gen.axiom_context")
            for path in sorted((home / "gen").glob("*_pb2.py")):
                importlib.import_module(f"gen.{path.stem}")
            _index_classes(pkg)
            for path in sorted((root / "nodes").glob("*.py")):
                if path.stem.endswith("_test") or path.stem in ("conftest", "__init__"):
                    continue
                module = importlib.import_module(f"nodes.{path.stem}")
                fn = getattr(module, path.stem, None)
                if callable(fn):
                    pkg.handlers[path.stem] = fn
        finally:
            descriptor_pool.Default = default
            sys.dont_write_bytecode = bytecode
    return pkg


def _index_classes(pkg: _Package) -> None:
    for name, module in list(sys.modules.items()):
        if not (name.startswith("gen.") and name.endswith("_pb2")):
            continue
        for value in vars(module).values():
            desc = getattr(value, "DESCRIPTOR", None)
            if isinstance(value, type) and desc is not None and hasattr(desc, "full_name") \
                    and hasattr(value, "FromString"):
                pkg.classes.setdefault(desc.full_name, value)
