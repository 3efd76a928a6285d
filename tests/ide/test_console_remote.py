"""The Console on a remote (a real ``axiom-ide serve`` in a subprocess, switched to through Settings →
Connections): Flow Configs creates, edits (timeout, rename, overrides) and deletes profiles there and
shows the remote's effective values; a taken name is refused with the 409's words and nothing saved;
a profile made there sets the node timeout of the next run on the remote; Secrets flags the remote's
nodes' unset ``required_secrets``, as the Run dialog does."""
from __future__ import annotations

import live_server
import pytest
from engine_support import FAULTS_PROTO, add_faults_package, chain, write_package
from ide_support import click, close_window, make_window, open_flow, shown, type_over, wait_done
from PySide6.QtCore import Qt
from test_connections import fill_remote, open_connections, save_and_wait
from test_console_secrets import MANIFEST, READER

from axiom_ide.app.console.window import ConsoleWindow
from axiom_ide.app.dialogs.run_graph import RunGraphDialog


def _packages(workspace):
    write_package(workspace, "secrets", MANIFEST, FAULTS_PROTO, {"reader": READER})
    add_faults_package(workspace)


live = live_server.live_fixture("console-remote", prepare=_packages)


@pytest.fixture
def window(qtbot, example_workspace, tmp_path, live, monkeypatch):
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(tmp_path / "config"))
    write_package(example_workspace, "secrets", MANIFEST, FAULTS_PROTO, {"reader": READER})
    chain(example_workspace, "read-token", ["Reader"], pkg="tests/secrets@0.1.0")
    add_faults_package(example_workspace)
    chain(example_workspace, "hang", ["Upper", "Hang"])
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    dialog = open_connections(qtbot, w)
    fill_remote(qtbot, dialog, live.origin, live.key)
    assert save_and_wait(qtbot, dialog, "ok").startswith("✓ Logged in as")
    click(qtbot, dialog.close_button)
    yield w
    close_window(w)


def open_page(qtbot, window, name):
    click(qtbot, window.header.widgetForAction(window.actions["console-action"]))
    console = shown(window, ConsoleWindow)
    item = console.nav.findItems(name, Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(console.nav.viewport(), Qt.MouseButton.LeftButton, pos=console.nav.visualItemRect(item).center())
    return console.pages[name]


def remote_configs(live, flow):
    with live.client() as client:
        return {c["name"]: (c["node_timeout_seconds"], c["secret_overrides"])
                for c in client.get("/api/configs", params={"flow": flow}).json()["configs"]}


def new_profile(qtbot, page, name, timeout):
    click(qtbot, page.new_button)
    type_over(qtbot, page.profile_name, name)
    type_over(qtbot, page.profile_timeout, timeout)
    click(qtbot, page.create_button)


def test_profiles_are_made_edited_and_deleted_on_the_remote(qtbot, window, live):
    page = open_page(qtbot, window, "Flow Configs")
    page.flow.setFocus()
    qtbot.keyClicks(page.flow, "hello")
    assert page.flow.currentText() == "hello"
    qtbot.waitUntil(page.empty.isVisible, timeout=10000)
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 300 s", timeout=10000)
    new_profile(qtbot, page, "", "7")
    qtbot.waitUntil(lambda: page.rows() == [["default", "7 s", ""]], timeout=10000)
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 7 s", timeout=10000)
    assert remote_configs(live, "hello") == {"default": (7, [])}

    # Edit: a new timeout and an override, one Save; the effective value follows.
    click(qtbot, page.edit_buttons["default"])
    assert page.create_button.text() == "Save" and page.profile_name.text() == "default"
    type_over(qtbot, page.profile_timeout, "9")
    type_over(qtbot, page.override_name, "TOKEN")
    type_over(qtbot, page.override_value, "per-profile")
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.rows() == [["default", "9 s", "TOKEN"]], timeout=10000)
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 9 s; secrets TOKEN", timeout=10000)
    assert not page.form.isVisible()

    # A second profile; renaming it onto "default", or creating "fast" again, is refused whole.
    new_profile(qtbot, page, "fast", "3")
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["default", "fast"], timeout=10000)
    click(qtbot, page.edit_buttons["fast"])
    type_over(qtbot, page.profile_name, "default")
    type_over(qtbot, page.profile_timeout, "5")
    click(qtbot, page.create_button)
    qtbot.waitUntil(page.error.isVisible, timeout=10000)
    assert page.error.text() == 'a config named "default" already exists for flow "hello"'
    assert page.form.isVisible() and page.profile_name.text() == "default"
    assert remote_configs(live, "hello") == {"default": (9, ["TOKEN"]), "fast": (3, [])}
    click(qtbot, page.new_button)
    type_over(qtbot, page.profile_name, "fast")
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.error.text() == 'a config named "fast" already exists for flow "hello"',
                    timeout=10000)

    # Rename works when the name is free; an override is ticked off.
    click(qtbot, page.edit_buttons["default"])
    item = page.remove_overrides.item(0)
    assert item.text() == "TOKEN"
    rect = page.remove_overrides.visualItemRect(item)
    qtbot.mouseClick(page.remove_overrides.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(page.remove_overrides, Qt.Key.Key_Space)
    assert page.ticked_removals() == ("TOKEN",)
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 9 s", timeout=10000)
    click(qtbot, page.edit_buttons["fast"])
    type_over(qtbot, page.profile_name, "quick")
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["default", "quick"], timeout=10000)
    assert remote_configs(live, "hello") == {"default": (9, []), "quick": (3, [])}

    # Delete asks first.
    click(qtbot, page.delete_buttons["quick"])
    box = page.dialog
    assert box is not None and box.windowTitle() == "Delete profile"
    click(qtbot, box.findChild(type(page.new_button), "deleteProfileButton"))
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["default"], timeout=10000)
    assert remote_configs(live, "hello") == {"default": (9, [])}


