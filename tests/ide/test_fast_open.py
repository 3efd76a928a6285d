"""Opening takes the libyaml fast path; saving still touches only the edited lines of a
hand-written file (the round-trip tree is built from the kept text when first needed)."""
from __future__ import annotations

import difflib

from axiom_ide.document import FlowDocument, gc_guard
from axiom_ide.runtime.model.flow_yaml import loads_flow, loads_flow_fast

HAND_WRITTEN = """\
# Greets, then shouts — hand-written, with comments and odd-but-valid spacing.
name: greeter
description: 'Greets, then shouts.'   # quoted on purpose
mode: unary
imports: [examples/text@0.1.0]
nodes:
  - id: greet          # the entry
    node: examples/text@0.1.0:Greet
  - id: shout
    node: examples/text@0.1.0:Upper
edges:
  - from: greet
    to: shout
    map:
      text: greeting | upper | prefix("Hey ")   # docs example
"""


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_open_is_fast_path_and_a_save_changes_only_the_edited_line(qtbot, tmp_path, example_workspace):
    gc_guard.install()  # as the IDE does: worker threads only with GC on the GUI thread
    path = tmp_path / "greeter.flow.yaml"
    path.write_text(HAND_WRITTEN)
    doc = FlowDocument.open(path)
    assert not doc.file.has_tree  # no ruamel parse on open
    assert doc.flow == loads_flow(HAND_WRITTEN).flow
    doc.set_edge(("greet", "shout"), when='output.greeting != ""')
    qtbot.waitUntil(lambda: doc.file.has_tree)  # built in the background after the first edit
    doc.save()
    after = path.read_text()
    assert changed_lines(HAND_WRITTEN, after) == ['+    when: output.greeting != ""']
    assert after.startswith("# Greets, then shouts")
    assert "description: 'Greets, then shouts.'   # quoted on purpose" in after


def test_first_save_builds_the_tree_itself_when_nothing_prepared_it(tmp_path):
    path = tmp_path / "greeter.flow.yaml"
    path.write_text(HAND_WRITTEN)
    doc = FlowDocument.open(path)
    doc.flow.set_attr("description", "Changed.")  # model edit without the undo stack
    doc.save()
    removed, added = changed_lines(HAND_WRITTEN, path.read_text())
    assert removed == "-description: 'Greets, then shouts.'   # quoted on purpose"
    # ruamel keeps the comment at its column
    assert added.startswith("+description: 'Changed.' ") and added.endswith("   # quoted on purpose")


def test_unedited_save_is_byte_identical(tmp_path):
    path = tmp_path / "greeter.flow.yaml"
    path.write_text(HAND_WRITTEN)
    FlowDocument.open(path).save()
    assert path.read_text() == HAND_WRITTEN


def test_fast_loader_reads_scalars_like_the_round_trip_parser():
    text = """\
name: "123"
description: 2024-01-01
nodes:
  - id: no
    node: a/b@1.0.0:C
    col: 1
    row: 010
  - id: on
    node: a/b@1.0.0:C
edges:
  - from: no
    to: on
    loop: 3
    when: 1:30
"""
    fast, slow = loads_flow_fast(text).flow, loads_flow(text).flow
    assert fast == slow
    assert [n.id for n in fast.nodes] == ["no", "on"] and fast.nodes[0].row == 10
    assert fast.name == "123" and fast.description == "2024-01-01" and fast.edges[0].when == "1:30"


def test_reload_from_disk_stays_on_the_fast_path(tmp_path):
    path = tmp_path / "greeter.flow.yaml"
    path.write_text(HAND_WRITTEN)
    doc = FlowDocument.open(path)
    path.write_text(HAND_WRITTEN.replace("Greets, then shouts.'", "Reloaded.'"))
    doc.reload_from_disk()
    assert not doc.file.has_tree and doc.flow.description == "Reloaded."
