"""What a person sees at 1280×720 (the screens audit): no surface clips a text or scrolls sideways
at the widths the window gives it, and no dialog or window is taller than a 720 px screen."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QLabel, QPushButton, QScrollArea, QTabBar


def click_dock_tab(qtbot, window, title: str) -> None:
    """Click the tab titled ``title`` under a tabbed dock area (Library | Marketplace)."""
    for bar in window.findChildren(QTabBar):
        for i in range(bar.count()):
            if bar.isVisible() and bar.tabText(i) == title:
                qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
                return
    raise AssertionError(f"no {title} dock tab")


def test_marketplace_cards_wrap_to_the_narrowest_dock_without_a_sideways_scroll(window, qtbot):
    """The local card's "examples/math @0.1.0" beside "+ Import" was wider than the 260 px dock:
    a horizontal scroll bar under the list and the button half out of view."""
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    click_dock_tab(qtbot, window, "Marketplace")
    dock = window.marketplace_dock
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)  # dragged as narrow as it goes
    qtbot.waitUntil(lambda: dock.width() == dock.minimumSizeHint().width())
    area = dock.widget().findChild(QScrollArea)
    cards = [c for c in area.widget().children() if c.objectName().startswith("card:")]
    assert len(cards) == 2
    qtbot.waitUntil(lambda: all(c.isVisible() for c in cards))
    assert not area.horizontalScrollBar().isVisible()
    viewport = area.viewport()
    for card in cards:
        for w in (card.findChild(QLabel, "cardTitle"), card.findChild(QPushButton, "importButton")):
            rect = QRect(w.mapTo(viewport, QPoint(0, 0)), w.size())
            assert viewport.rect().contains(rect), f"{card.objectName()} {w.objectName()} {rect} outside {viewport.rect()}"
        title = card.findChild(QLabel, "cardTitle")
        assert title.height() >= title.heightForWidth(title.width())  # wrapped, every line shown


def test_the_mode_choice_elides_with_its_full_label_as_the_tooltip(window, qtbot, example_workspace):
    """At the Inspector's first-run width "Unary — single request / response" was cut mid-word."""
    from axiom_ide.app import api_info

    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    window.resizeDocks([window.inspector_dock], [300], Qt.Orientation.Horizontal)
    mode = window.inspector.flow_page.mode
    qtbot.waitUntil(lambda: mode.isVisible() and mode.currentText() == api_info.UNARY_LABEL)
    qtbot.waitUntil(mode.is_elided)
    assert mode.toolTip() == api_info.UNARY_LABEL
    window.grab().save("/tmp/screens_fit_mode.png")
    window.resizeDocks([window.inspector_dock], [600], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: not mode.is_elided())
    assert mode.toolTip() == ""


def _button_in_view(tree, button) -> bool:
    viewport = tree.viewport()
    return viewport.rect().contains(QRect(button.mapTo(viewport, QPoint(0, 0)), button.size()))


LONG_KEY = "ci-pipeline-deploy-key-for-the-nightly-build"
LONG_SECRET = "A_VERY_LONG_SECRET_NAME_FOR_THE_PAYMENTS_GATEWAY"


def test_a_long_key_or_secret_name_keeps_its_row_button_in_view(window, qtbot):
    """The rows' **Revoke <name>** / **Delete <name>** buttons were cut at the list's edge (or
    scrolled out of it) by a long name: the name column now gives way and elides, its full text in
    the tooltip, in the Console at its opening size."""
    from ide_support import click, click_header, shown, type_and_enter, type_over

    from axiom_ide.app.console.api_keys import CreateKeyDialog, SaveKeyDialog
    from axiom_ide.app.console.window import ConsoleWindow

    window.show()
    qtbot.waitExposed(window)
    click_header(qtbot, window, "console-action")
    console = shown(window, ConsoleWindow)
    assert console.height() <= 720 and console.width() <= 1280
    keys = console.api_keys
    click(qtbot, keys.create_button)
    type_and_enter(qtbot, shown(window, CreateKeyDialog).name, LONG_KEY)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(SaveKeyDialog)), timeout=10000)
    click(qtbot, shown(window, SaveKeyDialog).done_button)
    qtbot.waitUntil(lambda: LONG_KEY in keys.revoke_buttons, timeout=10000)
    button = keys.revoke_buttons[LONG_KEY]
    qtbot.waitUntil(button.isVisible)
    assert button.text() == f"Revoke {LONG_KEY}"  # the docs' label, whole
    assert button.width() >= button.sizeHint().width()
    assert _button_in_view(keys.table, button)
    assert not keys.table.horizontalScrollBar().isVisible()
    assert keys.table.topLevelItem(0).toolTip(0) == LONG_KEY

    secrets = console.show_page("Secrets")
    click(qtbot, secrets.add_button)
    type_over(qtbot, secrets.name, LONG_SECRET)
    type_and_enter(qtbot, secrets.value, "s3cret")
    qtbot.waitUntil(lambda: LONG_SECRET in secrets.delete_buttons, timeout=10000)
    button = secrets.delete_buttons[LONG_SECRET]
    qtbot.waitUntil(button.isVisible)
    console.grab().save("/tmp/screens_fit_secrets.png")
    assert button.width() >= button.sizeHint().width()
    assert _button_in_view(secrets.table, button)
    assert not secrets.table.horizontalScrollBar().isVisible()
    assert secrets.table.topLevelItem(0).toolTip(0) == LONG_SECRET


