"""Texts that fit (#12 item 7): the Inspector at its narrowest dock width clips nothing (long texts
elide or scroll, with the full text in a tooltip); a condition label on an edge is one elided
line, clear of every card and port, its full text on hover; a transform step without parameters
has no argument box."""
from __future__ import annotations

import html
import re

from ide_support import click, click_at, flush, on_edge
from PySide6.QtCore import QEvent, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QLineEdit, QToolTip, QWidget

from axiom_ide.canvas.geometry import PORT_R

TEXT = "examples/text@0.1.0"
LONG_ID = "score_the_incoming_text_very_carefully"
CONDITION = 'output.length > 0 && output.text != "a rather long condition that never fits on one line"'
LONG = f"""\
name: long_texts
description: A flow whose description is far too long to fit the inspector at its narrowest width.
mode: unary
imports: [{TEXT}]
nodes:
  - {{id: {LONG_ID}, node: "{TEXT}:Score", col: 0, row: 0}}
  - {{id: loud, node: "{TEXT}:Upper", col: 1, row: 0}}
  - {{id: quiet, node: "{TEXT}:Echo", col: 1, row: 1}}
  - {{id: below, node: "{TEXT}:Echo", col: 1, row: 2}}
edges:
  - {{from: {LONG_ID}, to: loud, map: {{text: text}}, when: '{CONDITION}'}}
  - {{from: {LONG_ID}, to: quiet, map: {{text: text}}, when: 'output.score < 1.0 && output.length > 3'}}
  - {{from: quiet, to: below, when: 'output.text != "going back along the row gutter below"'}}
"""


def open_long(window, qtbot, workspace):
    path = workspace / "flows" / "long_texts.flow.yaml"
    path.write_text(LONG)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    doc = window.open_path(path)
    flush(qtbot, doc)
    return doc, window.current_tab()


def narrowest_inspector(window, qtbot):
    """The inspector dock made as narrow as its contents allow (as dragging its splitter does)."""
    dock = window.inspector_dock
    window.resizeDocks([dock], [1], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: dock.width() == dock.minimumSizeHint().width())
    return dock


