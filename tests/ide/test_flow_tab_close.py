"""Closing a tab whose flow ran (and was edited) must not leave the tab listening to its document:
the document's undo stack outlives the tab and clears itself when it goes (``~QUndoStack`` calls
``clear()``, which emits ``indexChanged``); the tab's old lambda then reached a deleted run and
raised ``RuntimeError: Signal source has been deleted`` from ``FlowTab._edited``."""
from __future__ import annotations

from ide_support import (
    click,
    close_window,
    drag,
    make_window,
    on_card,
    open_flow,
    press_shortcut,
    shown,
    wait_done,
)
from PySide6.QtCore import QCoreApplication, QEvent, QPointF

from axiom_ide.app.dialogs.run_graph import RunGraphDialog


def ran(qtbot, window, tab):
    click(qtbot, tab.run_button)
    dialog = shown(window, RunGraphDialog)
    click(qtbot, dialog.run_button)
    wait_done(qtbot, tab)
    return tab


def deleted_later() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_closing_tabs_then_their_documents_going_raises_nothing(qtbot, example_workspace, tmp_path):
    window = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    window.show()
    qtbot.waitExposed(window)
    docs = []
    for name in ("hello", "linear", "square"):
        tab = open_flow(window, example_workspace, name)
        # Edited (dirty, with undo steps), then run to the end: the tab holds a finished run.
        item = tab.scene.item_for_node(tab.doc.flow.nodes[0].id)
        drag(tab.view, on_card(item), on_card(item) + QPointF(0, 150))
        assert tab.doc.is_dirty
        ran(qtbot, window, tab)
        docs.append(tab.doc)
    assert all(d.undo_stack.index() for d in docs)
    for _ in docs:  # Ctrl+W on each (the unsaved question answers Discard)
        press_shortcut(qtbot, window, "close-tab-action")
    assert window.flow_tabs() == [] if hasattr(window, "flow_tabs") else window.files.flow_tabs() == []
    deleted_later()
    for doc in docs:  # what the stack's destructor does when the document goes
        doc.undo_stack.clear()
        doc.refresh_analysis()
    close_window(window)


def test_quitting_with_a_finished_run_then_the_documents_going_raises_nothing(qtbot, example_workspace, tmp_path):
    window = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    window.show()
    qtbot.waitExposed(window)
    tab = open_flow(window, example_workspace, "hello")
    item = tab.scene.item_for_node(tab.doc.flow.nodes[0].id)
    drag(tab.view, on_card(item), on_card(item) + QPointF(0, 150))
    ran(qtbot, window, tab)
    doc = tab.doc
    window.actions["quit-action"].trigger()  # File ▸ Quit; Discard: the window closes, tab and all
    assert not window.isVisible()
    tab.deleteLater()  # as when the app ends: the tab goes with its window, not through close_tab
    deleted_later()
    doc.undo_stack.clear()
    doc.refresh_analysis()
