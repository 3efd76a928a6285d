"""The canvas at the sizes a window gives it (the screens audit): no scroll bar while every card is
in view (the scene rect's wide margin is room to scroll into, not content), a bar once a card is
out of view; and after a fit (F) no card lies under the Run button, even when the window is as
short as it goes and the band above the button is too low for the cards."""
from __future__ import annotations

from ide_support import flush
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest


def _open(window, qtbot, workspace, name: str):
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    doc = window.open_path(workspace / "flows" / f"{name}.flow.yaml")
    flush(qtbot, doc)
    tab = window.current_tab()
    qtbot.waitUntil(tab.view.isVisible)
    return tab


def _run_rect(tab) -> QRect:
    view, button = tab.view, tab.run_button
    return QRect(view.viewport().mapFromGlobal(button.mapToGlobal(button.rect().topLeft())), button.size())


def _card_rects(tab) -> dict[str, QRect]:
    view = tab.view
    return {n.node_id: view.mapFromScene(n.mapRectToScene(n.card_rect())).boundingRect()
            for n in tab.scene.node_items()}


def test_no_scroll_bars_while_the_whole_flow_is_in_view(window, qtbot, example_workspace):
    tab = _open(window, qtbot, example_workspace, "greeter")
    view = tab.view
    QTest.keyClick(view, Qt.Key.Key_F)  # fit: both cards in view
    off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    qtbot.waitUntil(lambda: view.horizontalScrollBarPolicy() == off and view.verticalScrollBarPolicy() == off)
    assert not view.horizontalScrollBar().isVisible() and not view.verticalScrollBar().isVisible()
    assert all(view.viewport().rect().contains(r) for r in _card_rects(tab).values())
    window.grab().save("/tmp/canvas_fit_no_bars.png")

    # scrolled so a card is half out of view: the bar along that axis is back to scroll with
    bar = view.horizontalScrollBar()
    greet = _card_rects(tab)["greet"]
    bar.setValue(bar.value() + greet.right() - greet.width() // 2)
    qtbot.waitUntil(lambda: view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded)
    assert view.horizontalScrollBar().isVisible()
    assert view.verticalScrollBarPolicy() == off


def test_after_a_fit_no_card_is_under_the_run_button_at_the_shortest_window(window, qtbot, example_workspace):
    tab = _open(window, qtbot, example_workspace, "branching")
    view = tab.view
    height = window.minimumSizeHint().height()
    window.resize(1280, height)
    qtbot.waitUntil(lambda: window.height() == height)
    assert view.viewport().height() < 100  # a low canvas: the band above the Run button is under 40 px
    QTest.keyClick(view, Qt.Key.Key_F)
    run = _run_rect(tab)
    assert tab.run_button.isVisible() and view.viewport().rect().intersects(run)
    window.grab().save("/tmp/canvas_fit_short.png")
    cards = _card_rects(tab)
    assert len(cards) == 4
    for node, rect in cards.items():
        assert view.viewport().rect().contains(rect), node
        assert not rect.intersects(run), f"{node} {rect} under the Run button {run}"
