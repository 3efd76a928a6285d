"""Node identity: the inspector renames a node's canvas id (validated, edges and join entry
following, one undo step, saved as such), shows the node's description, the card's title is its
canvas id, and double-clicking a subflow card opens that flow in its own tab."""
from __future__ import annotations

from ide_support import click_at, flush, on_card, open_flow, press_shortcut, type_and_enter, vp
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest


def _select(qtbot, window, tab, node_id):
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    click_at(tab.view, on_card(tab.scene._nodes[node_id]))
    qtbot.waitUntil(lambda: window.inspector.kind == "node" and window.inspector.key == node_id)
    return window.inspector.node_page


def test_rename_in_the_inspector_edges_follow_one_undo_step_saved(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "greeter")
    doc = tab.doc
    page = _select(qtbot, window, tab, "greet")
    assert page.id_field.text() == "greet"
    assert "Returns a greeting for a name." in page.description.text()
    type_and_enter(qtbot, page.id_field, "hello-greet")
    assert [n.id for n in doc.flow.nodes] == ["hello-greet", "shout"]
    edge = doc.flow.edges[0]
    assert (edge.src, edge.dst) == ("hello-greet", "shout") and edge.map == {"text": 'greeting | trim | prefix("Hey! ")'}
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Rename greet → hello-greet"
    # The canvas and the inspector follow the new id; the card stays selected.
    assert set(tab.scene._nodes) == {"hello-greet", "shout"} and ("hello-greet", "shout") in tab.scene._edges
    assert tab.scene.selected_node_ids() == ["hello-greet"]
    flush(qtbot, doc)
    assert window.inspector.kind == "node" and window.inspector.key == "hello-greet"
    assert page.id_field.text() == "hello-greet" and not page.id_error.isVisible()
    assert tab.scene._nodes["hello-greet"]._state_key[0] == "hello-greet"
    window.inspector.grab().save("/tmp/e2shots/inspector_renamed.png")
    press_shortcut(qtbot, window, "save-action")
    text = (example_workspace / "flows" / "greeter.flow.yaml").read_text()
    assert "id: hello-greet" in text and "from: hello-greet" in text and ": greet\n" not in text
    # One Ctrl+Z on the canvas undoes the whole rename; the inspector keeps showing the node.
    click_at(tab.view, on_card(tab.scene._nodes["shout"]))
    click_at(tab.view, on_card(tab.scene._nodes["hello-greet"]))
    press_shortcut(qtbot, window, "undo-action")
    assert [n.id for n in doc.flow.nodes] == ["greet", "shout"] and doc.flow.edges[0].src == "greet"
    assert window.inspector.key == "greet" and page.id_field.text() == "greet"
    assert set(tab.scene._edges) == {("greet", "shout")}


def test_a_refused_id_says_why_inline_and_changes_nothing(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "greeter")
    doc = tab.doc
    before = doc.flow.to_plain()
    page = _select(qtbot, window, tab, "greet")
    type_and_enter(qtbot, page.id_field, "Hello Greet")
    assert page.id_error.isVisible()
    assert page.id_error.text() == 'Not renamed: id "Hello Greet" must match ^[a-z0-9][a-z0-9_-]*$'
    type_and_enter(qtbot, page.id_field, "shout")
    assert page.id_error.text() == 'Not renamed: duplicate node id "shout"'
    assert doc.flow.to_plain() == before and doc.undo_stack.count() == 0 and not doc.is_dirty
    window.inspector.grab().save("/tmp/e2shots/inspector_refused.png")
    qtbot.keyClick(page.id_field, Qt.Key.Key_Escape)  # Esc puts the current id back
    assert page.id_field.text() == "greet" and not page.id_error.isVisible()
    type_and_enter(qtbot, page.id_field, "greet-2")  # corrected: the message goes away
    assert not page.id_error.isVisible() and doc.flow.node("greet-2") is not None


def test_join_entry_and_breakpoint_follow_a_rename(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "branching")
    doc = tab.doc
    tab.scene.set_breakpoint("both", True)
    page = _select(qtbot, window, tab, "both")
    type_and_enter(qtbot, page.id_field, "merge")
    assert doc.flow.join == {"merge": {"on_failure": "abort"}}
    assert {e.key for e in doc.flow.edges if e.dst == "merge"} == {("loud", "merge"), ("quiet", "merge")}
    assert tab.scene._nodes["merge"].breakpoint and tab.scene._breakpoints == {"merge"}
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.flow.join == {"both": {"on_failure": "abort"}} and tab.scene._breakpoints == {"both"}
    flush(qtbot, doc)
    assert not [d for d in doc.analysis.diagnostics if d.severity.name == "ERROR"]


def test_two_cards_of_one_node_are_told_apart_by_their_canvas_id(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    doc = tab.doc
    second = doc.add_node("examples/text@0.1.0:Greet", cell=(1, 0))
    flush(qtbot, doc)
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    cards = tab.scene._nodes
    assert len(cards) == 2
    for node_id, card in cards.items():
        card._rebuild_text()
        title, name = card._texts[0][1].text(), card._texts[1][1].text()
        assert (title, name) == (node_id, "Greet")
    assert len({c._texts[0][1].text() for c in cards.values()}) == 2 and second in cards
    tab.view.viewport().grab().save("/tmp/e2shots/cards_by_id.png")


def test_double_clicking_a_subflow_card_opens_the_subflow_in_its_own_tab(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "welcome")
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    viewport, left = tab.view.viewport(), Qt.MouseButton.LeftButton
    no_mod = Qt.KeyboardModifier.NoModifier

    def double_click(node_id):
        at = vp(tab.view, on_card(tab.scene._nodes[node_id]))
        # What the window system sends: press, release, the second press as a double-click, release.
        QTest.mouseClick(viewport, left, no_mod, at)
        QTest.mouseDClick(viewport, left, no_mod, at)
        QTest.mouseRelease(viewport, left, no_mod, at)

    double_click("echo")  # a package node: nothing opens
    assert window.tabs.count() == 1
    double_click("greeter")
    qtbot.waitUntil(lambda: window.tabs.count() == 2)
    assert window.current_doc().flow.name == "greeter"
    assert window.current_doc().path == (example_workspace / "flows" / "greeter.flow.yaml").resolve()
    window.tabs.setCurrentIndex(0)
    double_click("greeter")  # already open: switches to it
    assert window.tabs.count() == 2 and window.current_doc().flow.name == "greeter"
    assert not tab.doc.is_dirty and tab.doc.flow.node("greeter").col is None  # no drag, no move


def test_document_rename_refuses_bad_and_taken_ids_and_undo_restores_exactly(window, example_workspace):
    import pytest

    from axiom_ide.runtime.errors import AxiomError

    doc = open_flow(window, example_workspace, "branching").doc
    before = doc.flow.to_plain()
    for bad, code in (("Both", "invalid_id"), ("-x", "invalid_id"), ("loud", "duplicate_id")):
        with pytest.raises(AxiomError) as info:
            doc.rename_node("both", bad)
        assert info.value.diagnostics[0].code == code
    assert doc.rename_node("both", "both") is False and doc.undo_stack.count() == 0
    assert doc.rename_node("both", "merge") is True
    doc.undo_stack.undo()
    assert doc.flow.to_plain() == before
    doc.undo_stack.redo()
    assert doc.flow.node("merge") is not None and "merge" in doc.flow.join
