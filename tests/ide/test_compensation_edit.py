"""``compensate:`` edited in the IDE: one undoable command per choice (set, clear), refused with the
compiler's message, following renames and deletes; the canvas draws which node compensates which."""
from __future__ import annotations

import pytest
from engine_support import write_flow
from model_support import add_probe_package

from axiom_ide.canvas.compensation_links import LINK_COLOR, CompensationLinkItem
from axiom_ide.document import FlowDocument
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages import Workspace

PKG = "tests/probe@0.1.0"


def saga(ws) -> None:
    add_probe_package(ws)
    write_flow(ws, "saga", f"""\
        mode: unary
        imports: [{PKG}]
        nodes:
          - {{id: a, node: "{PKG}:Look", compensate: undo-a}}
          - {{id: b, node: "{PKG}:Look"}}
          - {{id: c, node: "{PKG}:Fail"}}
          - {{id: undo-a, node: "{PKG}:Undo"}}
          - {{id: undo-b, node: "{PKG}:Undo"}}
          - {{id: other, node: "{PKG}:Other"}}
        edges:
          - {{from: a, to: b}}
          - {{from: b, to: c}}
        """)


@pytest.fixture
def doc(qapp, example_workspace):
    saga(example_workspace)
    return FlowDocument.open(example_workspace / "flows" / "saga.flow.yaml", Workspace(example_workspace))


def test_setting_a_compensation_is_one_undo_step_and_saving_writes_it(doc, example_workspace):
    before = doc.flow.to_plain()
    assert doc.set_compensation("b", "undo-b")
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Compensate b with undo-b"
    assert doc.flow.node("b").compensate == "undo-b" and doc.is_dirty
    doc.undo_stack.undo()
    assert doc.flow.to_plain() == before
    doc.undo_stack.redo()
    path = doc.save()
    assert '{id: b, node: "tests/probe@0.1.0:Look", compensate: undo-b}' in path.read_text()
    again = FlowDocument.open(path, doc.workspace)
    assert again.flow.node("b").compensate == "undo-b"
    assert doc.set_compensation("a", None) and doc.undo_stack.undoText() == "Clear compensation of a"
    assert doc.flow.node("a").compensate is None


@pytest.mark.parametrize(("node", "target", "message"), [
    ("b", "b", 'node "b": a node cannot compensate itself'),
    ("b", "c", 'edge "b" → "c": "c" compensates "b" and runs only after a failure; it cannot have edges'),
    ("b", "other", ('node "b": compensation "other" takes tests.probe.Other, but "b" outputs tests.probe.Probe '
                   "(a compensation receives the output of the node it compensates)")),
    ("undo-a", "undo-b", 'node "undo-a": a compensation node cannot declare a compensation itself'),
])
def test_a_choice_the_compiler_refuses_changes_nothing(doc, node, target, message):
    before = doc.flow.to_plain()
    assert doc.compensation_check(node, target) == message
    with pytest.raises(AxiomError) as info:
        doc.set_compensation(node, target)
    assert info.value.message == message
    assert doc.flow.to_plain() == before and doc.undo_stack.count() == 0


def test_deleting_the_compensator_clears_the_key_in_the_same_step(doc):
    before = doc.flow.to_plain()
    doc.remove(["undo-a"])
    assert doc.undo_stack.count() == 1 and doc.undo_stack.undoText() == "Remove undo-a"
    assert doc.flow.node("undo-a") is None and doc.flow.node("a").compensate is None
    doc.undo_stack.undo()
    assert doc.flow.to_plain() == before
    doc.undo_stack.redo()
    assert doc.flow.node("a").compensate is None


def test_renaming_the_compensator_carries_the_reference(doc):
    doc.rename_node("undo-a", "refund")
    assert doc.flow.node("a").compensate == "refund"
    doc.undo_stack.undo()
    assert doc.flow.node("a").compensate == "undo-a"