def test_the_remotes_unset_required_secrets_are_flagged_on_the_page_and_in_the_run_dialog(qtbot, window, live,
                                                                                          example_workspace):
    with live.client() as client:  # the module's server may keep a secret from another test
        client.delete("/api/secrets/TOKEN")
    tab = open_flow(window, example_workspace, "read-token")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    dialog = shown(window, RunGraphDialog)
    qtbot.waitUntil(dialog.secrets.isVisible, timeout=10000)
    assert "TOKEN (tests/secrets@0.1.0:Reader)" in dialog.secrets.text()
    dialog.reject()

    page = open_page(qtbot, window, "Secrets")
    qtbot.waitUntil(lambda: "TOKEN — required by tests/secrets@0.1.0:Reader" in page.missing.text(), timeout=10000)
    assert page.missing.text() == ("Required by flows, not set:\n"
                                   "TOKEN — required by tests/secrets@0.1.0:Reader (flows: read-token)")
    click(qtbot, page.add_button)
    type_over(qtbot, page.name, "TOKEN")
    type_over(qtbot, page.value, "remote-value")
    click(qtbot, page.save_button)
    qtbot.waitUntil(lambda: [r[0] for r in page.rows()] == ["TOKEN"], timeout=10000)
    qtbot.waitUntil(lambda: not page.missing.isVisible(), timeout=10000)
    with live.client() as client:
        assert [s["name"] for s in client.get("/api/secrets").json()["secrets"]] == ["TOKEN"]


def test_a_profile_made_on_the_remote_sets_the_node_timeout_of_a_run_there(qtbot, window, live, example_workspace):
    page = open_page(qtbot, window, "Flow Configs")
    page.flow.setFocus()
    qtbot.keyClicks(page.flow, "hang")
    assert page.flow.currentText() == "hang"
    qtbot.waitUntil(page.empty.isVisible, timeout=10000)
    new_profile(qtbot, page, "", "1")
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 1 s", timeout=10000)
    tab = open_flow(window, example_workspace, "hang")
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    dialog = shown(window, RunGraphDialog)
    type_over(qtbot, dialog.control("text"), "x")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab, timeout=60000)
    assert tab.run.state.status == "Failed"
    assert window.results.output.toPlainText() == 'node "n2" timed out after 1s'
    with live.client() as client:  # it ran there
        assert client.get(f"/invocations/v1/executions/{tab.run.state.execution_id}").status_code == 200
