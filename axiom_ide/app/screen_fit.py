"""A window's opening size that fits its screen *with* its frame: ``availableGeometry`` is the
screen less panels and docks, and the window system adds a title bar and borders around the size
we ask for, so a 1200×680 page on a 1280×720 screen (a 30 px panel: 690 available) had its bottom
edge, and its buttons, under the panel."""
from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget

#: Room left for the window system's title bar and borders (Windows, GNOME and macOS all fit in it).
FRAME_W, FRAME_H = 16, 40


def fitted_size(width: int, height: int, available: QRect) -> QSize:
    """``width``×``height``, less what ``available`` (a screen's available geometry) cannot show
    with a window frame around it."""
    return QSize(min(width, available.width() - FRAME_W), min(height, available.height() - FRAME_H))


def resize_to_fit(widget: QWidget, width: int, height: int, *, parent: QWidget | None = None) -> None:
    """Resize ``widget`` to ``width``×``height`` fitted to its (or ``parent``'s) screen."""
    screen = (parent or widget).screen()
    widget.resize(fitted_size(width, height, screen.availableGeometry()) if screen is not None
                  else QSize(width, height))
