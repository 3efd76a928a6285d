"""Texts that fit a narrow Inspector dock: one-line labels that elide (full text in the tooltip)
and a scroll area whose minimum width is what its page needs, so the dock cannot be dragged
narrower than its fields and nothing is clipped at the dock's edge."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QStylePainter,
    QWidget,
)


class ElidedLabel(QLabel):
    """A one-line plain-text label that shrinks: it paints ``text()`` elided at the right when it
    does not fit and then shows the full text as its tooltip. ``text()`` is always the full text."""

    def __init__(self, text: str = "", parent: QWidget | None = None, **kwargs: object) -> None:
        super().__init__(text, parent, **kwargs)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self._sync_tip()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt API
        super().setText(text)
        self._sync_tip()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.fontMetrics().horizontalAdvance("…") * 3, super().minimumSizeHint().height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._sync_tip()

    def _sync_tip(self) -> None:
        self.setToolTip(self.text() if self.is_elided() else "")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setFont(self.font())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), shown)


class ElidedComboBox(QComboBox):
    """A combo box whose shown choice elides at the right when the box is narrower than it (a plain
    QComboBox cuts it mid-letter), with the full choice as the tooltip; ``note`` (set by the owner,
    e.g. why the box is disabled) is the tooltip otherwise and follows the choice when both apply."""

    def __init__(self, parent: QWidget | None = None, *, objectName: str = "") -> None:  # noqa: N803 - Qt's spelling
        super().__init__(parent, objectName=objectName)
        self.note = ""
        self.currentIndexChanged.connect(lambda _i: self._sync_tip())

    def set_note(self, note: str) -> None:
        self.note = note
        self._sync_tip()

    def _text_rect_width(self) -> int:
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        return self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                           QStyle.SubControl.SC_ComboBoxEditField, self).width()

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.currentText()) > self._text_rect_width()

    def _sync_tip(self) -> None:
        parts = [self.currentText()] if self.is_elided() else []
        self.setToolTip("\n".join([*parts, self.note] if self.note else parts))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._sync_tip()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QStylePainter(self)
        opt = QStyleOptionComboBox()
        self.initStyleOption(opt)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        opt.currentText = self.fontMetrics().elidedText(opt.currentText, Qt.TextElideMode.ElideRight,
                                                        self._text_rect_width())
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)


def tip_full_text(edit: QLineEdit) -> None:
    """Keep ``edit``'s tooltip the full text it holds (a long one scrolls out of sight)."""
    edit.textChanged.connect(edit.setToolTip)
    edit.setToolTip(edit.text())


class FittingScrollArea(QScrollArea):
    """A vertical scroll area (no horizontal scrolling) at least as wide as its page's minimum:
    the page's fields elide or wrap down to that width, never past the viewport's edge."""

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(widget)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # The page's fields changed (an edge with other fields): the dock re-reads our minimum.
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        hint = super().minimumSizeHint()
        page = self.widget()
        if page is None:
            return hint
        need = page.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), need), hint.height())


class WrappingButton(QPushButton):
    """A push button whose label wraps onto a second line in a narrow dock, where a plain
    QPushButton would hold the dock as wide as its one-line text. ``text()`` is the full text."""

    def __init__(self, text: str = "", parent: QWidget | None = None, **kwargs: object) -> None:
        super().__init__(text, parent, **kwargs)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _padding(self) -> QSize:
        """What the style adds around the text (bevel, margins)."""
        option = QStyleOptionButton()
        self.initStyleOption(option)
        inner = QSize(200, self.fontMetrics().height())  # wide enough that a style's minimum button width is moot
        outer = self.style().sizeFromContents(QStyle.ContentsType.CT_PushButton, option, inner, self)
        return outer - inner + QSize(8, 0)

    def _text_height(self, width: int) -> int:
        rect = self.fontMetrics().boundingRect(QRect(0, 0, max(1, width), 10_000), WRAP, self.text())
        return rect.height()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        words = self.text().split() or [""]
        widest = max(self.fontMetrics().horizontalAdvance(w) for w in words)
        pad = self._padding()
        return QSize(widest + pad.width(), self._text_height(widest) + pad.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        pad = self._padding()
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + pad.width(),
                     self.fontMetrics().height() + pad.height())

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt API
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        pad = self._padding()
        return self._text_height(width - pad.width()) + pad.height()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QStylePainter(self)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        option.text = ""
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
        pad = self._padding()
        rect = self.rect().adjusted(pad.width() // 2, 0, -(pad.width() // 2), 0)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, WRAP | Qt.AlignmentFlag.AlignCenter, self.text())


#: Word wrap for :class:`WrappingButton`'s text.
WRAP = Qt.TextFlag.TextWordWrap
