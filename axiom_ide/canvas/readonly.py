"""A read-only canvas over a flow's plain form: the execution detail page's replay and the debug
session page draw a past run on it.

:func:`readonly_canvas` builds a :class:`FlowScene` from a plain flow (``Flow.to_plain()``, what a
compiled artifact keeps as its ``source``), so a page shows the flow exactly as it was compiled for
that run, not as the file reads today. :class:`ReadOnlyFlowView` is a :class:`FlowView` that zooms
and pans (wheel, middle drag) but never edits: a left click on a card selects it and emits
:attr:`ReadOnlyFlowView.nodeClicked` with the canvas id; no drag, connect, delete or drop reaches
the scene. Drawing node states goes through the scene's ``set_run_state`` as for a live run.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent

from axiom_ide.canvas.scene import FlowScene
from axiom_ide.canvas.view import FlowView


def readonly_canvas(source: Mapping[str, Any], workspace: Any = None) -> ReadOnlyFlowView:
    """A read-only view of the flow ``source`` (a plain flow dict)."""
    from axiom_ide.document import FlowDocument
    from axiom_ide.runtime.model.flow_yaml import flow_from_tree, new_flow_file

    document = FlowDocument(new_flow_file(flow_from_tree(dict(source))), workspace)
    scene = FlowScene(document)
    view = ReadOnlyFlowView(scene)
    view.document = document  # the view keeps its document alive
    return view


class ReadOnlyFlowView(FlowView):
    """A FlowView that only looks: clicks select a card and report it; nothing edits the flow."""

    #: (canvas id) a card was left-clicked.
    nodeClicked = Signal(str)

    def __init__(self, scene: FlowScene, parent: Any = None) -> None:
        super().__init__(scene, parent)
        self.document: Any = None
        self.setObjectName("readonly-canvas")
        self.setAcceptDrops(False)
        self.setDragMode(FlowView.DragMode.NoDrag)
        self.minimap.hide()

    def show_states(self, states: Mapping[str, str | None]) -> None:
        """Draw each node's state ("running" | "completed" | "failed" | "skipped" | None = idle);
        nodes not named are drawn idle."""
        scene = self.flow_scene
        for item in scene.node_items():
            scene.set_run_state(item.node_id, states.get(item.node_id))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)  # middle-button pan
            return
        item = self.flow_scene.node_item_at(self.mapToScene(event.position().toPoint()))
        self.flow_scene.select_nodes([item.node_id] if item is not None else [])
        event.accept()
        if item is not None:
            self.nodeClicked.emit(item.node_id)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.buttons() & Qt.MouseButton.MiddleButton:
            super().mouseMoveEvent(event)
        else:
            event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.MiddleButton:
            super().mouseReleaseEvent(event)
        else:
            event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Zoom (Ctrl+= / Ctrl+- / Ctrl+0), fit (F) and Escape (clear the selection) only; every
        other key goes to the page (its shortcuts, e.g. the session page's ``,`` and ``.``)."""
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl and key in (Qt.Key.Key_Equal, Qt.Key.Key_Plus):
            self.zoom_in()
        elif ctrl and key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif ctrl and key == Qt.Key.Key_0:
            self.reset_zoom()
        elif key == Qt.Key.Key_F and not ctrl:
            self.fit_all()
        elif key == Qt.Key.Key_Escape:
            self.flow_scene.clearSelection()
        else:
            event.ignore()
            return
        event.accept()

    def contextMenuEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        event.accept()
