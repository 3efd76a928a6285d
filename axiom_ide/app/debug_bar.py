"""The Debug run control bar (guides/debug-a-flow): bottom-center of the canvas while a Debug run
goes. **Pause** pauses before the next dispatch; **Continue** replaces it while paused (the bar gets
an amber outline); **Step** runs exactly one node and is enabled only while paused. Each click is one
``Backend.debug_control`` call on the run's LIVE session; the buttons follow the run's RunState
(``Debug paused`` ⇄ ``Running``) as its DEBUG_PAUSED / DEBUG_RESUMED events arrive. A pause for a
breakpoint condition that failed to evaluate shows its CEL error in the bar. A pause at an edge's
breakpoint names the edge and shows the mapped values its destination receives through it
(compact JSON in the bar, in full in its tooltip). **Open in debugger** asks for the run's LIVE debug session page (``openSessionRequested``; app/execution_pages.py).
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from axiom_ide.app import run_state as rs

PAUSE, CONTINUE, STEP = "Pause", "Continue", "Step"
OPEN_SESSION = "Open in debugger"
CONDITION_FAILED = "Breakpoint condition failed: {error}"
EDGE_PAUSED = "Paused at edge {src} → {dst}; {dst} receives: {values}"
#: The bar shows this much of the mapped values; the tooltip has them all.
_EDGE_VALUES_CHARS = 160
_PAUSED_STYLE = "QFrame#debugBar { border: 2px solid #f59e0b; border-radius: 6px; }"


class DebugBar(QFrame):
    #: (FlowRun) **Open in debugger** was clicked: show this run's LIVE debug session page.
    openSessionRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, objectName="debugBar")
        self.run: Any = None
        self.pause_button = QPushButton(PAUSE, objectName="debugPause")
        self.continue_button = QPushButton(CONTINUE, objectName="debugContinue")
        self.step_button = QPushButton(STEP, objectName="debugStep")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        for button in (self.pause_button, self.continue_button, self.step_button):
            layout.addWidget(button)
        self.open_button = QPushButton(OPEN_SESSION, objectName="debugOpenSession")
        self.open_button.setToolTip("This run on the debug session page (LIVE)")
        self.open_button.clicked.connect(lambda: self.openSessionRequested.emit(self.run))
        layout.addWidget(self.open_button)
        self.error_label = QLabel(objectName="debugPauseError")
        self.error_label.setStyleSheet("color: #c62828;")
        self.error_label.setWordWrap(True)  # the bar stays narrow: a long CEL error wraps
        self.error_label.setMaximumWidth(340)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.edge_label = QLabel(objectName="debugPauseEdge")
        self.edge_label.setWordWrap(True)
        self.edge_label.setMaximumWidth(420)
        self.edge_label.hide()
        layout.addWidget(self.edge_label)
        self.pause_button.clicked.connect(lambda: self._control("pause"))
        self.continue_button.clicked.connect(lambda: self._control("continue"))
        self.step_button.clicked.connect(lambda: self._control("step"))
        self.hide()

    def bind(self, run: Any) -> None:
        """Follow ``run`` (a FlowRun); shown only while a Debug run (one with breakpoints) goes."""
        if self.run is not None:
            try:
                self.run.state.statusChanged.disconnect(self._refresh)
            except (RuntimeError, TypeError):
                pass
        self.run = run if getattr(run, "breakpoints", None) is not None else None
        if self.run is not None:
            self.run.state.statusChanged.connect(self._refresh)
        self._refresh()

    @property
    def paused(self) -> bool:
        return self.run is not None and self.run.state.status == rs.DEBUG_PAUSED

    def _refresh(self, *_args: Any) -> None:
        live = self.run is not None and self.run.state.is_running
        self.setVisible(live)
        paused = self.paused
        self.pause_button.setVisible(not paused)
        self.continue_button.setVisible(paused)
        self.step_button.setEnabled(paused)
        error = self.run.state.pause_error if paused else None
        self.error_label.setText(CONDITION_FAILED.format(error=error) if error else "")
        self.error_label.setToolTip(error or "")
        self.error_label.setVisible(bool(error))
        edge = self.run.state.pause_edge if paused else None
        text = tip = ""
        if edge is not None:
            values = self.run.state.pause_input
            compact = json.dumps(values, ensure_ascii=False, separators=(", ", ": "), default=str)
            if len(compact) > _EDGE_VALUES_CHARS:
                compact = compact[:_EDGE_VALUES_CHARS - 1] + "…"
            text = EDGE_PAUSED.format(src=edge[0], dst=edge[1], values=compact)
            tip = json.dumps(values, ensure_ascii=False, indent=2, default=str)
        self.edge_label.setText(text)
        self.edge_label.setToolTip(tip)
        self.edge_label.setVisible(bool(text))
        self.setStyleSheet(_PAUSED_STYLE if paused else "")

    def _control(self, action: str) -> None:
        run = self.run
        sid = getattr(run, "debug_session_id", None)
        if run is None or sid is None:
            return
        run.bridge.call(lambda b: b.debug_control(sid, action), None, lambda _exc: None)
