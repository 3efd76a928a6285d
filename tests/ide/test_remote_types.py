"""On a remote, the canvas checks flows against the remote's packages too (a real ``axiom-ide serve``
subprocess as the platform, with tester/calc@0.1.0 published and @0.2.0 pushed, neither in the local
workspace, and a public flow placing 0.1.0): switched to it in Settings → Connections, + Import in
the remote Marketplace fetches the package's descriptor, the Library lists its nodes with their
types, the placed nodes connect type-checked, Run is enabled and runs (and debugs) on the remote; a
fresh window on the remote resolves the flow from the cache (a published descriptor is never
fetched again); Local again, the node reads unresolved with the workspace's message. A public flow
used as a subflow brings its packages' descriptors too; a private push pushed again is fetched
again when a flow opens. A remote that cannot be reached says so; a package the remote does not
have either keeps "not found"; two remotes never share descriptors."""
from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

import live_server
import registry_support
from ide_support import (
    click,
    click_at,
    close_window,
    double_click_item,
    drag,
    flush,
    on_card,
    open_flow,
    shown,
    type_over,
    wait_done,
)
from test_connections import _window_without_factory, config_dir, fill_remote, open_connections, save_and_wait  # noqa: F401

from axiom_ide.app.dialogs.run_graph import RunGraphDialog
from axiom_ide.backends.remote_descriptors import cache_root, descriptor_dir

PUBLISHED = "tester/calc@0.1.0"
#: A public flow placing the published package only the remote has.
PUBLIC_FLOW = (f"name: bump\nmode: unary\nimports: [{PUBLISHED}]\nnodes:\n  - id: bump\n"
               f"    node: {PUBLISHED}:Increment\nedges: []\n")


def _setup(server) -> None:
    registry_support.published_and_pushed(server, server.data_dir.parent / "repos", "tester/calc")
    with server.client() as client:
        compiled = client.post("/api/compile", json={"source": PUBLIC_FLOW, "filename": "bump.flow.yaml"})
        assert compiled.status_code == 201, compiled.text
        server.bump = compiled.json()["graph_id"]
        assert client.post(f"/api/registry/flows/{server.bump}/publish").status_code == 200


live = live_server.live_fixture("remote-types", setup=_setup)


def _connect(qtbot, window, origin: str, key: str) -> None:
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, origin, key)
    assert save_and_wait(qtbot, dialog, "ok").startswith("✓ Logged in as")
    click(qtbot, dialog.close_button)


def _go_local(qtbot, window) -> None:
    dialog = open_connections(qtbot, window)
    click(qtbot, dialog.local_button)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: window.backend_status.text() == "Local", timeout=30_000)
    click(qtbot, dialog.close_button)


def _protos_reads(live) -> int:
    return sum("/protos" in line for line in list(live.output))


def _node_messages(doc, node_id: str) -> list[str]:
    return [d.message for d in doc.analysis.for_node(node_id)]


