"""Running flows from the IDE on the real runtime (inline node code): Run Graph dialog, result
panel, status pill, run state on the canvas, Show on canvas, Stop, pipeline frames."""
from __future__ import annotations

import json

import pytest
from engine_support import chain, write_flow
from ide_support import BADMAP_FLOW, click, open_flow, press_shortcut, shown, type_over, wait_done
from PySide6.QtCore import Qt

from axiom_ide.app.dialogs.run_graph import RunGraphDialog


@pytest.fixture
def window(run_window):
    return run_window


def run_with(qtbot, window, tab, **fields):
    """Click Run, fill the form, click ▶ Run; return the run."""
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    dialog = shown(window, RunGraphDialog)
    assert dialog.windowTitle() == "Run Graph" and dialog.isVisible()
    for name, value in fields.items():
        widget = dialog.control(name)
        widget.clear()
        qtbot.keyClicks(widget, str(value))
    qtbot.mouseClick(dialog.run_button, Qt.MouseButton.LeftButton)
    return tab.run


def event_rows(window):
    tree = window.results.events
    return [[tree.topLevelItem(i).text(c) for c in range(5)] for i in range(tree.topLevelItemCount())]


def test_hello_runs_from_the_run_graph_dialog(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    run = run_with(qtbot, window, tab, name="Ada")
    wait_done(qtbot, tab)
    assert run.state.status == "Completed"
    assert window.results.title.text() == "Execution Completed"
    assert json.loads(window.results.output.toPlainText()) == {"greeting": "Hello, Ada!"}
    assert window.results.tabs.tabText(window.results.tabs.currentIndex()) == "Output"
    assert tab.pill.text() == "Completed"
    assert tab.scene.item_for_node("greet").run_state == "completed"
    rows = event_rows(window)
    assert [r[1] for r in rows] == ["EXECUTION_STARTED", "NODE_STARTED", "LOG", "NODE_COMPLETED",
                                    "EXECUTION_COMPLETED"]
    assert rows[2][2] == "greet" and rows[2][4] == "INFO: greeting requested"
    assert rows[3][2] == "greet" and rows[3][3].endswith(" ms")
    assert window.results.execution_label.text() == f"execution {run.state.execution_id}"
    assert not window.results.failure_bar.isVisible()
    # An edit ends the binding: the pill and the cards show the flow again.
    tab.doc.set_flow_attr("description", "edited")
    assert tab.pill.text() == "Valid" and tab.scene.item_for_node("greet").run_state is None


def test_run_dialog_builds_the_form_from_the_entry_input_and_ctrl_enter_runs(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "square")
    dialog = window.run_flow()
    assert [c.name for c in dialog.controls] == ["a", "b"]
    assert dialog.flow_type.text() == "Unary — single request / response"
    assert dialog.debug_mode.isChecked()
    type_over(qtbot, dialog.control("a"), "2")
    type_over(qtbot, dialog.control("b"), "3")
    qtbot.keyClick(dialog.control("b"), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    wait_done(qtbot, tab)
    assert tab.run.state.result.output == {"result": 25.0}
    # The next Run remembers the input.
    again = window.run_flow()
    assert again.input_value() == {"a": 2, "b": 3}
    again.reject()


def test_failing_node_shows_execution_failed_and_show_on_canvas_selects_it(qtbot, window, example_workspace):
    chain(example_workspace, "boom", ["Upper", "Boom"])
    tab = open_flow(window, example_workspace, "boom")
    run_with(qtbot, window, tab, text="x")
    wait_done(qtbot, tab)
    results = window.results
    assert results.title.text() == "Execution Failed"
    assert results.output.toPlainText() == 'node "n2": boom: X'
    assert tab.pill.text() == "Failed"
    assert results.failure_bar.isVisible() and results.failure_label.text() == 'NODE_FAILED · node "n2"'
    assert tab.scene.item_for_node("n1").run_state == "completed"
    assert tab.scene.item_for_node("n2").run_state == "failed"
    failed = [r for r in event_rows(window) if r[1] == "NODE_FAILED"]
    assert failed and failed[0][2] == "n2" and failed[0][4] == "boom: X"
    qtbot.mouseClick(results.show_button, Qt.MouseButton.LeftButton)
    assert tab.scene.selected_node_ids() == ["n2"]


def test_edge_adapter_failure_selects_the_edge(qtbot, window, example_workspace):
    write_flow(example_workspace, "badmap", BADMAP_FLOW)
    tab = open_flow(window, example_workspace, "badmap")
    run_with(qtbot, window, tab, text="abc")
    wait_done(qtbot, tab)
    results = window.results
    assert results.title.text() == "Execution Failed"
    assert results.output.toPlainText() == ('edge "a" → "b": EvaluateEdge adapter: '
                                            'transform TRANSFORM_SPLIT failed: split: index out of range')
    assert results.failure_label.text() == 'EDGE_ADAPTER · edge "a" → "b"'
    qtbot.mouseClick(results.show_button, Qt.MouseButton.LeftButton)
    assert tab.scene.selected_edge_keys() == [("a", "b")]


def test_stop_cancels_a_long_run(qtbot, window, example_workspace):
    chain(example_workspace, "hang", ["Upper", "Hang"])
    tab = open_flow(window, example_workspace, "hang")
    run = run_with(qtbot, window, tab, text="x")
    qtbot.waitUntil(lambda: run.state.current_node == "n2", timeout=20000)
    assert tab.stop_button.isVisible() and not tab.run_button.isVisible()
    assert window.actions["stop-action"].isEnabled()
    assert window.results.progress_text().startswith("Running — n2 · ")
    assert tab.scene.item_for_node("n2").run_state == "running"
    press_shortcut(qtbot, window, "stop-action")
    wait_done(qtbot, tab)
    assert run.state.status == "Cancelled"
    assert window.results.title.text() == "Execution Cancelled"
    assert tab.pill.text() == "Cancelled"
    assert tab.run_button.isVisible() and not tab.stop_button.isVisible()
    assert tab.scene.item_for_node("n2").run_state is None
    assert not window.actions["stop-action"].isEnabled()


def test_pipeline_frames_arrive_in_the_output_tab(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "words")
    dialog = window.run_flow()
    assert dialog.flow_type.text() == "⚡ Pipeline — streams multiple frames via SSE"
    assert not dialog.debug_mode.isVisible()
    qtbot.keyClicks(dialog.control("text"), "to be or")
    click(qtbot, dialog.run_button)
    wait_done(qtbot, tab)
    lines = window.results.output.toPlainText().splitlines()
    assert lines == ['[0] {"word": "TO", "index": 0}', '[1] {"word": "BE", "index": 1}',
                     '[2] {"word": "OR", "index": 2}', "— 3 frame(s), stream complete"]
    assert tab.pill.text() == "Completed"


def test_compile_errors_surface_in_the_output_tab(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    run = window.start_run(tab, {"nope": 1})
    wait_done(qtbot, tab)
    assert run.state.status == "Failed"
    assert window.results.output.toPlainText().startswith("invalid JSON for ")
