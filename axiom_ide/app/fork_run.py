"""A run that is a fork of a recorded execution (Run from here / Fork from here, #13 item 5).

:class:`ForkRun` is a :class:`~axiom_ide.app.run_controller.FlowRun` whose start is
``Backend.fork(execution_id, node=..., input_override=..., mode=...)`` instead of compile + start;
the canvas, status pill and result panel bind to its ``state`` exactly as to a ▶ Run's. The cards
are painted live, as the fork's events arrive (like a normal run): events that come before the
backend has answered with the fork's id are held, then the ones of that id are folded in order.
Once the fork has ended its full history is read through the backend and folded too (the state
keeps each event once), so no event is lost to the race between the fork starting and its id
reaching the GUI.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from axiom_ide.app.run_controller import FlowRun

#: Events of any execution held while the fork's id is not known yet (a short window).
_EARLY_MAX = 10_000


class ForkRun(FlowRun):
    """A run that is a fork of a recorded execution: ``Backend.fork`` instead of compile + start."""

    def __init__(self, bridge: Any, doc: Any, execution_id: str, node: str, *, mode: str,
                 input_override: Any = None, parent: QObject | None = None) -> None:
        super().__init__(bridge, doc, {}, parent=parent)
        self.source, self.node, self.mode, self.input_override = execution_id, node, mode, input_override
        self._early: list[Any] = []

    def start(self) -> None:
        self.state.compiled("")  # Running; no graph to recognise: the fork's id comes back from the backend
        self.bridge.executionEvent.connect(self._live)
        source, node, mode, override = self.source, self.node, self.mode, self.input_override
        self.bridge.call(lambda b: b.fork(source, node=node, input_override=override, mode=mode),
                         self._forked, self._failed)

    def _live(self, event: Any) -> None:
        if self.state.execution_id is None:
            if len(self._early) < _EARLY_MAX:
                self._early.append(event)
            return
        self.state.accept(event)

    def _forked(self, execution_id: str) -> None:
        self.state.set_execution(execution_id)
        if self._cancel_requested:  # Stop (Esc) pressed before the fork's id came back
            self.bridge.call(lambda b: b.cancel(execution_id))
        early, self._early = self._early, []
        for e in sorted((e for e in early if e.execution_id == execution_id), key=lambda e: e.seq):
            self.state.accept(e)
        # The nodes whose checkpoints the fork copied from its parent ran there, not here: they
        # show completed at once (as the replay folds them) and their payload popover opens.
        self.bridge.call(lambda b: b.checkpoints(execution_id), self._copied, lambda _exc: None)

        async def finish(b: Any) -> Any:
            result = await b.wait(execution_id)
            return result, await b.events(execution_id), await b.checkpoints(execution_id)

        self.bridge.call(finish, self._ended, self._failed)

    def _copied(self, checkpoints: Any) -> None:
        if self.state.result is not None:
            return
        for cp in checkpoints:
            if cp.node not in self.state.node_states and "/" not in cp.node:
                self.state.set_node(cp.node, "completed")

    def _ended(self, loaded: Any) -> None:
        result, events, checkpoints = loaded
        for e in events:
            self.state.accept(e)
        self._copied(checkpoints)
        self.state.finish(result)

    def _on_finished(self, result: Any) -> None:
        try:
            self.bridge.executionEvent.disconnect(self._live)
        except (RuntimeError, TypeError):
            pass
        self.ended.emit(result)
