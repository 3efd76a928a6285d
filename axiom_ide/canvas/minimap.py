"""Minimap: a small overview of the whole scene with the view's visible rectangle.

It paints a cached picture of the scene (re-rendered at most every ``REFRESH_MS`` after the
scene changes, never during every drag step) plus the viewport rectangle; clicking or dragging in
it centres the main view there. Pure view state.

It never covers a card or a port: :meth:`Minimap.place` puts it in the first corner of the
viewport with no card under it (bottom-right, top-right, bottom-left, top-left) and clear of the
view's other overlays (the Run button), and hides it while no corner is free. A small toggle
button (``minimap-toggle``, bottom-right) shows or hides it; until the user chooses, it is shown
only in windows at least ``SHOW_FROM_WIDTH`` px wide. The choice lives in the view, never in the flow.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QToolButton, QWidget

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.canvas.view import FlowView

REFRESH_MS = 120
#: Below this window width the minimap starts hidden (the toggle still shows it).
SHOW_FROM_WIDTH = 1400
#: The minimap's width is this share of the viewport's, within [MIN_W, MAX_W]; height = width × ASPECT.
SHARE, MIN_W, MAX_W, ASPECT = 0.16, 120, 200, 0.65
MARGIN = 8
TOGGLE = 22


class Minimap(QWidget):
    def __init__(self, view: FlowView) -> None:
        super().__init__(view)
        self.setObjectName("canvas-minimap")
        self.setFixedSize(QSize(MAX_W, round(MAX_W * ASPECT)))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        #: The user's choice (None: not made yet → shown in wide windows only). View state.
        self.wanted: bool | None = None
        self.toggle = QToolButton(view)
        self.toggle.setObjectName("minimap-toggle")
        self.toggle.setCheckable(True)
        self.toggle.setAutoRaise(False)
        self.toggle.setText("▦")
        self.toggle.setFixedSize(TOGGLE, TOGGLE)
        self.toggle.setCursor(Qt.CursorShape.PointingHandCursor)
        self.toggle.clicked.connect(self._toggled)
        self._image: QImage | None = None
        self._source = QRectF()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._frame = QPen(QColor("#2f6fed"), 1.5)
        view.scene().changed.connect(self._scene_changed)

    @property
    def view(self) -> FlowView:
        """The view this minimap sits on — its Qt parent. Not kept as a Python attribute: a
        view ↔ minimap reference cycle let the garbage collector clear the view's attributes
        while Qt was still delivering its teardown events (resize, scroll) to Python overrides."""
        return self.parentWidget()  # type: ignore[return-value]

    def _scene_changed(self, *_args) -> None:
        if self.is_wanted() and not self._timer.isActive():
            self._timer.start()

    # -- where and whether it shows ----------------------------------------------------------
    def is_wanted(self) -> bool:
        """Shown unless the user hid it; by default only in windows ``SHOW_FROM_WIDTH`` px wide."""
        if self.wanted is not None:
            return self.wanted
        return self.view.window().width() >= SHOW_FROM_WIDTH

    def _toggled(self, on: bool) -> None:
        self.wanted = on
        self.place()
        if on:
            self.refresh()

    def set_wanted(self, on: bool) -> None:
        self.toggle.setChecked(on)
        self._toggled(on)

    def _size_for(self, viewport: QRect) -> QSize:
        w = max(MIN_W, min(MAX_W, round(viewport.width() * SHARE)))
        return QSize(w, round(w * ASPECT))

    def corners(self) -> list[QRect]:
        """The spots it may take, in view coordinates, in order of preference."""
        vp = self.view.viewport().geometry()
        size = self.size()
        left, top = vp.left() + MARGIN, vp.top() + MARGIN
        right = vp.right() - MARGIN - size.width() + 1
        # Bottom spots sit above the toggle button's row.
        bottom = vp.bottom() - MARGIN - TOGGLE - 4 - size.height() + 1
        return [QRect(right, bottom, size.width(), size.height()), QRect(right, top, size.width(), size.height()),
                QRect(left, bottom, size.width(), size.height()), QRect(left, top, size.width(), size.height())]

    def free_corner(self) -> QRect | None:
        """The first corner with no card (ports included) and no other overlay under it."""
        view = self.view
        offset = view.viewport().geometry().topLeft()
        others = [r.translated(offset) for r in view.overlay_rects(minimap=False)]
        for spot in self.corners():
            if any(spot.intersects(r) for r in others):
                continue
            if not view.cards_in(spot.translated(-offset)):
                return spot
        return None

    def place(self) -> bool:
        """Size it for the viewport and move it to a free corner; hidden when unwanted or none is
        free. True when it is shown."""
        view = self.view
        vp = view.viewport().geometry()
        self.toggle.move(vp.right() - MARGIN - TOGGLE + 1, vp.bottom() - MARGIN - TOGGLE + 1)
        self.toggle.raise_()
        wanted = self.is_wanted()
        self.toggle.setChecked(wanted)
        self.toggle.setToolTip("Hide minimap" if wanted else "Show minimap")
        self.toggle.setAccessibleName(self.toggle.toolTip())
        size = self._size_for(vp)
        if size != self.size():
            self.setFixedSize(size)
            self._image = None
        spot = self.free_corner() if wanted else None
        if spot is None:
            if wanted:  # say why it is not there
                self.toggle.setToolTip("Hide minimap (hidden now: cards fill every corner)")
            self.hide()
            return False
        self.move(spot.topLeft())
        if not self.isVisible():
            self._image = None
            self.show()
        self.raise_()
        return True

    def source_rect(self) -> QRectF:
        scene = self.view.scene()
        rect = scene.itemsBoundingRect().adjusted(-60, -60, 60, 60)
        return rect.united(self.view.visible_scene_rect()) if not rect.isEmpty() else self.view.visible_scene_rect()

    def refresh(self) -> None:
        """Re-render the cached overview picture."""
        if self.view.scene() is None:
            return
        self._source = self.source_rect()
        img = QImage(self.size(), QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(QColor("#ffffff"))
        p = QPainter(img)
        k, off = self._scale()
        p.translate(off)
        p.scale(k, k)
        p.translate(-self._source.topLeft())
        self.view.flow_scene.paint_overview(p)  # bulk rectangles and lines: cheap at any size
        p.end()
        self._image = img
        self.update()
        self.place()  # the content changed under it: step aside if a card is there now

    def _target(self) -> QRectF:
        return QRectF(2, 2, self.width() - 4, self.height() - 4)

    def _scale(self) -> tuple[float, QPointF]:
        t, s = self._target(), self._source
        if s.isEmpty():
            return 1.0, QPointF()
        k = min(t.width() / s.width(), t.height() / s.height())
        off = QPointF(t.x() + (t.width() - s.width() * k) / 2, t.y() + (t.height() - s.height() * k) / 2)
        return k, off

    def to_scene(self, point: QPointF) -> QPointF:
        k, off = self._scale()
        return QPointF((point.x() - off.x()) / k + self._source.x(), (point.y() - off.y()) / k + self._source.y())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        if self._image is None:
            self.refresh()
        if self._image is None:
            return
        p = QPainter(self)
        p.drawImage(0, 0, self._image)
        p.setPen(QPen(QColor("#9aa5b4"), 1))
        p.drawRect(self.rect().adjusted(0, 0, -1, -1))
        k, off = self._scale()
        v = self.view.visible_scene_rect()
        r = QRectF(off.x() + (v.x() - self._source.x()) * k, off.y() + (v.y() - self._source.y()) * k, v.width() * k, v.height() * k)
        p.setPen(self._frame)
        p.setBrush(QColor(47, 111, 237, 30))
        p.drawRect(r.intersected(QRectF(self.rect())))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        self.view.centerOn(self.to_scene(event.position()))
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.view.centerOn(self.to_scene(event.position()))
        event.accept()
