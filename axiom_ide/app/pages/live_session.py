"""A LIVE debug session page's link to its run (guides__debug-a-flow.md: the live debug session
started from the editor with **Debug**).

:class:`LiveSession` drives the run through the backend — ``step`` / ``resume`` / ``pause`` are one
``Backend.debug_control`` call each on the run's LIVE session, as the editor's control bar does
(app/debug_bar.py) — and keeps the page's history current: each event of the execution reads its
history again (``sessions.replay``) and hands it to ``DebugSessionPage.set_replay``. One read at a
time; events arriving meanwhile ask for one more. The engine announces an event before its store
has it, so a read that lacks the newest announced event is read again a moment later.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from axiom_ide.app.qt_bridge import alive

#: Milliseconds before reading again a history that lacked the newest announced event.
REREAD_MS = 50


class LiveSession(QObject):
    def __init__(self, bridge: Any, execution_id: str, session_id: str,
                 status: Callable[[str, int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.execution_id = execution_id
        self.session_id = session_id
        self.status = status
        self.page: Any = None
        self._latest = -1
        self._reading = self._again = False

    def attach(self, page: Any) -> None:
        """Follow the run on ``page`` (a DebugSessionPage) while it lives."""
        self.page = page
        events = page.replay.events
        self._latest = events[-1].seq if events else -1
        self.bridge.executionEvent.connect(self._event)
        page.destroyed.connect(self._detach)
        self.read()  # events between the page's first read and now

    def _detach(self, *_: Any) -> None:
        self.page = None
        try:
            self.bridge.executionEvent.disconnect(self._event)
        except (RuntimeError, TypeError):
            pass

    # -- controls ----------------------------------------------------------------------------
    def step(self) -> None:
        self._control("step")

    def resume(self) -> None:
        self._control("continue")

    def pause(self) -> None:
        self._control("pause")

    def _control(self, action: str) -> None:
        sid = self.session_id
        self.bridge.call(lambda b: b.debug_control(sid, action), None,
                         lambda exc: self.status(f"Debug session: {exc}", 6000))

    # -- following ---------------------------------------------------------------------------
    def _event(self, event: Any) -> None:
        if event.execution_id != self.execution_id:
            return
        self._latest = max(self._latest, event.seq)
        self.read()

    def read(self) -> None:
        """Read the history again (once more after the read going, if one is)."""
        if self.page is None:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        execution_id = self.execution_id

        async def history(backend: Any) -> Any:
            return await backend.sessions.replay(execution_id)

        self.bridge.call(history, self._got, self._failed)

    def _got(self, replay: Any) -> None:
        self._reading = False
        if self.page is None or not alive(self.page):
            return
        self.page.set_replay(replay)
        stale = not replay.events or replay.events[-1].seq < self._latest
        if self._again:
            self._again = False
            self.read()
        elif stale and self._latest >= 0:
            QTimer.singleShot(REREAD_MS, self.read)

    def _failed(self, exc: BaseException) -> None:
        self._reading = False
        self.status(f"Debug session: {exc}", 6000)
