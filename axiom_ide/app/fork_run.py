"""A run that is a fork of a recorded execution (Run from here / Fork from here, #13 item 5).

:class:`ForkRun` is a :class:`~axiom_ide.app.run_controller.FlowRun` whose start is
``Backend.fork(execution_id, node=..., input_override=..., mode=...)`` instead of compile + start;
the canvas, status pill and result panel bind to its ``state`` exactly as to a ▶ Run's. It folds
the fork's events once the fork has ended (read through the backend), so nothing depends on
recognising the new execution among live events.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from axiom_ide.app.run_controller import FlowRun


class ForkRun(FlowRun):
    """A run that is a fork of a recorded execution: ``Backend.fork`` instead of compile + start."""

    def __init__(self, bridge: Any, doc: Any, execution_id: str, node: str, *, mode: str,
                 input_override: Any = None, parent: QObject | None = None) -> None:
        super().__init__(bridge, doc, {}, parent=parent)
        self.source, self.node, self.mode, self.input_override = execution_id, node, mode, input_override

    def start(self) -> None:
        self.state.compiled("")  # Running; no graph to recognise: the fork's id comes back from the backend
        source, node, mode, override = self.source, self.node, self.mode, self.input_override
        self.bridge.call(lambda b: b.fork(source, node=node, input_override=override, mode=mode),
                         self._forked, self._failed)

    def _forked(self, execution_id: str) -> None:
        self.state.set_execution(execution_id)

        async def finish(b: Any) -> Any:
            result = await b.wait(execution_id)
            return result, await b.events(execution_id), await b.checkpoints(execution_id)

        self.bridge.call(finish, self._ended, self._failed)

    def _ended(self, loaded: Any) -> None:
        result, events, checkpoints = loaded
        for e in events:
            self.state.accept(e)
        # The nodes whose checkpoints the fork copied from its parent ran there, not here: they
        # show completed (as the replay folds them) and their payload popover opens.
        for cp in checkpoints:
            if cp.node not in self.state.node_states and "/" not in cp.node:
                self.state._set_node(cp.node, "completed")
        self.state.finish(result)

    def _on_finished(self, result: Any) -> None:
        self.ended.emit(result)  # no live-event connection to cut (see the module doc)
