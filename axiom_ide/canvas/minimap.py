"""Minimap: a small overview of the whole scene with the view's visible rectangle.

It paints a cached picture of the scene (re-rendered at most every ``REFRESH_MS`` after the
scene changes, never during every drag step) plus the viewport rectangle; clicking or dragging in
it centres the main view there. Pure view state.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.canvas.view import FlowView

REFRESH_MS = 120


class Minimap(QWidget):
    def __init__(self, view: FlowView) -> None:
        super().__init__(view)
        self.setObjectName("canvas-minimap")
        self.setFixedSize(QSize(200, 130))
        self.setCursor(Qt.CursorShape.PointingHandCursor)
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
        if self.isVisible() and not self._timer.isActive():
            self._timer.start()

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
