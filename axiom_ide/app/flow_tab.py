"""One open flow in a tab: its status pill, the canvas and the Run button at bottom-center.

The tab owns the document's scene and view and nothing else; panels read the active tab's
document through the main window. Node cards dropped from the Library are placed by ``FlowView``
(one ``doc.add_node`` at the drop cell).
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from axiom_ide.app.status import pill_status, run_blockers, run_tooltip

#: Mime type of a node card dragged from the Library; the payload is ``pkg@ver:Node``.
NODE_MIME = "application/x-axiom-node"


class FlowTab(QWidget):
    """Canvas area for one document."""

    #: The enabled Run button was clicked.
    runRequested = Signal()

    def __init__(self, doc: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.scene: Any = None
        self.view: Any = None

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

        stack = QGridLayout()
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self._make_canvas(), 0, 0)
        # The Run button floats over the canvas at bottom-center, clear of the scrollbar.
        run_holder = QWidget()
        run_layout = QHBoxLayout(run_holder)
        run_layout.setContentsMargins(0, 0, 0, 24)
        run_layout.addWidget(self.run_button)
        stack.addWidget(run_holder, 0, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addLayout(stack, 1)

        doc.analysisChanged.connect(self.refresh_status)
        doc.pathChanged.connect(lambda _p: self.refresh_status())
        self.refresh_status()

    def _make_canvas(self) -> QWidget:
        try:
            from axiom_ide.canvas import FlowScene, FlowView
        except ImportError:  # the canvas package has not landed in this checkout
            label = QLabel("The canvas is not available in this build.")
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            return label
        self.scene = FlowScene(self.doc)
        self.view = FlowView(self.scene)  # accepts Library drops itself (one doc.add_node)
        return self.view

    # -- status ----------------------------------------------------------------------------------
    def refresh_status(self) -> None:
        flow = self.doc.flow
        analysis = getattr(self.doc, "analysis", None)
        self.title.setText(flow.name or "untitled")
        text, state = pill_status(flow, analysis)
        self.pill.setText(text)
        if self.pill.property("state") != state:
            self.pill.setProperty("state", state)
            self.pill.style().unpolish(self.pill)
            self.pill.style().polish(self.pill)
        if analysis is not None and state == "problems":
            self.pill.setToolTip("\n".join(d.message for d in analysis.diagnostics))
        else:
            self.pill.setToolTip("")
        blockers = run_blockers(flow, analysis)
        self.run_button.setEnabled(not blockers)
        self.run_button.setToolTip(run_tooltip(blockers))

    @property
    def blockers(self) -> list[str]:
        return run_blockers(self.doc.flow, getattr(self.doc, "analysis", None))
