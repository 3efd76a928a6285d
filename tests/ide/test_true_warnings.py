"""Warnings that are true (issue 12, item 6): a join's edges are not amber for fields the other edge
supplies, on the canvas or in the Edge Plan; a condition naming a field the source message lacks is
an error as it is typed, and on the edge once committed."""
from __future__ import annotations

from ide_support import click_at, flush, on_edge, open_flow, type_and_enter
from PySide6.QtCore import Qt

from axiom_ide.canvas.diagnostics import code_html
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


# -- a run that fails on an edge draws that edge red ---------------------------------------------
DIVIDES_BY_ZERO = "1 / (output.length - output.length) > 0"  # fields exist; fails only when run


def test_the_edge_a_run_failed_on_is_red_until_the_flow_is_edited(window, example_workspace, qtbot):
    from ide_support import click, shown, wait_done

    from axiom_ide.app.dialogs.run_graph import RunGraphDialog

    path = example_workspace / "flows" / "branching.flow.yaml"
    path.write_text(path.read_text().replace("when: output.length > 0", f"when: {DIVIDES_BY_ZERO}"))
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    tab = open_flow(window, example_workspace, "branching")
    flush(qtbot, tab.doc)
    key = ("score", "loud")
    assert tab.scene.item_for_edge(key).state == "ok" and tab.pill.text() == "Valid"
    click(qtbot, tab.run_button)
    dialog = shown(window, RunGraphDialog)
    dialog.control("text").clear()
    qtbot.keyClicks(dialog.control("text"), "Hi")
    click(qtbot, dialog.run_button)
    wait_done(qtbot, tab)
    failure = tab.run.state.result.failure
    assert failure is not None and failure.edge == key, failure
    assert failure.message.startswith('edge "score" → "loud": EvaluateEdge condition: CEL evaluation failed')
    edge = tab.scene.item_for_edge(key)
    assert edge.state == "error"
    assert f"<br>{code_html(failure.message)}</p>" in edge.toolTip()
    assert "`" not in edge.toolTip()
    assert tab.scene.item_for_edge(("score", "quiet")).state == "ok"
    tab.view.fit_all()
    qtbot.wait(0)
    window.grab().save("/tmp/e3-red-failing-edge.png")
    # An edit ends the run's view: the edge shows its analysis state again.
    click_at(tab.view, on_edge(tab.scene.item_for_edge(("quiet", "both"))))
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_Delete)
    assert tab.scene.item_for_edge(key).state == "ok"


# -- texts: an empty canvas, an empty Problems list, code spans, the pill's colour ---------------
def test_an_empty_canvas_shows_how_to_start_and_problems_says_none(window, example_workspace, qtbot):
    from axiom_ide.app.panels.problems import NO_PROBLEMS
    from axiom_ide.canvas.view import EMPTY_CANVAS_HINT

    (example_workspace / "flows" / "empty.flow.yaml").write_text("name: empty\nnodes: []\nedges: []\n")
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    tab = open_flow(window, example_workspace, "empty")
    flush(qtbot, tab.doc)
    assert tab.pill.text() == "Draft"
    assert window.problems.messages() == []
    assert window.problems.empty.isVisible() and window.problems.empty.text() == NO_PROBLEMS
    assert not window.problems.tree.isVisible()
    assert EMPTY_CANVAS_HINT == "Drag a node from the Library, or press Ctrl+K"
    image = tab.view.viewport().grab().toImage()
    window.grab().save("/tmp/e3-empty-canvas.png")
    # The hint is drawn across the middle of the canvas: dark text pixels on the middle row band.
    mid = image.height() // 2
    inked = {x for x in range(image.width()) for y in range(mid - 8, mid + 8)
             if image.pixelColor(x, y).lightness() < 160}
    assert inked and min(inked) > image.width() * 0.2 and max(inked) < image.width() * 0.8
    # A flow with nodes has no hint there.
    other = open_flow(window, example_workspace, "hello")
    flush(qtbot, other.doc)
    image = other.view.viewport().grab().toImage()
    assert window.problems.tree.isVisible() is False  # hello is Valid: still "No problems"


def test_problems_render_code_spans_and_the_pill_is_red_for_errors_amber_for_warnings(
        window, example_workspace, qtbot):
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    tab = open_flow(window, example_workspace, "branching")
    # Both edges into the join map ``left``; nobody maps ``right``: a true warning on each, no error.
    tab.doc.set_edge(("quiet", "both"), map={"left": "text"})
    flush(qtbot, tab.doc)
    problems = window.problems
    assert problems.tree.isVisible() and not problems.empty.isVisible()
    warning = 'edge "loud" → "both" field `right`: Required field `right` is not mapped.'
    assert warning in problems.messages()
    assert not any(d.is_error for d in tab.doc.analysis.diagnostics)
    assert tab.pill.text() == f"{len(problems.messages())} problems"
    assert tab.pill.property("state") == "problems"  # amber, as the list's warning icons
    item = problems.tree.topLevelItem(problems.messages().index(warning))
    assert item.toolTip(0) == ('<p>edge "loud" → "both" field <code>right</code>: Required field '
                               '<code>right</code> is not mapped.</p>')
    assert "<code>right</code>" in tab.pill.toolTip()
    problems.parentWidget().raise_()
    qtbot.waitUntil(lambda: tab.pill.width() >= tab.pill.sizeHint().width())
    window.grab().save("/tmp/e3-problems-code-spans.png")
    # An error too (a second terminal once an edge into the join is deleted): the pill turns red.
    click_at(tab.view, on_edge(tab.scene.item_for_edge(("quiet", "both"))))
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_Delete)
    flush(qtbot, tab.doc)
    assert any(d.is_error for d in tab.doc.analysis.diagnostics)
    assert tab.pill.property("state") == "errors"
    assert tab.pill.text() == f"{len(problems.messages())} problems"
