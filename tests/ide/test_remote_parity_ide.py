"""The IDE on a remote (a real ``axiom-ide serve``) where it used to act as if local: Run from here
on a failed node — the payload popover shows the input the node's upstream delivered (rebuilt by the
remote from its checkpoints), the edited input runs on the remote, and only the node and what is
downstream run there —; the Tests tab lists a flow's cases and says in words why they run on the
local runtime only; Compare runs compares two remote executions; Save as test case writes a remote
run's case."""
from __future__ import annotations

import json

import live_server
import pytest
from engine_support import add_picky_package, chain
from ide_support import click, close_window, make_window, open_flow, wait_done
from PySide6.QtCore import Qt
from test_payload_popover import click_card, popover_of
from test_remote_dataset import switch_to_remote
from test_run import run_with

from axiom_ide.runtime import event_types as ev


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = live_server.start_server(tmp_path_factory.mktemp("remote-fork"))
    add_picky_package(server.workspace)
    chain(server.workspace, "fixme", ["Upper", "Picky", "Upper"], pkg="tests/picky@0.1.0")
    yield server
    live_server.stop_server(server)


@pytest.fixture
def window(qtbot, example_workspace, tmp_path):
    add_picky_package(example_workspace)  # before the window scans its workspace
    chain(example_workspace, "fixme", ["Upper", "Picky", "Upper"], pkg="tests/picky@0.1.0")
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    yield w
    close_window(w)


def test_run_from_here_on_a_failed_node_runs_on_the_remote_from_its_delivered_input(
        qtbot, window, live, example_workspace, tmp_path, monkeypatch):
    switch_to_remote(qtbot, window, live, tmp_path, monkeypatch)
    tab = open_flow(window, example_workspace, "fixme")
    run_with(qtbot, window, tab, text="fixed")  # n1 delivers "FIXED": n2 fails on the remote
    wait_done(qtbot, tab, timeout=60000)
    parent = tab.run.state.execution_id
    assert tab.run.state.status == "Failed"
    click_card(qtbot, window, tab, "n2")
    popover = popover_of(qtbot, window, "n2")
    assert json.loads(popover.texts["Input"]) == {"text": "FIXED", "big": "0"}
    assert not popover.fork_button.isEnabled()  # a failed node has no output to fork from
    click(qtbot, popover.run_from_here_button)
    dialog = window.payloads.edit_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert json.loads(dialog.editor.toPlainText()) == {"text": "FIXED", "big": "0"}
    dialog.editor.setFocus()
    qtbot.keyClick(dialog.editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.editor, '{"text": "fixed", "big": "0"}')
    click(qtbot, dialog.run_button)
    qtbot.waitUntil(lambda: tab.run.state.execution_id not in (None, parent), timeout=30000)
    wait_done(qtbot, tab, timeout=60000)
    state = tab.run.state
    assert state.status == "Completed" and state.result.output == {"text": "OK", "big": "0"}
    child = state.execution_id
    with live.client() as client:  # the remote's own record of the fork: n1 reused, not re-run
        events = client.get(f"/invocations/v1/executions/{child}/events").json()["events"]
        detail = client.get(f"/invocations/v1/executions/{child}").json()
    assert [e["node"] for e in events if e["type"] == ev.NODE_STARTED] == ["n2", "n3"]
    assert detail["parent_execution_id"] == parent


def test_the_tests_tab_on_the_remote_lists_the_cases_and_says_why_they_do_not_run(
        qtbot, window, live, example_workspace, tmp_path, monkeypatch):
    from test_flow_tests_tab import CASES, show_tests_tab

    from axiom_ide.backends.remote_tests import LOCAL_ONLY

    (example_workspace / "flows" / "greeter.flow.test.yaml").write_text(CASES, encoding="utf-8")
    switch_to_remote(qtbot, window, live, tmp_path, monkeypatch)
    open_flow(window, example_workspace, "greeter")
    panel = show_tests_tab(qtbot, window)
    qtbot.waitUntil(lambda: panel.case_names() == ["greets Ada", "wrong shout", "mocked greet"])
    click(qtbot, panel.run_all_button)
    qtbot.waitUntil(lambda: panel.problems.isVisible() and LOCAL_ONLY in panel.problems.text())
    assert set(panel.results_by_case().values()) == {"not run"}  # nothing left "running…"


def test_compare_two_remote_runs_from_the_executions_view(qtbot, window, live, example_workspace, tmp_path,
                                                          monkeypatch):
    from ide_support import click_item

    switch_to_remote(qtbot, window, live, tmp_path, monkeypatch)
    tab = open_flow(window, example_workspace, "greeter")
    ids = []
    for name in ("Ada", "Bob"):
        run = run_with(qtbot, window, tab, name=name)
        wait_done(qtbot, tab, timeout=60000)
        ids.append(run.state.execution_id)
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: set(ids) <= {r.id for r in panel.records}, timeout=20000)
    items = {it.data(0, Qt.ItemDataRole.UserRole): it for it in
             (panel.table.topLevelItem(i) for i in range(panel.table.topLevelItemCount()))}
    click_item(qtbot, panel.table, items[ids[1]])
    rect = panel.table.visualItemRect(items[ids[0]])
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     rect.center())
    qtbot.waitUntil(lambda: set(panel.selected_ids()) == set(ids))
    click(qtbot, panel.compare_button)
    tools = window.flow_tools
    qtbot.waitUntil(lambda: any(w.objectName() == "runDiffWindow" for w in tools.windows), timeout=20000)
    win = tools.windows[-1]
    assert win.first_label.text() == "First divergent node: greet"
    assert win.diff["a"]["execution_id"] == ids[0]  # the older run is A
    assert ["input", "name", '"Ada"', '"Bob"'] in win.change_rows()


def test_save_a_remote_run_as_a_test_case(qtbot, window, live, example_workspace, tmp_path, monkeypatch):
    from ide_support import click_item

    switch_to_remote(qtbot, window, live, tmp_path, monkeypatch)
    tab = open_flow(window, example_workspace, "greeter")
    run = run_with(qtbot, window, tab, name="Grace")
    wait_done(qtbot, tab, timeout=60000)
    execution_id = run.state.execution_id
    window.flow_tools.ask_case_name = lambda default: "greets Grace"  # the name prompt, answered
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: execution_id in {r.id for r in panel.records}, timeout=20000)
    item = next(it for it in (panel.table.topLevelItem(i) for i in range(panel.table.topLevelItemCount()))
                if it.data(0, Qt.ItemDataRole.UserRole) == execution_id)
    click_item(qtbot, panel.table, item)
    click(qtbot, panel.save_test_button)
    tests = window.flow_tools.tests_panel
    qtbot.waitUntil(lambda: "greets Grace" in tests.case_names(), timeout=20000)
    from ruamel.yaml import YAML

    text = (example_workspace / "flows" / "greeter.flow.test.yaml").read_text(encoding="utf-8")
    assert YAML(typ="safe").load(text)["cases"][-1] == {"name": "greets Grace", "input": {"name": "Grace"},
                                                        "expect": {"output": {"text": "HEY! HELLO, GRACE!"}}}
