"""Opens the execution detail page (app/pages/execution_detail.py) from the Executions view.

One page per execution, a window of its own over the main window (raised again when already
open). Everything it shows is read through the backend on the runtime bridge: the history
(``sessions.replay``) and the fork descendants (``sessions.forks``). **Forked from** and a fork
link open that execution's page; **Fork from here** starts the fork (``sessions.fork``) and opens
the new execution's page and at once its FORK session page (the debug session page), which follows
the fork live as a LIVE page follows its run. **Replay in debugger** opens the debug session page
(app/pages/debug_session.py) in REPLAY mode on that execution (``sessions.replay_session``), a
window of its own too; its "Apply N override(s) and Fork" forks with the overrides and opens the
fork's detail page. **Open in debugger** (a Debug run going in the editor) opens it in LIVE mode
on that run (app/pages/live_session.py follows and drives the run). A page opened while its execution ran is read again when it ends (and
then its parent's open page too, whose fork descendants grew), in place: same geometry and tab.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from axiom_ide.app.qt_bridge import alive
from axiom_ide.app.screen_fit import resize_to_fit

#: The events after which an open page is read again.
ENDED = ("EXECUTION_COMPLETED", "EXECUTION_FAILED", "EXECUTION_CANCELLED")
#: The page's size when opened, shrunk to the main window's screen when smaller.
PAGE_SIZE = (1200, 680)
#: The editor's way to the LIVE session page (the guide names none for it).
OPEN_LIVE = "Open in debugger"


class ExecutionPages:
    def __init__(self, bridge: Any, window: QWidget, status: Callable[[str, int], None]) -> None:
        self.bridge = bridge
        self.window = window
        self.status = status
        #: Execution id → its open page.
        self.pages: dict[str, Any] = {}
        #: Execution id → its open debug session page (REPLAY, or FORK for a fork).
        self.sessions: dict[str, Any] = {}
        #: Executions being read, and those of them that ended meanwhile (read again once shown).
        self._reading: set[str] = set()
        self._ended: set[str] = set()
        bridge.executionEvent.connect(self._execution_event)

    def open(self, execution_id: str, *, reload: bool = False) -> None:
        """Show ``execution_id``'s detail page (read through the backend; raised when open, read
        again in place when ``reload``)."""
        page = self.pages.get(execution_id)
        if page is not None and alive(page) and not reload:
            page.show()
            page.raise_()
            page.activateWindow()
            return

        async def read(backend: Any) -> tuple[Any, list[str]]:
            sessions = getattr(backend, "sessions", None)
            if sessions is None:
                raise RuntimeError("execution details need a backend with execution history (local or remote)")
            return await sessions.replay(execution_id), await sessions.forks(execution_id)

        self._reading.add(execution_id)
        self.bridge.call(read, lambda got: self._show(execution_id, *got), lambda exc: self._failed(execution_id, exc))

    def _failed(self, execution_id: str, exc: Exception) -> None:
        self._reading.discard(execution_id)
        self._ended.discard(execution_id)
        self.status(f"Execution details: {exc}", 6000)

    def _show(self, execution_id: str, replay: Any, children: list[str]) -> None:
        from axiom_ide.app.pages.execution_detail import ExecutionDetailPage

        self._reading.discard(execution_id)
        if not alive(self.window):
            return
        page = ExecutionDetailPage(replay, children=children, parent=self.window,
                                   on_fork=lambda cp: self.fork(execution_id, cp), on_open=self.open,
                                   on_debug=lambda: self.debug(execution_id),
                                   workspace=getattr(self.window, "workspace", None),
                                   on_run_from_here=lambda node, override: self.run_from_here(execution_id, node, override))
        page.setWindowFlag(Qt.WindowType.Window, True)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        page.setWindowTitle(f"Execution {execution_id}")
        self._wire_banner(execution_id, page)
        old = self.pages.get(execution_id)
        if old is not None and alive(old):  # read again: in place of the old page
            page.setGeometry(old.geometry())
            page.tabs.setCurrentIndex(old.tabs.currentIndex())
            old.close()
        else:
            resize_to_fit(page, *PAGE_SIZE, parent=self.window)
        page.destroyed.connect(lambda _=None, e=execution_id, p=page: self.pages.get(e) is p and self.pages.pop(e))
        self.pages[execution_id] = page
        page.show()
        page.raise_()
        if execution_id in self._ended:  # it ended while being read: read its final state
            self._ended.discard(execution_id)
            self.open(execution_id, reload=True)
            return
        parent_id = replay.execution.parent_id
        if parent_id and parent_id in self.pages and execution_id not in self._children(parent_id):
            self.open(parent_id, reload=True)  # its fork descendants grew

    def _wire_banner(self, execution_id: str, page: Any) -> None:
        """The page's Approve / Reject / Edit & approve (app/hitl_banner.py) answer through the
        backend; the page is read again once the decision is recorded."""
        def submit(action: str, value: Any, done: Callable[[Any], None], fail: Callable[[BaseException], None]) -> None:
            self.bridge.call(lambda b: b.resume_pause(execution_id, action, value), done, fail)

        page.hitl_banner.submit = submit
        page.hitl_banner.on_decided = lambda eid: self.open(eid, reload=True)

    def _children(self, execution_id: str) -> list[str]:
        page = self.pages.get(execution_id)
        return list(page.children_ids) if page is not None and alive(page) else []

    def _execution_event(self, event: Any) -> None:
        if event.type not in ENDED and event.type != "HITL_PAUSED":  # a pause shows its banner
            return
        if event.execution_id in self._reading:
            self._ended.add(event.execution_id)
        elif event.execution_id in self.pages:
            self.open(event.execution_id, reload=True)

    def fork(self, execution_id: str, checkpoint_id: str, overrides: dict[str, Any] | None = None) -> None:
        """**Fork from here** (and "Apply N override(s) and Fork"): fork ``execution_id`` at
        ``checkpoint_id`` with ``overrides``, then open the new execution."""
        self.bridge.call(lambda b: b.sessions.fork(execution_id, checkpoint_id, overrides),
                         self._forked, lambda exc: self.status(f"Fork from here: {exc}", 6000))

    def _forked(self, session: dict[str, Any]) -> None:
        """The fork runs: its detail page and its FORK session page open now; the session page
        follows the fork live (app/pages/live_session.py), as a LIVE page follows its run."""
        child_id = session["execution_id"]
        self.open(child_id)

        async def history(backend: Any) -> Any:
            sessions = getattr(backend, "sessions", None)
            if sessions is None:
                raise RuntimeError("the debug session page needs a backend with execution history (local or remote)")
            return await sessions.replay(child_id)

        self.bridge.call(history, lambda replay: self._show_following(child_id, session, replay),
                         lambda exc: self.status(f"Fork from here: {exc}", 6000))

    def _show_following(self, execution_id: str, session: dict[str, Any], replay: Any) -> Any:
        """The session page over ``replay``, read again on each event of the execution (LIVE and
        FORK pages): its Step / Run to End / Stop drive the session's run."""
        from axiom_ide.app.pages.live_session import LiveSession

        live = LiveSession(self.bridge, execution_id, session["session_id"], self.status)
        page = self._show_session(execution_id, session, replay, live=live)
        if page is not None:
            live.setParent(page)
            live.attach(page)
        return page

    def run_from_here(self, execution_id: str, node: str, input_override: Any = None) -> None:
        """**Run from here** on a detail page: re-run ``node`` and everything downstream of it in
        ``execution_id`` (upstream outputs reused; ``Backend.fork`` mode "input", optionally with an
        edited input), then open the new execution's page."""
        self.bridge.call(lambda b: b.fork(execution_id, node=node, input_override=input_override, mode="input"),
                         self.open, lambda exc: self.status(f"Run from here: {getattr(exc, 'message', None) or exc}",
                                                            6000))

    def debug(self, execution_id: str) -> None:
        """**Replay in debugger**: a REPLAY session over ``execution_id`` on the debug session page
        (raised when already open). A fork's FORK session page, once open, is its session page."""
        page = self.sessions.get(execution_id)
        if page is not None and alive(page):
            page.show()
            page.raise_()
            page.activateWindow()
            return

        async def start(backend: Any) -> tuple[dict[str, Any], Any]:
            sessions = getattr(backend, "sessions", None)
            if sessions is None:
                raise RuntimeError("the debug session page needs a backend with execution history (local or remote)")
            return await sessions.replay_session(execution_id), await sessions.replay(execution_id)

        self.bridge.call(start, lambda got: self._show_session(execution_id, *got),
                         lambda exc: self.status(f"Replay in debugger: {exc}", 6000))

    def live(self, run: Any) -> None:
        """**Open in debugger** (the Debug run's control bar, the Run menu, Ctrl+K): the debug
        session page in LIVE mode on ``run`` (a FlowRun of a Debug run going; raised when open)."""
        execution_id = getattr(getattr(run, "state", None), "execution_id", None)
        session_id = getattr(run, "debug_session_id", None)
        if run is None or session_id is None or not run.state.is_running:
            self.status(f"{OPEN_LIVE}: no Debug run is going in this flow", 6000)
            return
        if execution_id is None:
            self.status(f"{OPEN_LIVE}: the Debug run has not started yet", 6000)
            return
        page = self.sessions.get(execution_id)
        if page is not None and alive(page) and page.live is not None:
            page.show()
            page.raise_()
            page.activateWindow()
            return

        async def history(backend: Any) -> Any:
            sessions = getattr(backend, "sessions", None)
            if sessions is None:
                raise RuntimeError("the debug session page needs a backend with execution history (local or remote)")
            return await sessions.replay(execution_id)

        self.bridge.call(history,
                         lambda replay: self._show_following(execution_id, {"session_id": session_id, "mode": "LIVE"},
                                                             replay),
                         lambda exc: self.status(f"{OPEN_LIVE}: {exc}", 6000))

    def _show_session(self, execution_id: str, session: dict[str, Any], replay: Any, *, live: Any = None) -> Any:
        from axiom_ide.app.pages.debug_session import DebugSessionPage

        if not alive(self.window):
            return None
        page = DebugSessionPage(replay, session_id=session["session_id"], mode=session["mode"], parent=self.window,
                                on_fork=lambda cp, overrides: self.fork(execution_id, cp, overrides),
                                workspace=getattr(self.window, "workspace", None), live=live)
        page.setWindowFlag(Qt.WindowType.Window, True)
        page.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        page.setWindowTitle(f"Debug session {session['session_id']} · {session['mode']}")
        resize_to_fit(page, *PAGE_SIZE, parent=self.window)
        old = self.sessions.get(execution_id)
        if old is not None and alive(old):
            old.close()
        page.destroyed.connect(lambda _=None, e=execution_id, p=page: self.sessions.get(e) is p and self.sessions.pop(e))
        self.sessions[execution_id] = page
        page.show()
        page.raise_()
        page.activateWindow()
        return page
