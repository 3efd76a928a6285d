"""Headless rendering of a flow with the real canvas items (``axiom-ide render``).

The scene is built exactly as in the IDE, with full detail forced at every scale, no grid and a
white background, and rendered fitted to its content plus a margin: PNG through QImage, SVG
through QtSvg's QSvgGenerator.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

MARGIN = 32


def ensure_app() -> Any:
    """The QApplication, created if needed (offscreen when there is no display)."""
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM") \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["axiom-ide-render"])


def render_scene(scene: Any, out: str | Path, width: int | None = None, margin: int = MARGIN) -> tuple[int, int]:
    """Render ``scene`` into ``out`` (.png or .svg); returns the (width, height) written."""
    from PySide6.QtCore import QRectF, QSize, Qt
    from PySide6.QtGui import QBrush, QColor, QImage, QPainter

    out = Path(out)
    scene.show_grid = False
    scene.setBackgroundBrush(QBrush(QColor("#ffffff")))
    scene.set_force_detail(True)
    source = scene.content_rect()
    if source.isEmpty():
        source = QRectF(0, 0, 320, 160)
    source = source.adjusted(-margin, -margin, margin, margin)
    w = int(width) if width else round(source.width())
    h = max(1, round(w * source.height() / source.width()))
    target = QRectF(0, 0, w, h)
    suffix = out.suffix.lower()
    if suffix == ".svg":
        from PySide6.QtSvg import QSvgGenerator

        gen = QSvgGenerator()
        gen.setFileName(str(out))
        gen.setSize(QSize(w, h))
        gen.setViewBox(target)
        gen.setTitle(getattr(scene.document.flow, "name", "") or "flow")
        gen.setDescription("Rendered by axiom-ide")
        painter = QPainter(gen)
        painter.fillRect(target, QColor("#ffffff"))
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
    elif suffix == ".png":
        img = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(QColor("#ffffff"))
        painter = QPainter(img)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                               | QPainter.RenderHint.SmoothPixmapTransform)
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
        painter.end()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not img.save(str(out), "PNG"):  # type: ignore[call-overload]  # PySide6 takes str; its stubs say bytes
            raise OSError(f"could not write {out}")
    else:
        raise ValueError(f"unsupported output type {out.suffix!r}: use .png or .svg")
    return w, h


def render_flow(path: str | Path, out: str | Path, workspace: Any = None, width: int | None = None) -> tuple[int, int]:
    """Open a flow file and render it; raises AxiomError when the flow cannot be read."""
    ensure_app()
    from axiom_ide.canvas.scene import FlowScene
    from axiom_ide.document import FlowDocument

    doc = FlowDocument.open(path, workspace)
    scene = FlowScene(doc)
    try:
        return render_scene(scene, out, width)
    finally:
        scene.clear()
