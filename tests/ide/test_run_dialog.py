"""The Run Graph dialog, opened as a user does (the Run button): the flow-type line with Switch,
the topology-error and unregistered-secrets warnings, number fields that refuse letters visibly,
and Use via API on top and usable (getting-started/first-flow, concepts/execution-model)."""
from __future__ import annotations

import pytest
from engine_support import add_faults_package, chain, write_package
from ide_support import click, close_window, make_window, open_flow, press_shortcut, shown, type_over
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from axiom_ide.app import api_info
from axiom_ide.app.dialogs.run_graph import SECRETS_WARNING, SWITCH_DISABLED, RunGraphDialog
from axiom_ide.app.dialogs.use_api import UseApiDialog

VAULT_MANIFEST = """\
name: tests/vault
version: 0.1.0
language: python
description: A node that needs a secret.
nodes:
  - name: Fetch
    input: Text
    output: Text
    required_secrets: [VAULT_TOKEN]
"""
VAULT_PROTO = 'syntax = "proto3";\npackage tests.vault;\nmessage Text { string text = 1; }\n'
VAULT_NODES = {"fetch": "def fetch(ax, input):\n    return input\n"}


@pytest.fixture
def window(qtbot, example_workspace, tmp_path):
    add_faults_package(example_workspace)
    write_package(example_workspace, "vault", VAULT_MANIFEST, VAULT_PROTO, VAULT_NODES)
    chain(example_workspace, "upper", ["Upper"])
    chain(example_workspace, "vaulted", ["Fetch"], pkg="tests/vault@0.1.0")
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_window(w)


def open_run_dialog(qtbot, window, tab) -> RunGraphDialog:
    click(qtbot, tab.run_button)
    dialog = shown(window, RunGraphDialog)
    assert dialog.windowTitle() == "Run Graph"
    return dialog


def test_switch_toggles_the_flow_type_as_one_undoable_edit(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "square")
    dialog = open_run_dialog(qtbot, window, tab)
    assert dialog.flow_type.text() == api_info.UNARY_LABEL == "Unary — single request / response"
    assert dialog.switch_button.text() == "Switch" and dialog.switch_button.isEnabled()
    assert dialog.debug_button.isVisible()
    before = tab.doc.undo_stack.count()
    click(qtbot, dialog.switch_button)
    assert tab.doc.flow.mode == "pipeline"
    assert tab.doc.undo_stack.count() == before + 1
    assert dialog.flow_type.text() == api_info.PIPELINE_LABEL == "⚡ Pipeline — streams multiple frames via SSE"
    assert not dialog.debug_button.isVisible() and not dialog.debug_mode.isVisible()
    click(qtbot, dialog.switch_button)
    assert tab.doc.flow.mode == "unary" and dialog.flow_type.text() == api_info.UNARY_LABEL
    click(qtbot, dialog.switch_button)
    click(qtbot, dialog.cancel)
    assert not dialog.isVisible()
    press_shortcut(qtbot, window, "undo-action")
    assert tab.doc.flow.mode == "unary"
    press_shortcut(qtbot, window, "undo-action")
    assert tab.doc.flow.mode == "pipeline"


def test_switch_is_disabled_with_a_reason_when_a_pipeline_node_exists(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "words")
    dialog = open_run_dialog(qtbot, window, tab)
    assert dialog.flow_type.text() == api_info.PIPELINE_LABEL
    assert not dialog.switch_button.isEnabled()
    assert dialog.switch_button.toolTip() == SWITCH_DISABLED
    assert "pipeline node" in SWITCH_DISABLED and "cannot be delivered through a unary run" in SWITCH_DISABLED
    assert not dialog.debug_button.isVisible()
    qtbot.mouseClick(dialog.switch_button, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    assert tab.doc.flow.mode == "pipeline"
    dialog.reject()


def test_a_topology_error_shows_the_warning_and_disables_run(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "upper")
    dialog = open_run_dialog(qtbot, window, tab)
    assert not dialog.topology.isVisible() and dialog.run_button.isEnabled()
    click(qtbot, dialog.debug_mode)
    assert not dialog.debug_mode.isChecked()
    # The flow changes while the dialog is open (a second, unconnected node: two entry nodes).
    tab.doc.add_node("tests/faults@0.1.0:Upper", node_id="n2")
    tab.doc.refresh_analysis()
    qtbot.waitUntil(dialog.topology.isVisible)
    assert dialog.topology.text().startswith("Topology error: ")
    assert any(d.message in dialog.topology.text() for d in tab.doc.analysis.diagnostics if d.code == "start_nodes")
    assert not dialog.run_button.isEnabled() and not dialog.debug_button.isEnabled()
    assert not dialog.debug_mode.isChecked()  # the user's choice survives the flow's change
    dialog.reject()


def test_unregistered_secrets_are_listed_in_the_dialog(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "vaulted")
    dialog = open_run_dialog(qtbot, window, tab)
    qtbot.waitUntil(dialog.secrets.isVisible, timeout=10000)
    assert dialog.secrets.text() == SECRETS_WARNING.format(names="VAULT_TOKEN (tests/vault@0.1.0:Fetch)")
    assert dialog.run_button.isEnabled()  # informational: the run is not blocked
    dialog.reject()
    # A flow whose nodes need no secret shows none.
    tab = open_flow(window, example_workspace, "upper")
    dialog = open_run_dialog(qtbot, window, tab)
    assert not dialog.secrets.isVisible()
    dialog.reject()


def test_letters_in_a_number_field_are_refused_visibly(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "upper")
    dialog = open_run_dialog(qtbot, window, tab)
    big = dialog.control("big")
    type_over(qtbot, big, "12ab")
    assert big.text() == "12ab"  # kept as typed, never silently dropped
    assert dialog.error.isVisible() and dialog.error.text() == 'big: "12ab" is not a whole number'
    assert not dialog.run_button.isEnabled() and not dialog.debug_button.isEnabled()
    qtbot.keyClick(big, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible() and tab.run is None  # Ctrl+Enter does not run it as 0
    type_over(qtbot, big, "12")
    assert not dialog.error.isVisible() and dialog.run_button.isEnabled()
    assert dialog.input_value()["big"] == 12
    dialog.reject()
    tab = open_flow(window, example_workspace, "square")
    dialog = open_run_dialog(qtbot, window, tab)
    type_over(qtbot, dialog.control("a"), "2.5x")
    assert dialog.error.text() == 'a: "2.5x" is not a number' and not dialog.run_button.isEnabled()
    type_over(qtbot, dialog.control("a"), "2.5")
    assert dialog.run_button.isEnabled() and dialog.input_value()["a"] == 2.5
    dialog.reject()


def test_use_via_api_from_the_run_dialog_is_on_top_and_usable(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    dialog = open_run_dialog(qtbot, window, tab)
    type_over(qtbot, dialog.control("name"), "Ada")
    click(qtbot, dialog.use_api)
    api = shown(window, UseApiDialog)
    assert not dialog.isVisible()  # the modal Run dialog is gone
    assert QApplication.activeModalWidget() is None
    qtbot.waitUntil(lambda: api.graph_id is not None, timeout=10000)
    assert api.isVisible() and '"name": "Ada"' in api.texts["curl"].toPlainText()
    click(qtbot, api.copy_button)
    assert QGuiApplication.clipboard().text() == api.texts["curl"].toPlainText()
    api.close()
    # The input typed is kept for the next Run.
    again = open_run_dialog(qtbot, window, tab)
    assert again.control("name").text() == "Ada"
    again.reject()