def test_a_remote_package_type_checks_runs_there_and_resolves_from_cache(qtbot, window, live, config_dir,  # noqa: F811
                                                                         example_workspace, tmp_path):
    assert PUBLISHED not in window.workspace.packages
    _connect(qtbot, window, live.origin, live.key)
    doc = window.new_flow("calc")
    tab = window.current_tab()
    market = window.marketplace
    window.marketplace_dock.show()
    window.marketplace_dock.raise_()
    qtbot.waitUntil(lambda: market.remote_mode and PUBLISHED in market.cards, timeout=30_000)

    # + Import: the package joins the flow's library, its descriptor is fetched, the Library lists it
    click(qtbot, market.cards[PUBLISHED].import_button)
    assert doc.flow.imports == [PUBLISHED]
    lib = window.library
    ref = f"{PUBLISHED}:Increment"
    qtbot.waitUntil(lambda: ref in lib.node_refs(), timeout=30_000)
    folder = descriptor_dir(cache_root(example_workspace, live.origin), PUBLISHED)
    assert (folder / "axiom.yaml").is_file() and (folder / "messages").is_dir()
    # the status bar says what was fetched (not the rescan's "N packages")
    assert window.statusBar().currentMessage() == f"Fetched {PUBLISHED} from {urlsplit(live.origin).netloc}"
    assert lib.item_for(ref).toolTip(0).splitlines()[1] == "Number → Number"

    # place two Increments from the Library and connect them: Number → Number type-checks
    double_click_item(qtbot, lib.tree, lib.item_for(ref))
    double_click_item(qtbot, lib.tree, lib.item_for(ref))
    first, second = (n.id for n in doc.flow.nodes)
    flush(qtbot, doc)
    a, b = tab.scene.item_for_node(first), tab.scene.item_for_node(second)
    drag(tab.view, a.output_port(), b.input_port())
    assert doc.flow.edge(first, second) is not None
    flush(qtbot, doc)
    assert doc.analysis.ok, [d.message for d in doc.analysis.diagnostics]
    assert tab.scene.item_for_edge((first, second)).state != "warning"
    assert doc.spec(first).input_type.name == "Number"
    assert tab.run_button.isEnabled() and tab.pill.text() == "Valid"
    click_at(tab.view, on_card(a))  # the Inspector: the contract here, the code on the remote
    assert window.inspector.kind == "node"
    assert window.inspector.node_page.source.toPlainText() == (
        f"The handler's code is on the remote ({PUBLISHED}); this IDE has its types only.")

    # Run: on the remote, which has the node code
    click(qtbot, tab.run_button)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("value"), "1")
    click(qtbot, run_dialog.run_button)
    wait_done(qtbot, tab, timeout=120_000)
    assert tab.run.state.status == "Completed", window.results.title.text()
    assert json.loads(window.results.output.toPlainText()) == {"value": 3.0}
    execution_id = tab.run.state.execution_id
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        window.library_dock.raise_()
        window.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "remote_types_run.png"))
    with live.client() as client:
        answer = client.get(f"/invocations/v1/executions/{execution_id}")
        assert answer.status_code == 200 and answer.json()["status"] == "Completed"

    # Debug: a breakpoint on the second card pauses the remote's LIVE session there; Continue ends it
    from test_debugger_core import choose, right_click_menu

    choose(qtbot, right_click_menu(qtbot, tab, second), "Set breakpoint")
    click(qtbot, tab.run_button)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("value"), "5")
    click(qtbot, run_dialog.debug_button)
    run = tab.run
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.paused_at == second, timeout=60_000)
    with live.client() as client:
        assert client.get(f"/invocations/v1/debug/sessions/{run.debug_session_id}").json()["paused_at"] == second
    click(qtbot, tab.debug_bar.continue_button)
    wait_done(qtbot, tab, timeout=60_000)
    assert run.state.status == "Completed" and run.state.result.output == {"value": 7.0}
    assert window.save(doc)
    path = doc.path

    # A fresh window on the remote: the flow resolves from the cache, nothing fetched again
    reads = _protos_reads(live)
    assert reads >= 1  # the first fetch read the protos (the access log names the route)
    (tmp_path / "fresh").mkdir()
    fresh = _window_without_factory(qtbot, example_workspace, tmp_path / "fresh", "remote")
    try:
        fresh.start([path])
        fresh.bridge.wait_ready()
        qtbot.waitUntil(lambda: fresh.marketplace.remote_mode and fresh.marketplace.types.cache is not None,
                        timeout=30_000)
        again = fresh.current_doc()
        qtbot.waitUntil(lambda: again.spec(first) is not None and fresh.current_tab().run_button.isEnabled(),
                        timeout=30_000)
        qtbot.waitUntil(lambda: fresh.marketplace.types.last is not None, timeout=30_000)
        assert fresh.marketplace.types.last.kept == [PUBLISHED]
        assert _protos_reads(live) == reads
    finally:
        fresh.bridge.close()
        close_window(fresh)

    # Local again: the cache is not used; the node reads unresolved with the workspace's words
    _go_local(qtbot, window)
    qtbot.waitUntil(lambda: doc.spec(first) is None, timeout=30_000)
    assert f'node "{first}": package "{PUBLISHED}" not found in the workspace' in _node_messages(doc, first)
    assert not tab.run_button.isEnabled()
    assert lib.tree.topLevelItem(0).text(0) == f"{PUBLISHED}  (not found)"


def _flow_using(workspace, name: str, key: str) -> None:
    (workspace / "flows" / f"{name}.flow.yaml").write_text(
        f"name: {name}\nmode: unary\nimports: [{key}]\nnodes:\n  - id: inc\n    node: {key}:Increment\nedges: []\n")


