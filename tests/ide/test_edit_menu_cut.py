"""Edit → Cut: the canvas's Ctrl+X from the menu bar, next to Copy and enabled as Copy is."""
from __future__ import annotations

from ide_support import click_at, click_menu_item, on_card, open_flow
from PySide6.QtWidgets import QApplication

from axiom_ide.document import clipboard


def test_edit_cut_removes_the_selected_node_as_one_step_and_puts_it_on_the_clipboard(qtbot, window, example_workspace):
    actions = window.actions
    cut = actions["cut-action"]
    assert not cut.isEnabled() and not actions["copy-action"].isEnabled()  # no flow open: as Copy
    tab = open_flow(window, example_workspace, "hello")
    assert cut.isEnabled() and actions["copy-action"].isEnabled()
    assert cut.text() == "Cut" and cut.shortcut().toString() == "Ctrl+X"
    window.show()
    qtbot.waitExposed(window)
    tab.view.fit_all()
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    names = [a.objectName() for a in edit.actions()]
    assert names.index("cut-action") + 1 == names.index("copy-action")

    click_at(tab.view, on_card(tab.scene.item_for_node("greet")))
    assert tab.scene.selected_node_ids() == ["greet"]
    click_menu_item(qtbot, window, "Edit", cut)
    qtbot.waitUntil(lambda: tab.doc.flow.node("greet") is None)
    assert tab.doc.undo_stack.count() == 1 and tab.doc.undo_stack.undoText().startswith("Cut ")
    data = clipboard.loads(QApplication.clipboard().text())
    assert data is not None and [n["id"] for n in data["nodes"]] == ["greet"]
    tab.doc.undo_stack.undo()
    assert tab.doc.flow.node("greet") is not None
