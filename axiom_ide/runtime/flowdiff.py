"""Semantic diff of two flows (``axiom-ide flow diff``), blind to layout noise.

A side is a flow file path, ``/dev/null`` (an empty flow: the file was added or deleted), or a git
revision and a path, ``REV:path`` (``HEAD~1:flows/x.flow.yaml``; the path is relative to the
repository root, or to the current folder when it starts with ``./``). Nodes are matched by canvas
id, edges by their (from, to) pair. What changes the behaviour — a node's ref, an edge's mapping,
condition or loop, the flow's mode, imports or join policy — is a change; a card that only moved
on the grid (``col``/``row``) is a *layout* move, listed apart so a review can hide it.

Pure model code: no Qt (rendering the diff lives in ``canvas/diff_render.py``).
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode

NULL_SIDES = ("/dev/null", "nul", "NUL")

#: Flow attributes compared (layout never lives here).
_FLOW_ATTRS = ("name", "description", "mode", "imports", "join")
_EDGE_ATTRS = ("map", "when", "loop")


@dataclass
class FieldChange:
    field: str
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass
class NodeChange:
    id: str
    changes: list[FieldChange]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "changes": [c.to_json() for c in self.changes]}


@dataclass
class EdgeChange:
    src: str
    dst: str
    changes: list[FieldChange]

    def to_json(self) -> dict[str, Any]:
        return {"from": self.src, "to": self.dst, "changes": [c.to_json() for c in self.changes]}


@dataclass
class Move:
    id: str
    old: tuple[int, int] | None
    new: tuple[int, int] | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "old": list(self.old) if self.old else None, "new": list(self.new) if self.new else None}


@dataclass
class FlowDiff:
    """What differs between flow ``a`` (old) and ``b`` (new)."""

    flow: list[FieldChange] = field(default_factory=list)
    nodes_added: list[FlowNode] = field(default_factory=list)
    nodes_removed: list[FlowNode] = field(default_factory=list)
    nodes_changed: list[NodeChange] = field(default_factory=list)
    edges_added: list[FlowEdge] = field(default_factory=list)
    edges_removed: list[FlowEdge] = field(default_factory=list)
    edges_changed: list[EdgeChange] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)

    @property
    def semantic(self) -> bool:
        """True when the flows behave differently (anything but layout differs)."""
        return bool(self.flow or self.nodes_added or self.nodes_removed or self.nodes_changed
                    or self.edges_added or self.edges_removed or self.edges_changed)

    def empty(self, ignore_layout: bool = False) -> bool:
        return not self.semantic and (ignore_layout or not self.moves)

    def node_states(self) -> dict[str, str]:
        """Canvas id → "added" | "removed" | "changed" (for rendering)."""
        states = {n.id: "added" for n in self.nodes_added}
        states.update({n.id: "removed" for n in self.nodes_removed})
        states.update({c.id: "changed" for c in self.nodes_changed})
        return states

    def edge_states(self) -> dict[tuple[str, str], str]:
        states = {e.key: "added" for e in self.edges_added}
        states.update({e.key: "removed" for e in self.edges_removed})
        states.update({(c.src, c.dst): "changed" for c in self.edges_changed})
        return states

    def to_json(self, ignore_layout: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "identical": self.empty(ignore_layout),
            "flow": [c.to_json() for c in self.flow],
            "nodes": {
                "added": [_node_json(n) for n in self.nodes_added],
                "removed": [_node_json(n) for n in self.nodes_removed],
                "changed": [c.to_json() for c in self.nodes_changed],
            },
            "edges": {
                "added": [_edge_json(e) for e in self.edges_added],
                "removed": [_edge_json(e) for e in self.edges_removed],
                "changed": [c.to_json() for c in self.edges_changed],
            },
        }
        if not ignore_layout:
            out["layout"] = [m.to_json() for m in self.moves]
        return out


def _node_json(n: FlowNode) -> dict[str, Any]:
    return {"id": n.id, "node": n.node}


def _edge_json(e: FlowEdge) -> dict[str, Any]:
    d: dict[str, Any] = {"from": e.src, "to": e.dst}
    for attr in _EDGE_ATTRS:
        if getattr(e, attr) is not None:
            d[attr] = getattr(e, attr)
    return d


def _cell(n: FlowNode) -> tuple[int, int] | None:
    return (n.col, n.row) if n.col is not None and n.row is not None else None


def _node_fields(n: FlowNode) -> dict[str, Any]:
    """A node's behavioural fields: everything but its grid cell (future keys join here)."""
    return {"node": n.node, "disabled": n.disabled, "compensate": n.compensate}


