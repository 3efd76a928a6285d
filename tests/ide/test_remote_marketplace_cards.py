"""The remote Marketplace's package cards show what the local cards show (the remote's registry
listing carries it): the description, the nodes (each node's input → output in the tooltip), then
In Development / Published and the commit; the search box matches descriptions and node names as
the local one does. A real ``axiom-ide serve`` subprocess is the platform; the IDE is switched to it
in Settings → Connections with real clicks."""
from __future__ import annotations

import os

import live_server as server_live
import pytest
import registry_support
from ide_support import click, open_flow, type_over
from PySide6.QtWidgets import QLabel
from test_connections import config_dir, fill_remote, open_connections, save_and_wait  # noqa: F401  (fixtures)

MATH = "Example arithmetic nodes — add, multiply and increment numbers."
WORDS = "Counts words in arithmetic-free prose."


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """tester/market@0.1.0 published and @0.2.0 pushed; tester/words@0.1.0 (another description) pushed,
    then its stored Increment handler lost (its deploy fails: that node does not answer)."""
    root = tmp_path_factory.mktemp("remote-cards")
    server = server_live.start_server(root)
    registry_support.published_and_pushed(server, root / "market", "tester/market")
    repo = registry_support.package_repo(root / "words", "tester/words")
    manifest = repo / "axiom.yaml"
    manifest.write_text(manifest.read_text().replace(MATH, WORDS))
    registry_support.commit_all(repo)
    with server.client(timeout=600) as client:
        assert client.post("/api/registry/packages", json=registry_support.archive(repo)).status_code == 201
    [handler] = (server.data_dir / "registry" / "private").glob("*/*words*0.1.0/nodes/increment.py")
    handler.unlink()
    yield server
    server_live.stop_server(server)


def _texts(card) -> list[str]:
    return [label.text() for label in card.findChildren(QLabel)]


def test_remote_package_cards_show_description_nodes_and_where_they_are(qtbot, window, platform, config_dir,  # noqa: F811
                                                                        example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, platform.origin, platform.key)
    assert save_and_wait(qtbot, dialog, "ok").startswith("✓ Logged in as")
    click(qtbot, dialog.close_button)
    market = window.marketplace
    window.marketplace_dock.show()
    window.marketplace_dock.raise_()
    keys = {"tester/market@0.1.0", "tester/market@0.2.0", "tester/words@0.1.0"}
    qtbot.waitUntil(lambda: market.remote_mode and set(market.cards) == keys, timeout=30_000)

    published = market.cards["tester/market@0.1.0"]
    texts = _texts(published)
    assert texts[0] == "<b>tester/market</b> <span style='color:gray'>@0.1.0</span>"
    assert texts[1:4] == [MATH, "Nodes: Add, Multiply, Increment", "Published"]
    assert texts[4].startswith("Commit ") and len(texts[4]) == len("Commit ") + 12
    nodes = published.findChild(QLabel, "cardNodes")
    assert nodes.toolTip() == ("Add: AddInput → MathResult\nMultiply: AddInput → MathResult\n"
                               "Increment: Number → Number")
    assert _texts(market.cards["tester/market@0.2.0"])[1:4] == [MATH, "Nodes: Add, Multiply, Increment",
                                                                "In Development"]
    words = market.cards["tester/words@0.1.0"]
    missing = 'Not deployed: 2 of 3 nodes answer: node "Increment": its handler nodes/increment.py is missing'
    assert _texts(words)[1:5] == [WORDS, "Nodes: Add, Multiply, Increment", missing, "In Development"]
    deploy = words.findChild(QLabel, "cardDeploy")
    assert (deploy.property("error"), deploy.property("hint")) == (True, False)  # the theme's red line
    assert [c.findChild(QLabel, "cardDeploy") for k, c in market.cards.items() if k != "tester/words@0.1.0"] == [
        None, None]  # a deployed version's card says nothing about it
    # the same body the local card has for the same package (the workspace's examples/math)
    from axiom_ide.app.panels.marketplace import PackageCard

    workspace = market._workspace()
    math_card = PackageCard("examples/math@0.1.0", workspace.packages["examples/math@0.1.0"], "In Development")
    assert _texts(math_card)[1:3] == [MATH, "Nodes: Add, Multiply, Increment"]
    assert math_card.findChild(QLabel, "cardNodes").toolTip() == nodes.toolTip()
    math_card.deleteLater()

    qtbot.waitUntil(lambda: all(c.isVisible() for c in market.cards.values()))
    shots = os.environ.get("AXIOM_SCREENSHOT_DIR")
    if shots:
        window.resize(1280, 720)
        market.grab().save(os.path.join(shots, "remote_marketplace_cards.png"))

    # search: descriptions and node names, as the local listing
    type_over(qtbot, market.search, "prose")
    assert set(market.cards) == {"tester/words@0.1.0"}
    type_over(qtbot, market.search, "increment")
    assert set(market.cards) == keys
    type_over(qtbot, market.search, "market@0.2")
    assert set(market.cards) == {"tester/market@0.2.0"}
    click(qtbot, market.cards["tester/market@0.2.0"].import_button)
    assert "tester/market@0.2.0" in tab.doc.flow.imports
    type_over(qtbot, market.search, "")
    assert set(market.cards) == keys
