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

from axiom_ide.app.pins import DROPPED, PIN, UNPIN
from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.pins import Pin, load_pins, pins_path, save_pins


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


def tab_text(window, tab):
    return window.tabs.tabText(window.tabs.indexOf(tab))


def test_pin_and_unpin_never_mark_the_flow_modified_and_stay_undoable(qtbot, window, example_workspace):
    flow = chain(example_workspace, "pinclean", ["Upper", "Upper"])
    saved = flow.read_text(encoding="utf-8")
    tab = open_flow(window, example_workspace, "pinclean")
    doc = tab.doc
    dirty = []
    doc.dirtyChanged.connect(dirty.append)
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), PIN)
    dialog = tab.pin_list.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_json(qtbot, dialog.editor, '{"text": "P"}')
    click(qtbot, dialog.pin_button)
    assert set(tab.pins) == {"n2"} and doc.undo_stack.undoText() == 'Pin output of "n2"'
    assert not doc.is_dirty and not tab_text(window, tab).startswith("• ") and "*" not in window.windowTitle()
    page = select_card(qtbot, window, tab, "n1")
    type_and_enter(qtbot, page.id_field, "first")  # a real edit of the flow.yaml
    assert doc.is_dirty and tab_text(window, tab).startswith("• ")
    click_header(qtbot, window, "undo-action")  # the rename: the flow is the saved one again
    assert not doc.is_dirty and not tab_text(window, tab).startswith("• ")
    assert doc.undo_stack.undoText() == 'Pin output of "n2"'
    click_header(qtbot, window, "undo-action")  # the pin
    assert tab.pins == {} and not doc.is_dirty
    click_header(qtbot, window, "redo-action")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), UNPIN)
    assert tab.pins == {} and not doc.is_dirty and doc.undo_stack.undoText() == 'Unpin "n2"'
    assert dirty == [True, False]  # only the rename and its undo changed it
    assert flow.read_text(encoding="utf-8") == saved


def test_a_pin_on_a_node_the_flow_no_longer_has_is_dropped_on_open(qtbot, window, example_workspace):
    flow = chain(example_workspace, "pingone", ["Upper", "Upper"])
    save_pins(flow, {"n1": Pin({"text": "kept"}), "ghost": Pin({"text": "gone"})})
    tab = open_flow(window, example_workspace, "pingone")
    assert tab.pins == {"n1": Pin({"text": "kept"})} and tab.scene.item_for_node("n1").pinned
    assert window.statusBar().currentMessage() == DROPPED.format(node="ghost")
    assert DROPPED.format(node="ghost") == 'Pin on "ghost" dropped: the flow has no such node any more'
    assert load_pins(flow) == {"n1": Pin({"text": "kept"})}  # the file no longer has it
    assert not tab.doc.is_dirty


def test_a_pinned_node_in_a_pipeline_run_answers_every_frame_with_its_pin(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "words")
    choose(qtbot, right_click_menu(qtbot, tab, "shout"), PIN)
    dialog = tab.pin_list.dialog
    qtbot.waitUntil(dialog.isVisible)
    type_json(qtbot, dialog.editor, '{"word": "PINNED", "index": 9}')
    click(qtbot, dialog.pin_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert tab.pins == {"shout": Pin({"word": "PINNED", "index": 9}, "typed")}
    run = run_with(qtbot, window, tab, text="to be or")
    wait_done(qtbot, tab)
    assert run.state.status == "Completed" and run.pins_ignored == 0
    lines = window.results.output.toPlainText().splitlines()  # one pinned frame per word reaching shout
    assert lines[:3] == [f'[{i}] {{"word": "PINNED", "index": 9}}' for i in range(3)]
    shout = [(e.type, e.data.get("pinned")) for e in run.state.events
             if e.node == "shout" and e.type in (ev.NODE_STARTED, ev.NODE_COMPLETED)]
    assert shout == [(ev.NODE_STARTED, True), (ev.NODE_COMPLETED, True)]
    rows = event_rows(window)
    assert rows[0][1] == "EXECUTION_STARTED" and rows[0][4] == "pinned: shout"
    assert "Pins apply" not in window.statusBar().currentMessage()
    click_card(qtbot, window, tab, "shout")
    popover = popover_of(qtbot, window, "shout")
    assert popover.title.text().endswith(" · Pinned")
    popover.close()
    choose(qtbot, right_click_menu(qtbot, tab, "shout"), UNPIN)
    run = run_with(qtbot, window, tab, text="to be")
    wait_done(qtbot, tab)
    lines = window.results.output.toPlainText().splitlines()  # unpinned: the real WordUpper runs
    assert lines[:2] == ['[0] {"word": "TO", "index": 0}', '[1] {"word": "BE", "index": 1}']
