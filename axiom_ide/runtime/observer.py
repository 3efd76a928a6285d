"""A plain observer: the runtime reports change through it and never knows who listens.

The Qt side subscribes in ``app/qt_bridge.py`` and the canvas; pure tests subscribe with a list.
Listeners are isolated from the emitter and from each other: one that raises is logged (with its
name and traceback) and the next is called, so a buggy listener can neither fail an engine run
(every engine event is emitted through ``Runtime.events``) nor leave later listeners of a flow
model — the canvas scene — out of step with it.
"""
from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class Event:
    """A signal without Qt: ``ev.connect(fn)``, ``ev.emit(*args)``."""

    __slots__ = ("_listeners",)

    def __init__(self) -> None:
        self._listeners: list[Callable[..., Any]] = []

    def connect(self, listener: Callable[..., Any]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def connect_weak(self, method: Callable[..., Any]) -> Callable[..., Any]:
        """Listen with a bound method without keeping its object alive: the event must not own
        its listener (a Qt object kept alive only by a reference cycle is freed by the cyclic
        collector, on whatever thread it runs). The listener drops out once its object is gone;
        the returned listener disconnects it earlier (``ev.disconnect(listener)``)."""
        ref = weakref.WeakMethod(method)

        def call(*args: Any) -> None:
            target = ref()
            if target is None:
                self.disconnect(call)
            else:
                target(*args)

        call.listener_name = _name(method)  # type: ignore[attr-defined]  # what a failure is logged as
        self.connect(call)
        return call

    def disconnect(self, listener: Callable[..., Any]) -> None:
        try:
            self._listeners.remove(listener)
        except ValueError:
            pass

    def emit(self, *args: Any) -> None:
        """Call every listener in order; one that raises is logged and skipped."""
        for listener in list(self._listeners):
            try:
                listener(*args)
            except Exception:
                log.exception("event listener %s failed; the other listeners are still called", _name(listener))

    def __len__(self) -> int:
        return len(self._listeners)


def _name(listener: Callable[..., Any]) -> str:
    name = getattr(listener, "listener_name", None)  # a weak listener's, taken when it connected
    if name is not None:
        return name
    qualname, module = getattr(listener, "__qualname__", None), getattr(listener, "__module__", None)
    return f"{module}.{qualname}" if qualname and module else repr(listener)
