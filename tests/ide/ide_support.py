"""Shared helpers for the IDE tests: a main window over a workspace with its own QSettings file and
data dir (QStandardPaths test mode keeps users' files safe), and waiting for a run to finish.
The fixtures built from them live in ``conftest.py``."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QSettings, QStandardPaths, Qt
from PySide6.QtTest import QTest

QStandardPaths.setTestModeEnabled(True)


def make_window(qtbot, workspace, data_dir, settings_file, *, inline: bool = True):
    from axiom_ide.app.main_window import MainWindow, local_backend
    from axiom_ide.app.settings import Preferences

    prefs = Preferences(QSettings(str(settings_file), QSettings.Format.IniFormat))
    # The real runtime, stores and engine; node code in process unless ``inline=False`` (node hosts).
    window = MainWindow(workspace, data_dir, prefs, quiet=True, autosave_ms=100,
                        backend_factory=lambda w: local_backend(w, inline=inline))
    qtbot.addWidget(window, before_close_func=close_owned_windows)
    # pytest-qt closes widgets before fixture teardown: never block on a question there.
    window.ask_unsaved = lambda doc: "discard"
    window.ask_unsaved_many = lambda docs: "discard_all"
    window.ask_restore = lambda entries: False
    window.ask_stop_debug = lambda doc, status: True
    window.resize(1280, 800)
    window.load_workspace()
    return window


def visible_windows() -> list:
    """The top-level windows on screen: main windows, pages, dialogs (not menus, tooltips or a
    combo's popup)."""
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and w.windowType() not in (Qt.WindowType.Popup, Qt.WindowType.ToolTip)]


def close_owned_windows(window) -> None:
    """Close the dialogs and windows ``window`` owns (the modeless Run Dataset and its Compare
    Batches, …) while its runtime still runs. Quitting the app takes them away; closing the main
    window alone in a test does not (a parent's deleteLater waits for an event loop), so they
    stayed on screen into the next test."""
    for w in visible_windows():
        owner = w.parentWidget()
        while owner is not None and owner is not window:
            owner = owner.parentWidget()
        if owner is window:
            w.close()


def close_window(window) -> None:
    close_owned_windows(window)
    window.ask_unsaved = lambda doc: "discard"
    window.ask_unsaved_many = lambda docs: "discard_all"
    window.ask_stop_debug = lambda doc, status: True
    window.close()


def flush(qtbot, doc) -> None:
    """Run the document's debounced analysis now and let queued signals land."""
    doc.refresh_analysis()
    qtbot.wait(0)


def open_flow(window, ws, name):
    doc = window.open_path(ws / "flows" / f"{name}.flow.yaml")
    doc.refresh_analysis()
    return window.current_tab()


def wait_done(qtbot, tab, timeout=20000):
    qtbot.waitUntil(lambda: tab.run is not None and not tab.run.state.is_running, timeout=timeout)


# -- gestures: what the user does, sent as real mouse and key events ---------------------------------
def click(qtbot, widget) -> None:
    """A left click in the middle of ``widget`` (a button)."""
    assert widget.isEnabled(), f"{widget.objectName() or widget!r} is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def double_click_item(qtbot, tree, item, column: int = 0) -> None:
    """A double click on ``item``'s ``column`` cell, on the tree's viewport (scrolled into view first)."""
    tree.scrollToItem(item)
    index = tree.indexFromItem(item, column)
    rect = tree.visualRect(index)
    assert rect.isValid() and tree.viewport().rect().contains(rect.center()), "item not on screen"
    # What the window system delivers: press, release, the second press as a double-click event,
    # release (QTest's mouseDClick sends only the double-click event; item views ignore it alone).
    viewport, left, at = tree.viewport(), Qt.MouseButton.LeftButton, rect.center()
    qtbot.mouseClick(viewport, left, pos=at)
    qtbot.mouseDClick(viewport, left, pos=at)
    qtbot.mouseRelease(viewport, left, pos=at)


def type_over(qtbot, field, text: str) -> None:
    """Select everything in ``field`` (a line edit or spin box) and type ``text`` over it (nothing:
    clear it), key by key."""
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(field, text)
    else:
        qtbot.keyClick(field, Qt.Key.Key_Delete)


