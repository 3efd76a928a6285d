"""Binds a run-state object to a scene: run status reaches the cards through a binding (STYLE.md
rule 5, Orange's ``node.progress_changed.connect(item.setProgress)``), never through the document.

The run-state object is duck-typed (the app's ``RunState``): a ``node_states`` dict, a
``nodeStateChanged(str, object)`` signal, a ``result`` (a RunResult once ended) and a
``finished(object)`` signal. When the run failed on an edge (a condition or a mapping that failed
at run time: ``failure.edge``), that edge is drawn red with the failure in its tooltip. Unbinding
clears the tints it put on the cards and gives the edge back its analysis state. While a Debug run
is paused at an edge's breakpoint (``pause_edge``, read on each ``statusChanged``) that edge is
drawn amber.
"""
from __future__ import annotations

from typing import Any


class RunBinding:
    def __init__(self, scene: Any, run_state: Any) -> None:
        self.scene = scene
        self.run_state = run_state
        #: The edge this run failed on, drawn red; None when none.
        self.failed_edge: tuple[str, str] | None = None
        scene.clear_run_states()
        for node_id, state in dict(run_state.node_states).items():
            scene.set_run_state(node_id, state)
        run_state.nodeStateChanged.connect(scene.set_run_state)
        status = getattr(run_state, "statusChanged", None)
        if status is not None:
            status.connect(self._status)
        self._status()
        finished = getattr(run_state, "finished", None)
        if finished is not None:
            finished.connect(self._finished)
        if getattr(run_state, "result", None) is not None:
            self._finished(run_state.result)

    def _status(self, *_args: Any) -> None:
        self.scene.set_paused_edge(getattr(self.run_state, "pause_edge", None))

    def _finished(self, result: Any) -> None:
        failure: Any = getattr(result, "failure", None)
        edge = getattr(failure, "edge", None)
        if failure is None or edge is None:
            return
        key = (edge[0], edge[1])
        item = self.scene.item_for_edge(key)
        if item is None:
            return
        self.failed_edge = key
        messages = [m for m in item.messages if m != failure.message] + [failure.message]
        item.set_check("error", messages)

    def unbind(self, *, clear: bool = True) -> None:
        for signal, slot in ((self.run_state.nodeStateChanged, self.scene.set_run_state),
                             (getattr(self.run_state, "statusChanged", None), self._status),
                             (getattr(self.run_state, "finished", None), self._finished)):
            if signal is None:
                continue
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        if clear:
            self.scene.clear_run_states()
            self.scene.set_paused_edge(None)
            if self.failed_edge is not None:
                self.failed_edge = None
                self.scene.apply_analysis()  # the edge's own state again
