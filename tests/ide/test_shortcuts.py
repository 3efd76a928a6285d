"""Shortcuts: no key means two things anywhere in the window, F5 runs, and Help → Keyboard
Shortcuts lists every action with its keys (read from the actions themselves)."""
from __future__ import annotations

from ide_support import open_flow, shown
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication

from axiom_ide.app.dialogs.run_graph import RunGraphDialog
from axiom_ide.app.dialogs.shortcuts import ShortcutsDialog

Ctx = Qt.ShortcutContext


def _bindings(window):
    """(key, scope, who) for every shortcut of every QAction and QShortcut in the window."""
    out = []
    for obj in [*window.findChildren(QAction), *window.findChildren(QShortcut)]:
        keys = obj.shortcuts() if isinstance(obj, QAction) else [obj.key(), *obj.alternateKeys()]
        ctx = obj.shortcutContext()
        scope = "window" if ctx in (Ctx.WindowShortcut, Ctx.ApplicationShortcut) else id(obj.parent())
        for k in keys:
            if not k.isEmpty():
                out.append((k.toString(QKeySequence.SequenceFormat.PortableText), scope, obj.objectName() or obj.text()))
    return out


def test_every_shortcut_means_one_thing(window, example_workspace):
    open_flow(window, example_workspace, "hello")
    open_flow(window, example_workspace, "greeter")
    bindings = _bindings(window)
    assert len(bindings) > 30  # the walk found the window's actions
    window_keys: dict[str, str] = {}
    widget_keys: dict[tuple[int, str], str] = {}
    clashes = []
    for key, scope, who in bindings:
        if scope == "window":
            if key in window_keys and window_keys[key] != who:
                clashes.append((key, window_keys[key], who))
            window_keys.setdefault(key, who)
        else:
            if (scope, key) in widget_keys and widget_keys[(scope, key)] != who:
                clashes.append((key, widget_keys[(scope, key)], who))
            widget_keys.setdefault((scope, key), who)
    # A widget's own shortcut fires while it has focus — then a window key equal to it is ambiguous too.
    clashes += [(key, window_keys[key], who) for (_s, key), who in widget_keys.items() if key in window_keys]
    assert clashes == []
    assert window_keys["F5"] == "run-action"
    assert window_keys["Ctrl+Q"] == "quit-action"


def test_f5_on_the_canvas_opens_run_graph(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "hello")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    tab.view.setFocus()
    qtbot.keyClick(tab.view.viewport(), Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(RunGraphDialog)))
    dialog = shown(window, RunGraphDialog)
    assert window.tabs.count() == 1 and window.current_tab() is tab
    dialog.reject()


def test_help_menu_lists_every_action_with_its_keys(qtbot, window, example_workspace):
    open_flow(window, example_workspace, "hello")
    window.show()
    qtbot.waitExposed(window)
    bar = window.menuBar()
    help_menu = next(a.menu() for a in bar.actions() if a.text() == "&Help")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(help_menu.menuAction()).center())
    qtbot.waitUntil(help_menu.isVisible)
    item = window.actions["shortcuts-action"]
    assert item in help_menu.actions()
    qtbot.mouseClick(help_menu, Qt.MouseButton.LeftButton, pos=help_menu.actionGeometry(item).center())
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ShortcutsDialog)))
    dialog = shown(window, ShortcutsDialog)
    rows = dialog.table_rows()
    assert len(rows) == len(window.actions)
    assert ("Run", "Run", "F5") in rows
    assert ("Run", "Stop", "Esc, Shift+F5") in rows
    assert ("View", "Refresh Packages", "Ctrl+Alt+R") in rows
    assert ("File", "Quit", "Ctrl+Q") in rows
    assert ("Help", "Keyboard Shortcuts", "Ctrl+/") in rows
    assert ("View", "Show/Hide Library Panel", "Ctrl+Shift+L") in rows
    menu, _name, keys = next(r for r in rows if r[1] == "Undo")  # its text follows the stack ("Undo Move …")
    assert menu == "Edit" and keys.startswith("Ctrl+Z")
    # Generated from the actions: a changed shortcut shows in a freshly opened list.
    window.actions["auto-layout-action"].setShortcut(QKeySequence("Ctrl+Shift+J"))
    assert ("Edit", "Auto Layout", "Ctrl+Shift+J") in window.show_shortcuts().table_rows()
    dialog.grab().save("/tmp/e2shots/shortcuts.png")
