"""Pins follow copied nodes: Ctrl+D / Ctrl+C, Ctrl+V of a pinned card pin its copy the same, in the
same undo step (Undo takes node and pin back, Redo brings both), in the copy's own flow and in
another saved flow (the source flow's pins file); the pinned output never goes on the clipboard."""
from __future__ import annotations

import json

from engine_support import write_flow
from ide_support import click_at, press_shortcut
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_clipboard_keys import CTRL, PKG, _open, _select, keyed

from axiom_ide.runtime.pins import Pin, load_pins, pins_path, save_pins

PIN = Pin({"text": "from the pin"}, "typed")


def _file_pins(tab) -> dict:
    return json.loads(pins_path(tab.doc.path).read_text())["pins"]


def test_duplicate_and_paste_of_a_pinned_card_pin_the_copy_in_the_same_step(qtbot, window, example_workspace):
    keyed(example_workspace)
    save_pins(example_workspace / "flows" / "keyed.flow.yaml", {"c": PIN})
    tab = _open(qtbot, window, example_workspace, "keyed")
    stack = tab.doc.undo_stack
    assert tab.pins == {"c": PIN}
    _select(tab.view, ["c"])
    qtbot.keyClick(tab.view, Qt.Key.Key_D, CTRL)
    assert stack.count() == 1 and stack.undoText() == "Duplicate c-2"
    assert tab.pins == {"c": PIN, "c-2": PIN} and tab.scene.item_for_node("c-2").pinned
    assert set(_file_pins(tab)) == {"c", "c-2"}
    press_shortcut(qtbot, window, "undo-action")  # one step: the node and its pin
    assert tab.doc.flow.node("c-2") is None and tab.pins == {"c": PIN} and set(_file_pins(tab)) == {"c"}
    press_shortcut(qtbot, window, "redo-action")
    assert tab.doc.flow.node("c-2") is not None and tab.pins["c-2"] == PIN and set(_file_pins(tab)) == {"c", "c-2"}

    _select(tab.view, ["c", "a"])  # a pinned and an unpinned card
    qtbot.keyClick(tab.view, Qt.Key.Key_C, CTRL)
    assert "from the pin" not in QApplication.clipboard().text()  # the pin stays beside the flow
    qtbot.keyClick(tab.view, Qt.Key.Key_V, CTRL)
    assert stack.count() == 2 and stack.undoText() == "Paste 2 nodes"
    assert sorted(tab.scene.selected_node_ids()) == ["a-2", "c-3"]
    assert tab.pins == {"c": PIN, "c-2": PIN, "c-3": PIN} and not tab.scene.item_for_node("a-2").pinned
    assert load_pins(tab.doc.path) == tab.pins
    press_shortcut(qtbot, window, "undo-action")
    assert tab.doc.flow.node("c-3") is None and "c-3" not in tab.pins and "c-3" not in _file_pins(tab)


def test_a_paste_into_another_flow_takes_the_source_flows_pin(qtbot, window, example_workspace):
    keyed(example_workspace)
    save_pins(example_workspace / "flows" / "keyed.flow.yaml", {"c": PIN})
    write_flow(example_workspace, "target", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: c, node: "{PKG}:Look"}}
        edges: []
        """)
    source = _open(qtbot, window, example_workspace, "keyed")
    _select(source.view, ["c"])
    qtbot.keyClick(source.view, Qt.Key.Key_C, CTRL)
    target = _open(qtbot, window, example_workspace, "target")
    assert window.current_tab() is target and target.pins == {}
    click_at(target.view, target.view.mapToScene(5, 5))  # the keyboard focus on this canvas
    qtbot.keyClick(target.view, Qt.Key.Key_V, CTRL)
    assert target.doc.undo_stack.count() == 1 and target.doc.undo_stack.undoText() == "Paste c-2"
    assert target.pins == {"c-2": PIN} and target.scene.item_for_node("c-2").pinned
    assert load_pins(target.doc.path) == {"c-2": PIN}
    assert not target.scene.item_for_node("c").pinned  # the target's own c is another node
    press_shortcut(qtbot, window, "undo-action")
    assert target.pins == {} and load_pins(target.doc.path) == {}
    assert source.pins == {"c": PIN}


def test_a_deleted_nodes_pin_goes_with_it_and_comes_back_with_undo(qtbot, window, example_workspace):
    # Once a deleted node's pin stayed behind, and the next node given its id (a paste, a drop from
    # the Library) ran pinned.
    keyed(example_workspace)
    save_pins(example_workspace / "flows" / "keyed.flow.yaml", {"c": PIN})
    tab = _open(qtbot, window, example_workspace, "keyed")
    stack = tab.doc.undo_stack
    _select(tab.view, ["c"])
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    assert stack.count() == 1 and stack.undoText() == "Remove c"
    assert tab.doc.flow.node("c") is None and tab.pins == {} and not pins_path(tab.doc.path).exists()
    press_shortcut(qtbot, window, "undo-action")  # one step: the node and its pin
    assert tab.doc.flow.node("c") is not None and tab.pins == {"c": PIN} and set(_file_pins(tab)) == {"c"}
    assert tab.scene.item_for_node("c").pinned
    _select(tab.view, ["c"])
    qtbot.keyClick(tab.view, Qt.Key.Key_X, CTRL)  # cut, then paste back under the same id
    assert tab.pins == {}
    qtbot.keyClick(tab.view, Qt.Key.Key_V, CTRL)
    assert tab.doc.flow.node("c") is not None and tab.pins == {"c": PIN}  # the paste takes the pin of its source
