"""Warnings that are true (issue 12, item 6): a join's edges are not amber for fields the other edge
supplies, on the canvas or in the Edge Plan; a condition naming a field the source message lacks is
an error as it is typed, and on the edge once committed."""
from __future__ import annotations

from ide_support import click_at, flush, on_edge, open_flow, type_and_enter
from PySide6.QtCore import Qt

from axiom_ide.runtime.typecheck import required_unmapped_message

MISSING = "Unknown field `output.missing` in `examples.text.ScoreResult`."


def test_join_edges_are_not_amber_for_what_the_other_edge_maps(window, example_workspace, qtbot):
    tab = open_flow(window, example_workspace, "branching")
    flush(qtbot, tab.doc)
    assert tab.pill.text() == "Valid"
    assert {e.key: e.state for e in tab.scene.edge_items()} == {
        ("score", "loud"): "ok", ("score", "quiet"): "ok", ("loud", "both"): "ok", ("quiet", "both"): "ok"}
    for key, other in ((("loud", "both"), "right"), (("quiet", "both"), "left")):
        click_at(tab.view, on_edge(tab.scene.item_for_edge(key)))
        page = window.inspector.edge_page
        assert window.inspector.kind == "edge" and page.key == key
        # The other edge into the join supplies ``other``: no "Required field … is not mapped".
        assert page.rows[other].message.text() == ""
        assert page.edge_message.text() == ""
    # Without the other edge the warning is true again, on the row and on the canvas.
    click_at(tab.view, on_edge(tab.scene.item_for_edge(("quiet", "both"))))
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_Delete)
    assert tab.doc.flow.edge("quiet", "both") is None
    flush(qtbot, tab.doc)
    click_at(tab.view, on_edge(tab.scene.item_for_edge(("loud", "both"))))
    page = window.inspector.edge_page
    assert page.rows["right"].message.text() == required_unmapped_message("right")
    assert tab.scene.item_for_edge(("loud", "both")).state == "warning"


def test_a_condition_on_a_missing_field_is_an_error_as_typed_and_on_the_edge(window, example_workspace, qtbot):
    tab = open_flow(window, example_workspace, "branching")
    flush(qtbot, tab.doc)
    key = ("score", "loud")
    click_at(tab.view, on_edge(tab.scene.item_for_edge(key), 0.7))
    page = window.inspector.edge_page
    assert window.inspector.kind == "edge" and page.key == key
    page.condition.setFocus()
    qtbot.keyClick(page.condition, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(page.condition, "output.missing > 0")
    assert page.condition_error.text() == MISSING
    assert not page.condition_error.isHidden()
    # Enter does not commit it (as with a parse error): the flow keeps its working condition.
    qtbot.keyClick(page.condition, Qt.Key.Key_Return)
    assert tab.doc.flow.edge(*key).when == "output.length > 0"
    # A field the message has is fine again.
    type_and_enter(qtbot, page.condition, "output.length > 1")
    flush(qtbot, tab.doc)
    assert page.condition_error.text() == ""
    assert tab.doc.flow.edge(*key).when == "output.length > 1"
    assert tab.scene.item_for_edge(key).state == "ok" and tab.pill.text() == "Valid"


def test_a_flow_saved_with_a_missing_field_opens_with_a_red_edge(window, example_workspace, qtbot):
    path = example_workspace / "flows" / "branching.flow.yaml"
    path.write_text(path.read_text().replace("when: output.length > 0", "when: output.missing > 0"))
    tab = open_flow(window, example_workspace, "branching")
    flush(qtbot, tab.doc)
    key = ("score", "loud")
    assert tab.scene.item_for_edge(key).state == "error"
    assert window.problems.messages() == [f'edge "score" → "loud": invalid condition: {MISSING}']
    assert not tab.run_button.isEnabled()
    click_at(tab.view, on_edge(tab.scene.item_for_edge(key), 0.7))
    page = window.inspector.edge_page
    assert page.key == key and page.condition_error.text() == MISSING
