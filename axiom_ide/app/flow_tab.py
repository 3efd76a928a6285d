"""One open flow in a tab: its status pill, the canvas and the Run button at bottom-center.

The tab owns the document's scene and view and nothing else; panels read the active tab's
document through the main window. Node cards dropped from the Library (mime type
``application/x-axiom-node``, payload ``pkg@ver:Node``) become one ``doc.add_node`` at the drop
cell — handled here by an event filter so it works whether or not ``FlowView`` accepts drops itself.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget,
)

from axiom_ide.app.status import pill_status, run_blockers, run_tooltip

NODE_MIME = "application/x-axiom-node"
#: Grid cell size used when the scene does not offer ``cell_at`` (matches the canvas default).
FALLBACK_CELL = (240.0, 140.0)


def drop_cell(scene: Any, pos: QPointF) -> tuple[int, int]:
    """The (col, row) grid cell under scene position ``pos``."""
    for name in ("cell_at", "cell_for_pos", "pos_to_cell"):
        fn = getattr(scene, name, None)
        if callable(fn):
            cell = fn(pos)
            return int(cell[0]), int(cell[1])
    try:
        from axiom_ide.canvas.geometry import CARD_H, CARD_W, pos_to_cell
    except ImportError:
        pass
    else:  # the cursor holds the card by its middle
        col, row = pos_to_cell(QPointF(pos.x() - CARD_W / 2, pos.y() - CARD_H / 2))
        return max(0, int(col)), max(0, int(row))
    w, h = FALLBACK_CELL
    return max(0, int(pos.x() // w)), max(0, int(pos.y() // h))


class NodeDropFilter(QObject):
    """Accepts Library node drags on a view's viewport and places the node on drop."""

    #: (ref, (col, row)) after a node card was dropped.
    nodeDropped = Signal(str, object)

    def __init__(self, view: Any, doc: Any):
        super().__init__(view)
        self.view = view
        self.doc = doc

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        et = event.type()
        if et in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if event.mimeData().hasFormat(NODE_MIME):
                event.acceptProposedAction()
                return True
        elif et == QEvent.Type.Drop and event.mimeData().hasFormat(NODE_MIME):
            ref = bytes(event.mimeData().data(NODE_MIME)).decode("utf-8")
            pos = self.view.mapToScene(event.position().toPoint())
            cell = drop_cell(self.view.scene(), pos)
            self.doc.add_node(ref, cell=cell)
            event.acceptProposedAction()
            self.nodeDropped.emit(ref, cell)
            return True
        return False


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
        self.view = FlowView(self.scene)
        self.view.setAcceptDrops(True)
        self.drop_filter = NodeDropFilter(self.view, self.doc)
        self.view.viewport().setAcceptDrops(True)
        self.view.viewport().installEventFilter(self.drop_filter)
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