#: The screen the audit budgets for; a title bar and a panel take some of its height.
SCREEN_W, SCREEN_H, TITLE_BAR = 1280, 720, 40


def _fits_the_screen(w) -> None:
    name = w.objectName() or w.metaObject().className()
    hint = w.minimumSizeHint()
    assert hint.width() <= SCREEN_W and hint.height() <= SCREEN_H - TITLE_BAR, f"{name} needs {hint}"
    assert w.width() <= SCREEN_W and w.height() <= SCREEN_H - TITLE_BAR, f"{name} opens at {w.size()}"


def test_every_dialog_and_window_from_the_menus_fits_a_1280x720_screen(window, qtbot, example_workspace):
    from ide_support import click_menu_item, open_flow, wait_done
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QMenu

    window.resize(SCREEN_W, SCREEN_H)
    window.show()
    qtbot.waitExposed(window)
    tab = open_flow(window, example_workspace, "greeter")
    window.start_run(tab, {"name": "Ada"})  # a realistic state: the flow has run once
    wait_done(qtbot, tab)
    seen = []

    def check_modal() -> None:  # New Flow… and Open… ask with exec(): checked, then cancelled
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, check_modal)
            return
        _fits_the_screen(dialog)
        seen.append(dialog.metaObject().className())
        dialog.reject()

    for count, name in enumerate(("new-flow-action", "open-flow-action"), 1):
        QTimer.singleShot(0, check_modal)
        click_menu_item(qtbot, window, "File", window.actions[name])
        qtbot.waitUntil(lambda n=count: len(seen) == n and QApplication.activeModalWidget() is None)
    for menu, name in (("Run", "run-action"), ("Run", "run-dataset-action"), ("Run", "console-action"),
                       ("Run", "push-package-action"), ("File", "compare-with-action"),
                       ("Settings", "connections-action"), ("Help", "shortcuts-action"),
                       ("View", "command-palette-action")):
        before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
        click_menu_item(qtbot, window, menu, window.actions[name])
        def opened(b=before):
            return {w for w in QApplication.topLevelWidgets() if w.isVisible() and not isinstance(w, QMenu)} - b

        qtbot.waitUntil(lambda: bool(opened()))
        for w in opened():
            _fits_the_screen(w)
            seen.append(w.metaObject().className())
            w.close() if not isinstance(w, QDialog) else w.reject()
    assert {"NewFlowDialog", "OpenFlowDialog", "RunGraphDialog", "RunDatasetDialog", "ConsoleWindow",
            "PushPackageDialog", "CompareWithDialog", "ConnectionsDialog", "ShortcutsDialog",
            "CommandPalette"} <= set(seen), seen



def test_a_window_opens_with_room_for_its_frame_on_a_1280x720_screen():
    """Pages opened at the screen's whole available height, so their title bar pushed the bottom
    edge (the timeline's last rows, the buttons) past a 1280×720 screen with a 30 px panel."""
    from PySide6.QtCore import QRect

    from axiom_ide.app.screen_fit import FRAME_H, FRAME_W, fitted_size

    panel = QRect(0, 0, 1280, 690)
    size = fitted_size(1200, 680, panel)
    assert size.height() + FRAME_H <= 690 and size.width() == 1200
    assert fitted_size(1200, 680, QRect(0, 0, 1920, 1080)).toTuple() == (1200, 680)
    assert fitted_size(1200, 680, QRect(0, 0, 1024, 600)).width() + FRAME_W <= 1024


def test_the_execution_detail_page_opens_fitted_to_its_screen(window, qtbot, example_workspace):
    from ide_support import run_then_open_details

    from axiom_ide.app.execution_pages import PAGE_SIZE
    from axiom_ide.app.screen_fit import fitted_size

    window.show()
    qtbot.waitExposed(window)
    _eid, page = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "ab"})
    assert page.size() == fitted_size(*PAGE_SIZE, window.screen().availableGeometry())
    _fits_the_screen(page)


def test_flow_configs_rows_stay_at_the_top_when_there_is_no_profile_list(window, qtbot):
    """On Tenant default (no profiles list) the spare height spread the rows down the page: the
    "Effective: …" line floated half-way down, under a blank gap."""
    from test_console_flow_configs import open_flow_configs

    window.show()
    qtbot.waitExposed(window)
    page = open_flow_configs(qtbot, window)
    qtbot.waitUntil(lambda: page.isVisible() and page.effective.text().startswith("Effective"), timeout=10000)
    assert not page.table.isVisible()
    page.window().grab().save("/tmp/screens_fit_flow_configs.png")
    # the line is as tall as its text, right under the timeout row (its text was centred in a tall label)
    assert page.effective.height() <= page.effective.sizeHint().height() + 4, page.effective.height()
    assert page.effective.geometry().top() - page.default_timeout.geometry().bottom() < 20
