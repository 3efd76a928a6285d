"""The Desktop IDE issue's scenario, end to end through real widgets:

new flow → import a package in the Marketplace → place nodes from the Library (double-click and
drag-and-drop) → connect → amber edge and a blocked Run → fix it in the Edge Plan editor → undo and
redo each step → save → reopen and compare model and file.
"""
from __future__ import annotations

from ide_support import click, click_at, click_header, double_click_item, drag, flush, on_card, on_edge, type_and_enter
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from axiom_ide.app.status import NO_NODES_BLOCKER
from axiom_ide.document import FlowDocument
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.typecheck import required_unmapped_message

TYPE_BLOCKER = "Type warnings must be resolved before running."


def drop_on_canvas(view, mime: QMimeData, at: QPoint) -> None:
    vp = view.viewport()
    enter = QDragEnterEvent(at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(at), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, drop)


def test_compose_fix_undo_save_reopen(window, qtbot, example_workspace):
    window.show()
    doc = window.new_flow("Shout Greeting")
    tab = window.current_tab()
    assert tab.pill.text() == "Draft"
    assert not tab.run_button.isEnabled() and tab.run_button.toolTip() == NO_NODES_BLOCKER

    # Marketplace: In Development → + Import
    market = window.marketplace
    market.filter.setCurrentText("In Development")
    card = market.cards["examples/text@0.1.0"]
    assert card.import_button.text() == "+ Import"
    click(qtbot, card.import_button)
    assert doc.flow.imports == ["examples/text@0.1.0"]
    assert card.import_button.text() == "Imported" and not card.import_button.isEnabled()

    # Library: double-click Greet, drag Upper onto the canvas
    flush(qtbot, doc)
    lib = window.library
    assert "examples/text@0.1.0:Greet" in lib.node_refs()
    greet_item = lib.item_for("examples/text@0.1.0:Greet")
    double_click_item(qtbot, lib.tree, greet_item)
    assert [n.id for n in doc.flow.nodes] == ["greet"]
    mime = lib.tree.mimeData([lib.item_for("examples/text@0.1.0:Upper")])
    assert bytes(mime.data("application/x-axiom-node")).decode() == "examples/text@0.1.0:Upper"
    drop_on_canvas(tab.view, mime, QPoint(tab.view.viewport().width() // 2, 60))
    assert [n.node for n in doc.flow.nodes] == ["examples/text@0.1.0:Greet", "examples/text@0.1.0:Upper"]

    # Connect by dragging greet's output port onto upper's input port: GreetReply → Text differ,
    # so the edge is amber and Run is blocked
    greet, upper = tab.scene.item_for_node("greet"), tab.scene.item_for_node("upper")
    drag(tab.view, greet.output_port(), upper.input_port())
    key = ("greet", "upper")
    assert doc.flow.edge(*key) is not None
    flush(qtbot, doc)
    assert tab.scene.item_for_edge(key).state == "warning"
    assert not tab.run_button.isEnabled()
    assert TYPE_BLOCKER in tab.run_button.toolTip().splitlines()
    assert tab.pill.text().endswith("problem") or tab.pill.text().endswith("problems")
    assert window.problems.messages()

    # Click a card, then the edge: the Edge Plan panel opens on it
    click_at(tab.view, on_card(greet))
    assert window.inspector.kind == "node"
    click_at(tab.view, on_edge(tab.scene.item_for_edge(key)))
    page = window.inspector.edge_page
    assert window.inspector.kind == "edge"
    assert page.title.text() == "GreetReply → Text"
    row = page.rows["text"]
    assert row.message.text() == required_unmapped_message("text")

    # Map text ← greeting: one command; the edge turns normal and Run unlocks
    steps_before = doc.undo_stack.count()
    row.source.setCurrentIndex(row.source.findData("greeting"))
    assert doc.flow.edge(*key).map == {"text": "greeting"}
    assert doc.undo_stack.count() == steps_before + 1
    flush(qtbot, doc)
    assert tab.scene.item_for_edge(key).state != "warning"
    assert tab.run_button.isEnabled() and tab.pill.text() == "Valid"

    # Add a transform step, then change it to PREFIX with an argument typed in
    click(qtbot, row.add_step)
    assert doc.flow.edge(*key).map == {"text": "greeting | upper"}
    step = row.step_rows()[0]
    step.name_combo.setCurrentIndex(step.name_combo.findData("prefix"))
    type_and_enter(qtbot, step.args_edit, '"Hey "')
    assert doc.flow.edge(*key).map == {"text": 'greeting | prefix("Hey ")'}

    # Condition: a parse error shows under the editor and is not committed; a valid one is
    page.condition.clear()
    qtbot.keyClicks(page.condition, "output.greeting ==")
    assert page.condition_error.text().startswith("CEL parse error")
    qtbot.keyClick(page.condition, Qt.Key.Key_Return)
    assert doc.flow.edge(*key).when is None
    page.condition.clear()
    qtbot.keyClicks(page.condition, 'output.greeting != ""')
    assert page.condition_error.text() == ""
    qtbot.keyClick(page.condition, Qt.Key.Key_Return)
    assert doc.flow.edge(*key).when == 'output.greeting != ""'

    # Undo each step back to the unmapped edge, watching the panel follow; then redo all
    history = [
        {"map": {"text": 'greeting | prefix("Hey ")'}, "when": None},
        {"map": {"text": "greeting | prefix"}, "when": None},
        {"map": {"text": "greeting | upper"}, "when": None},
        {"map": {"text": "greeting"}, "when": None},
        {"map": None, "when": None},
    ]
    end = doc.undo_stack.index()
    for expected in history:
        click_header(qtbot, window, "undo-action")
        flush(qtbot, doc)
        edge = doc.flow.edge(*key)
        assert (edge.map, edge.when) == (expected["map"], expected["when"])
        assert page.current_map() == (expected["map"] if expected["map"] is not None else {})
    assert tab.scene.item_for_edge(key).state == "warning"
    while doc.undo_stack.index() < end:
        click_header(qtbot, window, "redo-action")
    flush(qtbot, doc)
    edge = doc.flow.edge(*key)
    assert edge.map == {"text": 'greeting | prefix("Hey ")'} and edge.when == 'output.greeting != ""'
    assert page.rows["text"].text() == 'greeting | prefix("Hey ")'
    assert tab.run_button.isEnabled()

    # Save, reopen, compare model and file
    click_header(qtbot, window, "save-action")
    assert window.statusBar().currentMessage() == "Saved"
    path = doc.path
    text = path.read_text()
    assert 'text: greeting | prefix("Hey ")' in text and "when: output.greeting != \"\"" in text
    reopened = FlowDocument.open(path, window.workspace)
    assert reopened.flow == doc.flow
    assert load_flow(path).flow.to_plain() == doc.flow.to_plain()
    assert reopened.to_text() == text