def test_an_unreachable_remote_is_said_and_an_unknown_package_stays_not_found(qtbot, window, live, config_dir,  # noqa: F811
                                                                               example_workspace, tmp_path):
    # Neither local nor on the remote: today's error.
    _flow_using(example_workspace, "nowhere", "tester/nowhere@1.0.0")
    _connect(qtbot, window, live.origin, live.key)
    tab = open_flow(window, example_workspace, "nowhere")
    types = window.marketplace.types
    qtbot.waitUntil(lambda: types.last is not None and "tester/nowhere@1.0.0" in types.last.absent, timeout=30_000)
    assert _node_messages(tab.doc, "inc") == ['node "inc": package "tester/nowhere@1.0.0" not found in the workspace']

    # The private push resolves on its remote (fetched into that remote's cache) ...
    _flow_using(example_workspace, "away", "tester/calc@0.2.0")
    tab = open_flow(window, example_workspace, "away")
    qtbot.waitUntil(lambda: tab.doc.spec("inc") is not None, timeout=30_000)

    # ... but not on another remote: one that answered the connection, then went away, is said as
    # unreachable (the first remote's descriptor is never used for it).
    other = live_server.start_server(tmp_path / "gone")
    try:
        _connect(qtbot, window, other.origin, other.key)
    finally:
        live_server.stop_server(other)
    tab = window.current_tab()
    host = other.origin.removeprefix("http://")
    expected = (f'node "inc": package "tester/calc@0.2.0" could not be fetched: the remote {host} could not be '
                f"reached (cannot reach {other.origin}")
    qtbot.waitUntil(lambda: any(m.startswith(expected) for m in _node_messages(tab.doc, "inc")), timeout=30_000)
    assert not tab.run_button.isEnabled()
    top = window.library.tree.topLevelItem(0)
    assert top.text(0) == "tester/calc@0.2.0  (not fetched)"
    assert top.toolTip(0).startswith('package "tester/calc@0.2.0" could not be fetched: the remote')
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        window.show()
        window.library_dock.raise_()
        window.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "remote_types_unreachable.png"))
    _go_local(qtbot, window)


def test_a_marketplace_subflow_on_remote_packages_type_checks_and_runs(qtbot, window, live, config_dir):  # noqa: F811
    from PySide6.QtCore import Qt

    _connect(qtbot, window, live.origin, live.key)
    doc = window.new_flow("outer")
    tab = window.current_tab()
    market = window.marketplace
    window.marketplace_dock.show()
    window.marketplace_dock.raise_()
    qtbot.waitUntil(lambda: market.remote_mode and market.remote is not None and not market.remote.loading,
                    timeout=30_000)
    qtbot.mouseClick(market.tab_bar, Qt.MouseButton.LeftButton, pos=market.tab_bar.tabRect(1).center())
    key = f"flow:{live.bump}"
    qtbot.waitUntil(lambda: key in market.cards and market.cards[key].isVisible(), timeout=30_000)
    click(qtbot, market.cards[key].subflow_button)
    qtbot.waitUntil(lambda: len(doc.flow.nodes) == 1, timeout=30_000)
    node = doc.flow.nodes[0].id
    # the subflow's own package, only on the remote, is fetched: the subflow node resolves
    qtbot.waitUntil(lambda: doc.spec(node) is not None and tab.run_button.isEnabled(), timeout=30_000)
    assert doc.analysis.ok, [d.message for d in doc.analysis.diagnostics]
    click(qtbot, tab.run_button)
    run_dialog = shown(window, RunGraphDialog)
    type_over(qtbot, run_dialog.control("value"), "41")
    click(qtbot, run_dialog.run_button)
    wait_done(qtbot, tab, timeout=120_000)
    assert tab.run.state.status == "Completed", window.results.title.text()
    assert json.loads(window.results.output.toPlainText()) == {"value": 42.0}


def test_a_private_push_pushed_again_is_fetched_again_when_a_flow_opens(qtbot, window, live, config_dir,  # noqa: F811
                                                                          example_workspace, tmp_path):
    private, ref = "tester/calc@0.2.0", "tester/calc@0.2.0:Increment"
    _flow_using(example_workspace, "before", private)
    _flow_using(example_workspace, "after", private)
    _connect(qtbot, window, live.origin, live.key)
    open_flow(window, example_workspace, "before")
    lib = window.library
    qtbot.waitUntil(lambda: lib.item_for(ref) is not None, timeout=30_000)
    assert lib.item_for(ref).text(0) == "Increment\nAdds one to the value."

    # The tenant pushes 0.2.0 again with another description: the next flow opened shows it.
    repo = registry_support.package_repo(tmp_path / "again", "tester/calc", "0.2.0")
    manifest = repo / "axiom.yaml"
    manifest.write_text(manifest.read_text().replace("Adds one to the value.", "Adds one, pushed again."))
    registry_support.commit_all(repo)
    registry_support.git(repo, "push", "-q", "origin", "main")
    with live.client(timeout=600) as client:
        assert client.post("/api/registry/packages", json=registry_support.archive(repo)).status_code == 201
    open_flow(window, example_workspace, "after")
    qtbot.waitUntil(lambda: lib.item_for(ref) is not None
                    and lib.item_for(ref).text(0) == "Increment\nAdds one, pushed again.", timeout=30_000)
    assert window.statusBar().currentMessage() == f"Fetched {private} from {urlsplit(live.origin).netloc}"
