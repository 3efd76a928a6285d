"""The result panel belongs to its flow (#13 item 8): each tab keeps its own run, result and
events; switching tabs (a click on the tab bar) switches them; Show on canvas on a result of a
flow that is not the active tab activates that flow's tab and selects the failing item; every run
colours its cards, pipeline runs included."""
from __future__ import annotations

import json

import pytest
from engine_support import chain, write_flow
from ide_support import BADMAP_FLOW, click, click_header, click_tab, double_click_item, open_flow, wait_done


@pytest.fixture
def window(run_window):
    return run_window


def event_types(window):
    tree = window.results.events
    return [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]


def event_nodes(window):
    tree = window.results.events
    return {tree.topLevelItem(i).text(2) for i in range(tree.topLevelItemCount())} - {""}


def test_two_tabs_keep_their_own_results_when_switching(qtbot, window, example_workspace):
    hello = open_flow(window, example_workspace, "hello")
    window.start_run(hello, {"name": "Ada"})
    wait_done(qtbot, hello)
    square = open_flow(window, example_workspace, "square")
    window.start_run(square, {"a": 2, "b": 3})
    wait_done(qtbot, square)
    results = window.results
    assert json.loads(results.output.toPlainText()) == {"result": 25.0}

    click_tab(qtbot, window.tabs, 0)
    assert window.current_tab() is hello
    assert json.loads(results.output.toPlainText()) == {"greeting": "Hello, Ada!"}
    assert results.execution_label.text() == f"execution {hello.run.state.execution_id}"
    assert event_nodes(window) == {"greet"}  # hello's events, not square's

    click_tab(qtbot, window.tabs, 1)
    assert json.loads(results.output.toPlainText()) == {"result": 25.0}
    assert results.execution_label.text() == f"execution {square.run.state.execution_id}"
    assert event_nodes(window) == {n.id for n in square.doc.flow.nodes}

    # A tab that never ran shows no one else's result.
    open_flow(window, example_workspace, "greeter")
    assert results.title.text() == "No run yet"
    assert results.output.toPlainText() == "" and event_types(window) == []
    assert results.tab is window.current_tab()

    # An edit resets the pill, but the tab's last result stays its own.
    click_tab(qtbot, window.tabs, 0)
    hello.doc.set_flow_attr("description", "edited")
    click_tab(qtbot, window.tabs, 1)
    click_tab(qtbot, window.tabs, 0)
    assert json.loads(results.output.toPlainText()) == {"greeting": "Hello, Ada!"}


def test_show_on_canvas_from_a_background_result_activates_its_tab(qtbot, window, example_workspace):
    chain(example_workspace, "boom", ["Upper", "Boom"])
    boom = open_flow(window, example_workspace, "boom")
    run = window.start_run(boom, {"text": "x"})
    wait_done(qtbot, boom)
    failed_id = run.state.execution_id
    hello = open_flow(window, example_workspace, "hello")
    assert window.current_tab() is hello and window.results.title.text() == "No run yet"

    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: [r[4] for r in page.rows()] == [failed_id])
    double_click_item(qtbot, page.table, page.table.topLevelItem(0))
    results = window.results
    qtbot.waitUntil(lambda: results.title.text() == "Execution Failed")
    assert window.current_tab() is hello  # shown, but hello stays the active flow
    window.results_dock.raise_()
    qtbot.waitUntil(results.show_button.isVisible)
    click(qtbot, results.show_button)
    assert window.current_tab() is boom
    assert boom.scene.selected_node_ids() == ["n2"]
    assert hello.scene.selected_node_ids() == []
    assert results.execution_label.text() == f"execution {failed_id}"


def test_show_on_canvas_opens_the_closed_flow_and_selects_the_failing_edge(qtbot, window, example_workspace):
    write_flow(example_workspace, "badmap", BADMAP_FLOW)
    badmap = open_flow(window, example_workspace, "badmap")
    window.start_run(badmap, {"text": "abc"})
    wait_done(qtbot, badmap)
    hello = open_flow(window, example_workspace, "hello")
    click_tab(qtbot, window.tabs, 0)
    assert window.close_current_tab()
    assert window.current_tab() is hello and window.tabs.count() == 1

    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: len(page.rows()) == 1)
    double_click_item(qtbot, page.table, page.table.topLevelItem(0))
    results = window.results
    qtbot.waitUntil(lambda: results.failure_label.text() == 'EDGE_ADAPTER · edge "a" → "b"')
    window.results_dock.raise_()
    qtbot.waitUntil(results.show_button.isVisible)
    click(qtbot, results.show_button)
    tab = window.current_tab()
    assert tab is not hello and tab.doc.flow.name == "badmap"
    assert tab.scene.selected_edge_keys() == [("a", "b")]
    assert hello.scene.selected_edge_keys() == []


def test_a_pipeline_run_colours_its_cards(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "words")
    window.start_run(tab, {"text": "to be or"}, debug_mode=False)
    wait_done(qtbot, tab)
    assert tab.run.state.status == "Completed"
    nodes = [n.id for n in tab.doc.flow.nodes]
    assert nodes
    qtbot.waitUntil(lambda: all(tab.scene.item_for_node(n).run_state == "completed" for n in nodes))
