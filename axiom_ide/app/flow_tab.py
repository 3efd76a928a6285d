"""One open flow in a tab: its status pill, the canvas and the Run button at bottom-center.

The tab owns the document's scene and view and nothing else; panels read the active tab's
document through the main window. Node cards dropped from the Library are placed by ``FlowView``
(one ``doc.add_node`` at the drop cell).
"""
from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.status import pill_status, run_blockers, run_tooltip

#: Mime type of a node card dragged from the Library; the payload is ``pkg@ver:Node``.
NODE_MIME = "application/x-axiom-node"


def _disconnect_all(links: list[tuple[Any, Any]]) -> None:
    """Disconnect every (signal, slot); a module function, so ``destroyed`` can call it without
    holding the tab."""
    while links:
        signal, slot = links.pop()
        try:
            signal.disconnect(slot)
        except (RuntimeError, TypeError):  # the document (or that connection) is gone already
            pass


class FlowTab(QWidget):
    """Canvas area for one document."""

    #: The enabled Run button was clicked.
    runRequested = Signal()
    #: The Stop button (shown while a run goes) was clicked.
    stopRequested = Signal()

    def __init__(self, doc: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.scene: Any = None
        self.view: Any = None
        #: The latest run of this document (a FlowRun) and its canvas binding — view state only.
        self.run: Any = None
        self.run_binding: Any = None
        #: The RunState the result panel shows for this tab (its latest run, or an execution
        #: opened from history for it); kept after an edit clears ``run``. View state only.
        self.result_state: Any = None

        #: Whether the flow had no nodes at the last refresh (the canvas shows a hint then).
        self._was_empty = not doc.flow.nodes
        self.title = QLabel(objectName="flowTitle")
        self.title.setProperty("heading", True)
        self.pill = QLabel("Draft", objectName="statusPill")
        self.pill.setProperty("state", "draft")
        header = QHBoxLayout()
        header.setContentsMargins(10, 6, 10, 6)
        header.setSpacing(10)
        header.addWidget(self.title)
        header.addWidget(self.pill)
        header.addStretch(1)

        self.run_button = QPushButton("▶  Run", objectName="runButton")
        self.run_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.run_button.clicked.connect(self.runRequested)
        self.stop_button = QPushButton("■  Stop", objectName="stopButton")
        self.stop_button.setToolTip("Cancel the run (Esc)")
        self.stop_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.stop_button.clicked.connect(self.stopRequested)
        self.stop_button.hide()

        stack = QGridLayout()
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self._make_canvas(), 0, 0)
        # The Run button floats over the canvas at bottom-center, clear of the scrollbar.
        run_holder = QWidget()
        run_layout = QHBoxLayout(run_holder)
        run_layout.setContentsMargins(0, 0, 0, 24)
        run_layout.addWidget(self.run_button)
        run_layout.addWidget(self.stop_button)
        from axiom_ide.app.debug_bar import DebugBar

        self.debug_bar = DebugBar()  # Pause / Continue / Step during a Debug run
        run_layout.addWidget(self.debug_bar)
        stack.addWidget(run_holder, 0, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        from axiom_ide.app.hitl_banner import HitlBanner

        self.hitl_banner = HitlBanner()  # Approve / Reject / Edit & approve while the run waits for one
        layout.addWidget(self.hitl_banner)
        layout.addLayout(stack, 1)

        #: (signal, slot) this tab (or its window, through :meth:`follow`) connected to the
        #: document. The document outlives the tab (closing a tab only deletes the widget; the
        #: undo stack's destructor then clears it and emits ``indexChanged``), so they are cut
        #: when the tab goes: otherwise a slot ran on the deleted tab and its deleted run and
        #: raised ``RuntimeError: Signal source has been deleted`` on closing tabs and quitting.
        self._links: list[tuple[Any, Any]] = []
        self.destroyed.connect(functools.partial(_disconnect_all, self._links))
        self.follow(doc.analysisChanged, self.refresh_status)
        self.follow(doc.pathChanged, lambda _p: self.refresh_status())
        # A finished run's status stays on the pill until the flow is edited.
        self.follow(doc.undo_stack.indexChanged, lambda _i: self._edited())
        self.refresh_status()

    def follow(self, signal: Any, slot: Any) -> None:
        """``signal.connect(slot)`` for as long as this tab lives (see ``_links``)."""
        signal.connect(slot)
        self._links.append((signal, slot))

    def detach(self) -> None:
        """Stop following the document (the tab is closing)."""
        _disconnect_all(self._links)

    def _make_canvas(self) -> QWidget:
        from axiom_ide.canvas import FlowScene, FlowView  # here: the canvas loads after the first paint

        self.scene = FlowScene(self.doc)
        self.view = FlowView(self.scene)  # accepts Library drops itself (one doc.add_node)
        return self.view

    # -- run binding -----------------------------------------------------------------------------
    def show_run(self, run: Any) -> None:
        """Bind ``run`` (a FlowRun): pill follows its status, Stop replaces Run while it goes."""
        if self.run is not None:
            try:
                self.run.state.statusChanged.disconnect(self._run_status)
            except (RuntimeError, TypeError):
                pass
        self.run = run
        run.state.statusChanged.connect(self._run_status)
        self.debug_bar.bind(run)
        self.hitl_banner.bind(run)
        self._run_status(run.state.status)

    @property
    def running(self) -> bool:
        return self.run is not None and self.run.state.is_running

    def _run_status(self, _status: str) -> None:
        self.run_button.setVisible(not self.running)
        self.stop_button.setVisible(self.running)
        self.refresh_status()

    def _edited(self) -> None:
        if self.run is not None and not self.running:
            self.run.state.statusChanged.disconnect(self._run_status)
            self.run = None
            if self.run_binding is not None:
                self.run_binding.unbind()
                self.run_binding = None
            self.refresh_status()

    # -- status ----------------------------------------------------------------------------------
    def refresh_status(self) -> None:
        from axiom_ide.app.run_state import PILL_STATE

        flow = self.doc.flow
        analysis = getattr(self.doc, "analysis", None)
        if self.view is not None and (not flow.nodes) != self._was_empty:
            # The empty-canvas hint comes or goes: repaint all of it, not just the changed items.
            self._was_empty = not flow.nodes
            self.view.viewport().update()
        self.title.setText(flow.name or "untitled")
        text, state = pill_status(flow, analysis)
        if self.run is not None:
            text, state = self.run.state.status, PILL_STATE.get(self.run.state.status, "draft")
        self.pill.setText(text)
        if self.pill.property("state") != state:
            self.pill.setProperty("state", state)
            self.pill.style().unpolish(self.pill)
            self.pill.style().polish(self.pill)
        if analysis is not None and state in ("problems", "errors"):
            from axiom_ide.canvas.diagnostics import code_html

            self.pill.setToolTip("<p>" + "<br>".join(code_html(d.message) for d in analysis.diagnostics) + "</p>")
        else:
            self.pill.setToolTip("")
        blockers = run_blockers(flow, analysis)
        self.run_button.setEnabled(not blockers)
        self.run_button.setToolTip(run_tooltip(blockers))

    @property
    def blockers(self) -> list[str]:
        return run_blockers(self.doc.flow, getattr(self.doc, "analysis", None))