def test_the_canvas_links_each_compensated_card_to_its_compensator(doc):
    from axiom_ide.canvas.scene import FlowScene

    scene = FlowScene(doc)
    links = scene.compensation_links
    assert list(links.links()) == [("a", "undo-a")]
    link = links.links()[("a", "undo-a")]
    assert link.toolTip() == ('"undo-a" compensates "a": it runs with the output of "a" when a later failure '
                              "ends the run")
    assert links.badge("a").toolTip() == 'Compensated by "undo-a"' and links.badge("b") is None
    # drawn between the two cards; not an edge, not selectable, no mouse button
    assert scene.edge_items() and all(not isinstance(e, CompensationLinkItem) for e in scene.edge_items())
    assert not link.flags() & link.GraphicsItemFlag.ItemIsSelectable
    assert link.acceptedMouseButtons() == link.acceptedMouseButtons().NoButton
    a, u = scene.item_for_node("a").sceneBoundingRect(), scene.item_for_node("undo-a").sceneBoundingRect()
    path = link.mapToScene(link.path())
    start, end = path.pointAtPercent(0), path.pointAtPercent(1)
    assert a.adjusted(-1, -1, 1, 1).contains(start) and u.adjusted(-1, -1, 1, 1).contains(end)
    assert scene.selected_edge_keys() == []
    doc.set_compensation("b", "undo-b")
    assert set(links.links()) == {("a", "undo-a"), ("b", "undo-b")}
    doc.rename_node("undo-b", "refund")
    assert set(links.links()) == {("a", "undo-a"), ("b", "refund")}
    assert links.badge("b").toolTip() == 'Compensated by "refund"'
    doc.remove(["undo-a"])
    assert set(links.links()) == {("b", "refund")} and links.badge("a") is None
    doc.undo_stack.undo()
    assert set(links.links()) == {("a", "undo-a"), ("b", "refund")}


def _teal_pixels(img) -> int:
    from PySide6.QtGui import QColor

    teal = QColor(LINK_COLOR)
    count = 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            c = img.pixelColor(x, y)
            if abs(c.red() - teal.red()) < 40 and abs(c.green() - teal.green()) < 40 and abs(c.blue() - teal.blue()) < 40:
                count += 1
    return count


def test_render_draws_the_compensation_link(qapp, example_workspace, tmp_path):
    from PySide6.QtGui import QImage

    from axiom_ide.cli.main import main

    saga(example_workspace)
    flow = example_workspace / "flows" / "saga.flow.yaml"
    out = tmp_path / "saga.png"
    assert main(["render", str(flow), "-o", str(out), "--workspace", str(example_workspace)]) == 0
    with_link = _teal_pixels(QImage(str(out)))
    flow.write_text(flow.read_text().replace(", compensate: undo-a", ""))
    assert main(["render", str(flow), "-o", str(out), "--workspace", str(example_workspace)]) == 0
    assert _teal_pixels(QImage(str(out))) == 0 < 20 < with_link


def test_the_read_only_canvas_draws_the_compensation_link(doc):
    from axiom_ide.canvas.readonly import readonly_canvas

    view = readonly_canvas(doc.flow.to_plain(), doc.workspace)
    links = view.flow_scene.compensation_links
    assert list(links.links()) == [("a", "undo-a")]
    assert links.badge("a").toolTip() == 'Compensated by "undo-a"'


def test_the_links_follow_a_reload_from_disk(doc):
    from axiom_ide.canvas.scene import FlowScene

    scene = FlowScene(doc)
    doc.set_compensation("b", "undo-b")
    doc.save()
    doc.set_compensation("b", None)
    doc.reload_from_disk()
    links = scene.compensation_links
    assert set(links.links()) == {("a", "undo-a"), ("b", "undo-b")}
    assert all(item.scene() is scene for item in links.links().values())
    doc.remove(["undo-b"])
    assert set(links.links()) == {("a", "undo-a")}
