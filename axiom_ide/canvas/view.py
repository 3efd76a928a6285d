"""FlowView: the widget showing a FlowScene — zoom, pan, fit, find, keys, drops and a minimap.

Zoom: wheel (trackpad two-finger scroll pans), pinch (QPinchGesture or native zoom gesture),
Ctrl+= / Ctrl+- / Ctrl+0; pan: middle drag, Space+drag, scrollbars; F fits everything. Keys
Del/Backspace, Ctrl+C/V/D turn into document edits. Zoom and scroll are view state.
Drops of ``NODE_REF_MIME`` (or plain ``package@version:Node`` text) add a node at the drop cell.

The view's scene rect is the content plus a wide margin and only grows, so Qt never re-centres a
small scene when a card moves (the whole canvas used to jump on a drop). After a card drop the
dropped card stays where the preview showed it on screen — when the grid was re-based (a drop left
of / above the first cell) the view scrolls by the same amount — and it is scrolled clear of the
overlays (the Run button laid over the view, the minimap's toggle). That margin is room to scroll
into, not content: a scroll bar shows only while a card reaches past the visible area.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QMouseEvent, QNativeGestureEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QGestureEvent, QGraphicsView, QPinchGesture, QWidget

from axiom_ide.canvas.geometry import pos_to_cell
from axiom_ide.canvas.items.node_item import LOD_DETAIL, NodeItem
from axiom_ide.canvas.minimap import Minimap
from axiom_ide.canvas.scene import FlowScene
from axiom_ide.document.clipboard import MIME_TYPE as CLIPBOARD_MIME

#: MIME type the app's Library panel uses when dragging a node reference onto the canvas.
NODE_REF_MIME = "application/x-axiom-node-ref"
MIN_ZOOM, MAX_ZOOM = 0.03, 4.0
ZOOM_STEP = 1.2
#: Scene units the scrollable area reaches past the content (and past the visible area).
SCENE_MARGIN = 2000.0
#: Viewport pixels kept between a dropped card or fitted content and an overlay.
CLEARANCE = 8
#: Drawn over an empty canvas (no nodes yet).
EMPTY_CANVAS_HINT = "Drag a node from the Library, or press Ctrl+K"


class FlowView(QGraphicsView):
    """``FlowView(scene)``; ``view.minimap`` is the overview widget (hide it if unwanted)."""

    #: (scale) the zoom level changed (1.0 = 100 %).
    zoomChanged = Signal(float)

    def __init__(self, scene: FlowScene, parent=None) -> None:
        super().__init__(scene, parent)
        self._scene_ref = scene  # the view keeps its scene alive (Python owns it)
        self.setObjectName("flow-canvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().grabGesture(Qt.GestureType.PinchGesture)
        self._pan_from: QPointF | None = None
        self._space = False
        self._rect_set = False
        self.minimap = Minimap(self)
        scene.sceneRectChanged.connect(self._grow_scene_rect)
        scene.changed.connect(self._scene_changed)  # a card moved, added or removed
        self._grow_scene_rect()
        self._place_minimap()

    # -- view state --------------------------------------------------------------------------
    @property
    def flow_scene(self) -> FlowScene:
        return self.scene()  # type: ignore[return-value]

    def zoom(self) -> float:
        return self.transform().m11()

    def visible_scene_rect(self) -> QRectF:
        return self.mapToScene(self.viewport().rect()).boundingRect()

    def set_zoom(self, scale: float, anchor: QPointF | None = None) -> None:
        scale = max(MIN_ZOOM, min(MAX_ZOOM, scale))
        factor = scale / self.zoom()
        if abs(factor - 1.0) < 1e-6:
            return
        if anchor is None:
            old = self.transformationAnchor()
            self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
            self.scale(factor, factor)
            self.setTransformationAnchor(old)
        else:
            self.scale(factor, factor)
        self._sync_overview()
        self._grow_scene_rect()
        self._update_scroll_bars()
        self.zoomChanged.emit(self.zoom())
        self._place_minimap()
        self.minimap.update()

    def _sync_overview(self) -> None:
        self.flow_scene.set_overview(self.zoom() < LOD_DETAIL)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_all(self) -> None:
        """Zoom and scroll so every card is visible (never above 100 %), clear of the overlays:
        the Run button's band, and a corner for the minimap when it is shown."""
        rect = self.flow_scene.content_rect()
        if rect.isEmpty():
            self.reset_zoom()
            return
        rect = rect.adjusted(-40, -40, 40, 40)
        self._grow_scene_rect(rect)
        target = self._free_area(rect)
        self._fit_into(rect, target)
        if self.minimap.is_wanted() and not self.minimap.place():
            target.setRight(target.right() - self.minimap.width() - 2 * CLEARANCE)  # give it the right side
            self._fit_into(rect, target)
        self._sync_overview()
        self.zoomChanged.emit(self.zoom())
        self.minimap.refresh()

    def _fit_into(self, rect: QRectF, target: QRect) -> None:
        """Scale ``rect`` (scene) to fit ``target`` (viewport px) and centre it there."""
        if target.width() < 40 or target.height() < 40:
            target = self.viewport().rect()
        k = min(target.width() / rect.width(), target.height() / rect.height(), 1.0)
        self.set_zoom(max(MIN_ZOOM, k))
        k = self.zoom()
        shift = QPointF(target.center() - self.viewport().rect().center()) / k
        self.centerOn(rect.center() - shift)

    def _free_area(self, content: QRectF) -> QRect:
        """The part of the viewport the overlays (the Run button) leave for ``content``: the band
        above/below them, or, when that band is too low for the cards to be readable (a short
        window), the full-height side beside them — whichever shows ``content`` larger."""
        area = self.viewport().rect()
        mid = area.center().y()
        controls = [r for r in self.overlay_rects(minimap=False) if r.width() < area.width() // 2]  # floating ones
        band = QRect(area)
        for r in controls:
            if r.center().y() > mid:
                band.setBottom(min(band.bottom(), r.top() - CLEARANCE))
            else:
                band.setTop(max(band.top(), r.bottom() + CLEARANCE))
        sides = [QRect(area.left(), area.top(), r.left() - CLEARANCE - area.left(), area.height()) for r in controls]
        sides += [QRect(QPoint(r.right() + CLEARANCE, area.top()), area.bottomRight()) for r in controls]
        candidates = [band] + [c for c in sides if not any(c.intersects(r) for r in controls)]

        def scale(target: QRect) -> float:
            if target.width() < 40 or target.height() < 40:
                return 0.0
            return min(target.width() / content.width(), target.height() / content.height(), 1.0)

        return max(candidates, key=scale)  # the band on a tie

    def overlay_rects(self, minimap: bool = True) -> list[QRect]:
        """Viewport rectangles of the widgets laid over the canvas: the minimap (when shown) and
        its toggle, and any visible sibling of this view over it (the tab's Run button)."""
        vp = self.viewport()
        out = []
        if minimap and self.minimap.isVisible():
            out.append(self.minimap.geometry().translated(-vp.geometry().topLeft()))
        if self.minimap.toggle.isVisible():
            out.append(self.minimap.toggle.geometry().translated(-vp.geometry().topLeft()))
        parent = self.parentWidget()
        if parent is not None:
            for w in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
                # A mouse-transparent sibling (a hint, a banner drawn over the canvas) is no control.
                if w is self or not w.isVisible() or w.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents):
                    continue
                r = QRect(vp.mapFrom(parent, w.geometry().topLeft()), w.size())
                if r.intersects(vp.rect()):
                    out.append(r.intersected(vp.rect()))
        return out

    def cards_in(self, rect: QRect) -> list[NodeItem]:
        """Cards (with their ports) under a viewport rectangle."""
        area = self.mapToScene(rect).boundingRect()
        return [i for i in self.flow_scene.items(area) if isinstance(i, NodeItem)]

    def _grow_scene_rect(self, extra: QRectF | None = None) -> None:
        """Make the scrollable area reach ``SCENE_MARGIN`` past the content and what is visible.
        It only grows: shrinking would clamp the scroll position and move the canvas."""
        scene = self.scene()
        if scene is None:
            return
        # The scene's own rect: the items' bounding rect that Qt keeps growing (cheap, cached).
        need = scene.sceneRect().united(self.visible_scene_rect())
        if extra is not None:
            need = need.united(extra)
        margin = max(SCENE_MARGIN, self.viewport().width() / self.zoom(), self.viewport().height() / self.zoom())
        current = self.sceneRect()
        inner = current.adjusted(margin / 2, margin / 2, -margin / 2, -margin / 2)
        if self._rect_set and inner.contains(need):
            return
        wanted = need.adjusted(-margin, -margin, margin, margin)
        self._rect_set = True
        self.setSceneRect(wanted.united(current) if current.isValid() else wanted)

    def find_node(self, node_id: str) -> bool:
        """Select a card and centre it (zooming in if it would be unreadable); False if unknown."""
        item = self.flow_scene.item_for_node(node_id)
        if item is None:
            return False
        self.flow_scene.select_nodes([node_id])
        if self.zoom() < 0.6:
            self.set_zoom(1.0)
        self.centerOn(item.sceneBoundingRect().center())
        self.minimap.update()
        return True

    # -- edits from keys ---------------------------------------------------------------------
    def delete_selected(self) -> None:
        s = self.flow_scene
        s.document.remove(s.selected_node_ids(), s.selected_edge_keys())

    def copy_selected(self) -> str | None:
        ids = self.flow_scene.selected_node_ids()
        if not ids:
            return None
        text = self.flow_scene.document.copy(ids)
        # Plain text only: the payload carries its own marker, and a QMimeData handed to the
        # clipboard from Python is freed twice at exit by PySide (a crash at teardown).
        QGuiApplication.clipboard().setText(text)
        return text

    def cut_selected(self) -> str | None:
        """Ctrl+X: copy the selected nodes, then remove them (one "Cut …" undo step)."""
        text = self.flow_scene.document.cut(self.flow_scene.selected_node_ids())
        if text is not None:
            QGuiApplication.clipboard().setText(text)
        return text

    def paste(self) -> list[str]:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return []
        text = bytes(mime.data(CLIPBOARD_MIME).data()).decode("utf-8") if mime.hasFormat(CLIPBOARD_MIME) else mime.text()
        ids = self.flow_scene.document.paste(text)
        if ids:
            self.flow_scene.select_nodes(ids)
        return ids

    def duplicate_selected(self) -> list[str]:
        ids = self.flow_scene.document.duplicate(self.flow_scene.selected_node_ids())
        if ids:
            self.flow_scene.select_nodes(ids)
        return ids

    def toggle_disabled_selected(self) -> None:
        """Ctrl+Shift+D: disable the selected nodes (enable them when all are disabled), one undo step."""
        doc = self.flow_scene.document
        ids = self.flow_scene.selected_node_ids()
        nodes = [n for n in (doc.flow.node(i) for i in ids) if n is not None]
        if nodes:
            doc.set_disabled([n.id for n in nodes], not all(n.disabled for n in nodes))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not ctrl:
            self.delete_selected()
        elif ctrl and key == Qt.Key.Key_C:
            self.copy_selected()
        elif ctrl and key == Qt.Key.Key_V:
            self.paste()
        elif ctrl and key == Qt.Key.Key_X:
            self.cut_selected()
        elif ctrl and key == Qt.Key.Key_D and mods & Qt.KeyboardModifier.ShiftModifier:
            self.toggle_disabled_selected()
        elif ctrl and key == Qt.Key.Key_D:
            self.duplicate_selected()
        elif ctrl and key in (Qt.Key.Key_Equal, Qt.Key.Key_Plus):
            self.zoom_in()
        elif ctrl and key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif ctrl and key == Qt.Key.Key_0:
            self.reset_zoom()
        elif key == Qt.Key.Key_F and not ctrl:
            self.fit_all()
        elif key == Qt.Key.Key_Escape:
            if self.flow_scene.interaction is not None:
                self.flow_scene.interaction.cancel()
            else:
                self.flow_scene.clearSelection()
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            event.accept()
            return
        super().keyReleaseEvent(event)

    # -- zoom and pan ------------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        pixel = event.pixelDelta()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if not pixel.isNull() and not ctrl:
            super().wheelEvent(event)  # trackpad scroll pans
            return
        dy = event.angleDelta().y()
        if dy:
            self.set_zoom(self.zoom() * (ZOOM_STEP ** (dy / 120.0)), anchor=event.position())
        event.accept()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if isinstance(event, QGestureEvent):  # PySide6 hands each event as its own class
            pinch = event.gesture(Qt.GestureType.PinchGesture)
            if isinstance(pinch, QPinchGesture):
                self.set_zoom(self.zoom() * pinch.scaleFactor(), anchor=pinch.centerPoint())
                event.accept()
                return True
        if isinstance(event, QNativeGestureEvent) and event.gestureType() == Qt.NativeGestureType.ZoomNativeGesture:
            self.set_zoom(self.zoom() * (1.0 + event.value()), anchor=event.position())
            return True
        return super().viewportEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        drag = self.flow_scene.drag if event.button() == Qt.MouseButton.LeftButton else None
        # Only a drag that moved a card: a plain click on a card never scrolls.
        moved = drag is not None and any(i.pos() != drag.start[i.node_id] for i in drag.items)
        shown = {i: i.pos() for i in drag.items} if drag is not None and moved else {}
        super().mouseReleaseEvent(event)
        if shown:
            self._after_drop(shown)

    def _after_drop(self, shown: dict[NodeItem, QPointF]) -> None:
        """Keep the dropped cards where the preview showed them on screen, clear of the overlays."""
        items = [i for i in shown if i.scene() is self.scene()]
        if not items:
            return
        self._grow_scene_rect()
        shift = items[0].pos() - shown[items[0]]  # a re-based grid moved every card by this much
        if not shift.isNull():
            self._scroll_by(shift * self.zoom())
        self._keep_clear(items[0])
        self._place_minimap()

    def _scroll_by(self, pixels: QPointF) -> None:
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(pixels.x()))
        v.setValue(v.value() + round(pixels.y()))

    def _keep_clear(self, item: NodeItem) -> None:
        """Scroll just enough that ``item`` is inside the viewport and under no control laid over
        it (the Run button, the minimap's toggle); the minimap steps aside on its own."""
        card = self.mapFromScene(item.sceneBoundingRect()).boundingRect()
        area = self.viewport().rect().adjusted(CLEARANCE, CLEARANCE, -CLEARANCE, -CLEARANCE)
        dx = min(0, card.left() - area.left()) or max(0, card.right() - area.right())
        dy = min(0, card.top() - area.top()) or max(0, card.bottom() - area.bottom())
        card.translate(-dx, -dy)
        for r in self.overlay_rects(minimap=False):
            if card.intersects(r):
                up = card.bottom() - r.top() + CLEARANCE  # scroll the card up above the control
                down = r.bottom() - card.top() + CLEARANCE
                step = up if r.center().y() > area.center().y() else -down
                dy += step
                card.translate(0, -step)
        if dx or dy:
            self._scroll_by(QPointF(dx, dy))

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt API
        super().scrollContentsBy(dx, dy)
        self._place_minimap()
        self.minimap.update()
        self._update_scroll_bars()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._place_minimap()
        self._update_scroll_bars()

    def _scene_changed(self, _rects: object) -> None:  # a bound slot: cut when the view is deleted
        self._update_scroll_bars()

    def _update_scroll_bars(self) -> None:
        """A scroll bar only while the cards reach past the visible area on its axis: the scene
        rect's wide margin is room to scroll into, not content, so it alone shows none. (Stable:
        hiding a bar only enlarges the viewport, in which the cards still fit.)"""
        scene = self.scene()
        if scene is None:
            return
        content, visible = scene.itemsBoundingRect(), self.visible_scene_rect()
        fits_x = content.isEmpty() or (content.left() >= visible.left() and content.right() <= visible.right())
        fits_y = content.isEmpty() or (content.top() >= visible.top() and content.bottom() <= visible.bottom())
        off, needed = Qt.ScrollBarPolicy.ScrollBarAlwaysOff, Qt.ScrollBarPolicy.ScrollBarAsNeeded
        for bar_policy, set_policy, fits in ((self.horizontalScrollBarPolicy, self.setHorizontalScrollBarPolicy, fits_x),
                                             (self.verticalScrollBarPolicy, self.setVerticalScrollBarPolicy, fits_y)):
            wanted = off if fits else needed
            if bar_policy() != wanted:
                set_policy(wanted)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        self._place_minimap()  # the window's width (the minimap's default) is known now

    def _place_minimap(self) -> None:
        self.minimap.place()

    # -- drops from the Library --------------------------------------------------------------
    @staticmethod
    def _ref_from(mime: QMimeData) -> str | None:
        if mime.hasFormat(NODE_REF_MIME):
            return bytes(mime.data(NODE_REF_MIME).data()).decode("utf-8").strip()
        text = mime.text().strip() if mime.hasText() else ""
        return text if text and ":" in text and "\n" not in text else None

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._ref_from(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self._ref_from(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragMoveEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt API
        ref = self._ref_from(event.mimeData())
        if not ref:
            super().dropEvent(event)
            return
        cell = pos_to_cell(self.mapToScene(event.position().toPoint()))
        node_id = self.flow_scene.document.add_node(ref, cell)
        self.flow_scene.select_nodes([node_id])
        event.acceptProposedAction()

    # -- empty canvas ------------------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect) -> None:  # noqa: N802 - Qt API; Qt passes a QRectF
        """On a flow without nodes, a hint in the middle of the viewport (view coordinates, so it
        neither zooms nor scrolls) saying how to start."""
        super().drawForeground(painter, rect)
        if self.flow_scene.document.flow.nodes:
            return
        from PySide6.QtGui import QColor

        painter.save()
        painter.resetTransform()
        painter.setPen(QColor("#6b7685"))
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        painter.setFont(font)
        painter.drawText(self.viewport().rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         EMPTY_CANVAS_HINT)
        painter.restore()
