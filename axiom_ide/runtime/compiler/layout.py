"""Layered auto-layout on the coarse (col, row) grid.

Columns are longest-path layers over the forward edges (loop edges are ignored, and any cycle
is broken at its back edges in file order); rows within a column follow the barycenter of the
predecessors' rows, ties broken by file order. Pinned nodes keep their cells and unpinned nodes
flow around them. Deterministic: the same graph always gets the same layout.
"""
from __future__ import annotations

from collections import defaultdict

import networkx as nx

from axiom_ide.runtime.model.flow import Flow


def layout_cells(flow: Flow) -> dict[str, tuple[int, int]]:
    """(col, row) for every node; pinned nodes keep theirs."""
    if all(n.pinned for n in flow.nodes):  # laid out by hand (the canvas pins on the first move)
        return {n.id: (n.col, n.row) for n in flow.nodes}  # type: ignore[misc]
    order = {n.id: i for i, n in enumerate(flow.nodes)}
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(order)
    for e in flow.forward_edges():
        if e.src in order and e.dst in order and e.src != e.dst:
            graph.add_edge(e.src, e.dst)
    dag = _acyclic(graph, order)

    layer: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(dag, key=order.__getitem__):
        preds = list(dag.predecessors(node))
        layer[node] = max((layer[p] + 1 for p in preds), default=0)

    cells: dict[str, tuple[int, int]] = {}
    taken: set[tuple[int, int]] = set()
    for n in flow.nodes:
        if n.pinned:
            cells[n.id] = (n.col, n.row)  # type: ignore[assignment]
            taken.add((n.col, n.row))  # type: ignore[arg-type]

    columns: dict[int, list[str]] = defaultdict(list)
    for node in sorted(layer, key=lambda x: (layer[x], order[x])):
        if node not in cells:
            columns[layer[node]].append(node)

    for col in sorted(columns):
        def barycenter(node: str) -> tuple[float, int]:
            rows = [cells[p][1] for p in dag.predecessors(node) if p in cells]
            return (sum(rows) / len(rows) if rows else float("inf"), order[node])

        ranked = sorted(columns[col], key=barycenter)
        row = 0
        for node in ranked:
            want = barycenter(node)[0]
            if want != float("inf"):
                row = max(row, round(want))
            while (col, row) in taken:
                row += 1
            cells[node] = (col, row)
            taken.add((col, row))
            row += 1
    return cells


def _acyclic(graph: nx.DiGraph, order: dict[str, int]) -> nx.DiGraph:
    """Drop back edges found by a DFS in file order, so layering terminates on invalid graphs."""
    if nx.is_directed_acyclic_graph(graph):
        return graph
    dag = graph.copy()
    state: dict[str, int] = {}
    for root in sorted(graph, key=order.__getitem__):
        if root in state:
            continue
        stack = [(root, iter(sorted(graph.successors(root), key=order.__getitem__)))]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            for succ in it:
                if state.get(succ) == 1:
                    dag.remove_edge(node, succ)
                elif succ not in state:
                    state[succ] = 1
                    stack.append((succ, iter(sorted(graph.successors(succ), key=order.__getitem__))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return dag


def apply_layout(flow: Flow) -> dict[str, tuple[int, int]]:
    """Write a cell onto every unpinned node (``flow layout``); returns the cells that changed."""
    changed: dict[str, tuple[int, int]] = {}
    for node_id, (col, row) in layout_cells(flow).items():
        node = flow.node(node_id)
        if node is not None and (node.col, node.row) != (col, row):
            flow.update_node(node_id, col=col, row=row)
            changed[node_id] = (col, row)
    return changed
