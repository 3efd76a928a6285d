"""Render resources/icons/axiom-ide.svg to the PNG sizes Linux's hicolor theme wants, and the
Windows .ico. Run after editing the SVG: QT_QPA_PLATFORM=offscreen python packaging/make_icons.py"""
import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication(sys.argv)  # noqa: F841 - QImage/QPainter need one
    svg = QSvgRenderer(str(ICONS / "axiom-ide.svg"))
    for size in SIZES:
        img = QImage(size, size, QImage.Format.Format_ARGB32)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        svg.render(painter)
        painter.end()
        out = ICONS / "hicolor" / f"{size}x{size}" / "apps" / "axiom-ide.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        assert img.save(str(out)), out
    # Windows: a 256 px .ico (Qt's ico writer; Windows scales it down for the smaller slots)
    assert QImage(str(ICONS / "hicolor" / "256x256" / "apps" / "axiom-ide.png")).save(str(ICONS / "axiom-ide.ico"))


if __name__ == "__main__":
    main()
