"""Run → Run Node Code in Sandbox: on by default, a checkable menu item, remembered, and read by the
runtime the window starts (issue #11: the desktop uses the sandbox, with a setting to relax it)."""
from __future__ import annotations

import asyncio

from ide_support import click_menu_item, close_window, make_window

from axiom_ide.app.main_window import local_backend
from axiom_ide.app.runtime_settings import SANDBOX_OFF


def test_turning_the_sandbox_off_is_remembered_and_reaches_the_next_runtime(qtbot, example_workspace, tmp_path):
    settings = tmp_path / "settings.ini"
    window = make_window(qtbot, example_workspace, tmp_path / "data", settings)
    window.show()
    qtbot.waitExposed(window)
    action = window.actions["sandbox-action"]
    assert action.isCheckable() and action.isChecked()  # sandboxed unless the user says otherwise
    default = local_backend(window)
    try:
        assert default.runtime.invoker.sandbox.enabled is True
    finally:
        asyncio.run(default.close())

    click_menu_item(qtbot, window, "Run", action)
    qtbot.waitUntil(lambda: not action.isChecked())
    assert window.statusBar().currentMessage() == SANDBOX_OFF
    relaxed = local_backend(window)  # what the window builds when it next starts its runtime
    try:
        assert relaxed.runtime.invoker.sandbox.enabled is False
    finally:
        asyncio.run(relaxed.close())
    close_window(window)

    again = make_window(qtbot, example_workspace, tmp_path / "data2", settings)
    try:
        assert again.actions["sandbox-action"].isChecked() is False
    finally:
        close_window(again)
