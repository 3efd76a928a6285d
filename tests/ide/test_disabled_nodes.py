"""Disabling nodes on the canvas: Ctrl+Shift+D on the selected cards toggles ``disabled`` as one
undo step, the cards draw dimmed, and the saved file gains/loses only ``disabled: true``."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from ide_support import click_at, on_card
from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtTest import QTest

from axiom_ide.canvas import FlowScene, FlowView
from axiom_ide.canvas.scene import DISABLED_OPACITY
from axiom_ide.document import FlowDocument
from axiom_ide.runtime.packages import Workspace

QStandardPaths.setTestModeEnabled(True)
EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_ctrl_shift_d_disables_dims_and_undoes(qtbot, qapp, example_workspace):
    path = example_workspace / "flows" / "linear.flow.yaml"
    original = path.read_text(encoding="utf-8")
    doc = FlowDocument.open(path, Workspace(example_workspace))
    scene = FlowScene(doc)
    view = FlowView(scene)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    view.fit_all()
    click_at(view, on_card(scene.item_for_node("upper")))
    assert scene.selected_node_ids() == ["upper"]
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_D, CTRL_SHIFT)
    assert doc.flow.node("upper").disabled is True and doc.flow.node("echo").disabled is False
    assert scene.item_for_node("upper").opacity() == DISABLED_OPACITY
    assert scene.item_for_node("echo").opacity() == 1.0
    assert doc.undo_stack.undoText() == "Disable upper"
    doc.save()
    assert path.read_text(encoding="utf-8") == original.replace(
        "node: examples/text@0.1.0:Upper\n", "node: examples/text@0.1.0:Upper\n    disabled: true\n")
    QTest.keyClick(view, Qt.Key.Key_D, CTRL_SHIFT)  # all selected are disabled: enable them
    assert doc.flow.node("upper").disabled is False and scene.item_for_node("upper").opacity() == 1.0
    doc.undo_stack.undo()
    assert doc.flow.node("upper").disabled is True and scene.item_for_node("upper").opacity() == DISABLED_OPACITY
    doc.undo_stack.undo()
    assert doc.flow.node("upper").disabled is False
    doc.save()
    assert path.read_text(encoding="utf-8") == original
