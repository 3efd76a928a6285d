"""``POST /api/compile`` refuses what the editor's Run button refuses: a type mismatch on an edge
or a required destination field left unmapped (the type-system page's texts), located in the file."""
from __future__ import annotations

MISMATCH = """\
name: mismatch
imports: [examples/text@0.1.0, examples/math@0.1.0]
nodes:
  - id: score
    node: examples/text@0.1.0:Score
  - id: inc
    node: examples/math@0.1.0:Increment
edges:
  - from: score
    to: inc
    map:
      value: text
"""

UNMAPPED = """\
name: unmapped
imports: [examples/text@0.1.0]
nodes:
  - id: greet
    node: examples/text@0.1.0:Greet
  - id: both
    node: examples/text@0.1.0:Concat
edges:
  - from: greet
    to: both
    map:
      left: greeting
"""


def test_compile_refuses_a_type_mismatch_with_the_docs_text(live):
    with live.client() as c:
        r = c.post("/api/compile", json={"source": MISMATCH, "filename": "flows/mismatch.flow.yaml"})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "compile_failed"
    text = ('edge "score" → "inc" field `value`: Type mismatch: `string` → `double`. '
            "Add a transform to convert the value.")
    assert body["message"] == f"flows/mismatch.flow.yaml:9:5: error: {text}"
    (d,) = body["diagnostics"]
    assert (d["code"], d["severity"], d["message"]) == ("type_mismatch", "error", text)
    assert d["location"]["edge"] == {"from": "score", "to": "inc"}


def test_compile_refuses_a_required_field_left_unmapped_and_stores_nothing(live):
    with live.client() as c:
        before = c.get("/api/flows").json()
        r = c.post("/api/compile", json={"source": UNMAPPED, "filename": "flows/unmapped.flow.yaml"})
        assert r.status_code == 400
        assert r.json()["message"] == ('flows/unmapped.flow.yaml:9:5: error: edge "greet" → "both" field `right`: '
                                       "Required field `right` is not mapped.")
        assert c.get("/api/flows").json() == before  # no artifact was stored


def test_the_bundled_join_flow_still_compiles(live):
    # Concat's required `left` and `right` come from two different incoming edges.
    with live.client() as c:
        r = c.post("/api/compile", json={"flow": "branching"})
    assert r.status_code == 201, r.text
    assert (r.json()["flow"], r.json()["warnings"]) == ("branching", [])
