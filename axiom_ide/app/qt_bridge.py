"""The one place where runtime events and results cross into Qt (STYLE.md, "Our own additions").

The runtime is asyncio. It runs on **its own event loop in a dedicated thread** (``LoopThread``),
not on the GUI's loop through qasync as DESIGN.md first planned, because:

- under pytest-qt (``qtbot.waitUntil`` / ``waitSignal`` spin nested Qt loops) a qasync loop never
  becomes asyncio's *running* loop, so ``asyncio.get_running_loop()`` — which the runtime calls
  to spawn executions — raises "no running event loop"; modal dialogs (``QDialog.exec``) nest
  loops the same way in the real app;
- compile, SQLite writes and protobuf decoding are synchronous; on the GUI loop they would stall
  painting, on the runtime thread they cannot.

:class:`RuntimeBridge` owns that thread and the :class:`~axiom_ide.backends.Backend` built on it.
GUI code calls ``bridge.call(lambda b: b.some_coroutine(...), on_done, on_error)``; the callbacks
run on the GUI thread. Every engine event (a ``backends.values.Event``) is re-emitted as
:attr:`executionEvent` on the GUI thread, in emission order (queued signals from one thread keep
their order).
"""
from __future__ import annotations

import concurrent.futures
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any], object] | None  # what it returns is ignored


class LoopThread:
    """An asyncio loop running forever in a daemon thread."""

    def __init__(self, name: str = "axiom-runtime") -> None:
        import asyncio  # not on the startup path: the runtime starts on first use

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import asyncio

        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def submit(self, coro: Awaitable[Any]) -> concurrent.futures.Future:
        import asyncio

        return asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]

    def run_sync(self, fn: Callable[[], Any], timeout: float | None = 30) -> Any:
        """Run ``fn()`` on the loop thread and wait for its result."""

        async def wrapper() -> Any:
            return fn()

        return self.submit(wrapper()).result(timeout)

    def stop(self, timeout: float = 10) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout)
        if not self.thread.is_alive():
            self.loop.close()


class RuntimeBridge(QObject):
    """A backend on its own loop thread, with results and engine events delivered as Qt signals."""

    #: An engine event (``backends.values.Event``, any execution), on the GUI thread.
    executionEvent = Signal(object)
    #: The backend exists (built on the loop thread); carries the backend.
    backendReady = Signal(object)
    #: internal: (callback, value) to call on the GUI thread.
    _deliver = Signal(object, object)

    def __init__(self, backend_factory: Callable[[], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._factory = backend_factory
        self._thread: LoopThread | None = None
        self._built: concurrent.futures.Future | None = None
        #: The backend, once built on the loop thread (only touched there afterwards).
        self.backend: Any = None
        self._unsubscribe: Callable[[], None] | None = None
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    # -- lifecycle ----------------------------------------------------------------------------
    def ensure_started(self) -> None:
        """Start the loop thread and schedule building the backend on it (once). Never blocks:
        the loop runs callbacks in order, so every later call finds the backend built."""
        if self._thread is not None:
            return
        from axiom_ide.document import gc_guard

        gc_guard.install()  # the loop thread must never run Qt wrappers' destructors
        self._thread = LoopThread()

        async def build() -> Any:
            self.backend = self._factory()
            self._unsubscribe = self.backend.subscribe(self._forward_event)
            return self.backend

        self._built = self._thread.submit(build())
        self._built.add_done_callback(
            lambda f: None if f.cancelled() or f.exception() else self._emit(self.backendReady.emit, f.result()))

    def wait_ready(self, timeout: float | None = 30) -> Any:
        """Block until the backend exists (tests, scripts); returns it."""
        self.ensure_started()
        assert self._built is not None  # ensure_started submitted the build
        return self._built.result(timeout)

    def switch(self, backend_factory: Callable[[], Any]) -> concurrent.futures.Future | None:
        """Drive another backend from now on (Settings → Connections): calls made after this run on
        the new one; the old one is closed once the new one exists. Before the first use, only the
        factory changes (nothing is built yet). Returns the swap's future (the new backend)."""
        self._factory = backend_factory
        if self._thread is None:
            return None

        async def swap() -> Any:
            new = self._factory()
            old, old_unsubscribe = self.backend, self._unsubscribe
            self.backend, self._unsubscribe = new, new.subscribe(self._forward_event)
            if old_unsubscribe is not None:
                old_unsubscribe()
            if old is not None:
                try:
                    await old.close()
                except Exception as exc:  # noqa: BLE001 — the new backend is in place regardless
                    log.warning("closing the previous backend failed: %s", exc)
            return new

        self._built = self._thread.submit(swap())
        self._built.add_done_callback(
            lambda f: None if f.cancelled() or f.exception() else self._emit(self.backendReady.emit, f.result()))
        return self._built

    def _forward_event(self, event: Any) -> None:
        try:
            self.executionEvent.emit(event)
        except RuntimeError:  # the window is gone while the runtime still reports
            pass

    def _emit(self, callback: Callable[[Any], object], value: Any) -> None:
        try:
            self._deliver.emit(callback, value)
        except RuntimeError:  # the bridge was deleted with its window
            pass

    @property
    def started(self) -> bool:
        return self._thread is not None

    def close(self, timeout: float = 10) -> None:
        """Close the backend (running executions stay resumable) and stop the thread."""
        if self._thread is None:
            return

        async def close() -> None:
            if self._unsubscribe is not None:
                self._unsubscribe()
            if self.backend is not None:
                await self.backend.close()

        try:
            self._thread.submit(close()).result(timeout)
        except Exception as exc:  # noqa: BLE001 — closing must not keep the IDE from quitting
            log.warning("closing the backend failed: %s", exc)
        self._thread.stop(timeout)
        self._thread, self.backend = None, None

    # -- calls --------------------------------------------------------------------------------
    def call(self, fn: Callable[[Any], Awaitable[Any]], on_done: Callback = None,
             on_error: Callback = None) -> concurrent.futures.Future:
        """Run ``fn(backend)`` (a coroutine) on the runtime loop; ``on_done(result)`` or
        ``on_error(exception)`` then runs on the GUI thread."""
        self.ensure_started()
        assert self._thread is not None
        built = self._built
        assert built is not None  # ensure_started submitted the build

        async def with_backend() -> Any:
            if self.backend is None:  # building it failed
                import asyncio

                return await asyncio.wrap_future(built)
            return await fn(self.backend)

        future = self._thread.submit(with_backend())

        def finished(f: concurrent.futures.Future) -> None:
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None:
                if on_error is not None:
                    self._emit(on_error, exc)
                else:
                    log.error("backend call failed: %s", exc, exc_info=exc)
            elif on_done is not None:
                self._emit(on_done, f.result())

        future.add_done_callback(finished)
        return future

    def iterate(self, fn: Callable[[Any], Any], on_item: Callable[[Any], object], on_done: Callback = None,
                on_error: Callback = None) -> concurrent.futures.Future:
        """Consume the async iterator ``fn(backend)`` on the runtime loop; each item reaches
        ``on_item`` on the GUI thread as it arrives, then ``on_done(count)``."""

        async def consume(backend: Any) -> int:
            count = 0
            async for item in fn(backend):
                self._emit(on_item, item)
                count += 1
            return count

        return self.call(consume, on_done, on_error)

    @Slot(object, object)
    def _on_deliver(self, callback: Callable[[Any], None], value: Any) -> None:
        callback(value)


def alive(widget: Any) -> bool:
    """False once Qt has deleted ``widget`` (a reply arriving after its dialog closed)."""
    try:
        widget.objectName()
    except RuntimeError:
        return False
    return True
