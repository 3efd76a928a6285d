"""Console → Secrets with real gestures: a node's unset required secret is flagged; a secret saved in
the page reaches that node on a real run (in process and in a real node host) and its value is
nowhere in the data dir in plain text; an existing name needs "I understand, replace it"; a 1 MB
value and a bad name are refused with nothing saved; delete asks first."""
from __future__ import annotations

import hashlib

import pytest
from engine_support import FAULTS_PROTO, chain, write_package
from ide_support import click, close_window, make_window, open_flow, shown, type_over, wait_done
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox

from axiom_ide.app.console.window import ConsoleWindow
from axiom_ide.app.dialogs.run_graph import RunGraphDialog

MANIFEST = """\
name: tests/secrets
version: 0.1.0
language: python
nodes:
  - {name: Reader, input: Text, output: Text, required_secrets: [TOKEN]}
"""
#: Returns the secret's sha256, not the secret: the output is stored in the history like any output.
READER = ("import hashlib\nfrom gen.messages_pb2 import Text\n"
          "def reader(ax, input):\n    value, ok = ax.secrets.get('TOKEN')\n"
          "    return Text(text=hashlib.sha256(value.encode()).hexdigest() if ok else 'missing')\n")
VALUE = "s3cr3t-Zq81-console-value"


@pytest.fixture
def window(qtbot, example_workspace, tmp_path, invoker):
    write_package(example_workspace, "secrets", MANIFEST, FAULTS_PROTO, {"reader": READER})
    chain(example_workspace, "read-token", ["Reader"], pkg="tests/secrets@0.1.0")
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini",
                    inline=invoker == "inline")
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_window(w)


def open_secrets(qtbot, window):
    click(qtbot, window.header.widgetForAction(window.actions["console-action"]))
    console = shown(window, ConsoleWindow)
    item = console.nav.findItems("Secrets", Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(console.nav.viewport(), Qt.MouseButton.LeftButton, pos=console.nav.visualItemRect(item).center())
    assert console.stack.currentWidget() is console.secrets
    return console.secrets


def add_secret(qtbot, page, name, value):
    click(qtbot, page.add_button)
    assert page.form.isVisible()
    type_over(qtbot, page.name, name)
    type_over(qtbot, page.value, value)


def test_a_secret_saved_in_the_page_reaches_the_node_and_is_never_in_plain_text(qtbot, window, tmp_path):
    page = open_secrets(qtbot, window)
    qtbot.waitUntil(lambda: "TOKEN — required by tests/secrets@0.1.0:Reader" in page.missing.text(), timeout=10000)
    add_secret(qtbot, page, "TOKEN", VALUE)
    assert page.value.echoMode() == QLineEdit.EchoMode.Password
    button = page.show_value
    click(qtbot, button)
    assert page.value.echoMode() == QLineEdit.EchoMode.Normal and page.show_value.text() == "Hide"
    click(qtbot, button)
    assert page.value.echoMode() == QLineEdit.EchoMode.Password
    click(qtbot, page.save_button)
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["TOKEN"], timeout=10000)
    assert not page.form.isVisible() and page.value.text() == ""
    qtbot.waitUntil(lambda: not page.missing.isVisible(), timeout=10000)
    assert VALUE not in "".join("".join(r) for r in page.rows())

    tab = open_flow(window, window.workspace_root, "read-token")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    dialog = shown(window, RunGraphDialog)
    type_over(qtbot, dialog.control("text"), "x")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab, timeout=60000)
    assert tab.run.state.result.output["text"] == hashlib.sha256(VALUE.encode()).hexdigest()

    leaked = [p for p in (tmp_path / "data").rglob("*") if p.is_file() and VALUE.encode() in p.read_bytes()]
    assert leaked == []


def test_replace_needs_confirmation_bad_input_is_refused_and_delete_asks(qtbot, window):
    page = open_secrets(qtbot, window)
    add_secret(qtbot, page, "TOKEN", "one")
    click(qtbot, page.save_button)
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["TOKEN"], timeout=10000)

    add_secret(qtbot, page, "TOKEN", "two")
    assert page.warning.text() == 'A secret named "TOKEN" already exists: saving replaces its value.'
    assert not page.save_button.isEnabled()
    click(qtbot, page.replace)
    click(qtbot, page.save_button)
    qtbot.waitUntil(lambda: not page.form.isVisible(), timeout=10000)
    runtime = window.bridge.wait_ready().runtime
    assert runtime._secrets.resolve() == {"TOKEN": "two"}

    add_secret(qtbot, page, "BIG", "x")
    page.value.setText("x" * (1024 * 1024))  # a 1 MB paste (typing it key by key would take minutes)
    click(qtbot, page.save_button)
    qtbot.waitUntil(page.error.isVisible, timeout=10000)
    assert page.error.text() == 'secret "BIG" is 1048576 bytes; a secret value is at most 65536 bytes'
    type_over(qtbot, page.name, "9 bad")
    type_over(qtbot, page.value, "v")
    click(qtbot, page.save_button)
    qtbot.waitUntil(lambda: page.error.text().startswith('secret name "9 bad" must start with a letter'),
                    timeout=10000)
    assert runtime._secrets.resolve() == {"TOKEN": "two"}  # nothing half-saved

    click(qtbot, page.delete_buttons["TOKEN"])
    box = shown(window, QMessageBox)
    assert box.windowTitle() == "Delete secret"
    click(qtbot, next(b for b in box.buttons() if b.text() == "Delete secret"))
    qtbot.waitUntil(lambda: page.rows() == [], timeout=10000)
    assert runtime._secrets.resolve() == {}
