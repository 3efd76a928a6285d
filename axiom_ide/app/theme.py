"""Light/dark theme that follows the OS colour scheme (QStyleHints.colorScheme).

``AXIOM_IDE_THEME=dark|light`` overrides the OS. One Fusion palette per scheme plus a small stylesheet for our own widgets (status pill, cards,
Run button). ``install_theme(app)`` applies it and re-applies when the OS scheme changes.
"""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

#: Accent and state colours shared by both schemes (the canvas uses the same amber).
ACCENT = "#3b82f6"
AMBER = "#f59e0b"
GREEN = "#16a34a"
RED = "#dc2626"
#: Execution statuses as the Executions view draws them (readable on light and dark bases).
STATUS_MUTED = "#9ca3af"
STATUS_COLORS = {"Completed": GREEN, "Failed": RED, "Running": ACCENT, "Queued": ACCENT,
                 "Cancelled": STATUS_MUTED, "Compensating": AMBER, "Debug paused": AMBER,
                 "Paused (HITL)": AMBER, "Waiting on gate": AMBER}

_STYLESHEET = """
QLabel#statusPill {{ border-radius: 9px; padding: 2px 10px; font-weight: 600; color: white; }}
QLabel#statusPill[state="draft"] {{ background: {muted}; }}
QLabel#statusPill[state="valid"] {{ background: {green}; }}
QLabel#statusPill[state="problems"] {{ background: {amber}; }}
QLabel#statusPill[state="errors"] {{ background: {red}; }}
QLabel#statusPill[state="running"] {{ background: {accent}; }}
QLabel#statusPill[state="completed"] {{ background: {green}; }}
QLabel#statusPill[state="failed"] {{ background: {red}; }}
QLabel#statusPill[state="cancelled"] {{ background: {muted}; }}
QLabel#statusPill[state="paused"] {{ background: {amber}; }}
QPushButton#stopButton {{ padding: 6px 22px; font-weight: 600; border-radius: 6px;
    background: {red}; color: white; border: none; }}
QLabel#resultTitle[state="failed"] {{ color: {red}; }}
QLabel#resultTitle[state="completed"] {{ color: {green}; }}
QLabel#resultTitle[state="paused"] {{ color: {amber}; }}
QPushButton#runButton {{ padding: 6px 28px; font-weight: 600; border-radius: 6px;
    background: {accent}; color: white; border: none; }}
QPushButton#runButton:disabled {{ background: {muted}; color: {disabled_text}; }}
QFrame[card="true"] {{ border: 1px solid {border}; border-radius: 6px; background: {card}; }}
QLabel[hint="true"] {{ color: {hint}; }}
QLabel[error="true"] {{ color: {red}; }}
QLabel[warning="true"] {{ color: {amber}; }}
QLabel[heading="true"] {{ font-weight: 600; }}
"""


def is_dark() -> bool:
    """The OS scheme, unless ``AXIOM_IDE_THEME`` is ``dark`` or ``light``."""
    forced = os.environ.get("AXIOM_IDE_THEME", "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def _palette(dark: bool) -> QPalette:
    p = QPalette()
    if dark:
        base, window, text = QColor("#1e1f22"), QColor("#2b2d30"), QColor("#dfe1e5")
        button, highlight = QColor("#3c3f41"), QColor(ACCENT)
        disabled = QColor("#7a7e85")
    else:
        base, window, text = QColor("#ffffff"), QColor("#f4f5f7"), QColor("#1f2328")
        button, highlight = QColor("#e9ebee"), QColor(ACCENT)
        disabled = QColor("#9aa0a6")
    p.setColor(QPalette.ColorRole.Window, window)
    p.setColor(QPalette.ColorRole.WindowText, text)
    p.setColor(QPalette.ColorRole.Base, base)
    p.setColor(QPalette.ColorRole.AlternateBase, window)
    p.setColor(QPalette.ColorRole.Text, text)
    p.setColor(QPalette.ColorRole.Button, button)
    p.setColor(QPalette.ColorRole.ButtonText, text)
    p.setColor(QPalette.ColorRole.ToolTipBase, base)
    p.setColor(QPalette.ColorRole.ToolTipText, text)
    p.setColor(QPalette.ColorRole.PlaceholderText, disabled)
    p.setColor(QPalette.ColorRole.Highlight, highlight)
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("white"))
    p.setColor(QPalette.ColorRole.Link, highlight)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return p


def stylesheet(dark: bool) -> str:
    return _STYLESHEET.format(
        green=GREEN, amber=AMBER, accent=ACCENT, red=RED,
        muted="#6b7280" if dark else "#9ca3af",
        disabled_text="#d1d5db" if dark else "#f3f4f6",
        border="#3f4246" if dark else "#d0d4da",
        card="#25272a" if dark else "#ffffff",
        hint="#9aa0a6" if dark else "#6b7280",
    )


def apply_theme(app: QApplication) -> None:
    dark = is_dark()
    app.setPalette(_palette(dark))
    app.setStyleSheet(stylesheet(dark))


def install_theme(app: QApplication) -> None:
    """Fusion + our palette, kept in step with the OS light/dark setting."""
    app.setStyle("Fusion")
    apply_theme(app)
    app.styleHints().colorSchemeChanged.connect(lambda _scheme: apply_theme(app))
