"""Opens the execution detail page (app/pages/execution_detail.py) from the Executions view.

One page per execution, a window of its own over the main window (raised again when already
open). Everything it shows is read through the backend on the runtime bridge: the history
(``sessions.replay``) and the fork descendants (``sessions.forks``). **Forked from** and a fork
link open that execution's page; **Fork from here** starts the fork (``sessions.fork``) and opens
the new execution's page.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from axiom_ide.app.qt_bridge import alive

#: The page's size when opened, shrunk to the main window's screen when smaller.
PAGE_SIZE = (1200, 680)


class ExecutionPages:
    def __init__(self, bridge: Any, window: QWidget, status: Callable[[str, int], None]) -> None:
        self.bridge = bridge
        self.window = window
        self.status = status
        #: Execution id → its open page.
        self.pages: dict[str, Any] = {}

    def open(self, execution_id: str) -> None:
        """Show ``execution_id``'s detail page (read through the backend; raised when open)."""
        page = self.pages.get(execution_id)
        if page is not None and alive(page):
            page.show()
            page.raise_()
            page.activateWindow()
            return

        async def read(backend: Any) -> tuple[Any, list[str]]:
            sessions = getattr(backend, "sessions", None)
            if sessions is None:
                raise RuntimeError("execution details need the local runtime")
            return sessions.replay(execution_id), await sessions.forks(execution_id)

        self.bridge.call(read, lambda got: self._show(execution_id, *got),
                         lambda exc: self.status(f"Execution details: {exc}", 6000))

    def _show(self, execution_id: str, replay: Any, children: list[str]) -> None:
        from axiom_ide.app.pages.execution_detail import ExecutionDetailPage

        if not alive(self.window):
            return
        page = ExecutionDetailPage(replay, children=children, parent=self.window,
                                   on_fork=lambda cp: self.fork(execution_id, cp), on_open=self.open)
        page.setWindowFlag(Qt.WindowType.Window, True)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        page.setWindowTitle(f"Execution {execution_id}")
        screen = self.window.screen().availableGeometry()
        page.resize(min(PAGE_SIZE[0], screen.width()), min(PAGE_SIZE[1], screen.height()))
        page.destroyed.connect(lambda _=None, e=execution_id: self.pages.pop(e, None))
        self.pages[execution_id] = page
        page.show()
        page.raise_()

    def fork(self, execution_id: str, checkpoint_id: str) -> None:
        """**Fork from here**: fork ``execution_id`` at ``checkpoint_id``, then open the new execution."""
        self.bridge.call(lambda b: b.sessions.fork(execution_id, checkpoint_id),
                         lambda session: self.open(session["execution_id"]),
                         lambda exc: self.status(f"Fork from here: {exc}", 6000))
