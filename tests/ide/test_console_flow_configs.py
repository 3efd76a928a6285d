"""Console → Flow Configs with real gestures: the Flow picker lists Tenant default (all flows) then
each flow; a profile made there (blank name = the flow's default) shows in the list and in the
effective values, and changes the node timeout of the next real run; the tenant default timeout
saves on leaving the field."""
from __future__ import annotations

import pytest
from engine_support import chain
from ide_support import click, open_flow, shown, type_and_enter, type_over, wait_done
from PySide6.QtCore import Qt

from axiom_ide.app.console.window import ConsoleWindow
from axiom_ide.app.dialogs.run_graph import RunGraphDialog


@pytest.fixture
def window(run_window):
    return run_window


def open_flow_configs(qtbot, window):
    click(qtbot, window.header.widgetForAction(window.actions["console-action"]))
    console = shown(window, ConsoleWindow)
    item = console.nav.findItems("Flow Configs", Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(console.nav.viewport(), Qt.MouseButton.LeftButton, pos=console.nav.visualItemRect(item).center())
    return console.flow_configs


def test_a_profile_made_in_flow_configs_sets_the_runs_node_timeout(qtbot, window, example_workspace):
    chain(example_workspace, "hang", ["Upper", "Hang"])
    page = open_flow_configs(qtbot, window)
    labels = [page.flow.itemText(i) for i in range(page.flow.count())]
    assert labels[0] == "Tenant default (all flows)" and "hang" in labels and labels[1:] == sorted(labels[1:])
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 300 s", timeout=10000)
    page.flow.setFocus()
    qtbot.keyClicks(page.flow, "hang")
    assert page.flow.currentText() == "hang"
    qtbot.waitUntil(page.empty.isVisible, timeout=10000)
    assert page.empty.text() == "No profiles for this flow yet."
    click(qtbot, page.new_button)
    type_over(qtbot, page.profile_timeout, "1")
    type_over(qtbot, page.override_name, "TOKEN")
    type_over(qtbot, page.override_value, "override-value")
    assert page.override_value.echoMode() == page.override_value.EchoMode.Password
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.rows() == [["default", "1 s", "TOKEN"]], timeout=10000)
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 1 s; secrets TOKEN", timeout=10000)

    tab = open_flow(window, example_workspace, "hang")
    qtbot.waitUntil(lambda: window.inspector.flow_page.timeout.text().startswith("Node timeout: 1 s"), timeout=10000)
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    dialog = shown(window, RunGraphDialog)
    type_over(qtbot, dialog.control("text"), "x")
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    wait_done(qtbot, tab, timeout=60000)
    assert tab.run.state.status == "Failed"
    assert window.results.output.toPlainText() == 'node "n2" timed out after 1s'


def test_the_tenant_default_timeout_saves_on_leaving_the_field(qtbot, window):
    page = open_flow_configs(qtbot, window)
    assert page.flow.currentText() == "Tenant default (all flows)"
    type_and_enter(qtbot, page.default_timeout, "42")
    page.flow.setFocus()  # click away
    qtbot.waitUntil(lambda: page.effective.text() == "Effective: node timeout 42 s", timeout=10000)
    runtime = window.bridge.wait_ready().runtime
    assert runtime.config("default").node_timeout_seconds == 42


def test_the_inspectors_run_configuration_card_links_to_the_flows_configs(qtbot, window, example_workspace):
    open_flow(window, example_workspace, "hello")
    click(qtbot, window.inspector.flow_page.edit_configs)
    console = shown(window, ConsoleWindow)
    assert console.stack.currentWidget() is console.flow_configs
    assert console.nav.currentItem().text() == "Flow Configs"
    assert console.flow_configs.flow.currentText() == "hello"
    qtbot.waitUntil(console.flow_configs.empty.isVisible, timeout=10000)
    page = console.flow_configs
    click(qtbot, page.new_button)
    type_over(qtbot, page.profile_timeout, "7")
    click(qtbot, page.create_button)
    # The card re-reads after the Console's change.
    qtbot.waitUntil(lambda: window.inspector.flow_page.timeout.text().startswith("Node timeout: 7 s"), timeout=10000)


def test_a_taken_profile_name_is_refused_and_an_edit_saves_whole_or_not_at_all(qtbot, window):
    page = open_flow_configs(qtbot, window)
    page.flow.setFocus()
    qtbot.keyClicks(page.flow, "hello")
    qtbot.waitUntil(page.empty.isVisible, timeout=10000)
    for name, timeout in (("", "7"), ("fast", "3")):
        click(qtbot, page.new_button)
        type_over(qtbot, page.profile_name, name)
        type_over(qtbot, page.profile_timeout, timeout)
        click(qtbot, page.create_button)
        qtbot.waitUntil(lambda n=name or "default": n in [r[0] for r in page.rows()], timeout=10000)
    click(qtbot, page.new_button)
    type_over(qtbot, page.profile_name, "fast")
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.error.text() == 'a config named "fast" already exists for flow "hello"', timeout=10000)
    click(qtbot, page.edit_buttons["fast"])
    type_over(qtbot, page.profile_name, "default")
    type_over(qtbot, page.profile_timeout, "9")
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.error.text() == 'a config named "default" already exists for flow "hello"',
                    timeout=10000)
    runtime = window.bridge.wait_ready().runtime
    assert runtime.config("fast", flow_name="hello").node_timeout_seconds == 3  # nothing half-saved
    type_over(qtbot, page.profile_name, "quick")
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: page.rows() == [["default", "7 s", ""], ["quick", "9 s", ""]], timeout=10000)
    click(qtbot, page.delete_buttons["quick"])
    assert page.dialog.windowTitle() == "Delete profile"
    click(qtbot, page.dialog.findChild(type(page.new_button), "deleteProfileButton"))
    qtbot.waitUntil(lambda: page.rows() == [["default", "7 s", ""]], timeout=10000)
    assert runtime.config("quick", flow_name="hello") is None