def diff_flows(a: Flow, b: Flow) -> FlowDiff:
    """The semantic diff from ``a`` (old) to ``b`` (new), in ``b``'s order (removals in ``a``'s)."""
    d = FlowDiff()
    for attr in _FLOW_ATTRS:
        old, new = getattr(a, attr), getattr(b, attr)
        if (old or None) != (new or None):
            d.flow.append(FieldChange(attr, old, new))
    old_nodes = {n.id: n for n in a.nodes}
    new_ids = {n.id for n in b.nodes}
    for n in b.nodes:
        o = old_nodes.get(n.id)
        if o is None:
            d.nodes_added.append(n)
            continue
        of, nf = _node_fields(o), _node_fields(n)
        changes = [FieldChange(k, of[k], nf[k]) for k in nf if of[k] != nf[k]]
        if changes:
            d.nodes_changed.append(NodeChange(n.id, changes))
        if _cell(o) != _cell(n):
            d.moves.append(Move(n.id, _cell(o), _cell(n)))
    d.nodes_removed = [n for n in a.nodes if n.id not in new_ids]
    old_edges = {e.key: e for e in a.edges}
    new_keys = {e.key for e in b.edges}
    for e in b.edges:
        oe = old_edges.get(e.key)
        if oe is None:
            d.edges_added.append(e)
            continue
        changes = [FieldChange(k, getattr(oe, k), getattr(e, k)) for k in _EDGE_ATTRS if getattr(oe, k) != getattr(e, k)]
        if changes:
            d.edges_changed.append(EdgeChange(e.src, e.dst, changes))
    d.edges_removed = [e for e in a.edges if e.key not in new_keys]
    return d


# -- reading a side ------------------------------------------------------------------------------
def _git(cwd: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *argv], cwd=cwd, capture_output=True, timeout=60, check=False)
    except FileNotFoundError:
        raise AxiomError.of("git_missing", "git is not installed (needed to read a REV:path side)") from None


def split_revision(spec: str) -> tuple[str, str] | None:
    """``REV:path`` → (REV, path); None when ``spec`` is not of that form (a Windows drive ``C:\\`` is a path)."""
    rev, sep, path = spec.partition(":")
    if not sep or not rev or not path or (len(rev) == 1 and rev.isalpha()):
        return None
    return rev, path


def load_side(spec: str, cwd: str | Path | None = None) -> Flow:
    """Read one side of a diff: a file, ``/dev/null`` or ``REV:path``. Raises a precise AxiomError."""
    if spec in NULL_SIDES:
        return Flow("")
    return load_flow_spec(spec, cwd).flow


