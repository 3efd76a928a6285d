"""Inspector: flow overview (API section, run configuration), node details, selection pages."""
from __future__ import annotations

from ide_support import double_click_item, flush, type_and_enter
from PySide6.QtCore import Qt

from axiom_ide.app.panels.inspector_flow import NO_PROFILES, OPEN_DOCS, USE_API


def test_flow_overview_shows_endpoint_and_run_configuration(window, qtbot, example_workspace):
    window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    page = window.inspector.flow_page
    assert window.inspector.kind == "none"
    assert page.name.text() == "greeter"
    assert page.description.text() == "Greets, then shouts."
    assert page.endpoint.text() == "POST http://127.0.0.1:8765/invocations/v1/flows/invoke"
    assert page.endpoint.cursorPosition() == 0  # narrower than its text, it shows the start, not the host's middle
    assert page.entry.text() == "greet → shout"
    assert page.use_api.text() == USE_API and page.use_api.isEnabled()
    assert page.open_docs.text() == OPEN_DOCS and page.open_docs.isEnabled()
    qtbot.waitUntil(lambda: page.timeout.text() == "Node timeout: 300 s (platform default)")
    assert page.profiles.text() == NO_PROFILES


def test_run_configuration_card_lists_profiles_from_the_config_store(window, qtbot, example_workspace):
    runtime = window.bridge.wait_ready().runtime
    runtime.set_config("default", node_timeout_seconds=120)
    runtime.set_config("load-test", flow_name="greeter", node_timeout_seconds=30,
                       secret_overrides={"TOKEN": "x"})
    runtime.set_config("other", flow_name="hello", node_timeout_seconds=5)
    window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    page = window.inspector.flow_page
    qtbot.waitUntil(lambda: page.timeout.text() == "Node timeout: 120 s (tenant default)")
    assert page.profiles.text() == "default (tenant default) — 120 s\nload-test — 30 s · overrides TOKEN"
    runtime.set_config("default", flow_name="greeter", node_timeout_seconds=60)
    page.refresh_configs()
    qtbot.waitUntil(lambda: page.timeout.text() == "Node timeout: 60 s (flow default)")
    assert page.profiles.text().splitlines()[1] == "default — 60 s"
    # The Run Graph dialog offers the flow's profiles, Tenant default first.
    dialog = window.run_flow()
    qtbot.waitUntil(lambda: dialog.config.isVisibleTo(dialog))
    assert [dialog.config.itemText(i) for i in range(dialog.config.count())] == ["Tenant default", "default", "load-test"]
    assert dialog.config_id() is None
    dialog.reject()


def test_pipeline_flow_uses_the_stream_endpoint(window, qtbot, example_workspace):
    window.open_path(example_workspace / "flows" / "words.flow.yaml")
    page = window.inspector.flow_page
    assert page.endpoint.text().endswith("/invocations/v1/flows/invoke/stream")
    assert page.mode.currentData() == "pipeline"


def test_empty_canvas_disables_api_buttons(window):
    window.new_flow("empty")
    page = window.inspector.flow_page
    assert not page.use_api.isEnabled() and not page.open_docs.isEnabled()


def test_description_edit_is_one_undoable_command(window, qtbot, example_workspace):
    doc = window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    page = window.inspector.flow_page
    type_and_enter(qtbot, page.description, "Greets loudly.")
    qtbot.keyClick(page.description, Qt.Key.Key_Return)  # a second Enter changes nothing
    assert doc.flow.description == "Greets loudly." and doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    flush(qtbot, doc)
    assert page.description.text() == "Greets, then shouts."


def test_node_page_shows_contract_docs_secrets_and_source(window, qtbot, example_workspace):
    doc = window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    flush(qtbot, doc)
    window.current_tab().scene.select_nodes(["greet"])
    assert window.inspector.kind == "node"
    node = window.inspector.node_page
    text = node.details_text()
    for expected in ("examples/text", "0.1.0", "Returns a greeting for a name.", "Input: GreetRequest",
                     "Output: GreetReply", "name", "greeting", "string", "required", "Required secrets"):
        assert expected in text, expected
    assert "def greet" in node.source.toPlainText()
    assert "<span" in node.source.toHtml()  # highlighted by pygments


def test_multi_selection_and_back_to_overview(window, qtbot, example_workspace):
    doc = window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    flush(qtbot, doc)
    scene = window.current_tab().scene
    scene.select_nodes(["greet", "shout"])
    assert window.inspector.kind == "multi"
    assert window.inspector.multi_page.text() == "2 items selected"
    scene.clearSelection()
    assert window.inspector.kind == "none"


def test_problems_double_click_selects_the_edge(window, qtbot, example_workspace):
    doc = window.open_path(example_workspace / "flows" / "hello.flow.yaml")
    doc.add_node("examples/text@0.1.0:Upper")
    doc.connect("greet", "upper")
    flush(qtbot, doc)
    problems = window.problems
    rows = [problems.tree.topLevelItem(i) for i in range(problems.tree.topLevelItemCount())]
    edge_rows = [r for r in rows if r.text(1) == "greet → upper"]
    assert edge_rows
    double_click_item(qtbot, problems.tree, edge_rows[0])
    assert window.current_tab().scene.selected_edge_keys() == [("greet", "upper")]
    assert window.inspector.kind == "edge"
