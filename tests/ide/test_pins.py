"""Pinned data in the editor (app/pins.py): pin a card's output by right-click (typed JSON, checked
against the output message) or from the payload popover; a pinned card wears a pin badge, editor
runs skip the node (its events and popover say pinned), and Undo takes a pin back."""
from __future__ import annotations

import json
import stat

import pytest
from engine_support import chain
from ide_support import click, click_header, open_flow, type_and_enter, wait_done
from PySide6.QtCore import Qt
from test_debugger_core import choose, right_click_menu
from test_node_identity import _select as select_card
from test_payload_popover import click_card, popover_of
from test_run import event_rows, run_with

from axiom_ide.app.pins import PIN, UNPIN
from axiom_ide.runtime.pins import Pin, pins_path
from axiom_ide.runtime.store import events as ev


@pytest.fixture
def window(run_window):
    return run_window


def type_json(qtbot, editor, text: str) -> None:
    editor.setFocus()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)


def test_pin_by_right_click_skips_the_node_and_undo_unpins(qtbot, window, example_workspace):
    flow = chain(example_workspace, "pinboom", ["Upper", "Boom"])  # Boom raises whenever it is called
    tab = open_flow(window, example_workspace, "pinboom")
    item = tab.scene.item_for_node("n2")
    assert not item.pinned
    menu = right_click_menu(qtbot, tab, "n2")
    assert PIN in [a.text() for a in menu.actions()]
    choose(qtbot, menu, PIN)
    dialog = tab.pin_list.dialog
    qtbot.waitUntil(dialog.isVisible)
    assert json.loads(dialog.editor.toPlainText()) == {"text": "", "big": "0"}  # an example Text
    type_json(qtbot, dialog.editor, '{"text": 7, "nope": 1}')
    click(qtbot, dialog.pin_button)
    assert dialog.isVisible() and dialog.error.text().startswith("invalid JSON for Text: ")
    type_json(qtbot, dialog.editor, '{"text": "from the pin"}')
    click(qtbot, dialog.pin_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert tab.pins == {"n2": Pin({"text": "from the pin"}, "typed")} and item.pinned
    assert not tab.scene.item_for_node("n1").pinned
    assert tab.doc.undo_stack.undoText() == 'Pin output of "n2"'
    path = pins_path(flow)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["pins"] == {"n2": {"output": {"text": "from the pin"}, "source": "typed"}}
    assert "from the pin" not in flow.read_text(encoding="utf-8")

    run_with(qtbot, window, tab, text="x")
    wait_done(qtbot, tab)
    state = tab.run.state
    assert state.status == "Completed", state.result
    assert state.result.output == {"text": "from the pin", "big": "0"}
    n2 = [(e.type, e.data.get("pinned")) for e in state.events if e.node == "n2"]
    assert n2 == [(ev.NODE_STARTED, True), (ev.NODE_COMPLETED, True)]  # never called: no NODE_FAILED
    rows = event_rows(window)  # the result panel's Execution tab
    assert rows[0][1] == "EXECUTION_STARTED" and rows[0][4] == "pinned: n2"
    assert [r[4] for r in rows if r[2] == "n2"] == ["pinned (the node was not called)"] * 2
    assert [r[4] for r in rows if r[2] == "n1"] == ["", ""]
    click_card(qtbot, window, tab, "n2")
    popover = popover_of(qtbot, window, "n2")
    assert popover.title.text().endswith(" · Pinned")
    assert popover.findChild(type(popover.title), "payloadPinned").text() == "Pinned"
    popover.close()

    click_header(qtbot, window, "undo-action")
    assert tab.pins == {} and not item.pinned and not path.exists()
    click_header(qtbot, window, "redo-action")
    assert set(tab.pins) == {"n2"} and item.pinned and path.exists()
    menu = right_click_menu(qtbot, tab, "n2")
    choose(qtbot, menu, UNPIN)
    assert tab.pins == {} and not item.pinned and tab.doc.undo_stack.undoText() == 'Unpin "n2"'
    run_with(qtbot, window, tab, text="x")
    wait_done(qtbot, tab)
    assert tab.run.state.status == "Failed"  # unpinned, Boom runs for real


def test_pin_output_from_the_payload_popover(qtbot, window, example_workspace):
    chain(example_workspace, "pinpop", ["Upper", "Upper"])
    tab = open_flow(window, example_workspace, "pinpop")
    run_with(qtbot, window, tab, text="first")
    wait_done(qtbot, tab)
    first = tab.run.state.execution_id
    click_card(qtbot, window, tab, "n1")
    popover = popover_of(qtbot, window, "n1")
    assert "Pinned" not in popover.title.text()
    click(qtbot, popover.pin_button)
    assert tab.pins == {"n1": Pin({"text": "FIRST", "big": "0"}, f"execution {first}")}
    assert tab.scene.item_for_node("n1").pinned
    run_with(qtbot, window, tab, text="second")
    wait_done(qtbot, tab)
    state = tab.run.state
    assert state.result.output == {"text": "FIRST", "big": "0"}
    assert [e.data.get("pinned") for e in state.events if e.node == "n1" and e.type == ev.NODE_COMPLETED] == [True]
    assert [e.data.get("pinned") for e in state.events if e.node == "n2" and e.type == ev.NODE_COMPLETED] == [None]


def test_a_pin_follows_its_node_s_rename_and_its_undo(qtbot, window, example_workspace):
    flow = chain(example_workspace, "pinrename", ["Upper", "Upper"])
    tab = open_flow(window, example_workspace, "pinrename")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), PIN)
    dialog = tab.pin_list.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_json(qtbot, dialog.editor, '{"text": "P"}')
    click(qtbot, dialog.pin_button)
    assert set(tab.pins) == {"n2"}
    page = select_card(qtbot, window, tab, "n2")
    type_and_enter(qtbot, page.id_field, "last")  # the inspector's canvas id field
    assert set(tab.pins) == {"last"} and tab.scene.item_for_node("last").pinned
    assert set(json.loads(pins_path(flow).read_text())["pins"]) == {"last"}
    click_header(qtbot, window, "undo-action")
    assert set(tab.pins) == {"n2"} and tab.scene.item_for_node("n2").pinned
