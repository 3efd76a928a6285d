"""Copy, cut, paste and duplicate keep every key of a node (approval, disabled, compensate, the
flow's join policy of it): Ctrl+C / Ctrl+X / Ctrl+V / Ctrl+D on the canvas, one undo step each,
checked in the flow.yaml saved with Ctrl+S. A ``compensate:`` naming a copied node points at its
copy; naming a node left behind it is kept where that compensation node exists (same id, same
package node), else dropped with a status-bar note."""
from __future__ import annotations

import json

from engine_support import write_flow
from ide_support import click_at, on_card, open_flow, press_shortcut, vp
from model_support import add_probe_package
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from axiom_ide.document import FlowDocument, clipboard
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace

PKG = "tests/probe@0.1.0"
CTRL = Qt.KeyboardModifier.ControlModifier
APPROVAL = {"prompt": "Ship it?", "timeout": "1h", "on_timeout": "approve"}


def keyed(ws) -> None:
    add_probe_package(ws)
    write_flow(ws, "keyed", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look", compensate: undo-a, approval: {{prompt: "Ship it?", timeout: 1h, on_timeout: approve}}}}
          - {{id: b, node: "{PKG}:Look", disabled: true, compensate: undo-b}}
          - {{id: c, node: "{PKG}:Fail"}}
          - {{id: undo-a, node: "{PKG}:Undo"}}
          - {{id: undo-b, node: "{PKG}:Undo"}}
        edges:
          - {{from: a, to: b, when: output.text != ""}}
          - {{from: b, to: c}}
        join:
          b: {{on_failure: ignore}}
        """)


def _open(qtbot, window, ws, name):
    window.load_workspace()  # the probe package was added after the window read the workspace
    tab = open_flow(window, ws, name)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()  # the window's shortcuts (Ctrl+S) need it active
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    tab.view.fit_all()
    return tab


def _select(view, ids) -> None:
    """Click the first card, Ctrl+click the others (as a user picks several)."""
    scene = view.flow_scene
    click_at(view, on_card(scene.item_for_node(ids[0])))
    for node_id in ids[1:]:
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, CTRL, vp(view, on_card(scene.item_for_node(node_id))))
    assert sorted(scene.selected_node_ids()) == sorted(ids)


def _saved(qtbot, window, tab) -> dict:
    press_shortcut(qtbot, window, "save-action")
    qtbot.waitUntil(lambda: not tab.doc.is_dirty)
    return load_flow(tab.doc.path).flow.to_plain()


def _node(plain, node_id) -> dict:
    return next(n for n in plain["nodes"] if n["id"] == node_id)


def test_copy_paste_keeps_every_key_and_remaps_compensation(qtbot, window, example_workspace):
    keyed(example_workspace)
    tab = _open(qtbot, window, example_workspace, "keyed")
    _select(tab.view, ["a", "b", "undo-a"])
    qtbot.keyClick(tab.view, Qt.Key.Key_C, CTRL)
    qtbot.keyClick(tab.view, Qt.Key.Key_V, CTRL)
    doc = tab.doc
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Paste 3 nodes"
    assert sorted(tab.scene.selected_node_ids()) == ["a-2", "b-2", "undo-a-2"]
    plain = _saved(qtbot, window, tab)
    a2, b2 = _node(plain, "a-2"), _node(plain, "b-2")
    # the pasted pair references each other; undo-b was not copied but is this flow's undo node
    assert a2["compensate"] == "undo-a-2" and a2["approval"] == APPROVAL
    assert b2["compensate"] == "undo-b" and b2["disabled"] is True
    assert "compensate" not in _node(plain, "undo-a-2")
    assert {"from": "a-2", "to": "b-2", "when": 'output.text != ""'} in plain["edges"]
    assert plain["join"] == {"b": {"on_failure": "ignore"}, "b-2": {"on_failure": "ignore"}}
    assert _node(plain, "a")["compensate"] == "undo-a"  # the originals are untouched
    doc.undo_stack.undo()
    assert [n.id for n in doc.flow.nodes] == ["a", "b", "c", "undo-a", "undo-b"]
    assert doc.flow.join == {"b": {"on_failure": "ignore"}}


def test_duplicate_keeps_keys_and_the_compensator_left_behind(qtbot, window, example_workspace):
    keyed(example_workspace)
    tab = _open(qtbot, window, example_workspace, "keyed")
    _select(tab.view, ["a"])
    qtbot.keyClick(tab.view, Qt.Key.Key_D, CTRL)
    assert tab.doc.undo_stack.count() == 1 and tab.doc.undo_stack.undoText() == "Duplicate a-2"
    a2 = _node(_saved(qtbot, window, tab), "a-2")
    assert a2["compensate"] == "undo-a" and a2["approval"] == APPROVAL
    assert not window.statusBar().currentMessage().startswith("Pasted")  # nothing was dropped: no note


def test_cut_then_paste_into_another_flow_keeps_what_means_the_same_there(qtbot, window, example_workspace):
    keyed(example_workspace)
    # The other flow has the same undo-a (same package node, no edges) and an undo-b that is
    # another node: a's compensation still means the same there, b's does not.
    write_flow(example_workspace, "target", f"""\
        mode: unary
        imports: []
        nodes:
          - {{id: undo-a, node: "{PKG}:Undo"}}
          - {{id: undo-b, node: "{PKG}:Other"}}
        edges: []
        """)
    source = _open(qtbot, window, example_workspace, "keyed")
    _select(source.view, ["a", "b"])
    qtbot.keyClick(source.view, Qt.Key.Key_X, CTRL)
    assert source.doc.undo_stack.undoText() == "Cut 2 nodes" and source.doc.undo_stack.count() == 1
    assert source.doc.flow.node("a") is None and source.doc.flow.node("b") is None
    assert source.doc.flow.join == {}  # b's join policy went with it (and is on the clipboard)
    target = _open(qtbot, window, example_workspace, "target")
    assert window.current_tab() is target
    click_at(target.view, target.view.mapToScene(5, 5))  # the keyboard focus on this canvas
    qtbot.keyClick(target.view, Qt.Key.Key_V, CTRL)
    doc = target.doc
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Paste 2 nodes"
    assert window.statusBar().currentMessage() == \
        'Pasted b without compensate: "undo-b" is not a compensation node of this flow'
    plain = _saved(qtbot, window, target)
    assert plain["imports"] == [PKG]
    a, b = _node(plain, "a"), _node(plain, "b")
    assert a["compensate"] == "undo-a" and a["approval"] == APPROVAL
    assert b["disabled"] is True and "compensate" not in b
    assert plain["edges"] == [{"from": "a", "to": "b", "when": 'output.text != ""'}]
    assert plain["join"] == {"b": {"on_failure": "ignore"}}
    press_shortcut(qtbot, window, "undo-action")
    assert [n.id for n in doc.flow.nodes] == ["undo-a", "undo-b"] and doc.flow.imports == []


def test_the_clipboard_carries_keys_and_refuses_mistyped_ones(qapp, example_workspace):
    keyed(example_workspace)
    doc = FlowDocument.open(example_workspace / "flows" / "keyed.flow.yaml", Workspace(example_workspace))
    data = json.loads(doc.copy(["b"]))
    assert data["nodes"][0]["disabled"] is True and data["nodes"][0]["compensate"] == "undo-b"
    assert data["join"] == {"b": {"on_failure": "ignore"}} and data["outside"] == {"undo-b": f"{PKG}:Undo"}
    data["nodes"][0]["disabled"] = "yes"  # a hand-edited payload: the key the model cannot hold is dropped
    data["nodes"][0]["compensate"] = 3
    loaded = clipboard.loads(json.dumps(data))
    assert loaded is not None and "disabled" not in loaded["nodes"][0] and "compensate" not in loaded["nodes"][0]
    notes: list[str] = []
    doc.noted.connect(notes.append)
    assert doc.paste(json.dumps(data)) == ["b-2"]
    assert doc.flow.node("b-2").disabled is False and notes == []
