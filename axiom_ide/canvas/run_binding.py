"""Binds a run-state object to a scene: run status reaches the cards through a binding (STYLE.md
rule 5, Orange's ``node.progress_changed.connect(item.setProgress)``), never through the document.

The run-state object is duck-typed (the app's ``RunState``): a ``node_states`` dict and a
``nodeStateChanged(str, object)`` signal. Unbinding clears the tints it put on the cards.
"""
from __future__ import annotations

from typing import Any


class RunBinding:
    def __init__(self, scene: Any, run_state: Any) -> None:
        self.scene = scene
        self.run_state = run_state
        scene.clear_run_states()
        for node_id, state in dict(run_state.node_states).items():
            scene.set_run_state(node_id, state)
        run_state.nodeStateChanged.connect(scene.set_run_state)

    def unbind(self, *, clear: bool = True) -> None:
        try:
            self.run_state.nodeStateChanged.disconnect(self.scene.set_run_state)
        except (RuntimeError, TypeError):
            pass
        if clear:
            self.scene.clear_run_states()
