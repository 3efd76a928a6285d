"""FlowDocument: every edit is one undo step whose undo restores the model exactly."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QStandardPaths

EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"
TEXT = "examples/text@0.1.0"

QStandardPaths.setTestModeEnabled(True)

from axiom_ide.document import PIPELINE_EDGE_ERROR, FlowDocument  # noqa: E402
from axiom_ide.runtime.packages import Workspace  # noqa: E402


@pytest.fixture(scope="module")
def workspace():
    return Workspace(EXAMPLES)


@pytest.fixture
def doc(qapp, workspace):
    return FlowDocument.open(EXAMPLES / "flows" / "branching.flow.yaml", workspace)


def assert_undo_restores(doc, edit):
    """Run ``edit``; it must push exactly one command, and undo/redo must restore exactly."""
    before = doc.flow.to_plain()
    count = doc.undo_stack.count()
    edit()
    after = doc.flow.to_plain()
    assert doc.undo_stack.count() == count + 1
    doc.undo_stack.undo()
    assert doc.flow.to_plain() == before
    doc.undo_stack.redo()
    assert doc.flow.to_plain() == after
    return doc.undo_stack.text(doc.undo_stack.index() - 1)


def test_add_node_is_one_step_and_imports_its_package(qapp, workspace):
    doc = FlowDocument.new("fresh", workspace)
    text = assert_undo_restores(doc, lambda: doc.add_node(f"{TEXT}:Greet", (2, 1)))
    assert text == "Add Greet"
    assert doc.flow.imports == [TEXT]
    assert doc.flow.node("greet").col == 2 and doc.flow.node("greet").row == 1


def test_remove_node_takes_its_edges_and_undo_restores_order(doc):
    text = assert_undo_restores(doc, lambda: doc.remove(["loud"], []))
    assert text == "Remove loud"
    doc.undo_stack.undo()
    assert doc.flow.edges[0].key == ("score", "loud")


def test_remove_after_redo_has_no_node_and_no_dangling_edges(doc):
    doc.remove(["loud"], [])
    assert doc.flow.node("loud") is None
    assert all("loud" not in e.key for e in doc.flow.edges)
    assert doc.flow.join == {"both": {"on_failure": "abort"}}


def test_removing_a_joined_node_restores_its_join_policy(doc):
    assert_undo_restores(doc, lambda: doc.remove(["both"], []))
    doc.undo_stack.undo()
    assert doc.flow.join == {"both": {"on_failure": "abort"}}


def test_move_nodes_is_one_move_step(doc):
    text = assert_undo_restores(doc, lambda: doc.move_nodes({"loud": (3, 0), "quiet": (3, 2), "both": (5, 1)}))
    assert text == "Move 3 nodes"


def test_connect_and_edge_edits_have_honest_names(doc):
    assert assert_undo_restores(doc, lambda: doc.connect("score", "both")) == "Connect score → both"
    assert assert_undo_restores(doc, lambda: doc.set_edge(("loud", "both"), map={"left": "text", "right": "text"})) == "Edit mapping of loud → both"
    assert assert_undo_restores(doc, lambda: doc.set_edge(("score", "loud"), when=None)) == "Edit condition of score → loud"


def test_connect_refuses_pipeline_to_unary(qapp, workspace):
    doc = FlowDocument.new("p", workspace)
    a = doc.add_node(f"{TEXT}:WordStream")
    b = doc.add_node(f"{TEXT}:Upper")
    count = doc.undo_stack.count()
    assert doc.connect(a, b) == PIPELINE_EDGE_ERROR
    assert doc.undo_stack.count() == count and doc.flow.edges == []
    c = doc.add_node(f"{TEXT}:WordUpper")
    assert doc.connect(a, c) is None


def test_type_mismatch_is_added_and_reported(qapp, workspace):
    doc = FlowDocument.new("t", workspace)
    a, b = doc.add_node(f"{TEXT}:Greet"), doc.add_node(f"{TEXT}:Upper")
    assert doc.connect(a, b) is None
    check = doc.refresh_analysis().edge_checks[(a, b)]
    assert not check.ok and check.issues


def test_flow_attrs_and_imports(doc):
    assert assert_undo_restores(doc, lambda: doc.set_flow_attr("description", "New words")) == "Set flow description"
    assert assert_undo_restores(doc, lambda: doc.import_package("examples/math@0.1.0")) == "Import examples/math@0.1.0"
    assert assert_undo_restores(doc, lambda: doc.remove_import(TEXT)) == f"Remove import {TEXT}"


def test_rename_repoints_edges_and_undoes(doc):
    assert assert_undo_restores(doc, lambda: doc.set_node("loud", id="shout")) == "Rename loud → shout"
    assert doc.flow.edge("score", "shout") is not None


def test_paste_gives_fresh_unique_ids_and_keeps_internal_edges(doc):
    text = doc.copy(["loud", "both"])
    new = doc.paste(text)
    assert len(new) == 2 and not set(new) & {"loud", "both"}
    ids = [n.id for n in doc.flow.nodes]
    assert len(ids) == len(set(ids))
    assert doc.flow.edge(new[0], new[1]) is not None
    assert doc.undo_stack.text(doc.undo_stack.index() - 1) == "Paste 2 nodes"
    cells = doc.cells()
    assert len(set(cells.values())) == len(cells)  # nothing stacked on an existing card
    doc.undo_stack.undo()
    assert [n.id for n in doc.flow.nodes] == ["score", "loud", "quiet", "both"]


def test_duplicate_and_paste_of_foreign_text(doc):
    assert doc.paste("hello") == []
    new = doc.duplicate(["score"])
    assert new == ["score-2"]


def test_auto_layout_is_one_undo_step(doc):
    doc.move_nodes({"loud": (4, 3)})
    before = doc.flow.to_plain()
    doc.auto_layout()
    assert doc.undo_stack.text(doc.undo_stack.index() - 1) == "Auto-layout"
    assert (doc.flow.node("loud").col, doc.flow.node("loud").row) == (1, 0)
    doc.undo_stack.undo()
    assert doc.flow.to_plain() == before


def test_save_reopen_gives_equal_model_and_bytes(qapp, workspace, tmp_path, qtbot):
    path = tmp_path / "branching.flow.yaml"
    shutil.copy(EXAMPLES / "flows" / "branching.flow.yaml", path)
    doc = FlowDocument.open(path, workspace)
    doc.move_nodes({"quiet": (1, 2)})
    doc.connect("score", "both")
    assert doc.is_dirty
    with qtbot.waitSignal(doc.saved) as sig:
        doc.save()
    assert sig.args == [str(path)] and not doc.is_dirty
    again = FlowDocument.open(path, workspace)
    assert again.flow.to_plain() == doc.flow.to_plain()
    assert again.to_text() == path.read_text(encoding="utf-8")
    # undo back to the original → the file bytes of the original
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.to_text() == (EXAMPLES / "flows" / "branching.flow.yaml").read_text(encoding="utf-8")


def test_analysis_is_debounced_and_signalled(doc, qtbot):
    with qtbot.waitSignal(doc.analysisChanged, timeout=2000):
        doc.connect("score", "both")
    assert ("score", "both") in doc.analysis.edge_checks


def test_reload_from_disk_replaces_model(qapp, workspace, tmp_path, qtbot):
    path = tmp_path / "g.flow.yaml"
    shutil.copy(EXAMPLES / "flows" / "greeter.flow.yaml", path)
    doc = FlowDocument.open(path, workspace)
    doc.set_flow_attr("description", "changed")
    with qtbot.waitSignal(doc.flowReplaced):
        doc.reload_from_disk()
    assert doc.flow.description != "changed" and not doc.is_dirty and doc.undo_stack.count() == 0


def test_a_document_with_undo_history_is_freed_without_the_cycle_collector(qapp, workspace):
    """The flow's events hold the document weakly, so dropping an edited document frees it at once
    on this thread. (Kept alive by a cycle, it waited for the cyclic collector, which crashed in
    QUndoStack::clear while tearing the cycle apart.)"""
    import gc
    import weakref

    doc = FlowDocument.open(EXAMPLES / "flows" / "branching.flow.yaml", workspace)
    flow = doc.flow
    doc.set_edge(("loud", "both"), map=None)
    doc.move_nodes({"both": (5, 4)})
    assert doc.undo_stack.count() == 2
    ref = weakref.ref(doc)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del doc
        assert ref() is None
    finally:
        if was_enabled:
            gc.enable()
    # An edit of the flow after the document is gone: its listener drops out quietly.
    moved = flow.update_node(flow.nodes[0].id, col=9, row=9)
    assert flow.nodes[0] == moved and (moved.col, moved.row) == (9, 9)
    assert len(flow.node_changed) == 0
