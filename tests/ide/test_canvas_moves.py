"""Moving cards by hand: a drop lands where the preview showed, no neighbour jumps, the grid grows
left and up, the view keeps the dropped card on screen and clear of the Run button; the minimap
never covers a card. Every gesture is a real press/move/release on the view's viewport."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from ide_support import on_card, open_flow, vp
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QStandardPaths, Qt
from PySide6.QtTest import QTest

from axiom_ide.canvas import FlowScene, FlowView
from axiom_ide.canvas.geometry import CARD_H, CARD_W, cell_to_pos, pos_to_cell
from axiom_ide.document import FlowDocument
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.model.validate import validate_flow_file
from axiom_ide.runtime.packages import Workspace

QStandardPaths.setTestModeEnabled(True)
EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"
FLOWS = sorted(p.name.removesuffix(".flow.yaml") for p in (EXAMPLES / "flows").glob("*.flow.yaml"))
LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


@pytest.fixture(scope="module")
def workspace():
    return Workspace(EXAMPLES)


def open_doc(workspace, name: str, tmp_path: Path | None = None) -> FlowDocument:
    path = EXAMPLES / "flows" / f"{name}.flow.yaml"
    if tmp_path is not None:
        copy = tmp_path / path.name
        copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
        path = copy
    return FlowDocument.open(path, workspace)


def make(qtbot, doc, width=1200, height=800):
    scene = FlowScene(doc)
    view = FlowView(scene)
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    view.reset_zoom()
    return scene, view


def cells(scene) -> dict[str, tuple[int, int]]:
    """Where each card is drawn (once the coalesced layout of this event-loop turn is applied)."""
    scene.flush()
    return {i.node_id: pos_to_cell(i.pos()) for i in scene.node_items()}


def pan(view, dx: int, dy: int) -> None:
    """Middle-button drag on the canvas: the content follows the mouse by (dx, dy) pixels."""
    w, mid = view.viewport(), Qt.MouseButton.MiddleButton
    a = view.viewport().rect().center()
    QTest.mousePress(w, mid, NONE, a)
    QTest.mouseMove(w, a + QPoint(dx // 2, dy // 2))
    QTest.mouseMove(w, a + QPoint(dx, dy))
    QTest.mouseRelease(w, mid, NONE, a + QPoint(dx, dy))


def model_cell(doc, node_id):
    node = doc.flow.node(node_id)
    return node.col, node.row


def press_and_move(view, item, cell, steps=8):
    """Press on ``item``'s card and move it (not released) so its top-left goes to ``cell``;
    returns the viewport point to release at."""
    a = on_card(item)
    b = a + cell_to_pos(cell) - item.pos()
    w = view.viewport()
    pa, pb = vp(view, a), vp(view, b)
    QTest.mousePress(w, LEFT, NONE, pa)
    for i in range(1, steps + 1):
        QTest.mouseMove(w, pa + (pb - pa) * i / steps)
    return pb


def release(view, at: QPoint) -> None:
    QTest.mouseRelease(view.viewport(), LEFT, NONE, at)


def card_rect_at(cell) -> QRectF:
    p = cell_to_pos(cell)
    return QRectF(p.x(), p.y(), CARD_W, CARD_H)


def card_on_screen(view, item) -> QRect:
    return view.mapFromScene(item.sceneBoundingRect()).boundingRect()


def assert_one_move(doc, count, text):
    assert doc.undo_stack.count() == count + 1
    assert doc.undo_stack.text(count) == text


# -- item 1: moving nodes ----------------------------------------------------------------------------
def test_a_card_dropped_below_another_lands_below_it_where_the_preview_showed(qtbot, workspace):
    # The bug: "echo" dropped under "upper" was pinned there, "upper" (unpinned) re-flowed around
    # it to the row below — so "echo" ended up above it.
    doc = open_doc(workspace, "linear")
    scene, view = make(qtbot, doc)
    view.centerOn(300, 100)
    assert cells(scene) == {"echo": (0, 0), "upper": (1, 0)}
    echo = scene.item_for_node("echo")
    count, before = doc.undo_stack.count(), doc.flow.to_plain()
    at = press_and_move(view, echo, (1, 1))
    assert pos_to_cell(echo.pos()) == (1, 1)  # the preview
    release(view, at)
    assert model_cell(doc, "echo") == (1, 1)
    assert cells(scene) == {"echo": (1, 1), "upper": (1, 0)}
    assert_one_move(doc, count, "Move echo")
    doc.undo_stack.undo()
    assert doc.flow.to_plain() == before and cells(scene) == {"echo": (0, 0), "upper": (1, 0)}


@pytest.mark.parametrize(("node_id", "cell"), [("loud", (1, 2)), ("score", (2, 1)), ("loud", (0, 1)), ("both", (3, 2))])
def test_moving_one_card_never_moves_the_others(qtbot, workspace, node_id, cell):
    doc = open_doc(workspace, "branching")
    scene, view = make(qtbot, doc)
    view.centerOn(500, 150)
    start = cells(scene)
    count = doc.undo_stack.count()
    item = scene.item_for_node(node_id)
    release(view, press_and_move(view, item, cell))
    after = cells(scene)
    assert after[node_id] == cell == model_cell(doc, node_id)
    assert {k: v for k, v in after.items() if k != node_id} == {k: v for k, v in start.items() if k != node_id}
    # The neighbours are pinned where they were shown, in the same step: saved, they stay put.
    assert all(model_cell(doc, k) == v for k, v in after.items())
    assert_one_move(doc, count, f"Move {node_id}")


def test_a_card_over_a_taken_cell_is_shown_and_dropped_in_the_nearest_free_one(qtbot, workspace):
    doc = open_doc(workspace, "linear")
    scene, view = make(qtbot, doc)
    view.centerOn(300, 100)
    echo = scene.item_for_node("echo")
    at = press_and_move(view, echo, (1, 0))  # onto "upper"
    shown = pos_to_cell(echo.pos())
    assert shown == (1, 1)
    release(view, at)
    assert model_cell(doc, "echo") == shown and cells(scene)["upper"] == (1, 0)


def test_a_multi_card_drag_is_one_move(qtbot, workspace):
    doc = open_doc(workspace, "branching")
    scene, view = make(qtbot, doc)
    view.centerOn(500, 150)
    scene.select_nodes(["loud", "quiet"])
    count = doc.undo_stack.count()
    loud = scene.item_for_node("loud")
    release(view, press_and_move(view, loud, (1, 2)))  # both down two rows
    assert model_cell(doc, "loud") == (1, 2) and model_cell(doc, "quiet") == (1, 3)
    assert cells(scene)["score"] == (0, 0) and cells(scene)["both"] == (2, 0)
    assert_one_move(doc, count, "Move 2 nodes")


@pytest.mark.parametrize(("node_id", "cell", "expect"), [
    ("echo", (-1, 0), {"echo": (0, 0), "upper": (2, 0)}),    # left of the first column
    ("upper", (1, -1), {"echo": (0, 1), "upper": (1, 0)}),   # above the first row
    ("echo", (-2, -1), {"echo": (0, 0), "upper": (3, 1)}),   # both
])
def test_a_card_moved_left_of_or_above_the_grid_grows_it(qtbot, workspace, tmp_path, node_id, cell, expect):
    # It used to be clamped at column/row 0: the drag was silently undone.
    doc = open_doc(workspace, "linear", tmp_path)
    scene, view = make(qtbot, doc, 1400, 800)
    view.centerOn(0, 0)  # room on screen left of and above the grid
    item, other = scene.item_for_node(node_id), scene.item_for_node(next(n for n in expect if n != node_id))
    count = doc.undo_stack.count()
    at = press_and_move(view, item, cell)
    assert pos_to_cell(item.pos()) == cell  # the preview goes there
    shown, other_shown = card_on_screen(view, item), card_on_screen(view, other)
    release(view, at)
    # The grid is re-based (flow.yaml cells stay non-negative) ...
    assert {n: model_cell(doc, n) for n in expect} == expect == cells(scene)
    assert_one_move(doc, count, f"Move {node_id}")
    # ... and the view scrolled with it: on screen, nothing moved.
    for rect, before in ((card_on_screen(view, item), shown), (card_on_screen(view, other), other_shown)):
        assert abs(rect.left() - before.left()) <= 1 and abs(rect.top() - before.top()) <= 1
    # Saved, the file is valid and reads back to the same bytes.
    doc.save()
    text = doc.path.read_text(encoding="utf-8")
    assert [d.message for d in validate_flow_file(load_flow(doc.path))] == []
    again = FlowDocument.open(doc.path, workspace)
    assert again.flow.to_plain() == doc.flow.to_plain() and again.to_text() == text
    doc.undo_stack.undo()
    assert cells(scene) == {"echo": (0, 0), "upper": (1, 0)}


def test_a_drop_in_full_view_does_not_scroll_the_canvas(qtbot, workspace):
    # A small flow in a big view (Qt centres a scene smaller than the view): nothing on screen
    # moves but the dropped card, which stays where the preview showed it.
    doc = open_doc(workspace, "linear")
    scene, view = make(qtbot, doc, 1200, 800)
    echo, upper = scene.item_for_node("echo"), scene.item_for_node("upper")
    echo_before = card_on_screen(view, echo)
    at = press_and_move(view, upper, (1, 2))  # on screen: no scrolling needed to show it
    upper_shown = card_on_screen(view, upper)
    release(view, at)
    assert card_on_screen(view, echo) == echo_before
    assert card_on_screen(view, upper) == upper_shown


# -- in the window: the Run button and the minimap ---------------------------------------------------
def show_at(qtbot, window, width, height):
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)


def overlay_in_viewport(view, widget) -> QRect:
    """``widget``'s rectangle in the view's viewport coordinates."""
    return QRect(view.viewport().mapFromGlobal(widget.mapToGlobal(QPoint(0, 0))), widget.size())


def fitted_tab(qtbot, window, name):
    tab = open_flow(window, window.workspace_root, name)
    view = tab.view
    qtbot.waitUntil(lambda: view.flow_scene.node_items() and view.visible_scene_rect().contains(view.flow_scene.content_rect()))
    return tab


def test_a_card_dropped_on_the_run_button_is_scrolled_clear_of_it(qtbot, window):
    show_at(qtbot, window, 1280, 720)
    tab = fitted_tab(qtbot, window, "linear")
    view, scene = tab.view, tab.view.flow_scene
    button = overlay_in_viewport(view, tab.run_button)
    assert button.intersects(view.viewport().rect())
    upper = scene.item_for_node("upper")
    # Pan so that cell (1, 1) is under the Run button (it may sit in a gutter between cells).
    cell = view.mapFromScene(card_rect_at((1, 1))).boundingRect()
    pan(view, button.center().x() - cell.center().x(), button.center().y() - cell.center().y())
    # The cell whose card would sit on the Run button.
    target = next(c for c in ((col, row) for row in range(8) for col in range(-2, 5))
                  if c not in cells(scene).values()
                  and view.mapFromScene(card_rect_at(c)).boundingRect().intersects(button))
    count = tab.doc.undo_stack.count()
    release(view, press_and_move(view, upper, target))
    assert_one_move(tab.doc, count, "Move upper")
    card = card_on_screen(view, upper)
    assert not card.intersects(overlay_in_viewport(view, tab.run_button))
    assert view.viewport().rect().contains(card)
    assert cells(scene)["echo"] == (0, 0)


def minimap_clear_of_cards(view) -> bool:
    mini = view.minimap.geometry().translated(-view.viewport().geometry().topLeft())
    return not any(card_on_screen(view, i).intersects(mini) for i in view.flow_scene.node_items())


def test_the_minimap_is_hidden_below_1400_px_and_the_toggle_shows_it(qtbot, window):
    show_at(qtbot, window, 1280, 720)
    tab = fitted_tab(qtbot, window, "branching")
    view, doc = tab.view, tab.doc
    before = doc.flow.to_plain()
    assert not view.minimap.isVisible()
    toggle = view.minimap.toggle
    assert toggle.isVisible() and toggle.toolTip() == "Show minimap"
    qtbot.mouseClick(toggle, LEFT)
    assert view.minimap.isVisible() and toggle.toolTip() == "Hide minimap"
    small = view.minimap.width()
    qtbot.mouseClick(toggle, LEFT)
    assert not view.minimap.isVisible()
    # View state only: the flow is untouched.
    assert doc.flow.to_plain() == before and not doc.is_dirty
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: view.viewport().width() > 800)
    assert not view.minimap.isVisible()  # the user's choice is remembered in the view
    qtbot.mouseClick(toggle, LEFT)
    assert view.minimap.isVisible() and view.minimap.width() > small  # smaller in small windows


def test_the_minimap_is_shown_by_default_in_wide_windows(qtbot, window):
    show_at(qtbot, window, 1600, 1000)
    tab = fitted_tab(qtbot, window, "branching")
    assert tab.view.minimap.isVisible() and minimap_clear_of_cards(tab.view)


def test_the_minimap_steps_aside_when_a_card_is_dropped_under_it(qtbot, workspace):
    doc = open_doc(workspace, "linear")
    scene, view = make(qtbot, doc, 1200, 800)
    view.centerOn(300, 100)
    mini = view.minimap
    qtbot.mouseClick(mini.toggle, LEFT)
    assert mini.isVisible()
    corner = mini.geometry()
    under = mini.geometry().translated(-view.viewport().geometry().topLeft())
    target = next(c for c in ((col, row) for row in range(12) for col in range(8))
                  if view.mapFromScene(card_rect_at(c)).boundingRect().intersects(under))
    release(view, press_and_move(view, scene.item_for_node("upper"), target))
    assert model_cell(doc, "upper") == target
    qtbot.waitUntil(lambda: mini.isVisible() and minimap_clear_of_cards(view))
    assert mini.geometry() != corner


@pytest.mark.parametrize("name", FLOWS)
def test_screenshot_the_minimap_covers_no_card_in_a_fitted_example(qtbot, window, tmp_path, name):
    show_at(qtbot, window, 1280, 720)
    tab = fitted_tab(qtbot, window, name)
    view = tab.view
    qtbot.mouseClick(view.minimap.toggle, LEFT)
    QTest.keyClick(view, Qt.Key.Key_F)  # fit with the minimap shown
    assert view.minimap.isVisible()
    assert view.visible_scene_rect().contains(view.flow_scene.content_rect())
    assert minimap_clear_of_cards(view), f"the minimap covers a card in {name}"
    button = overlay_in_viewport(view, tab.run_button)
    assert not any(card_on_screen(view, i).intersects(button) for i in view.flow_scene.node_items())
    shot = window.grab()
    assert (shot.width(), shot.height()) == (1280, 720)
    assert shot.save(str(tmp_path / f"{name}-1280x720.png"))


def test_screenshot_at_1600_by_1000(qtbot, window, tmp_path):
    show_at(qtbot, window, 1600, 1000)
    tab = fitted_tab(qtbot, window, "branching")
    assert tab.view.minimap.isVisible() and minimap_clear_of_cards(tab.view)
    assert window.grab().save(str(tmp_path / "branching-1600x1000.png"))


def test_dragging_a_card_offscreen_keeps_it_reachable(qtbot, workspace):
    doc = open_doc(workspace, "linear")
    scene, view = make(qtbot, doc, 800, 600)
    view.centerOn(300, 100)
    upper = scene.item_for_node("upper")
    release(view, press_and_move(view, upper, (1, 6)))  # released below the viewport's edge
    assert model_cell(doc, "upper") == (1, 6)
    assert view.viewport().rect().contains(card_on_screen(view, upper))
    assert view.sceneRect().contains(scene.itemsBoundingRect())


def test_point_helpers_are_consistent():
    assert pos_to_cell(cell_to_pos((-2, -3))) == (-2, -3)
    assert pos_to_cell(QPointF(-170, -71)) == (-1, -1)


def test_fit_leaves_the_minimap_a_corner_when_the_content_fills_every_corner(qtbot, workspace):
    doc = FlowDocument.new("corners", workspace)
    for cell in ((0, 0), (3, 0), (0, 4), (3, 4), (1, 2), (2, 2)):
        doc.add_node("examples/text@0.1.0:Echo", cell)
    scene, view = make(qtbot, doc, 900, 560)
    qtbot.mouseClick(view.minimap.toggle, LEFT)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_F)
    assert view.visible_scene_rect().contains(scene.content_rect())
    assert view.minimap.isVisible() and minimap_clear_of_cards(view)


def test_a_click_on_a_card_at_the_edge_does_not_scroll(qtbot, workspace):
    doc = open_doc(workspace, "linear")
    scene, view = make(qtbot, doc, 800, 600)
    upper = scene.item_for_node("upper")
    view.centerOn(upper.pos() + QPointF(-250, 40))  # "upper" half off the right edge
    card = card_on_screen(view, upper)
    assert not view.viewport().rect().contains(card)
    QTest.mouseClick(view.viewport(), LEFT, NONE, vp(view, upper.pos() + QPointF(40, 40)))
    assert scene.selected_node_ids() == ["upper"]
    assert card_on_screen(view, upper) == card and doc.undo_stack.count() == 0
