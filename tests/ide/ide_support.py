"""Shared helpers for the IDE tests: a main window over a workspace with its own QSettings file and
data dir (QStandardPaths test mode keeps users' files safe), and waiting for a run to finish.
The fixtures built from them live in ``conftest.py``."""
from __future__ import annotations

from PySide6.QtCore import QSettings, QStandardPaths

QStandardPaths.setTestModeEnabled(True)


def make_window(qtbot, workspace, data_dir, settings_file):
    from axiom_ide.app.main_window import MainWindow, local_backend
    from axiom_ide.app.settings import Preferences

    prefs = Preferences(QSettings(str(settings_file), QSettings.Format.IniFormat))
    # Node code runs in process (the real runtime, stores and engine; no host subprocesses).
    window = MainWindow(workspace, data_dir, prefs, quiet=True, autosave_ms=100,
                        backend_factory=lambda w: local_backend(w, inline=True))
    qtbot.addWidget(window)
    # pytest-qt closes widgets before fixture teardown: never block on a question there.
    window.ask_unsaved = lambda doc: "discard"
    window.ask_restore = lambda entries: False
    window.resize(1280, 800)
    window.load_workspace()
    return window


def close_window(window) -> None:
    window.ask_unsaved = lambda doc: "discard"
    window.close()


def flush(qtbot, doc) -> None:
    """Run the document's debounced analysis now and let queued signals land."""
    doc.refresh_analysis()
    qtbot.wait(0)


def open_flow(window, ws, name):
    doc = window.open_path(ws / "flows" / f"{name}.flow.yaml")
    doc.refresh_analysis()
    return window.current_tab()


def wait_done(qtbot, tab, timeout=20000):
    qtbot.waitUntil(lambda: tab.run is not None and not tab.run.state.is_running, timeout=timeout)
