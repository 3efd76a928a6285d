"""Start the IDE: QApplication, theme, main window painted first, then the workspace loads.

The window is shown before anything heavy (package scanning, protobuf, pygments) is imported;
``MainWindow.start`` runs from the event loop right after the first paint.
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path


def run_app(workspace_root: Path, data_dir: Path, flows: Sequence[str] = (), argv: list[str] | None = None, *,
            log_format: str | None = None, log_level: str | None = None) -> int:
    from axiom_ide.runtime.logs import setup_logging

    setup_logging(data_dir, "gui", fmt=log_format, level=log_level)  # stderr + <data dir>/logs/axiom-ide-gui.log
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    existing = QApplication.instance()  # tests may have made one
    app = existing if isinstance(existing, QApplication) else QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("Axiom")
    app.setApplicationName("Axiom IDE")
    app.setApplicationDisplayName("Axiom IDE")

    from axiom_ide.app.main_window import MainWindow, schedule_start
    from axiom_ide.app.theme import install_theme

    install_theme(app)
    window = MainWindow(workspace_root, data_dir)
    window.show()
    schedule_start(window, [str(Path(f).resolve()) for f in flows])
    return app.exec()
