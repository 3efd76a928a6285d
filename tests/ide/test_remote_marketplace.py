"""The Marketplace panel on a remote (a real ``axiom-ide serve`` subprocess as the platform): switched
to it in Settings → Connections, the panel lists the remote's packages (its pushes "In Development",
published versions "Published") and its public flows; + Import on a package adds it to the open
flow's library; + Import on a public flow pulls it into flows/<name>.flow.yaml and opens it, asking
before it overwrites a file (Cancel keeps the file). Local again: today's listing."""
from __future__ import annotations

import os

import live_server as server_live
import pytest
import registry_support
from ide_support import click, open_flow, type_over
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from test_connections import config_dir, fill_remote, open_connections, save_and_wait  # noqa: F401  (fixtures)

from axiom_ide.runtime.model.flow_yaml import load_flow


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """The remote with tester/market@0.1.0 published, tester/market@0.2.0 pushed (private), and the
    flows "linear" and "shout" (the remote's own) published."""
    root = tmp_path_factory.mktemp("remote-market")
    server = server_live.start_server(root)
    shout = (server.workspace / "flows" / "linear.flow.yaml").read_text().replace("name: linear", "name: shout")
    (server.workspace / "flows" / "shout.flow.yaml").write_text(shout)
    with server.client(timeout=600) as client:
        for version in ("0.1.0", "0.2.0"):
            repo = registry_support.package_repo(root / version, "tester/market", version)
            answer = client.post("/api/registry/packages", json=registry_support.archive(repo))
            assert answer.status_code == 201, answer.text
        assert client.post("/api/registry/packages/tester/market/0.1.0/publish").status_code == 200
        graphs = {}
        for flow in ("linear", "shout"):
            graphs[flow] = server.compile(flow)
            assert client.post(f"/api/registry/flows/{graphs[flow]}/publish").status_code == 200
    server.graphs = graphs
    yield server
    server_live.stop_server(server)


def _connect(qtbot, window, platform) -> None:
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, platform.origin, platform.key)
    assert save_and_wait(qtbot, dialog, "ok").startswith("✓ Logged in as")
    click(qtbot, dialog.close_button)


def _pick(qtbot, combo, text: str) -> None:
    """Choose ``text`` in ``combo`` with the arrow keys, as a user tabbing to it does."""
    key = Qt.Key.Key_Down if combo.findText(text) > combo.currentIndex() else Qt.Key.Key_Up
    while combo.currentText() != text:
        QTest.keyClick(combo, key)


def _box(qtbot, remote, previous=None) -> QMessageBox:
    qtbot.waitUntil(lambda: remote.box is not None and remote.box is not previous and remote.box.isVisible(),
                    timeout=30_000)
    return remote.box


