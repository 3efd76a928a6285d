"""Use as subflow on a remote Marketplace's public flow card, against a real ``axiom-ide serve``: the
IDE, signed in as tenant ``acme``, places tenant ``local``'s published hello in the open flow as one
undoable ``flow:<artifact id>`` node (its flow document kept as the workspace's copy, so the canvas
resolves it), runs the flow on the remote in its own tenant, and undo takes the node away. A flow
written elsewhere with marketplace subflows gets the copies it lacks once the IDE is on the remote."""
from __future__ import annotations

import json
import os

import live_server as server_live
import pytest
from ide_support import click, click_header, on_card, open_flow, shown, type_over, vp, wait_done
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from test_connections import config_dir, fill_remote, open_connections, save_and_wait  # noqa: F401  (fixtures)

from axiom_ide.app.dialogs.run_graph import RunGraphDialog
from axiom_ide.app.file_commands import MARKETPLACE_SUBFLOW
from axiom_ide.runtime.compiler.marketplace import cached_flow_path
from axiom_ide.runtime.model.flow_yaml import load_flow

EMPTY = "name: uses-hello\nmode: unary\nimports: []\nnodes: []\nedges: []\n"


def uses_flow(name: str, graph_id: str) -> str:
    return f"name: {name}\nmode: unary\nimports: []\nnodes:\n  - id: sub\n    node: flow:{graph_id}\nedges: []\n"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """The remote, with hello compiled and published by tenant ``local``."""
    server = server_live.start_server(tmp_path_factory.mktemp("remote-subflow"))
    server.hello = server.compile("hello")
    with server.client() as client:
        assert client.post(f"/api/registry/flows/{server.hello}/publish").status_code == 200
        # a published flow that places hello in turn
        wrap = client.post("/api/compile", json={"source": uses_flow("wrap-hello", server.hello)})
        assert wrap.status_code == 201, wrap.text
        server.wrap = wrap.json()["graph_id"]
        assert client.post(f"/api/registry/flows/{server.wrap}/publish").status_code == 200
    yield server
    server_live.stop_server(server)


def _executions(client) -> list[str]:
    return [e["execution_id"] for e in client.get("/invocations/v1/executions").json()["executions"]]


def test_use_as_subflow_places_another_tenants_public_flow_and_runs_it_in_ours(
        qtbot, window, platform, config_dir, example_workspace):  # noqa: F811
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, platform.origin, platform.other_key)
    assert save_and_wait(qtbot, dialog, "ok") == "✓ Logged in as other (tenant: acme)"
    click(qtbot, dialog.close_button)
    (example_workspace / "flows" / "uses-hello.flow.yaml").write_text(EMPTY)
    tab = open_flow(window, example_workspace, "uses-hello")
    market = window.marketplace
    window.marketplace_dock.show()
    window.marketplace_dock.raise_()
    qtbot.waitUntil(lambda: market.remote_mode and market.remote is not None and not market.remote.loading,
                    timeout=30_000)
    qtbot.mouseClick(market.tab_bar, Qt.MouseButton.LeftButton, pos=market.tab_bar.tabRect(1).center())
    key = f"flow:{platform.hello}"
    qtbot.waitUntil(lambda: key in market.cards and market.cards[key].isVisible(), timeout=30_000)
    card = market.cards[key]
    button = card.subflow_button
    assert button.text() == "Use as subflow" and button.isEnabled()
    assert button.toolTip() == (f"Place this flow in the open flow as a subflow node (flow:{platform.hello}); "
                                "it runs in your tenant")
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        window.resize(1280, 720)
        market.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "marketplace_use_as_subflow.png"))

    steps = tab.doc.undo_stack.count()
    click(qtbot, button)
    qtbot.waitUntil(lambda: tab.doc.flow.node("hello") is not None, timeout=30_000)
    assert tab.doc.undo_stack.count() == steps + 1 and tab.doc.undo_stack.undoText() == "Add hello"
    assert tab.doc.flow.node("hello").node == key
    copy = cached_flow_path(example_workspace, platform.hello)
    assert load_flow(copy).flow.name == "hello"  # the flow document it was compiled from
    analysis = tab.doc.refresh_analysis()
    assert [d.message for d in analysis.diagnostics if d.is_error] == []
    assert tab.run_button.isEnabled()
    card_item = tab.scene._nodes["hello"]
    card_item._rebuild_text()
    assert [t[1].text() for t in card_item._texts[:3]] == ["hello", "hello", "marketplace flow"]
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        window.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "marketplace_subflow_placed.png"))

    # a marketplace subflow is no file to open: a double-click on its card says so
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    at = vp(tab.view, on_card(tab.scene._nodes["hello"]))
    QTest.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    QTest.mouseDClick(tab.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    QTest.mouseRelease(tab.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == MARKETPLACE_SUBFLOW.format(graph_id=platform.hello))
    assert window.tabs.count() == 1 and not any(n.col is not None for n in tab.doc.flow.nodes)
    assert window.inspector.node_page.description.text() == (
        'Runs the published marketplace flow "hello" as one node. It cannot be edited; + Import on its Marketplace '
        "card pulls a copy.")

    with platform.client() as publisher:
        before = _executions(publisher)
    click(qtbot, tab.run_button)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("name"), "Ada")
    click(qtbot, run_dialog.run_button)
    wait_done(qtbot, tab, timeout=60_000)
    assert tab.run.state.status == "Completed", window.results.title.text()
    assert json.loads(window.results.output.toPlainText()) == {"greeting": "Hello, Ada!"}
    execution_id = tab.run.state.execution_id
    with platform.client(platform.other_key) as ours, platform.client() as publisher:
        assert execution_id in _executions(ours)
        assert _executions(publisher) == before  # the publisher sees nothing of it

    click_header(qtbot, window, "undo-action")
    assert tab.doc.flow.node("hello") is None and tab.doc.undo_stack.count() == steps + 1


def test_a_flow_with_marketplace_subflows_gets_its_copies_once_on_the_remote(
        qtbot, window, platform, config_dir, example_workspace):  # noqa: F811
    (example_workspace / "flows" / "uses-wrap.flow.yaml").write_text(uses_flow("uses-wrap", platform.wrap))
    tab = open_flow(window, example_workspace, "uses-wrap")
    (problem,) = [d for d in tab.doc.analysis.diagnostics if d.is_error]  # local: no copy yet
    assert problem.code == "marketplace_flow" and not tab.run_button.isEnabled()
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, platform.origin, platform.other_key)
    assert save_and_wait(qtbot, dialog, "ok").startswith("✓ Logged in as")
    click(qtbot, dialog.close_button)
    copies = [cached_flow_path(example_workspace, g) for g in (platform.wrap, platform.hello)]
    qtbot.waitUntil(lambda: all(c.is_file() for c in copies) and tab.run_button.isEnabled(), timeout=30_000)
    assert [load_flow(c).flow.name for c in copies] == ["wrap-hello", "hello"]  # and the flow it places in turn
    assert [d.message for d in tab.doc.analysis.diagnostics if d.is_error] == []
