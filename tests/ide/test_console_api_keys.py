"""Console → API Keys with real gestures against the real runtime: a key created in the page
authenticates a real HTTP invoke against the IDE's own server, and fails on the next request after
Revoke; blank and duplicate names are refused inline and nothing is saved."""
from __future__ import annotations

import re
import socket

import httpx
import pytest
from ide_support import click, click_header, open_flow, press_shortcut, shown, type_and_enter, type_over
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from axiom_ide.app.console.api_keys import CreateKeyDialog, SaveKeyDialog
from axiom_ide.app.console.window import ConsoleWindow
from axiom_ide.app.dialogs.use_api import UseApiDialog
from axiom_ide.app.palette import CommandPalette


@pytest.fixture
def window(run_window):
    return run_window


@pytest.fixture
def taken_port():
    """A port something else listens on: the IDE's server takes the next free one."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    yield sock.getsockname()[1]
    sock.close()


def open_api_keys(qtbot, window):
    click_header(qtbot, window, "console-action")
    console = shown(window, ConsoleWindow)
    assert console.nav.currentItem().text() == "API Keys"
    return console.api_keys


def create_key(qtbot, window, page, name):
    click(qtbot, page.create_button)
    dialog = shown(window, CreateKeyDialog)
    assert dialog.windowTitle() == "Create API key"
    type_and_enter(qtbot, dialog.name, name)
    return dialog


def invoke(origin, key, graph_id):
    return httpx.post(f"{origin}/invocations/v1/flows/invoke", headers={"Authorization": f"Bearer {key}"},
                      json={"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True}, timeout=30)


def test_a_key_made_in_the_page_invokes_over_http_until_revoked(qtbot, window, example_workspace, taken_port):
    origins = []
    window.start_local_server(origins.append, port=taken_port)
    qtbot.waitUntil(lambda: bool(origins), timeout=10000)
    open_flow(window, example_workspace, "hello")
    click(qtbot, window.inspector.flow_page.use_api)
    use_api = shown(window, UseApiDialog)
    qtbot.waitUntil(lambda: use_api.graph_id is not None, timeout=10000)
    graph_id = use_api.graph_id
    use_api.reject()

    page = open_api_keys(qtbot, window)
    create_key(qtbot, window, page, "laptop")
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SaveKeyDialog)), timeout=10000)
    saved = shown(window, SaveKeyDialog)
    assert saved.windowTitle() == "Save your API key"
    raw = saved.key.text()
    assert re.fullmatch(r"[0-9a-f]{64}", raw)
    click(qtbot, saved.copy_button)
    assert QGuiApplication.clipboard().text() == raw
    click(qtbot, saved.done_button)
    assert not saved.isVisible() and saved.key.text() == ""  # shown exactly once

    qtbot.waitUntil(lambda: any(r[0] == "laptop" for r in page.rows()), timeout=10000)
    row = next(r for r in page.rows() if r[0] == "laptop")
    assert row[1] == f"{raw[:8]}…{raw[-4:]}" and raw not in "".join(row)
    assert row[3] == "Never"
    assert page.revoke_buttons["laptop"].text() == "Revoke laptop"

    response = invoke(origins[0], raw, graph_id)
    assert response.status_code == 202, response.text
    assert response.json()["result"]["output"] == {"greeting": "Hello, Ada!"}
    window.show_console_api_keys()  # reopened: the use is on the list
    qtbot.waitUntil(lambda: next(r for r in page.rows() if r[0] == "laptop")[3] != "Never", timeout=10000)

    click(qtbot, page.revoke_buttons["laptop"])
    box = shown(window, QMessageBox)
    assert box.windowTitle() == "Revoke key"
    revoke = next(b for b in box.buttons() if b.text() == "Revoke key")
    click(qtbot, revoke)
    qtbot.waitUntil(lambda: all(r[0] != "laptop" for r in page.rows()), timeout=10000)
    response = invoke(origins[0], raw, graph_id)
    assert response.status_code == 401 and response.json() == {"error": "unauthorized"}


def test_blank_and_duplicate_names_are_refused_inline_and_nothing_is_saved(qtbot, window):
    window.show()
    page = open_api_keys(qtbot, window)
    click(qtbot, page.create_button)
    dialog = shown(window, CreateKeyDialog)
    type_over(qtbot, dialog.name, "   ")
    assert not dialog.create_button.isEnabled()
    dialog.reject()

    create_key(qtbot, window, page, "ci")
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SaveKeyDialog)), timeout=10000)
    click(qtbot, shown(window, SaveKeyDialog).done_button)
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["ci"], timeout=10000)

    dialog = create_key(qtbot, window, page, "ci")
    qtbot.waitUntil(dialog.error.isVisible, timeout=10000)
    assert dialog.error.text() == 'an API key named "ci" already exists; revoke it first or pick another name'
    assert dialog.isVisible()
    dialog.reject()
    runtime = window.bridge.wait_ready().runtime
    assert [k.name for k in runtime.list_api_keys()] == ["ci"]


def test_ctrl_k_api_keys_opens_the_console_on_that_page(qtbot, window):
    press_shortcut(qtbot, window, "command-palette-action")
    palette = shown(window, CommandPalette)
    qtbot.keyClicks(palette.search, "API Keys")
    assert palette.visible_labels()[0] == "API Keys"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    console = shown(window, ConsoleWindow)
    assert console.nav.currentItem().text() == "API Keys"
    assert console.stack.currentWidget() is console.api_keys
    # A fresh data dir: the page says there are no keys yet.
    qtbot.waitUntil(lambda: console.api_keys.status.text() == "No API keys yet. Click Create key to mint one.",
                    timeout=10000)



def test_a_backend_without_the_console_api_is_a_clear_refusal(qtbot, example_workspace, tmp_path):
    from ide_support import close_window
    from PySide6.QtCore import QSettings

    from axiom_ide.app.console.window import NO_CONSOLE
    from axiom_ide.app.main_window import MainWindow, local_backend
    from axiom_ide.app.settings import Preferences

    def without_console(window):
        backend = local_backend(window, inline=True)
        backend.console = None  # what a remote without a RemoteConsole offers
        return backend

    prefs = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    w = MainWindow(example_workspace, tmp_path / "data", prefs, quiet=True, backend_factory=without_console)
    qtbot.addWidget(w)
    try:
        page = w.show_console_api_keys()
        qtbot.waitUntil(lambda: page.status.text() == NO_CONSOLE, timeout=10000)
    finally:
        close_window(w)
