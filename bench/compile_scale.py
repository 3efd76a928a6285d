"""Validate + compile + layout time for generated flows of 100, 1,000 and 5,000 nodes.

Prints medians over a few repeats. Aim: a 1,000-node flow compiles in well under a second.
The generated flows are realistic: a chain of Text → Text nodes with a branch every seventh node
joined back through a Concat with field mappings, and a CEL condition every eleventh edge.
"""
from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from axiom_ide.runtime.compiler.analyze import analyze_flow
from axiom_ide.runtime.compiler.compile import freeze
from axiom_ide.runtime.compiler.layout import layout_cells
from axiom_ide.runtime.examples import bundled_workspace
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode
from axiom_ide.runtime.model.flow_yaml import dumps_flow, loads_flow, loads_flow_fast, new_flow_file
from axiom_ide.runtime.model.validate import validate_flow_file
from axiom_ide.runtime.packages import Workspace

TEXT = "examples/text@0.1.0"


def generate(n: int) -> Flow:
    nodes = [FlowNode("n0", f"{TEXT}:Echo")]
    edges: list[FlowEdge] = []
    i = 1
    prev = "n0"
    while i < n:
        if i % 7 == 0 and i + 3 <= n:
            a, b, j = f"n{i}", f"n{i + 1}", f"n{i + 2}"
            nodes += [FlowNode(a, f"{TEXT}:Upper"), FlowNode(b, f"{TEXT}:Echo"), FlowNode(j, f"{TEXT}:Concat")]
            edges += [
                FlowEdge(prev, a),
                FlowEdge(prev, b, {"text": "text | lower"}),
                FlowEdge(a, j, {"left": "text"}),
                FlowEdge(b, j, {"right": "text | trim"}),
            ]
            prev = j
            i += 3
        else:
            node = f"n{i}"
            nodes.append(FlowNode(node, f"{TEXT}:Echo"))
            edges.append(FlowEdge(prev, node, {"text": "text"} if prev.startswith("n") and any(
                x.id == prev and x.node.endswith("Concat") for x in nodes[-3:]) else None,
                when='output.text != ""' if i % 11 == 0 else None))
            prev = node
            i += 1
    return Flow(f"gen-{n}", imports=[TEXT], nodes=nodes, edges=edges)


def measure(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    tmp = Path(tempfile.mkdtemp())
    shutil.copytree(bundled_workspace(), tmp / "ws", ignore=shutil.ignore_patterns("gen", "__pycache__"))
    workspace = Workspace(tmp / "ws")
    workspace.resolve(loads_flow(f"name: w\nnodes:\n  - id: a\n    node: {TEXT}:Echo\n").flow.nodes[0].ref)  # warm protoc cache
    print("load+validate: libyaml fast path (what `flow compile` uses); rt = ruamel round-trip (editing)")
    print(f"{'nodes':>6} {'rt load ms':>11} {'validate ms':>12} {'analyze ms':>11} {'freeze ms':>10} {'layout ms':>10} {'total ms':>9}")
    for n in (100, 1_000, 5_000):
        flow = generate(n)
        text = dumps_flow(new_flow_file(flow))
        repeats = 5 if n <= 1000 else 2
        rt = measure(lambda text=text: loads_flow(text, "gen.flow.yaml"), 1)
        v = measure(lambda text=text: validate_flow_file(loads_flow_fast(text, "gen.flow.yaml")), repeats)
        analysis = analyze_flow(flow, workspace)
        assert analysis.ok, analysis.errors[:3]
        a = measure(lambda flow=flow: analyze_flow(flow, workspace), repeats)
        f = measure(lambda analysis=analysis: freeze(analysis), repeats)
        lay = measure(lambda flow=flow: layout_cells(flow), repeats)
        print(f"{len(flow.nodes):>6} {rt * 1e3:>11.1f} {v * 1e3:>12.1f} {a * 1e3:>11.1f} {f * 1e3:>10.1f} {lay * 1e3:>10.1f} {(v + a + f + lay) * 1e3:>9.1f}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