def type_and_enter(qtbot, field, text: str) -> None:
    """:func:`type_over`, then Enter — how a field is committed (``editingFinished``)."""
    type_over(qtbot, field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def shown(window, cls):
    """The one ``cls`` (a dialog, the palette) open over ``window`` — what the user sees, found as
    the user finds it rather than through the window's private attributes."""
    found = [w for w in window.findChildren(cls) if w.isVisible()]
    assert len(found) == 1, f"{len(found)} visible {cls.__name__}"
    return found[0]


# -- canvas gestures: mouse events on the view's viewport at scene points ----------------------------
def vp(view, scene_point: QPointF) -> QPoint:
    return view.mapFromScene(scene_point)


def drag(view, a: QPointF, b: QPointF, steps: int = 6) -> None:
    """Press at scene point ``a``, move there in ``steps``, release at ``b`` (a card, a port, a band)."""
    w = view.viewport()
    pa, pb = vp(view, a), vp(view, b)
    QTest.mousePress(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pa)
    for i in range(1, steps + 1):
        QTest.mouseMove(w, pa + (pb - pa) * i / steps)
    QTest.mouseRelease(w, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pb)


def click_at(view, scene_point: QPointF) -> None:
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     vp(view, scene_point))


def on_edge(item, at: float = 0.3) -> QPointF:
    """A scene point on an edge's curve, off its middle (where a condition label may sit)."""
    return item.mapToScene(item.path().pointAtPercent(at))


def on_card(item) -> QPointF:
    """A scene point inside a node card, clear of its ports."""
    return item.mapToScene(item.boundingRect().center())


def press_shortcut(qtbot, window, action_name: str) -> None:
    """Press the action's first shortcut (Ctrl+S for Save, …) where the keyboard focus is, as the
    user does; the window is shown and made active first, as shortcuts need."""
    from PySide6.QtWidgets import QApplication

    action = window.actions[action_name]
    sequence = action.shortcut()
    assert not sequence.isEmpty(), f"{action_name} has no shortcut"
    if not window.isVisible():
        window.show()
        qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    target = QApplication.focusWidget() or window
    combo = sequence[0]
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


def click_header(qtbot, window, action_name: str) -> None:
    """Click the header toolbar's button for the action (Save, Undo, Redo, Executions, …)."""
    button = window.header.widgetForAction(window.actions[action_name])
    assert button is not None, f"{action_name} is not in the header"
    click(qtbot, button)


def click_menu_item(qtbot, window, menu_title: str, action) -> None:
    """Open the menu bar's ``menu_title`` menu (``"Run"``) with a click, then click ``action`` in it."""
    from PySide6.QtCore import Qt

    bar = window.menuBar()
    menu = next(a.menu() for a in bar.actions() if a.text().replace("&", "") == menu_title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(menu.menuAction()).center())
    qtbot.waitUntil(menu.isVisible)
    assert action in menu.actions()
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def click_tab(qtbot, tabs, index: int) -> None:
    """Click the ``index``-th tab of a QTabWidget on its tab bar, as the user switches tabs."""
    from PySide6.QtCore import Qt

    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    qtbot.waitUntil(lambda: tabs.currentIndex() == index)


def click_item(qtbot, tree, item, column: int = 0) -> None:
    """A single left click on ``item``'s ``column`` cell, on the tree's viewport (scrolled into view first)."""
    tree.scrollToItem(item)
    rect = tree.visualRect(tree.indexFromItem(item, column))
    assert rect.isValid() and tree.viewport().rect().contains(rect.center()), "item not on screen"
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())



def select_row(qtbot, tree, row: int) -> None:
    """Click the tree's top-level row ``row`` and wait until it is selected."""
    item = tree.topLevelItem(row)
    click_item(qtbot, tree, item)
    qtbot.waitUntil(lambda: item.isSelected())


def run_then_open_details(qtbot, window, workspace, flow: str, data: dict):
    """Run ``flow`` in the window, then open its execution's detail page as a user does: the
    Executions view, select the row, click **Open details**. Returns (execution id, page)."""
    tab = open_flow(window, workspace, flow)
    run = window.start_run(tab, data)
    wait_done(qtbot, tab)
    execution_id = run.state.execution_id
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: len(panel.rows()) == 1)
    select_row(qtbot, panel.table, 0)
    click(qtbot, panel.details_button)
    pages = window.execution_pages.pages
    qtbot.waitUntil(lambda: execution_id in pages)
    qtbot.waitExposed(pages[execution_id])
    return execution_id, pages[execution_id]

#: Two Upper nodes whose edge maps ``text`` through ``split`` (a list into a string field): the run
#: fails on the edge a → b, so "Show on canvas" selects that edge.
BADMAP_FLOW = """\
    imports: [tests/faults@0.1.0]
    nodes:
      - id: a
        node: tests/faults@0.1.0:Upper
      - id: b
        node: tests/faults@0.1.0:Upper
    edges:
      - from: a
        to: b
        map:
          text: text | split(" ", 3)
          big: big
    """
