"""Console → Client Builder with real gestures over a real runtime: Ctrl+K "Client Builder", New
client, + Add nodes & flows (Packages: + Add all; Flows: + Add, then In client), the tray's aliases
(a clash is refused inline), Add N members, Members grouped by package with Remove / Remove all,
Build a version (Python succeeds while a missing toolchain fails with its reason), + language… on
that version, and Download saving <name>-sdk-<lang>.zip."""
from __future__ import annotations

import json
import os
import zipfile

import pytest
from ide_support import click, click_tab, close_window, make_window, press_shortcut, shown, type_and_enter, type_over
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLineEdit

from axiom_ide.app.console.window import ConsoleWindow
from axiom_ide.app.palette import CommandPalette

TEXT_NODES = ["Greet", "Upper", "Echo", "Concat", "Score", "WordStream", "WordUpper"]


@pytest.fixture
def window(qtbot, example_workspace, tmp_path, monkeypatch):
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no go, no dotnet: their builds fail with the reason
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_window(w)


def open_builder(qtbot, window):
    press_shortcut(qtbot, window, "command-palette-action")
    palette = shown(window, CommandPalette)
    qtbot.keyClicks(palette.search, "Client Builder")
    assert palette.visible_labels()[0] == "Client Builder"
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    console = shown(window, ConsoleWindow)
    assert console.nav.item(0).text() == "Client Builder"
    assert console.stack.currentWidget() is console.client_builder
    return console, console.client_builder


