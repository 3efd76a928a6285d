"""Run → Python Interpreter for Packages…: the interpreter that makes a virtual environment for a
package whose requirements the app lacks (issue #14 item 2). A chosen file is run as Python and
kept only when it is a Python 3.11+; it is remembered and reaches the runtime the window starts."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ide_support import click_menu_item, close_window, make_window
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from axiom_ide.app.main_window import local_backend
from axiom_ide.app.runtime_settings import INTERPRETER_TITLE


def _shown(qtbot, window, tmp_path):
    window.show()
    qtbot.waitExposed(window)
    return window


def test_choosing_a_python_is_remembered_and_reaches_the_next_runtime(qtbot, example_workspace, tmp_path):
    settings = tmp_path / "settings.ini"
    window = _shown(qtbot, make_window(qtbot, example_workspace, tmp_path / "data", settings), tmp_path)
    action = window.actions["interpreter-action"]
    assert action.text() == "Python Interpreter for Packages…"
    assert window.prefs.python_for_packages() is None
    before = local_backend(window)
    try:
        assert before.runtime.python_for_packages is None  # AXIOM_IDE_PYTHON, if set, applies
    finally:
        asyncio.run(before.close())

    asked = []
    window.ask_package_python = lambda: asked.append(True) or Path(sys.executable)
    click_menu_item(qtbot, window, "Run", action)
    qtbot.waitUntil(lambda: window.prefs.python_for_packages() is not None)
    assert asked == [True]
    assert window.prefs.python_for_packages() == sys.executable
    version = ".".join(map(str, sys.version_info[:2]))
    assert window.statusBar().currentMessage() == (
        f"Packages whose requirements Axiom IDE does not include will use {sys.executable} (Python {version}) "
        "the next time Axiom IDE starts")
    after = local_backend(window)  # what the window builds when it next starts its runtime
    try:
        assert after.runtime.python_for_packages == Path(sys.executable)
        assert after.runtime.invoker.python_for_packages == Path(sys.executable)
    finally:
        asyncio.run(after.close())
    close_window(window)

    again = make_window(qtbot, example_workspace, tmp_path / "data2", settings)
    try:
        assert again.prefs.python_for_packages() == sys.executable
    finally:
        close_window(again)


def test_a_file_that_is_not_python_is_refused_with_a_message(qtbot, example_workspace, tmp_path):
    window = _shown(qtbot, make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "s.ini"), tmp_path)
    window.quiet = False  # the message box a user sees
    notes = tmp_path / "notes.txt"
    notes.write_text("not a program\n")
    notes.chmod(0o755)
    window.ask_package_python = lambda: notes
    boxes: list[tuple[str, str]] = []

    def answer_box() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            boxes.append((box.windowTitle(), box.text()))
            grab = box.grab()
            grab.save(str(tmp_path / "refused.png"))
            box.button(QMessageBox.StandardButton.Ok).click()
        else:
            QTimer.singleShot(10, answer_box)

    QTimer.singleShot(0, answer_box)
    click_menu_item(qtbot, window, "Run", window.actions["interpreter-action"])
    qtbot.waitUntil(lambda: bool(boxes))
    [(title, text)] = boxes
    assert title == INTERPRETER_TITLE
    assert text.startswith(f"{notes} is not a working Python interpreter: "), text
    assert window.prefs.python_for_packages() is None
    assert window.statusBar().currentMessage().startswith(f"{INTERPRETER_TITLE}: {notes} is not a working Python")
    close_window(window)


def test_cancelling_the_dialog_changes_nothing(qtbot, example_workspace, tmp_path):
    window = _shown(qtbot, make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "s.ini"), tmp_path)
    window.prefs.set_python_for_packages(sys.executable)
    window.ask_package_python = lambda: None
    window.actions["interpreter-action"].trigger()
    assert window.prefs.python_for_packages() == sys.executable
    close_window(window)
