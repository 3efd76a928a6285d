"""A plain observer: the runtime reports change through it and never knows who listens.

The Qt side subscribes in ``app/qt_bridge.py`` and the canvas; pure tests subscribe with a list.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any


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

        self.connect(call)
        return call

    def disconnect(self, listener: Callable[..., Any]) -> None:
        try:
            self._listeners.remove(listener)
        except ValueError:
            pass

    def emit(self, *args: Any) -> None:
        for listener in list(self._listeners):
            listener(*args)

    def __len__(self) -> int:
        return len(self._listeners)