def choose(qtbot, combo, text: str) -> None:
    """Open the dropdown with a click, arrow down to ``text`` and press Enter."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    index = combo.findText(text)
    assert index >= 0, text
    for _ in range(index - combo.currentIndex()):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible())


def tray_alias(page, target: str) -> QLineEdit:
    return next(r.alias for r in page.market.tray_rows if r.target == target)


def test_build_a_client_in_the_page(qtbot, window, tmp_path):
    console, page = open_builder(qtbot, window)
    shots = os.environ.get("AXIOM_SHOTS")
    if shots:
        console.resize(1280, 720)
        qtbot.waitUntil(lambda: page.client_list.count() == 0 and page.isVisible())
        console.grab().save(os.path.join(shots, "client-builder-empty.png"))
    # New client: an empty name is refused inline, then "billing".
    click(qtbot, page.new_button)
    assert page.new_form.isVisible()
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.new_error.text() == "a client name is required", timeout=10000)
    type_and_enter(qtbot, page.new_name, "billing")
    qtbot.waitUntil(lambda: page.heading.text() == "<h3>billing</h3>", timeout=10000)
    assert not page.new_form.isVisible()
    assert page.member_rows() == [("No members yet — + Add nodes & flows", "")]
    # + Add nodes & flows: the split view.
    click(qtbot, page.add_button)
    qtbot.waitUntil(page.market.isVisible, timeout=10000)
    assert page.detail.isVisible()
    card = next(c for c in page.market.cards if c.name == "examples/text")
    assert [card.version.itemText(i) for i in range(card.version.count())] == ["0.1.0"]
    click(qtbot, card.add_all)
    click_tab(qtbot, page.market.tabs, 1)
    click(qtbot, page.market.flow_buttons["hello"])
    assert page.market.submit.text() == "Add 8 members"
    # A clashing alias is refused before anything is sent; a fixed one is accepted.
    type_over(qtbot, tray_alias(page, "hello"), "greet")
    assert page.market.tray_error.text() == 'Alias "greet" is already used; aliases must be unique within the client'
    assert not page.market.submit.isEnabled()
    type_over(qtbot, tray_alias(page, "hello"), "")
    assert page.market.tray_error.text() == "The alias of hello is empty; an alias is required"
    type_over(qtbot, tray_alias(page, "hello"), "helloFlow")
    assert page.market.submit.isEnabled() and page.market.tray_error.text() == ""
    click(qtbot, page.market.submit)
    qtbot.waitUntil(lambda: len(page.member_rows()) == 9, timeout=10000)
    assert page.member_rows() == [("examples/text@0.1.0", ""),
                                  *[("  " + n, a) for n, a in zip(TEXT_NODES, [
                                      "greet", "upper", "echo", "concat", "score", "word_stream", "word_upper"],
                                      strict=True)],
                                  ("flow hello", "helloFlow")]
    assert page.market.tray_rows == []
    assert page.market.flow_buttons["hello"].text() == "In client"
    card = next(c for c in page.market.cards if c.name == "examples/text")
    assert {b.text() for b in card.node_buttons.values()} == {"In client"}
    if shots:
        console.grab().save(os.path.join(shots, "client-builder-flows.png"))
    # Remove one member, then the package's Remove all.
    tree = page.members
    group = tree.topLevelItem(0)
    click(qtbot, tree.itemWidget(group.child(6), 2).findChild(type(page.add_button)))
    qtbot.waitUntil(lambda: len(page.member_rows()) == 8, timeout=10000)
    click(qtbot, tree.itemWidget(tree.topLevelItem(0), 2).findChild(type(page.add_button)))
    qtbot.waitUntil(lambda: page.member_rows() == [("flow hello", "helloFlow")], timeout=10000)
    # Put Greet back (Packages tab, its own + Add) and build Python and Go.
    click(qtbot, page.add_button)
    click_tab(qtbot, page.market.tabs, 0)
    card = next(c for c in page.market.cards if c.name == "examples/text")
    click(qtbot, card.node_buttons["Greet"])
    click(qtbot, page.market.submit)
    qtbot.waitUntil(lambda: len(page.member_rows()) == 3, timeout=10000)
    click(qtbot, page.build_button)
    assert page.error.text() == "Select one or more languages to build"
    click(qtbot, page.lang_boxes["python"])
    click(qtbot, page.lang_boxes["go"])
    click(qtbot, page.build_button)
    qtbot.waitUntil(lambda: page.status_rows(1) == {"Python": "succeeded", "Go": "failed: go not found on PATH"},
                    timeout=60000)
    # + language… builds TypeScript from version 1's snapshot.
    top = page.versions_tree.topLevelItem(0)
    combo = page.versions_tree.itemWidget(top, 2).findChild(type(card.version))
    choose(qtbot, combo, "TypeScript")
    qtbot.waitUntil(lambda: page.status_rows(1).get("TypeScript") == "succeeded", timeout=60000)
    # Download the Python SDK (the save dialog opens in the last download's folder: here, tmp_path).
    page.download_dir = tmp_path
    top = page.versions_tree.topLevelItem(0)
    row = next(top.child(i) for i in range(top.childCount()) if top.child(i).text(0) == "Python")
    click(qtbot, page.versions_tree.itemWidget(row, 2).findChild(type(page.add_button)))
    dialog = shown(window, QFileDialog)
    name_field = dialog.findChild(QLineEdit, "fileNameEdit")
    assert name_field.text() == "billing-sdk-py.zip"
    target = tmp_path / "billing-sdk-py.zip"
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(target.exists, timeout=10000)
    with zipfile.ZipFile(target) as z:
        manifest = json.loads(z.read("billing-sdk-py/manifest.json"))
        assert "billing-sdk-py/README.md" in z.namelist()
    assert [m["alias"] for m in manifest["members"]] == ["helloFlow", "greet"]
    if shots:
        click(qtbot, page.market.findChild(type(page.add_button), "closeMarket"))
        assert not page.market.isVisible()
        click(qtbot, page.add_button)
        qtbot.waitUntil(page.market.isVisible)
        card = next(c for c in page.market.cards if c.name == "examples/text")
        click(qtbot, card.node_buttons["Upper"])
        assert page.market.submit.text() == "Add 1 member"
        qtbot.waitUntil(lambda: page.market.tray_rows[0].isVisible())
        console.grab().save(os.path.join(shots, "client-builder.png"))


def test_a_console_without_the_client_builder_api_is_a_clear_refusal(qtbot, example_workspace, tmp_path):
    from PySide6.QtCore import QSettings

    from axiom_ide.app.console.client_builder import NO_CLIENTS
    from axiom_ide.app.main_window import MainWindow, local_backend
    from axiom_ide.app.settings import Preferences

    class KeysOnly:  # a remote's Console that has API keys but no Client Builder yet
        async def list_keys(self):
            return []

    def keys_only(window):
        backend = local_backend(window, inline=True)
        backend.console = KeysOnly()
        return backend

    prefs = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    w = MainWindow(example_workspace, tmp_path / "data", prefs, quiet=True, backend_factory=keys_only)
    qtbot.addWidget(w)
    try:
        page = w.show_console_client_builder()
        qtbot.waitUntil(lambda: page.error.text() == NO_CLIENTS, timeout=10000)
    finally:
        close_window(w)
