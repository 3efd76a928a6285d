"""Structural validation (``flow validate``): every message with its file:line:column."""
from __future__ import annotations

from axiom_ide.runtime.model.flow_yaml import loads_flow
from axiom_ide.runtime.model.validate import validate_flow_file


def rendered(text: str) -> list[str]:
    return [d.render() for d in validate_flow_file(loads_flow(text, "f.flow.yaml"))]


def test_a_valid_flow_has_no_diagnostics():
    text = "name: ok\nnodes:\n  - id: a\n    node: examples/text@0.1.0:Greet\nedges: []\n"
    assert rendered(text) == []


def test_required_fields():
    assert rendered("description: x\n") == [
        'f.flow.yaml:1:1: error: missing required field "name"',
        'f.flow.yaml:1:1: error: missing required field "nodes"',
    ]
    assert rendered("") == ["f.flow.yaml:1:1: error: flow file is empty; expected name, nodes and edges"]


def test_every_structural_error_is_located():
    text = """\
name: Bad Name
mode: batch
imports: [examples/text]
nodes:
  - id: a
    node: examples/text@0.1.0:Greet
    col: 1
  - id: a
    node: nope
  - id: Upper
    node: examples/text@0.1.0:Upper
    row: 2
edges:
  - from: a
    to: zz
  - from: a
    to: a
  - from: a
    to: Upper
    loop: 0
    map: text
"""
    assert rendered(text) == [
        'f.flow.yaml:1:7: error: flow name "Bad Name" must be lowercase letters, digits, "-" or "_", starting with a letter or digit',
        'f.flow.yaml:2:7: error: mode must be "unary" or "pipeline", not "batch"',
        'f.flow.yaml:3:11: error: invalid import "examples/text": expected package@version (e.g. examples/text@0.1.0)',
        'f.flow.yaml:7:5: error: node "a": pin has col but no row; give both col and row, or neither',
        'f.flow.yaml:8:9: error: duplicate node id "a" (first defined at line 5)',
        'f.flow.yaml:9:11: error: nodes[1]: invalid node reference "nope": expected package@version:Node (e.g. examples/text@0.1.0:Greet) or flow:<name>',
        'f.flow.yaml:10:9: error: nodes[2]: id "Upper" must match ^[a-z0-9][a-z0-9_-]*$',
        'f.flow.yaml:12:5: error: nodes[2]: pin has row but no col; give both col and row, or neither',
        'f.flow.yaml:15:9: error: edges[0]: "to" references unknown node "zz"',
        'f.flow.yaml:16:5: error: edge "a" → "a": a node cannot feed itself; use a loop edge (loop: N)',
        'f.flow.yaml:19:9: error: edges[2]: "to" references unknown node "Upper"',
        'f.flow.yaml:20:11: error: edges[2]: loop (max iterations) must be a positive integer, not 0',
        'f.flow.yaml:21:10: error: edges[2]: map must be a mapping of destination field to source expression',
    ]


def test_unknown_keys_are_warnings_not_errors():
    text = "name: ok\ncolour: blue\nnodes:\n  - id: a\n    node: examples/text@0.1.0:Greet\n    size: 3\n"
    out = validate_flow_file(loads_flow(text, "f.flow.yaml"))
    assert [(d.severity.value, d.location.line, d.message) for d in out] == [
        ("warning", 2, 'unknown top-level key "colour" (known: name, description, mode, imports, nodes, edges, join)'),
        ("warning", 6, 'unknown key "size" in nodes[0] (known: id, node, col, row, disabled, approval, compensate)'),
    ]


def test_duplicate_edges_and_join_policies():
    text = """\
name: j
nodes:
  - id: a
    node: examples/text@0.1.0:Echo
  - id: b
    node: examples/text@0.1.0:Echo
edges:
  - from: a
    to: b
  - from: a
    to: b
join:
  c: {on_failure: abort}
  b: {on_failure: retry}
"""
    assert rendered(text) == [
        'f.flow.yaml:10:5: error: duplicate edge "a" → "b" (first defined at line 8)',
        'f.flow.yaml:13:3: error: join policy for unknown node "c"',
        'f.flow.yaml:14:19: error: join on_failure for "b" must be "abort" or "ignore"',
    ]