def test_the_remote_marketplace_lists_imports_and_pulls(qtbot, window, platform, config_dir, example_workspace):  # noqa: F811
    tab = open_flow(window, example_workspace, "hello")
    market = window.marketplace
    local_cards = set(market.cards)
    assert "examples/text@0.1.0" in local_cards
    _connect(qtbot, window, platform)
    window.marketplace_dock.show()
    window.marketplace_dock.raise_()
    qtbot.waitUntil(lambda: market.remote_mode and set(market.cards) == {"tester/market@0.1.0",
                                                                         "tester/market@0.2.0"}, timeout=30_000)
    assert market.tab_bar.isVisible() and not market.title.isVisible()
    assert [market.filter.itemText(i) for i in range(market.filter.count())] == ["All packages", "In Development",
                                                                               "Published"]
    _pick(qtbot, market.filter, "In Development")
    assert set(market.cards) == {"tester/market@0.2.0"}
    _pick(qtbot, market.filter, "Published")
    assert set(market.cards) == {"tester/market@0.1.0"}
    _pick(qtbot, market.filter, "All packages")
    type_over(qtbot, market.search, "0.2")
    assert set(market.cards) == {"tester/market@0.2.0"}
    type_over(qtbot, market.search, "")
    qtbot.waitUntil(lambda: all(c.isVisible() for c in market.cards.values()))
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        window.resize(1280, 720)
        market.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "remote_marketplace_packages.png"))

    # + Import on a package: into the open flow's library, one undoable command
    card = market.cards["tester/market@0.1.0"]
    click(qtbot, card.import_button)
    assert "tester/market@0.1.0" in tab.doc.flow.imports
    assert card.import_button.text() == "Imported" and not card.import_button.isEnabled()
    tab.doc.undo_stack.undo()
    assert "tester/market@0.1.0" not in tab.doc.flow.imports

    # Flows: the public flows; + Import pulls a new one into flows/ and opens it
    qtbot.mouseClick(market.tab_bar, Qt.MouseButton.LeftButton, pos=market.tab_bar.tabRect(1).center())
    qtbot.waitUntil(lambda: set(market.cards) == {f"flow:{g}" for g in platform.graphs.values()})
    assert not market.filter.isVisible()
    qtbot.waitUntil(lambda: all(c.isVisible() for c in market.cards.values()))
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        market.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "remote_marketplace_flows.png"))
    shout = example_workspace / "flows" / "shout.flow.yaml"
    assert not shout.exists()
    click(qtbot, market.cards[f"flow:{platform.graphs['shout']}"].import_button)
    qtbot.waitUntil(lambda: shout.exists() and window.current_doc() is not None
                    and window.current_doc().flow.name == "shout", timeout=30_000)
    pulled = load_flow(shout).flow
    assert [n.id for n in pulled.nodes] == ["echo", "upper"]

    # an existing file: asked first; Cancel keeps it, Overwrite replaces it
    linear = example_workspace / "flows" / "linear.flow.yaml"
    linear.write_text(linear.read_text() + "# local edit\n")
    before = linear.read_text()
    remote = market.remote
    click(qtbot, market.cards[f"flow:{platform.graphs['linear']}"].import_button)
    box = _box(qtbot, remote)
    assert box.text() == (f"flows/linear.flow.yaml already exists. Overwrite it with flow linear "
                          f"({platform.graphs['linear']}) from the marketplace?")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    click(qtbot, box.button(QMessageBox.StandardButton.Cancel))
    assert linear.read_text() == before
    click(qtbot, market.cards[f"flow:{platform.graphs['linear']}"].import_button)
    box = _box(qtbot, remote, previous=box)
    click(qtbot, next(b for b in box.buttons() if b.text() == "Overwrite"))
    qtbot.waitUntil(lambda: "# local edit" not in linear.read_text(), timeout=30_000)
    assert [n.id for n in load_flow(linear).flow.nodes] == ["echo", "upper"]

    # Local again: today's listing
    dialog = open_connections(qtbot, window)
    click(qtbot, dialog.local_button)
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not market.remote_mode and "examples/text@0.1.0" in market.cards, timeout=30_000)
    assert not market.tab_bar.isVisible() and market.filter.currentText() == "All packages"


def _choose(qtbot, menu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_import_types_writes_the_protos_into_a_workspace_package(qtbot, window, platform, config_dir,  # noqa: F811
                                                                 example_workspace):
    from axiom_ide.runtime.packages.messages import import_dir

    _connect(qtbot, window, platform)
    market = window.marketplace
    window.marketplace_dock.show()
    qtbot.waitUntil(lambda: market.remote_mode and "tester/market@0.1.0" in market.cards, timeout=30_000)
    remote = market.remote
    math_manifest = (example_workspace / "packages" / "math" / "axiom.yaml").read_text()

    # into examples/math: its own AddInput collides, the documented error, nothing written
    click(qtbot, market.cards["tester/market@0.1.0"].types_button)
    qtbot.waitUntil(lambda: remote.types_menu is not None and remote.types_menu.isVisible())
    assert [a.text() for a in remote.types_menu.actions()] == ["examples/math@0.1.0", "examples/text@0.1.0"]
    _choose(qtbot, remote.types_menu, "examples/math@0.1.0")
    box = _box(qtbot, remote)
    assert box.text().startswith("import collision: message ") and '"tester/market@0.1.0"' in box.text()
    assert (example_workspace / "packages" / "math" / "axiom.yaml").read_text() == math_manifest
    assert not (example_workspace / "packages" / "math" / "imports").exists()
    click(qtbot, box.button(QMessageBox.StandardButton.Close))

    # into examples/text: the protos land in imports/<scope-name>/<version>/ and axiom.yaml records them
    menu_before = remote.types_menu
    click(qtbot, market.cards["tester/market@0.1.0"].types_button)
    qtbot.waitUntil(lambda: remote.types_menu is not menu_before and remote.types_menu.isVisible())
    _choose(qtbot, remote.types_menu, "examples/text@0.1.0")
    box = _box(qtbot, remote, previous=box)
    rel = import_dir("tester/market", "0.1.0")
    assert box.text() == f"✓ imported tester/market@0.1.0 into text/{rel}/: AddInput, MathResult, Number"
    text_root = example_workspace / "packages" / "text"
    written = list((text_root / rel).iterdir())
    assert written and all(p.suffix == ".proto" for p in written)
    assert "message MathResult" in "".join(p.read_text() for p in written)
    manifest = (text_root / "axiom.yaml").read_text()
    assert "tester/market" in manifest and "MathResult" in manifest