def plain(tooltip: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", tooltip.replace("<br>", "\n")))


def assert_fits(area) -> None:
    """Every visible text widget of the scroll area's page lies inside its viewport, and one that
    cannot show all its text has the full text as its tooltip."""
    viewport = area.viewport()
    checked = 0
    for w in area.widget().findChildren(QWidget):
        if not isinstance(w, (QLabel, QLineEdit, QComboBox, QAbstractButton)) or not w.isVisible():
            continue
        rect = QRect(w.mapTo(viewport, QPoint(0, 0)), w.size())
        assert viewport.rect().contains(rect), f"{w.objectName() or w.metaObject().className()} {rect} outside {viewport.rect()}"
        checked += 1
        if isinstance(w, QLineEdit):
            if w.fontMetrics().horizontalAdvance(w.text()) > w.width():
                assert w.toolTip() == w.text(), w.objectName()
        elif isinstance(w, QLabel) and not w.wordWrap() and w.textFormat() == Qt.TextFormat.PlainText:
            if w.fontMetrics().horizontalAdvance(w.text()) > w.contentsRect().width():
                assert w.toolTip() == w.text(), w.objectName()
    assert checked >= 5


def test_edge_inspector_fits_the_narrowest_dock(window, qtbot, example_workspace):
    _doc, tab = open_long(window, qtbot, example_workspace)
    click_at(tab.view, on_edge(tab.scene.item_for_edge((LONG_ID, "loud")), 0.6))
    page = window.inspector.edge_page
    qtbot.waitUntil(lambda: window.inspector.kind == "edge" and page.isVisible())
    dock = narrowest_inspector(window, qtbot)
    assert dock.width() < 300
    area = window.inspector.stack.currentWidget()
    assert area.widget() is page
    window.grab().save("/tmp/layout_texts_inspector.png")
    assert page.condition.text() == CONDITION
    assert page.condition.toolTip() == CONDITION
    assert page.subtitle.text() == f"{LONG_ID} → loud"
    assert page.subtitle.toolTip() == f"{LONG_ID} → loud"  # elided on screen
    assert_fits(area)


def test_flow_overview_fits_the_narrowest_dock(window, qtbot, example_workspace):
    doc, _tab = open_long(window, qtbot, example_workspace)
    narrowest_inspector(window, qtbot)
    page = window.inspector.flow_page
    qtbot.waitUntil(page.isVisible)
    assert page.endpoint.toolTip() == page.endpoint.text()
    assert page.description.toolTip() == doc.flow.description
    assert_fits(window.inspector.stack.currentWidget())


def test_condition_labels_are_one_elided_line_clear_of_cards_and_ports(window, qtbot, example_workspace):
    _doc, tab = open_long(window, qtbot, example_workspace)
    scene, view = tab.scene, tab.view
    view.centerOn(scene.item_for_node("quiet"))
    window.grab().save("/tmp/layout_texts_canvas.png")
    nodes = list(scene.node_items())
    keep_clear = [n.mapRectToScene(n.card_rect()) for n in nodes]
    for n in nodes:
        for port in (n.input_port(), n.output_port()):
            keep_clear.append(QRectF(port.x() - PORT_R, port.y() - PORT_R, 2 * PORT_R, 2 * PORT_R))
    edges = [e for e in scene.edge_items() if e.when]
    assert len(edges) == 3 and [e.routed for e in edges].count(True) == 1
    for edge in edges:
        label = edge.label
        full = f"when {edge.when}"
        # in a column gutter, between two ports, the bare condition; along a row gutter "when …"
        assert label.full_text == (full if edge.routed else edge.when)
        [line] = label.shown_text()  # one line
        assert line.endswith("…") and label.full_text.startswith(line[:-1])
        rect = label.sceneBoundingRect()
        assert not any(rect.intersects(r) for r in keep_clear), edge.key
        assert not rect.intersects(edge.arrow().boundingRect())
        # hovering shows the whole condition
        QToolTip.hideText()
        local = view.mapFromScene(rect.center())
        QApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, local, view.viewport().mapToGlobal(local)))
        qtbot.waitUntil(QToolTip.isVisible)
        assert full in plain(QToolTip.text()).splitlines()


def pick(qtbot, combo, data) -> None:
    """Open ``combo``'s list with a click and choose the item whose data is ``data`` with the
    keyboard (a click right after the list opens is ignored by Qt, as a stray release)."""
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    QTest.keyClick(view, Qt.Key.Key_Home)
    for _ in range(combo.findData(data)):
        QTest.keyClick(view, Qt.Key.Key_Down)
    QTest.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible())


def test_steps_without_parameters_have_no_argument_box(window, qtbot, example_workspace):
    doc, tab = open_long(window, qtbot, example_workspace)
    click_at(tab.view, on_edge(tab.scene.item_for_edge((LONG_ID, "loud")), 0.6))
    page = window.inspector.edge_page
    qtbot.waitUntil(lambda: window.inspector.kind == "edge" and page.isVisible())
    row = page.rows["text"]
    click(qtbot, row.add_step)
    qtbot.waitUntil(lambda: doc.flow.edge(LONG_ID, "loud").map == {"text": "text | upper"})
    step = page.rows["text"].step_rows()[-1]
    assert step.name_combo.currentData() == "upper"
    qtbot.waitUntil(step.isVisible)  # a row added to a shown panel shows on the next event loop turn
    assert not step.args_edit.isVisible()
    for name, hint in (("length", None), ("lower", None), ("trim", "cutset (optional)"), ("replace", "from, to"),
                       ("prefix", "text")):
        pick(qtbot, step.name_combo, name)
        assert step.name_combo.currentData() == name
        assert step.args_edit.isVisible() == (hint is not None), name
        if hint is not None:
            assert step.args_edit.placeholderText() == hint
    QTest.keyClicks(step.args_edit, '"Hi "')
    QTest.keyClick(step.args_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: doc.flow.edge(LONG_ID, "loud").map == {"text": 'text | prefix("Hi ")'})
    step = page.rows["text"].step_rows()[-1]
    qtbot.waitUntil(step.isVisible)
    assert step.args_edit.isVisible() and step.args_edit.text() == '"Hi "'
    click(qtbot, page.rows["text"].add_step)  # a second step: upper, no box, beside prefix's
    qtbot.waitUntil(lambda: doc.flow.edge(LONG_ID, "loud").map == {"text": 'text | prefix("Hi ") | upper'})
    narrowest_inspector(window, qtbot)
    window.grab().save("/tmp/layout_texts_steps.png")
    assert_fits(window.inspector.stack.currentWidget())


