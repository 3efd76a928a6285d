"""The one place where runtime events cross into Qt signals (STYLE.md, "Our own additions").

Today it only forwards plain :class:`~axiom_ide.runtime.events.Event` emissions to a Qt signal on
the GUI thread. Execution events (EXECUTION_STARTED, NODE_COMPLETED, ...) arrive here with the
execution engine issue, over the qasync loop.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal


class RuntimeBridge(QObject):
    """Re-emits runtime observer events as the Qt signal :attr:`runtimeEvent`."""

    #: (event name, payload) for any runtime event the bridge subscribed to.
    runtimeEvent = Signal(str, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._subscriptions: list[tuple[Any, Any]] = []

    def subscribe(self, name: str, event: Any) -> None:
        """Forward ``event`` (a runtime ``Event``) as ``runtimeEvent(name, args)``."""

        def forward(*args: Any) -> None:
            self.runtimeEvent.emit(name, args)

        event.connect(forward)
        self._subscriptions.append((event, forward))

    def close(self) -> None:
        for event, fn in self._subscriptions:
            event.disconnect(fn)
        self._subscriptions.clear()
