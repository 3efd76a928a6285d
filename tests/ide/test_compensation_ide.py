"""The IDE gestures for ``compensate:``: the inspector's Compensation row and the card menu's
Compensate with… submenu, each one undoable edit; refusals inline; the canvas link following."""
from __future__ import annotations

from ide_support import click_at, drag, flush, on_card, open_flow, press_shortcut, type_and_enter
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_compensation_edit import saga
from test_debugger_core import choose as choose_in_menu
from test_debugger_core import right_click_menu
from test_layout_texts import pick

from axiom_ide.app.compensation_menu import TITLE
from axiom_ide.runtime.model.flow_yaml import load_flow


def _select(qtbot, window, tab, node_id):
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    click_at(tab.view, on_card(tab.scene.item_for_node(node_id)))
    qtbot.waitUntil(lambda: window.inspector.kind == "node" and window.inspector.key == node_id)
    return window.inspector.node_page


def _tab_text(window, tab) -> str:
    return window.tabs.tabText(window.tabs.indexOf(tab))


def _open(qtbot, window, ws):
    saga(ws)
    window.load_workspace()  # the probe package was added after the window read the workspace
    tab = open_flow(window, ws, "saga")
    flush(qtbot, tab.doc)
    return tab


def test_the_compensation_row_sets_it_as_one_undo_step_saved_and_reopened(qtbot, window, example_workspace):
    tab = _open(qtbot, window, example_workspace)
    doc = tab.doc
    page = _select(qtbot, window, tab, "b")
    row = page.compensation
    assert row.combo.currentText() == "None"
    assert [row.combo.itemText(i) for i in range(row.combo.count())] == ["None", "a", "c", "undo-a", "undo-b", "other"]
    pick(qtbot, row.combo, "undo-b")
    assert doc.flow.node("b").compensate == "undo-b" and not row.error.isVisible()
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Compensate b with undo-b"
    assert _tab_text(window, tab).startswith("• ")
    qtbot.waitUntil(lambda: ("b", "undo-b") in tab.scene.compensation_links.links())
    assert tab.scene.compensation_links.badge("b").toolTip() == 'Compensated by "undo-b"'
    click_at(tab.view, on_card(tab.scene.item_for_node("b")))  # the keyboard focus on the canvas
    press_shortcut(qtbot, window, "undo-action")
    assert doc.flow.node("b").compensate is None and not _tab_text(window, tab).startswith("• ")
    qtbot.waitUntil(lambda: row.combo.currentText() == "None")
    redo = window.actions["redo-action"]
    assert "Ctrl+Shift+Z" in [k.toString() for k in redo.shortcuts()], [k.toString() for k in redo.shortcuts()]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert doc.flow.node("b").compensate == "undo-b"
    qtbot.waitUntil(lambda: row.combo.currentText() == "undo-b")
    press_shortcut(qtbot, window, "save-action")
    path = example_workspace / "flows" / "saga.flow.yaml"
    assert '{id: b, node: "tests/probe@0.1.0:Look", compensate: undo-b}' in path.read_text()
    assert load_flow(path).flow.node("b").compensate == "undo-b"
    # back to None, the same way
    pick(qtbot, row.combo, None)
    assert doc.flow.node("b").compensate is None and doc.undo_stack.undoText() == "Clear compensation of b"


def test_a_refused_choice_shows_the_compilers_message_and_changes_nothing(qtbot, window, example_workspace):
    tab = _open(qtbot, window, example_workspace)
    doc = tab.doc
    before = doc.flow.to_plain()
    row = _select(qtbot, window, tab, "b").compensation
    pick(qtbot, row.combo, "c")
    assert row.error.isVisible()
    assert row.error.text() == ('Not changed: edge "b" → "c": "c" compensates "b" and runs only after a failure; '
                                "it cannot have edges")
    assert row.combo.currentText() == "None"
    pick(qtbot, row.combo, "other")
    assert row.error.text() == ('Not changed: node "b": compensation "other" takes tests.probe.Other, but "b" '
                                "outputs tests.probe.Probe (a compensation receives the output of the node it compensates)")
    assert doc.flow.to_plain() == before and doc.undo_stack.count() == 0
    pick(qtbot, row.combo, "undo-b")  # a good choice clears the message
    assert not row.error.isVisible() and doc.flow.node("b").compensate == "undo-b"


