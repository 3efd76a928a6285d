"""Edge Plan panel: pass-through vs mapping, live messages, condition, loop — each change one
undoable ``set_edge`` that lands in flow.yaml."""
from __future__ import annotations

from ide_support import click, flush, press_shortcut, type_and_enter
from PySide6.QtWidgets import QToolButton

from axiom_ide.app.panels.edge_plan import CONFIGURE_ANYWAY, TYPES_MATCH


def open_edge(window, qtbot, path, key):
    doc = window.open_path(path)
    flush(qtbot, doc)
    window.current_tab().scene.select_edges([key])
    assert window.inspector.kind == "edge"
    return doc, window.inspector.edge_page


def test_same_types_pass_through_and_configure_anyway(window, qtbot, example_workspace):
    doc = window.open_path(example_workspace / "flows" / "hello.flow.yaml")
    doc.add_node("examples/text@0.1.0:Upper")
    doc.add_node("examples/text@0.1.0:Echo")
    doc.connect("upper", "echo")
    flush(qtbot, doc)
    window.current_tab().scene.select_edges([("upper", "echo")])
    page = window.inspector.edge_page
    assert page.title.text() == "Text → Text"
    assert page.edge_message.text() == TYPES_MATCH
    assert page.configure_button.text() == CONFIGURE_ANYWAY and not page.configure_button.isHidden()
    assert page.rows == {}
    click(qtbot, page.configure_button)
    assert doc.flow.edge("upper", "echo").map == {"text": "text"}
    assert list(page.rows) == ["text"] and page.rows["text"].text() == "text"
    assert page.configure_button.isHidden() and not page.passthrough_button.isHidden()
    doc.undo_stack.undo()
    flush(qtbot, doc)
    assert doc.flow.edge("upper", "echo").map is None
    assert page.rows == {} and page.edge_message.text() == TYPES_MATCH


def test_mismatch_message_per_field_in_the_docs_words(window, qtbot, example_workspace):
    doc, page = open_edge(window, qtbot, example_workspace / "flows" / "greeter.flow.yaml", ("greet", "shout"))
    assert page.title.text() == "GreetReply → Text"
    row = page.rows["text"]
    assert row.text() == 'greeting | trim | prefix("Hey! ")'
    assert [s.value() for s in row.step_rows()] == [("trim", ""), ("prefix", '"Hey! "')]
    assert row.message.isHidden()
    # Reorder, then remove a step: each one command
    count = doc.undo_stack.count()
    click(qtbot, row.step_rows()[1].findChild(QToolButton, "step-up"))
    assert doc.flow.edge("greet", "shout").map == {"text": 'greeting | prefix("Hey! ") | trim'}
    click(qtbot, row.step_rows()[0].findChild(QToolButton, "step-remove"))
    assert doc.flow.edge("greet", "shout").map == {"text": "greeting | trim"}
    assert doc.undo_stack.count() == count + 2
    # A step with bad arguments: the catalog's message appears on the row, live
    click(qtbot, row.add_step)
    step = row.step_rows()[-1]
    step.name_combo.setCurrentIndex(step.name_combo.findData("multiply"))
    assert row.message.text() and not row.message.isHidden()
    # Unmapping a required field warns in the docs' words
    row.source.setCurrentIndex(0)
    assert doc.flow.edge("greet", "shout").map == {}
    assert row.message.text() == "Required field `text` is not mapped."
    flush(qtbot, doc)
    assert "Type warnings must be resolved before running." in window.current_tab().run_button.toolTip()


def test_typing_an_argument_is_debounced_into_one_command(window, qtbot, example_workspace):
    doc, page = open_edge(window, qtbot, example_workspace / "flows" / "greeter.flow.yaml", ("greet", "shout"))
    step = page.rows["text"].step_rows()[1]
    count = doc.undo_stack.count()
    step.args_edit.clear()
    qtbot.keyClicks(step.args_edit, '"Yo "')
    assert doc.undo_stack.count() == count  # nothing committed while typing
    qtbot.waitUntil(lambda: doc.undo_stack.count() == count + 1, timeout=3000)
    assert doc.flow.edge("greet", "shout").map == {"text": 'greeting | trim | prefix("Yo ")'}
    assert page.rows["text"].step_rows()[1].args_edit.text() == '"Yo "'  # no rebuild under the cursor


def test_loop_edge_max_iterations_and_condition(window, qtbot, example_workspace):
    path = example_workspace / "flows" / "counter.flow.yaml"
    doc, page = open_edge(window, qtbot, path, ("step", "bump"))
    assert not page.loop_spin.isHidden() and page.loop_spin.value() == 5
    assert page.condition.text() == "output.value < 10.0"
    type_and_enter(qtbot, page.loop_spin, "7")
    assert doc.flow.edge("step", "bump").loop == 7
    page.condition.clear()
    qtbot.keyClicks(page.condition, "output.value <")
    assert page.condition_error.text().startswith("CEL parse error")
    type_and_enter(qtbot, page.condition, "")
    assert doc.flow.edge("step", "bump").when is None
    press_shortcut(qtbot, window, "save-action")
    text = path.read_text()
    assert "loop: 7" in text and "when:" not in text
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    flush(qtbot, doc)
    assert page.loop_spin.value() == 5 and page.condition.text() == "output.value < 10.0"


def test_forward_edge_hides_loop_controls(window, qtbot, example_workspace):
    _doc, page = open_edge(window, qtbot, example_workspace / "flows" / "counter.flow.yaml", ("bump", "step"))
    assert page.loop_spin.isHidden()