def test_a_loaded_no_argument_step_has_no_box(window, qtbot, example_workspace):
    doc = window.open_path(example_workspace / "flows" / "branching.flow.yaml")
    window.show()
    flush(qtbot, doc)
    window.current_tab().scene.select_edges([("score", "quiet")])  # text: text | lower
    page = window.inspector.edge_page
    qtbot.waitUntil(page.isVisible)
    [step] = page.rows["text"].step_rows()
    qtbot.waitUntil(step.isVisible)
    assert step.name_combo.currentData() == "lower" and not step.args_edit.isVisible()
    assert page.rows["text"].text() == "text | lower"


def test_the_window_fits_a_1280_screen_with_the_docks_at_their_default_widths(window, qtbot, example_workspace):
    """At 1280 px the bottom docks must not force the centre wide: the Executions bar once put its
    filters and its three actions on one row, 767 px at least, and squeezed the Inspector to its minimum."""
    window.open_path(example_workspace / "flows" / "greeter.flow.yaml")
    assert window.minimumSizeHint().width() <= 1000
    for dock in (window.results_dock, window.problems_dock, window.executions_dock):
        assert dock.minimumSizeHint().width() <= 600, dock.objectName()
    window.show()
    qtbot.waitExposed(window)
    window.resize(1200, 640)
    window.resizeDocks([window.library_dock, window.inspector_dock], [260, 340], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: window.inspector_dock.width() >= 300)
    assert window.inspector_dock.width() >= 300 and window.library_dock.width() >= 240


def test_an_edge_selected_keeps_the_window_as_narrow_as_nothing_selected(window, qtbot, example_workspace):
    """The edge page's widest rows (a field with transform steps; the pass-through page's
    "Configure field mapping anyway") once held the Inspector at ~310 px: the window could not be
    narrower than 1062 px. Now each line is short enough for the dock's narrowest width."""
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    dock = window.inspector_dock
    doc = window.open_path(example_workspace / "flows" / "greeter.flow.yaml")  # text: greeting | upper | prefix(..)
    flush(qtbot, doc)
    nothing = window.minimumSizeHint().width(), dock.minimumSizeHint().width()
    tab = window.current_tab()
    click_at(tab.view, on_edge(tab.scene.item_for_edge(("greet", "shout")), 0.5))
    page = window.inspector.edge_page
    qtbot.waitUntil(lambda: window.inspector.kind == "edge" and page.isVisible())
    assert len(page.rows["text"].step_rows()) == 2
    assert dock.minimumSizeHint().width() <= nothing[1] + 10
    assert window.minimumSizeHint().width() <= min(1000, nothing[0] + 10)
    linear = window.open_path(example_workspace / "flows" / "linear.flow.yaml")  # a pass-through edge
    flush(qtbot, linear)
    tab = window.current_tab()
    click_at(tab.view, on_edge(tab.scene.item_for_edge(("echo", "upper")), 0.5))
    page = window.inspector.edge_page
    qtbot.waitUntil(lambda: window.inspector.kind == "edge" and page.configure_button.isVisible())
    assert page.configure_button.text() == "Configure field mapping anyway"
    assert window.minimumSizeHint().width() <= min(1000, nothing[0] + 10)
    narrowest_inspector(window, qtbot)
    window.grab().save("/tmp/layout_texts_passthrough.png")
    button = page.configure_button
    assert button.height() >= button.heightForWidth(button.width())  # wrapped, not clipped
    assert_fits(window.inspector.stack.currentWidget())
