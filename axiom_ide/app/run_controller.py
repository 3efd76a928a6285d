"""Running a flow from the IDE: compile the canvas, start (or stream) on the backend, and drive
one :class:`RunState` that the canvas, the status pill and the result panel are bound to.

"Clicking Run compiles and invokes the flow in one step" (getting-started/first-flow): each run
compiles a snapshot of the document (``flow.clone()``) into a fresh artifact, so what runs is what
was on the canvas when ▶ Run was pressed, whatever is edited meanwhile. Backend calls go through
the :class:`~axiom_ide.app.qt_bridge.RuntimeBridge`; nothing here blocks the GUI thread.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal

from axiom_ide.app import run_state as rs
from axiom_ide.app.qt_bridge import alive
from axiom_ide.app.run_state import RunState
from axiom_ide.backends.base import Failure, RunResult

#: Errors of a stream whose execution may still be running (remote_http.py's classes).
STREAM_DROPPED = frozenset({"connection_lost", "timeout"})
STREAM_REATTACHED = "The stream dropped ({error}); reattached to execution {execution_id} by its id"
#: After a remote's compile errors: whose packages those are.
COMPILED_REMOTELY = "(compiled on the remote {url}: a flow there can use the remote's packages, not this workspace's)"


def error_text(exc: BaseException) -> str:
    """An AxiomError's diagnostics one per line (the compiler's words), else ``str(exc)``."""
    diagnostics = getattr(exc, "diagnostics", None)
    if diagnostics:
        return "\n".join(getattr(d, "message", str(d)) for d in diagnostics)
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


class FlowRun(QObject):
    """One run of one document. Create, then :meth:`start`."""

    #: The run ended (carries the RunResult); emitted after the RunState's own ``finished``.
    ended = Signal(object)
    #: Something the user should know while the run goes on (a dropped stream reattached), in words.
    notice = Signal(str)

    def __init__(self, bridge: Any, doc: Any, input: dict[str, Any], *, config_id: str | None = None,
                 breakpoints: list[str] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.doc = doc
        self.config_id = config_id
        analysis = getattr(doc, "analysis", None)
        mode = getattr(analysis, "mode", None) or doc.flow.mode or "unary"
        self.state = RunState(doc.flow.name, mode, self)
        self.state.input = dict(input)
        self._cancel_requested = False
        self._terminal: str | None = None
        #: A Debug run (guides/debug-a-flow): a LIVE session with these breakpoints; None = plain ▶ Run.
        self.breakpoints = None if breakpoints is None else list(breakpoints)
        self.debug_session_id: str | None = None
        #: A Debug run's breakpoint conditions / hit counts: canvas id -> {"condition", "hit_count"}.
        self.breakpoint_options: dict[str, dict[str, Any]] = {}
        #: Canvas id → pinned output JSON (app/pins.py): those nodes are not called in this run.
        self.pins: dict[str, Any] = {}
        self.state.finished.connect(self._on_finished)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self.bridge.executionEvent.connect(self.state.accept)
        snapshot = self.doc.flow.clone()
        self.bridge.call(lambda b: b.compile(snapshot), self._compiled, self._compile_failed)

    def attach(self, record: Any, events: list[Any]) -> None:
        """Follow an execution already going instead of starting one: a Debug run left paused by
        a runtime that died (its session survives it, runtime/engine/debug.py) — ``record`` its
        ``Execution`` (backends.values), ``events`` its history so far. Bind the views first, then attach."""
        self.debug_session_id = record.debug_session
        self.state.graph_id, self.state.execution_id = record.graph_id, record.id
        self.state.status = rs.RUNNING
        self.bridge.executionEvent.connect(self.state.accept)
        for event in events:
            self.state.accept(event)
        execution_id = record.id
        self.bridge.call(lambda b: b.wait(execution_id), self._finish, self._failed)

    def cancel(self) -> None:
        """Stop the run now (or as soon as it has an execution id)."""
        if not self.state.is_running:
            return
        self._cancel_requested = True
        if self.state.execution_id is not None:
            execution_id = self.state.execution_id
            self.bridge.call(lambda b: b.cancel(execution_id))
        elif self.state.status == rs.COMPILING:
            self.state.finish(RunResult("", rs.CANCELLED, failure=Failure("CANCELLED", "cancelled")))

    # -- steps --------------------------------------------------------------------------------
    def _compiled(self, compiled: Any) -> None:
        if not self.state.is_running:  # cancelled while compiling
            return
        self.state.mode = compiled.mode
        self._terminal = compiled.terminal
        self.state.compiled(compiled.graph_id)
        graph_id, data, config_id = compiled.graph_id, self.state.input, self.config_id
        pins = dict(self.pins)

        def pinned(b: Any) -> dict[str, Any]:  # only a pinned run on a backend that takes pins passes them
            return {"pins": pins} if pins and getattr(b, "takes_pins", False) else {}
        if compiled.mode == "pipeline":
            self.bridge.iterate(lambda b: b.stream(graph_id, data, config_id=config_id, **pinned(b)),
                                self._frame, self._stream_done, self._stream_failed)
        elif self.breakpoints is not None:
            breakpoints = self.breakpoints

            async def debug_start(b: Any) -> str:
                session = await b.create_debug_session(breakpoints=breakpoints)
                self.debug_session_id = session["session_id"]
                if self.breakpoint_options:  # conditions / hit counts (app/breakpoints.py)
                    await b.set_breakpoints(session["session_id"], breakpoints, self.breakpoint_options)
                execution_id: str = await b.start(graph_id, data, config_id=config_id,
                                                  debug_session_id=session["session_id"], **pinned(b))
                return execution_id

            self.bridge.call(debug_start, self._started, self._failed)
        else:
            self.bridge.call(lambda b: b.start(graph_id, data, config_id=config_id, **pinned(b)), self._started, self._failed)

    def _compile_failed(self, exc: BaseException) -> None:
        text = error_text(exc)
        remote = getattr(self.bridge.backend, "api_url", None)  # a RemoteBackend compiled it
        if remote:
            text += "\n" + COMPILED_REMOTELY.format(url=remote)
        self.state.finish(RunResult("", rs.FAILED, failure=Failure("COMPILE", text)))

    def _started(self, execution_id: str) -> None:
        self.state.set_execution(execution_id)
        if self._cancel_requested:
            self.bridge.call(lambda b: b.cancel(execution_id))
        self.bridge.call(lambda b: b.wait(execution_id), self._finish, self._failed)

    def _frame(self, frame: dict[str, Any]) -> None:
        first = self.state.execution_id is None
        self.state.add_frame(frame)
        if first and self._cancel_requested and self.state.execution_id:
            self.cancel()

    def _stream_failed(self, exc: BaseException) -> None:
        """A stream that dropped after its execution began (a remote's SSE connection lost or
        timed out): the execution goes on over there, so follow it by its id instead of failing."""
        execution_id = self.state.execution_id
        codes = {getattr(d, "code", None) for d in getattr(exc, "diagnostics", ())}
        if not execution_id or not codes & STREAM_DROPPED or self._cancel_requested:
            self._failed(exc)
            return
        self.notice.emit(STREAM_REATTACHED.format(error=error_text(exc), execution_id=execution_id))
        terminal = self._terminal

        async def follow(b: Any) -> tuple[Any, list[Any]]:
            result = await b.wait(execution_id)
            frames: list[Any] = []  # the frames the stream lost: the terminal node's output checkpoint
            try:
                for checkpoint in await b.checkpoints(execution_id):
                    got = getattr(checkpoint, "frames", None)
                    if checkpoint.node == terminal and isinstance(got, dict):
                        frames = list(got.get("output") or [])
            except Exception:  # noqa: BLE001 — the result stands without them
                pass
            return result, frames

        self.bridge.call(follow, self._reattached, self._failed)

    def _reattached(self, got: tuple[Any, list[Any]]) -> None:
        result, frames = got
        if not alive(self.state):
            return
        for index in range(len(self.state.frames), len(frames)):
            self.state.add_frame({"payload": frames[index], "frame_index": index,
                                  "execution_id": self.state.execution_id})
        self._finish(result)

    def _stream_done(self, _count: int) -> None:
        execution_id = self.state.execution_id
        if execution_id:
            self.bridge.call(lambda b: b.result(execution_id), self._finish, self._failed)

    def _finish(self, result: Any) -> None:
        """The run's result arrived; dropped when its tab closed (and deleted this run) first."""
        if alive(self.state):
            self.state.finish(result)

    def _failed(self, exc: BaseException) -> None:
        self._finish(RunResult(self.state.execution_id or "", rs.FAILED,
                                    failure=Failure("INTERNAL", error_text(exc))))

    def _on_finished(self, result: Any) -> None:
        try:
            self.bridge.executionEvent.disconnect(self.state.accept)
        except (RuntimeError, TypeError):
            pass
        self.ended.emit(result)