def test_compensate_with_on_the_card_menu(qtbot, window, example_workspace):
    tab = _open(qtbot, window, example_workspace)
    doc = tab.doc
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    menu = right_click_menu(qtbot, tab, "b")
    choose_in_menu(qtbot, menu, TITLE)
    sub = next(a.menu() for a in menu.actions() if a.text() == TITLE)
    qtbot.waitUntil(sub.isVisible)
    actions = {a.text(): a for a in sub.actions()}
    assert list(actions) == ["None", "undo-a", "undo-b", "other"]  # only nodes without edges
    assert actions["None"].isChecked() and not actions["other"].isEnabled()
    assert actions["other"].toolTip().startswith('node "b": compensation "other" takes tests.probe.Other')
    assert actions["undo-a"].isEnabled() and actions["undo-b"].isEnabled()  # one node may compensate two
    choose_in_menu(qtbot, sub, "undo-b")
    assert doc.flow.node("b").compensate == "undo-b" and doc.undo_stack.undoText() == "Compensate b with undo-b"
    menu = right_click_menu(qtbot, tab, "b")
    choose_in_menu(qtbot, menu, TITLE)
    sub = next(a.menu() for a in menu.actions() if a.text() == TITLE)
    qtbot.waitUntil(sub.isVisible)
    assert [a.text() for a in sub.actions() if a.isChecked()] == ["undo-b"]
    choose_in_menu(qtbot, sub, "None")
    assert doc.flow.node("b").compensate is None


def test_rename_and_delete_of_the_compensator_follow(qtbot, window, example_workspace):
    tab = _open(qtbot, window, example_workspace)
    doc = tab.doc
    links = tab.scene.compensation_links
    page = _select(qtbot, window, tab, "undo-a")
    type_and_enter(qtbot, page.id_field, "refund")
    assert doc.flow.node("a").compensate == "refund"
    qtbot.waitUntil(lambda: list(links.links()) == [("a", "refund")])
    page = _select(qtbot, window, tab, "a")
    qtbot.waitUntil(lambda: page.compensation.combo.currentText() == "refund")
    # delete the compensator: the key goes in the same step, undo brings both back
    before = doc.flow.to_plain()
    click_at(tab.view, on_card(tab.scene.item_for_node("refund")))
    QTest.keyClick(tab.view, Qt.Key.Key_Delete)
    assert doc.flow.node("refund") is None and doc.flow.node("a").compensate is None
    assert doc.undo_stack.undoText() == "Remove refund"
    qtbot.waitUntil(lambda: links.links() == {} and links.badge("a") is None)
    press_shortcut(qtbot, window, "undo-action")
    assert doc.flow.to_plain() == before
    qtbot.waitUntil(lambda: list(links.links()) == [("a", "refund")])


def test_the_link_follows_a_dragged_compensator(qtbot, window, example_workspace):
    tab = _open(qtbot, window, example_workspace)
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    card = tab.scene.item_for_node("undo-a")
    start = on_card(card)
    drag(tab.view, start, start + QPointF(330, 0))
    tab.scene.flush()
    link = tab.scene.compensation_links.links()[("a", "undo-a")]
    target = tab.scene.item_for_node("undo-a").sceneBoundingRect().adjusted(-1, -1, 1, 1)
    qtbot.waitUntil(lambda: target.contains(link.mapToScene(link.path()).pointAtPercent(1)))
    assert tab.scene.compensation_links.badge("a").pos() == tab.scene.item_for_node("a").pos() + QPointF(198, 96)


def test_hovering_the_badge_and_the_link_names_the_compensator(qtbot, window, example_workspace):
    from test_canvas_items import hover_tooltip

    tab = _open(qtbot, window, example_workspace)
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    links = tab.scene.compensation_links
    badge = links.badge("a")
    assert hover_tooltip(qtbot, tab.view, badge.scenePos()) == 'Compensated by "undo-a"'
    link = links.links()[("a", "undo-a")]
    middle = link.mapToScene(link.path().pointAtPercent(0.5))
    assert hover_tooltip(qtbot, tab.view, middle).startswith('"undo-a" compensates "a"')
