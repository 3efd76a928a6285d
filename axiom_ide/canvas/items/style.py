"""Pens, brushes, fonts and colours for canvas items — made once, shared by every item.

Items never allocate a QPen/QFont/QColor while painting; they read these. Created lazily because
QFont needs a QGuiApplication.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen

_STYLE: Style | None = None

#: Run-state tints (view state bound by the debugger).
RUN_STATES = ("running", "completed", "failed")


class Style:
    def __init__(self) -> None:
        c = QColor
        self.card_fill = QBrush(c("#ffffff"))
        self.card_header = QBrush(c("#eef2f8"))
        self.card_border = QPen(c("#9aa5b4"), 1.2)
        self.card_selected = QPen(c("#2f6fed"), 2.4)
        self.card_error_fill = QBrush(c("#fff1f0"))
        self.card_error = QPen(c("#d93025"), 2.0)
        self.card_error_sel = QPen(c("#d93025"), 3.0)
        self.lod_fill = QBrush(c("#c9d3e0"))
        self.lod_error_fill = QBrush(c("#f3b3ae"))
        self.lod_sel_fill = QBrush(c("#2f6fed"))
        self.run_fill = {
            "running": QBrush(c("#fff6d6")),
            "completed": QBrush(c("#e6f6ea")),
            "failed": QBrush(c("#fde4e2")),
            "skipped": QBrush(c("#f1f3f5")),
            "paused": QBrush(c("#ffe9b8")),  # a Debug run is paused before this node
        }
        self.run_pen = {
            "running": QPen(c("#e0a100"), 2.4),
            "completed": QPen(c("#1e8e3e"), 2.0),
            "failed": QPen(c("#d93025"), 2.4),
            "skipped": QPen(c("#9aa5b4"), 1.4, Qt.PenStyle.DashLine),
            "paused": QPen(c("#f59e0b"), 3.2),
        }
        self.text = QPen(c("#1f2733"))
        self.text_dim = QPen(c("#5f6b7a"))
        self.text_id = QPen(c("#2f4f7f"))
        self.text_error = QPen(c("#b3261e"))
        self.port_fill = QBrush(c("#ffffff"))
        self.port_pen = QPen(c("#5f6b7a"), 1.5)
        self.port_hot = QBrush(c("#2f6fed"))
        self.port_bad = QBrush(c("#d93025"))
        self.badge_fill = QBrush(c("#efe4ff"))
        self.badge_text = QPen(c("#6a3fc1"))
        self.bp_slot = QPen(c("#c3cad4"), 1.0, Qt.PenStyle.DotLine)
        self.bp_fill = QBrush(c("#d93025"))
        self.pin_fill = QBrush(c("#fff1c2"))
        self.pin_text = QPen(c("#8a5a00"))
        self.pin_head = QBrush(c("#d97706"))
        self.no_pen = QPen(Qt.PenStyle.NoPen)
        self.no_brush = QBrush(Qt.BrushStyle.NoBrush)

        base = QColor("#7a8699")
        self.edge = QPen(base, 2.0)
        self.edge_selected = QPen(c("#2f6fed"), 3.0)
        self.edge_warning = QPen(c("#e39b00"), 2.6)
        self.edge_error = QPen(c("#d93025"), 2.6)
        self.edge_loop = QPen(c("#7b4fd6"), 2.0, Qt.PenStyle.DashLine)
        self.edge_loop_sel = QPen(c("#2f6fed"), 3.0, Qt.PenStyle.DashLine)
        self.edge_rubber = QPen(c("#2f6fed"), 2.0, Qt.PenStyle.DashLine)
        #: A Debug run is paused where this edge fired (its breakpoint): as the paused card's pen.
        self.edge_paused = QPen(c("#f59e0b"), 3.6)
        for pen in (self.edge, self.edge_selected, self.edge_warning, self.edge_error,
                    self.edge_loop, self.edge_loop_sel, self.edge_rubber, self.edge_paused):
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setCosmetic(False)
        self.arrow = {id(p): QBrush(p.color()) for p in (self.edge, self.edge_selected, self.edge_warning, self.edge_error, self.edge_loop, self.edge_loop_sel, self.edge_paused)}
        self.label_fill = QBrush(QColor(255, 255, 255, 235))
        self.label_pen = QPen(c("#c3cad4"), 1.0)
        self.label_loop_pen = QPen(c("#7b4fd6"), 1.0)
        self.label_warn_fill = QBrush(c("#fff4d6"))

        self.font_name = QFont()
        self.font_name.setPixelSize(14)
        self.font_name.setBold(True)
        self.font_small = QFont()
        self.font_small.setPixelSize(11)
        self.font_id = QFont("monospace")
        self.font_id.setStyleHint(QFont.StyleHint.Monospace)
        self.font_id.setPixelSize(11)
        self.font_badge = QFont()
        self.font_badge.setPixelSize(10)
        self.font_badge.setBold(True)
        self.font_label = QFont()
        self.font_label.setPixelSize(11)
        self.fm_name = QFontMetricsF(self.font_name)
        self.fm_small = QFontMetricsF(self.font_small)
        self.fm_id = QFontMetricsF(self.font_id)
        self.fm_badge = QFontMetricsF(self.font_badge)
        self.fm_label = QFontMetricsF(self.font_label)


def style() -> Style:
    global _STYLE
    if _STYLE is None:
        _STYLE = Style()
    return _STYLE
