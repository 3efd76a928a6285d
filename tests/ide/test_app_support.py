"""Shared fixtures for the app tests: a main window over a tmp copy of the example workspace,
with its own QSettings file and data dir (QStandardPaths test mode keeps users' files safe)."""
from __future__ import annotations

import pytest
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


@pytest.fixture
def window(qtbot, example_workspace, tmp_path):
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    yield w
    close_window(w)


def flush(qtbot, doc) -> None:
    """Run the document's debounced analysis now and let queued signals land."""
    doc.refresh_analysis()
    qtbot.wait(0)


def test_support_window_starts_empty(window):
    assert window.tabs.count() == 0
    assert window.current_doc() is None
