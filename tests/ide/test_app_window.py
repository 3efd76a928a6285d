"""Main window: actions, documents (new/open/save/close), layout persistence, palette, recent files."""
from __future__ import annotations

from pathlib import Path

from ide_support import click, close_window, make_window, press_shortcut, shown, type_and_enter
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence

from axiom_ide.app import actions as action_defs
from axiom_ide.app.palette import CommandPalette


def test_every_action_is_found_by_object_name(window):
    names = [s.name for s in action_defs.SPECS] + [t[0] for t in action_defs.DOCK_TOGGLES]
    for name in names:
        assert window.findChild(QAction, name) is not None, name
    assert window.actions["save-action"].shortcut() == QKeySequence(QKeySequence.StandardKey.Save)
    assert window.actions["command-palette-action"].shortcut() == QKeySequence("Ctrl+K")
    assert window.actions["console-action"].isEnabled()
    assert window.actions["executions-action"].isEnabled()


def test_new_flow_is_slugified_and_saved_in_flows_folder(window, example_workspace):
    doc = window.new_flow("My First Flow!")
    path = example_workspace / "flows" / "my-first-flow.flow.yaml"
    assert doc.path == path and path.exists()
    assert doc.flow.name == "my-first-flow"
    assert window.tabs.tabText(0) == "my-first-flow"
    tab = window.current_tab()
    assert tab.pill.text() == "Draft"
    assert not tab.run_button.isEnabled()


def test_new_flow_dialog_creates_from_name(qtbot, tmp_path):
    from axiom_ide.app.dialogs.new_flow import NewFlowDialog

    dialog = NewFlowDialog(tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "New Flow"
    assert not dialog.create_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "Order Intake")
    assert dialog.create_button.text() == "Create" and dialog.create_button.isEnabled()
    assert dialog.preview.text() == "Saved as flows/order-intake.flow.yaml"
    with qtbot.waitSignal(dialog.accepted):
        click(qtbot, dialog.create_button)
    assert dialog.flow_name() == "order-intake"


def test_edit_marks_tab_and_save_confirms(window, example_workspace, qtbot):
    path = example_workspace / "flows" / "hello.flow.yaml"
    doc = window.open_path(path)
    page = window.inspector.flow_page
    type_and_enter(qtbot, page.description, "Says hello.")
    assert doc.flow.description == "Says hello."
    assert window.tabs.tabText(0) == "• hello"
    assert window.windowTitle().startswith("hello*")
    press_shortcut(qtbot, window, "save-action")
    assert window.statusBar().currentMessage() == "Saved"
    assert window.tabs.tabText(0) == "hello"
    assert "description: Says hello." in path.read_text()
    # Ctrl+Z in the description field would undo its text; on the canvas it undoes the edit.
    view = window.current_tab().view
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(4, 4))
    assert view.hasFocus()
    press_shortcut(qtbot, window, "undo-action")
    assert doc.flow.description == "Greets the caller by name."
    assert window.tabs.tabText(0) == "• hello"


def test_close_dirty_flow_asks_save_discard_cancel(window, example_workspace):
    doc = window.open_path(example_workspace / "flows" / "hello.flow.yaml")
    doc.set_flow_attr("description", "changed")
    asked = []
    window.ask_unsaved = lambda d: asked.append(d) or "cancel"
    assert not window.close_current_tab()
    assert window.tabs.count() == 1 and asked == [doc]
    window.ask_unsaved = lambda d: "save"
    assert window.close_current_tab()
    assert window.tabs.count() == 0
    assert "description: changed" in (example_workspace / "flows" / "hello.flow.yaml").read_text()


def test_open_same_file_twice_reuses_tab_and_records_recent(window, example_workspace):
    path = example_workspace / "flows" / "hello.flow.yaml"
    a = window.open_path(path)
    window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    b = window.open_path(path)
    assert a is b and window.tabs.count() == 2 and window.current_doc() is a
    assert window.prefs.recent_files()[0] == str(path.resolve())
    assert [act.text() for act in window.recent_menu.actions()][:2] == ["hello.flow.yaml", "greeter.flow.yaml"]


def test_layout_and_open_tabs_persist(qtbot, example_workspace, tmp_path):
    settings = tmp_path / "layout.ini"
    first = make_window(qtbot, example_workspace, tmp_path / "d", settings)
    first.show()
    first.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    first.problems_dock.hide()
    first.close()
    second = make_window(qtbot, example_workspace, tmp_path / "d", settings)
    second.show()
    assert second.problems_dock.isHidden()
    second.start([])
    assert [Path(d.path).name for d in second.documents()] == ["greeter.flow.yaml"]
    close_window(second)


def test_command_palette_filters_and_triggers(window, qtbot):
    window.show()
    press_shortcut(qtbot, window, "command-palette-action")
    palette = shown(window, CommandPalette)
    assert "Save As…" in palette.visible_labels()
    qtbot.keyClicks(palette.search, "probl")
    assert palette.visible_labels()[0] == "Problems"
    was_visible = window.problems_dock.isVisible()
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.problems_dock.isVisible() != was_visible)


def test_palette_fuzzy_ranking():
    from axiom_ide.app.palette import fuzzy_score

    assert fuzzy_score("sva", "Save As…") is not None
    assert fuzzy_score("xyz", "Save") is None
    assert fuzzy_score("save", "Save") > fuzzy_score("save", "Save As…") > fuzzy_score("save", "Close Save Area")


def test_clean_doc_reloads_when_file_changes_on_disk(window, example_workspace, qtbot):
    path = example_workspace / "flows" / "hello.flow.yaml"
    doc = window.open_path(path)
    path.write_text(path.read_text().replace("Greets the caller by name.", "Changed outside."))
    qtbot.waitUntil(lambda: doc.flow.description == "Changed outside.", timeout=5000)
    assert not doc.is_dirty


def test_dirty_doc_asks_before_reloading(window, example_workspace, qtbot):
    path = example_workspace / "flows" / "hello.flow.yaml"
    doc = window.open_path(path)
    doc.set_flow_attr("description", "mine")
    asked = []
    window.ask_reload_dirty = lambda d: asked.append(d) or False
    path.write_text(path.read_text().replace("Greets the caller by name.", "theirs"))
    qtbot.waitUntil(lambda: asked == [doc], timeout=5000)
    assert doc.flow.description == "mine" and doc.is_dirty


def test_own_save_does_not_trigger_reload(window, example_workspace, qtbot):
    doc = window.open_path(example_workspace / "flows" / "hello.flow.yaml")
    doc.set_flow_attr("description", "saved by us")
    window.ask_reload_dirty = lambda d: (_ for _ in ()).throw(AssertionError("asked"))
    # The watcher does see our own write: once its fileChanged has been handled, nothing reloaded.
    with qtbot.waitSignal(window.watcher.fileChanged, timeout=5000):
        press_shortcut(qtbot, window, "save-action")
    assert doc.flow.description == "saved by us" and doc.undo_stack.count() == 1
    assert not window.statusBar().currentMessage().startswith("Reloaded")
