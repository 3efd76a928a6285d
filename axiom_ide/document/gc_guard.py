"""Garbage collection on the GUI thread only.

CPython's cyclic GC runs in whichever thread happens to allocate when a threshold is crossed. If
that is a worker thread (the runtime's loop thread, a background YAML parse) and the garbage holds
Qt wrappers, their C++ objects are destroyed off the GUI thread and the process can crash. Once
:func:`install` has run, automatic collection is off and a timer on the GUI thread collects with the
usual generation thresholds instead (a recipe long used by PyQt/PySide applications with threads).
Code that starts Python threads next to Qt objects checks :func:`installed` first.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

_collector: _Collector | None = None


class _Collector(QObject):
    def __init__(self, parent: QObject, interval_ms: int = 200) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        l0, l1, l2 = gc.get_count()
        if l0 > self.threshold[0]:
            gc.collect(0)
            if l1 > self.threshold[1]:
                gc.collect(1)
                if l2 > self.threshold[2]:
                    gc.collect(2)


def install() -> None:
    """Collect on the GUI thread from now on (idempotent; lives as long as the application)."""
    global _collector
    app = QCoreApplication.instance()
    if _collector is None and app is not None:
        _collector = _Collector(app)
        _collector.destroyed.connect(_forget)


def _forget(*_args: object) -> None:
    global _collector
    _collector = None
    gc.enable()


def installed() -> bool:
    return _collector is not None
