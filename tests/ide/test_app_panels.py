"""Marketplace (sources, filter, search, + Import) and Library (per-flow nodes, search)."""
from __future__ import annotations

import shutil

from ide_support import click, click_header, close_window, flush, make_window, type_over


def test_marketplace_sources_filter_and_search(qtbot, example_workspace, tmp_path):
    data = tmp_path / "data"
    registry_pkg = data / "registry" / "shapes"
    shutil.copytree(example_workspace / "packages" / "math", registry_pkg)
    manifest = registry_pkg / "axiom.yaml"
    manifest.write_text(manifest.read_text().replace("name: examples/math", "name: acme/shapes", 1))
    w = make_window(qtbot, example_workspace, data, tmp_path / "s.ini")
    market = w.marketplace
    assert sorted(market.cards) == ["acme/shapes@0.1.0", "examples/math@0.1.0", "examples/text@0.1.0"]
    assert [market.filter.itemText(i) for i in range(market.filter.count())] == ["All packages", "In Development", "Local registry"]
    market.filter.setCurrentText("Local registry")
    assert list(market.cards) == ["acme/shapes@0.1.0"]
    market.filter.setCurrentText("In Development")
    assert sorted(market.cards) == ["examples/math@0.1.0", "examples/text@0.1.0"]
    type_over(qtbot, market.search, "arithmetic")
    assert list(market.cards) == ["examples/math@0.1.0"]
    assert not market.cards["examples/math@0.1.0"].import_button.isEnabled()  # no flow open
    close_window(w)


def test_import_is_undoable_and_library_follows(window, qtbot):
    doc = window.new_flow("lib")
    card = window.marketplace.cards["examples/math@0.1.0"]
    click(qtbot, card.import_button)
    flush(qtbot, doc)
    assert doc.flow.imports == ["examples/math@0.1.0"]
    assert window.library.node_refs() == ["examples/math@0.1.0:Add", "examples/math@0.1.0:Multiply",
                                          "examples/math@0.1.0:Increment"]
    type_over(qtbot, window.library.search, "incr")
    assert window.library.node_refs() == ["examples/math@0.1.0:Increment"]
    click_header(qtbot, window, "undo-action")
    flush(qtbot, doc)
    assert doc.flow.imports == [] and window.library.node_refs() == []
    assert card.import_button.text() == "+ Import" and card.import_button.isEnabled()
    assert not window.library.empty.isHidden()


def test_refresh_picks_up_a_new_package(window, example_workspace, qtbot):
    shutil.copytree(example_workspace / "packages" / "math", example_workspace / "packages" / "math2")
    m = example_workspace / "packages" / "math2" / "axiom.yaml"
    m.write_text(m.read_text().replace("version: 0.1.0", "version: 0.2.0", 1))
    click(qtbot, window.marketplace.refresh_button)
    assert "examples/math@0.2.0" in window.marketplace.cards


def test_status_words():
    from axiom_ide.app.status import RUN_TOOLTIP, pill_status, run_tooltip
    from axiom_ide.runtime.model import Flow, FlowNode

    assert pill_status(Flow("f"), None) == ("Draft", "draft")
    flow = Flow("f", nodes=[FlowNode("a", "x/y@0.1.0:A")])

    class A:
        diagnostics = (1, 2)

    assert pill_status(flow, A()) == ("2 problems", "problems")
    A.diagnostics = []
    assert pill_status(flow, A()) == ("Valid", "valid")
    assert run_tooltip([]) == RUN_TOOLTIP
    assert run_tooltip(["a", "b"]) == "a\nb"