def load_flow_spec(spec: str, cwd: str | Path | None = None) -> Any:
    """The FlowFile of a file or of ``REV:path`` (a flow as committed at a git revision; what
    ``flow diff`` and ``flow batch`` accept). Raises a precise AxiomError."""
    from axiom_ide.runtime.model.flow_yaml import load_flow, loads_flow_fast

    here = Path(cwd) if cwd is not None else Path.cwd()
    path = Path(spec) if Path(spec).is_absolute() else here / spec
    if path.is_file():
        return load_flow(path, fast=True)
    parts = split_revision(spec)
    if parts is None:
        raise AxiomError.of("file_not_found", f"flow file not found: {spec} (nor a git REV:path)", file=spec)
    rev, rel = parts
    top = _git(here, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise AxiomError.of("git_not_repository",
                            f'"{spec}" reads git revision "{rev}", but {here} is not inside a git repository')
    if _git(here, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise AxiomError.of("git_revision_not_found",
                            f'git revision "{rev}" does not exist in {top.stdout.decode().strip()} (in "{spec}")')
    shown = _git(here, "show", f"{rev}:{rel}")
    if shown.returncode != 0:
        raise AxiomError.of("git_path_not_found",
                            f'{rel} does not exist at git revision "{rev}" (paths are relative to the repository '
                            'root; start with ./ for the current folder)', file=spec)
    try:
        text = shown.stdout.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AxiomError.of("file_encoding", f"{spec} is not UTF-8: {exc.reason}", file=spec) from None
    return loads_flow_fast(text, spec)


def merged_flow(a: Flow, b: Flow) -> Flow:
    """``b`` plus what ``a`` had and ``b`` dropped, for drawing one picture of the diff. A removed
    node keeps its old grid cell when ``b`` leaves it free, else the layout places it."""
    taken = {_cell(n) for n in b.nodes if _cell(n)}
    nodes = [FlowNode(n.id, n.node, n.col, n.row, n.disabled, compensate=n.compensate) for n in b.nodes]
    ids = {n.id for n in nodes}
    for n in a.nodes:
        if n.id in ids:
            continue
        cell = _cell(n)
        keep = cell is not None and cell not in taken
        nodes.append(FlowNode(n.id, n.node, n.col if keep else None, n.row if keep else None, n.disabled, compensate=n.compensate))
        ids.add(n.id)
    edges = [FlowEdge(e.src, e.dst, e.map, e.when, e.loop) for e in b.edges]
    keys = {e.key for e in edges}
    edges += [FlowEdge(e.src, e.dst, e.map, e.when, e.loop) for e in a.edges if e.key not in keys]
    return Flow(b.name or a.name, description=b.description, mode=b.mode or a.mode, imports=sorted(set(a.imports) | set(b.imports)),
                nodes=nodes, edges=edges, join=b.join)


def format_diff(d: FlowDiff, ignore_layout: bool = False) -> str:
    """The human report: one line per difference, ``+`` added, ``-`` removed, ``~`` changed."""
    lines: list[str] = []
    for c in d.flow:
        lines.append(f"~ flow {c.field}: {c.old!r} → {c.new!r}")
    for n in d.nodes_added:
        lines.append(f"+ node {n.id} ({n.node})")
    for n in d.nodes_removed:
        lines.append(f"- node {n.id} ({n.node})")
    for nc in d.nodes_changed:
        for c in nc.changes:
            lines.append(f"~ node {nc.id} {c.field}: {c.old} → {c.new}")
    for e in d.edges_added:
        lines.append(f"+ edge {e.src} → {e.dst}" + _edge_extra(e))
    for e in d.edges_removed:
        lines.append(f"- edge {e.src} → {e.dst}" + _edge_extra(e))
    for ec in d.edges_changed:
        for c in ec.changes:
            lines.append(f"~ edge {ec.src} → {ec.dst} {c.field}: {_show(c.old)} → {_show(c.new)}")
    if not ignore_layout and d.moves:
        lines.append(f"layout only ({len(d.moves)} moved):")
        for m in d.moves:
            lines.append(f"  node {m.id}: {_cellstr(m.old)} → {_cellstr(m.new)}")
    if not lines:
        lines.append("no differences" if not d.moves else f"no differences ({len(d.moves)} layout move(s) hidden)")
    elif ignore_layout and d.moves and d.semantic:
        lines.append(f"({len(d.moves)} layout move(s) hidden)")
    return "\n".join(lines)


def _edge_extra(e: FlowEdge) -> str:
    bits = [f"{k}={_show(getattr(e, k))}" for k in _EDGE_ATTRS if getattr(e, k) is not None]
    return f" [{', '.join(bits)}]" if bits else ""


def _show(v: Any) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {val}" for k, val in v.items()) + "}"
    return str(v)


def _cellstr(cell: tuple[int, int] | None) -> str:
    return "auto" if cell is None else f"col {cell[0]}, row {cell[1]}"
