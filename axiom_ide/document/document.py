"""FlowDocument: one open flow file = the flow model + its QUndoStack + its live analysis.

Invariants:
- the model (``doc.flow``) is the truth; every edit method pushes exactly one QUndoCommand (or one
  macro) whose redo/undo call :class:`Flow` methods only. Views never change the model directly:
  they call these methods with a finished gesture (a whole drag → one ``move_nodes``).
- dirty = the undo stack is not at its clean index; ``save`` marks it clean.
- the analysis is recomputed ~150 ms after the last change (``refresh_analysis`` runs it now).
Selection, zoom and run state are view state and never live here.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from axiom_ide.document import clipboard, compensation, gc_guard
from axiom_ide.document.analysis import PIPELINE_EDGE_ERROR, analyze, is_pipeline, resolve_node
from axiom_ide.document.beside import flow_modified
from axiom_ide.document.commands import (
    AddEdgeCommand,
    AddNodeCommand,
    Command,
    Macro,
    RemoveEdgeCommand,
    RemoveNodeCommand,
    RenameNodeCommand,
    SetFlowAttrCommand,
    UpdateEdgeCommand,
    UpdateNodeCommand,
)
from axiom_ide.runtime.compiler.layout import layout_cells
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode
from axiom_ide.runtime.model.flow_yaml import FlowFile, dumps_flow, load_flow, new_flow_file, save_flow
from axiom_ide.runtime.model.refs import CANVAS_ID_RE, RefError, parse_import, parse_node_ref

Cell = tuple[int, int]
EdgeKey = tuple[str, str]

#: Debounce for the live analysis after an edit.
ANALYSIS_DELAY_MS = 150


def _id_base(name: str) -> str:
    """A canvas id base from a node name: ``WordUpper`` → ``word-upper``."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and (name[i - 1].islower() or name[i - 1].isdigit()):
            out.append("-")
        out.append(ch.lower() if ch.isalnum() else "-")
    base = "".join(out).strip("-_") or "node"
    return base if CANVAS_ID_RE.match(base) else "node"


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC while building many objects at once (opening a large flow allocates
    tens of thousands; each generation-2 pass walks them all). Restores the previous state."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class FlowDocument(QObject):
    """An open flow: model + undo stack + analysis. Create with :meth:`open` or :meth:`new`."""

    #: (dirty) the document gained or lost unsaved changes.
    dirtyChanged = Signal(bool)
    #: (path) the document's file path changed (Save As).
    pathChanged = Signal(str)
    #: (path) the document was written to disk.
    saved = Signal(str)
    #: the live analysis (``doc.analysis``) was recomputed.
    analysisChanged = Signal()
    #: the whole model was replaced (reload from disk); views rebuild from ``doc.flow``.
    flowReplaced = Signal()
    #: (old_id, new_id) a node's canvas id changed (a rename, its undo or redo); panels showing
    #: the node follow it.
    nodeRenamed = Signal(str, str)
    #: (text) what an edit could not keep, for the status bar (a paste dropping a ``compensate:``
    #: that names a node it left behind).
    noted = Signal(str)

    def __init__(self, file: FlowFile, workspace: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.file = file
        self.workspace = workspace
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self.undo_stack.indexChanged.connect(self._on_clean_changed)  # a pin is no edit (beside.py)
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(ANALYSIS_DELAY_MS)
        self._timer.timeout.connect(self.refresh_analysis)
        self._analysis: Any = None
        #: Called as ``fn(payload, {copied id: pasted id}, macro)`` before a paste or duplicate is
        #: pushed: what lives beside the flow adds its child commands to the same undo step
        #: (``app/pins.py``: a pasted copy of a pinned node gets its pin).
        self.paste_extenders: list[Callable[[dict[str, Any], dict[str, str], Command], None]] = []
        #: Called as ``fn(removed node ids, macro)`` before a removal is pushed (a removed node's pin
        #: goes with it, in the same undo step, so a later node given its id is not pinned).
        self.remove_extenders: list[Callable[[list[str], Command], None]] = []
        self._listen(self.flow)

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, workspace: Any = None, parent: QObject | None = None) -> FlowDocument:
        """Load a flow file; raises AxiomError when it cannot be read or parsed. Opening takes the
        libyaml fast path; the round-trip tree that keeps saves minimal is built in the background
        once the document is first edited (or by the first save, whichever comes first)."""
        with paused_gc():
            return cls(load_flow(path, fast=True), workspace, parent)

    @classmethod
    def new(cls, name: str, workspace: Any = None, path: str | Path | None = None, parent: QObject | None = None) -> FlowDocument:
        flow = Flow(name, mode="unary")
        return cls(new_flow_file(flow, path), workspace, parent)

    # -- properties --------------------------------------------------------------------------
    @property
    def flow(self) -> Flow:
        return self.file.flow

    @property
    def path(self) -> Path | None:
        return self.file.path

    @property
    def is_dirty(self) -> bool:
        return not self.undo_stack.isClean() and flow_modified(self.undo_stack)

    @property
    def analysis(self) -> Any:
        """The latest analysis (computed on first access)."""
        if self._analysis is None:
            self._analysis = analyze(self.file, self.workspace)
        return self._analysis

    def refresh_analysis(self) -> Any:
        """Recompute the analysis now and emit ``analysisChanged``."""
        self._timer.stop()
        self._analysis = analyze(self.file, self.workspace)
        self.analysisChanged.emit()
        return self._analysis

    def set_workspace(self, workspace: Any) -> None:
        self.workspace = workspace
        self.refresh_analysis()

    def spec(self, node_id: str) -> Any:
        """The resolved NodeSpec of a node, or None."""
        return self.analysis.nodes.get(node_id)

    def cells(self) -> dict[str, Cell]:
        """Display cell of every node: pinned cells, and the compiler's layout for the rest."""
        return layout_cells(self.flow)

    def _on_clean_changed(self, _value: object = None) -> None:
        dirty = self.is_dirty
        if dirty == self._dirty:
            return
        self._dirty = dirty
        if dirty:
            self.prepare_save()
        self.dirtyChanged.emit(dirty)

    def prepare_save(self) -> None:
        """Build the round-trip tree of a fast-opened file on a worker thread, so the first save
        does not parse a large file on the GUI thread. Saving waits for it (FlowFile's lock).
        Only with :mod:`gc_guard` installed (the IDE does); otherwise the first save builds it."""
        file = self.file
        if not file.has_tree and file.text is not None and gc_guard.installed():
            threading.Thread(target=file.round_trip, name="flow-round-trip", daemon=True).start()

    def _listen(self, flow: Flow) -> None:
        for ev in (flow.node_added, flow.node_removed, flow.node_changed, flow.edge_added,
                   flow.edge_removed, flow.edge_changed, flow.flow_changed):
            ev.connect_weak(self._on_model_changed)  # the flow must not keep the document alive
        flow.node_changed.connect_weak(self._on_node_changed)

    def _on_model_changed(self, *args: Any) -> None:
        self._timer.start()

    def _on_node_changed(self, old_id: str, node: FlowNode) -> None:
        if old_id != node.id:
            self.nodeRenamed.emit(old_id, node.id)

    # -- edits: nodes ------------------------------------------------------------------------
    def add_node(self, ref: str, cell: Cell | None = None, node_id: str | None = None, *, label: str | None = None) -> str:
        """Place node ``ref`` (``package@version:Node`` or ``flow:<name>``); returns its canvas id.

        The package is imported into the flow's Library in the same undo step when it is not yet.
        ``label`` names the node for its id and the undo text (a marketplace ``flow:<artifact id>``:
        the flow's name) instead of the reference's node or flow name."""
        try:
            parsed = parse_node_ref(ref)
        except RefError as exc:
            raise AxiomError.of("invalid_node_ref", str(exc)) from None
        label = label or (parsed.subflow if parsed.is_subflow else parsed.node)
        if node_id is None:
            node_id = self.flow.unique_id(_id_base(label))
        elif self.flow.node(node_id) is not None:
            raise AxiomError.of("duplicate_id", f'duplicate node id "{node_id}"')
        elif not CANVAS_ID_RE.match(node_id):
            raise AxiomError.of("invalid_id", f'id "{node_id}" must match ^[a-z0-9][a-z0-9_-]*$')
        if cell is not None:
            cell = self._free_cell((cell[0], cell[1]), set(self.cells().values()))
        node = FlowNode(node_id, ref, *(cell if cell is not None else (None, None)))
        macro = Macro(f"Add {label}")
        self._import_for(parsed, macro)
        AddNodeCommand(self.flow, node, parent=macro)
        self.undo_stack.push(macro)
        return node_id

    def remove(self, node_ids: Iterable[str] = (), edge_keys: Iterable[EdgeKey] = (), *, verb: str = "Remove") -> None:
        """Remove nodes (with their edges) and edges as one undo step ("Remove a", or ``verb`` a)."""
        node_ids = [n for n in dict.fromkeys(node_ids) if self.flow.node(n) is not None]
        keys: set[EdgeKey] = {(k[0], k[1]) for k in edge_keys if self.flow.edge(*k) is not None}
        for n in node_ids:
            keys |= {e.key for e in self.flow.edges_of(n)}
        if not node_ids and not keys:
            return
        if verb != "Remove" and node_ids:
            text = f"{verb} {node_ids[0]}" if len(node_ids) == 1 else f"{verb} {len(node_ids)} nodes"
        elif len(node_ids) == 1 and not (keys - {e.key for e in self.flow.edges_of(node_ids[0])}):
            text = f"Remove {node_ids[0]}"
        elif not node_ids and len(keys) == 1:
            (k,) = keys
            text = f"Disconnect {k[0]} → {k[1]}"
        else:
            parts = []
            if node_ids:
                parts.append(f"{len(node_ids)} node{'s' if len(node_ids) != 1 else ''}")
            free = len(keys) - len({e.key for n in node_ids for e in self.flow.edges_of(n)})
            if free:
                parts.append(f"{free} edge{'s' if free != 1 else ''}")
            text = "Remove " + " and ".join(parts)
        macro = Macro(text)
        compensation.clear_references(self.flow, node_ids, macro)  # compensate: keys naming a removed node
        # Edges by descending index, so undo re-inserts each at its original position.
        for key in sorted(keys, key=lambda k: -self.flow.edge_index(*k)):
            RemoveEdgeCommand(self.flow, key, parent=macro)
        for n in sorted(node_ids, key=lambda n: -self.flow.node_index(n)):
            RemoveNodeCommand(self.flow, n, parent=macro, with_edges=False)
        for extend in self.remove_extenders:
            extend(node_ids, macro)
        self.undo_stack.push(macro)

    def move_nodes(self, cells: dict[str, Cell], *, by_hand: bool = False) -> None:
        """Pin nodes to cells: one "Move" undo step (a whole drag). Unchanged nodes are skipped.

        ``by_hand`` (a drag on the canvas): every other node is pinned where it is shown, so no
        unpinned neighbour re-flows around the moved one, and a cell left of or above the grid
        re-bases the whole grid (cells stay non-negative, as flow.yaml requires) — the same step."""
        nodes = {n.id: n for n in self.flow.nodes}  # one pass: a first move pins thousands
        wanted = {nid: (int(c), int(r)) for nid, (c, r) in cells.items() if nid in nodes}
        if by_hand:
            shown = {**self.cells(), **wanted}
            dc = -min((c for c, _ in shown.values()), default=0)
            dr = -min((r for _, r in shown.values()), default=0)
            dc, dr = max(0, dc), max(0, dr)
            targets = {nid: (c + dc, r + dr) for nid, (c, r) in shown.items()}
        else:
            targets = {nid: (max(0, c), max(0, r)) for nid, (c, r) in wanted.items()}
        changes = {}
        for nid, cell in targets.items():
            node = nodes.get(nid)
            if node is not None and (node.col, node.row) != cell:
                changes[nid] = cell
        moved = [nid for nid in wanted if nid in changes]
        if not moved:
            return
        text = f"Move {moved[0]}" if len(moved) == 1 else f"Move {len(moved)} nodes"
        macro = Macro(text)
        for nid, (col, row) in changes.items():
            UpdateNodeCommand(self.flow, nid, {"col": col, "row": row}, text, parent=macro)
        self.undo_stack.push(macro)

    def rename_check(self, node_id: str, new_id: Any) -> str | None:
        """None when ``node_id`` may be renamed to ``new_id``; else why not (the validator's words)."""
        if self.flow.node(node_id) is None:
            return f'no node "{node_id}" in this flow'
        if not isinstance(new_id, str) or not CANVAS_ID_RE.match(new_id):
            return f'id "{new_id}" must match ^[a-z0-9][a-z0-9_-]*$'
        if new_id != node_id and self.flow.node(new_id) is not None:
            return f'duplicate node id "{new_id}"'
        return None

    def rename_node(self, node_id: str, new_id: str) -> bool:
        """Rename a node's canvas id as one "Rename a → b" undo step; its edges and join entry
        follow. False when ``new_id`` is the current id; AxiomError when it is refused."""
        reason = self.rename_check(node_id, new_id)
        if reason is not None:
            code = "duplicate_id" if reason.startswith("duplicate") else "unknown_node" if reason.startswith("no node") else "invalid_id"
            raise AxiomError.of(code, reason)
        if new_id == node_id:
            return False
        self.undo_stack.push(RenameNodeCommand(self.flow, node_id, new_id))
        return True

    def set_node(self, node_id: str, **changes: Any) -> None:
        """Change a node's ``id`` (rename), ``node`` (reference) or pin, as one undo step."""
        if "id" in changes and changes["id"] != node_id:
            if set(changes) == {"id"}:
                self.rename_node(node_id, changes["id"])
                return
            new = changes["id"]
            reason = self.rename_check(node_id, new)
            if reason is not None:
                raise AxiomError.of("duplicate_id" if reason.startswith("duplicate") else "invalid_id", reason)
            text = f"Rename {node_id} → {new}"
        elif "node" in changes:
            text = f"Change node of {node_id}"
        else:
            text = f"Edit {node_id}"
        self.undo_stack.push(UpdateNodeCommand(self.flow, node_id, changes, text))

    def set_disabled(self, node_ids: Iterable[str], on: bool) -> None:
        """Disable (``on``) or enable nodes, as one undo step; nodes already so are left alone."""
        ids = [i for i in node_ids if (n := self.flow.node(i)) is not None and n.disabled != on]
        if not ids:
            return
        macro = Macro(f"{'Disable' if on else 'Enable'} {ids[0] if len(ids) == 1 else f'{len(ids)} nodes'}")
        for node_id in ids:
            UpdateNodeCommand(self.flow, node_id, {"disabled": on}, parent=macro)
        self.undo_stack.push(macro)

    def compensation_check(self, node_id: str, target: str | None) -> str | None:
        """None when ``node_id`` may declare ``compensate: target``; else the compiler's reason."""
        return compensation.compensation_check(self, node_id, target)

    def set_compensation(self, node_id: str, target: str | None) -> bool:
        """Set or clear ``compensate:`` of a node as one undo step (``compensation.py``)."""
        return compensation.set_compensation(self, node_id, target)

    def auto_layout(self) -> None:
        """Write the compiler's layout onto every node: one "Auto-layout" undo step.

        All nodes are unpinned first so the layout is the pure layered one, then pinned to it."""
        plain = Flow(nodes=[FlowNode(n.id, n.node) for n in self.flow.nodes], edges=list(self.flow.edges))
        cells = layout_cells(plain)
        macro = Macro("Auto-layout")
        for n in self.flow.nodes:
            col, row = cells[n.id]
            if (n.col, n.row) != (col, row):
                UpdateNodeCommand(self.flow, n.id, {"col": col, "row": row}, parent=macro)
        if macro.child_count():
            self.undo_stack.push(macro)

    # -- edits: edges ------------------------------------------------------------------------
    def can_connect(self, src: str, dst: str) -> str | None:
        """None when ``src → dst`` may be added; else the refusal reason in the docs' words."""
        src_node, dst_node = self.flow.node(src), self.flow.node(dst)
        if src_node is None or dst_node is None:
            return "both ends of an edge must be nodes in this flow"
        if src == dst:
            return "a node cannot feed itself; use a loop edge (loop: N)"
        if self.flow.edge(src, dst) is not None:
            return f'"{src}" is already connected to "{dst}"'
        # Resolve now: the debounced analysis may not have seen the newest nodes yet.
        a = resolve_node(self.workspace, src_node.node)[0]
        b = resolve_node(self.workspace, dst_node.node)[0]
        if a is not None and b is not None and is_pipeline(a) and not is_pipeline(b):
            return PIPELINE_EDGE_ERROR
        return None

    def connect(self, src: str, dst: str, *, loop: int | None = None, map: dict[str, str] | None = None, when: str | None = None) -> str | None:  # type: ignore[override]  # adds an edge; shadows QObject.connect, unused on documents
        """Add the edge ``src → dst``; None on success, else the reason it was refused.

        A type mismatch is not a refusal: the edge is added and drawn amber until mapped."""
        if loop is not None and src == dst and self.flow.node(src) is not None and self.flow.edge(src, dst) is None:
            reason = None
        else:
            reason = self.can_connect(src, dst)
        if reason:
            return reason
        edge = FlowEdge(src, dst, dict(map) if map is not None else None, when, loop)
        self.undo_stack.push(AddEdgeCommand(self.flow, edge, text=f"Connect {src} → {dst}"))
        return None

    def set_edge(self, key: EdgeKey, **changes: Any) -> None:
        """Change ``map=`` / ``when=`` / ``loop=`` of an edge as one undo step."""
        unknown = set(changes) - {"map", "when", "loop"}
        if unknown:
            raise TypeError(f"unknown edge fields: {', '.join(sorted(unknown))}")
        edge = self.flow.edge(*key)
        if edge is None:
            raise AxiomError.of("unknown_edge", f'no edge "{key[0]}" → "{key[1]}"')
        changes = {k: v for k, v in changes.items() if getattr(edge, k) != v}
        if not changes:
            return
        what = {"map": "mapping", "when": "condition", "loop": "loop"}
        names = " and ".join(what[k] for k in ("map", "when", "loop") if k in changes)
        text = f"Edit {names} of {key[0]} → {key[1]}"
        self.undo_stack.push(UpdateEdgeCommand(self.flow, (key[0], key[1]), changes, text))

    # -- edits: flow attributes --------------------------------------------------------------
    def set_flow_attr(self, name: str, value: Any) -> None:
        if getattr(self.flow, name) == value:
            return
        self.undo_stack.push(SetFlowAttrCommand(self.flow, name, value, f"Set flow {name}"))

    def import_package(self, key: str) -> None:
        """Add ``owner/pkg@ver`` to the flow's imports (its Library)."""
        try:
            parse_import(key)
        except RefError as exc:
            raise AxiomError.of("invalid_import", str(exc)) from None
        if key in self.flow.imports:
            return
        self.undo_stack.push(SetFlowAttrCommand(self.flow, "imports", self.flow.imports + [key], f"Import {key}"))

    def remove_import(self, key: str) -> None:
        if key not in self.flow.imports:
            return
        rest = [i for i in self.flow.imports if i != key]
        self.undo_stack.push(SetFlowAttrCommand(self.flow, "imports", rest, f"Remove import {key}"))

    def _import_for(self, parsed: Any, macro: Macro, pending: set[str] | None = None) -> None:
        if parsed.is_subflow:
            return
        key = parsed.package_key
        pending = pending if pending is not None else set()
        if key in self.flow.imports or key in pending:
            return
        pending.add(key)
        SetFlowAttrCommand(self.flow, "imports", self.flow.imports + sorted(pending), f"Import {key}", parent=macro)

    # -- clipboard ---------------------------------------------------------------------------
    def copy(self, node_ids: Iterable[str]) -> str:
        """Clipboard text (JSON) for these nodes and the edges between them."""
        return clipboard.dumps(self.flow, list(node_ids), self.cells(), str(self.path) if self.path else None)

    def paste(self, text: str, at_cell: Cell | None = None) -> list[str]:
        """Insert clipboard nodes with fresh unique ids (internal edges kept); returns new ids.

        Without ``at_cell`` the group lands one row below its original place, shifted down until
        it overlaps no existing card. Returns [] when ``text`` is not a copied selection."""
        data = clipboard.loads(text)
        if not data or not data["nodes"]:
            return []
        return self._insert_group(data, at_cell, "Paste")

    def cut(self, node_ids: Iterable[str]) -> str | None:
        """Clipboard text for these nodes, removed (with their edges) as one "Cut …" step; None
        when none of them exists."""
        ids = [n for n in dict.fromkeys(node_ids) if self.flow.node(n) is not None]
        if not ids:
            return None
        text = self.copy(ids)
        self.remove(ids, verb="Cut")
        return text

    def duplicate(self, node_ids: Iterable[str]) -> list[str]:
        ids = [n for n in node_ids if self.flow.node(n) is not None]
        if not ids:
            return []
        data = clipboard.loads(self.copy(ids))
        assert data is not None  # our own copy of existing nodes always reads back
        return self._insert_group(data, None, "Duplicate")

    def _insert_group(self, data: dict[str, Any], at_cell: Cell | None, verb: str) -> list[str]:
        taken_ids = {n.id for n in self.flow.nodes}
        id_map: dict[str, str] = {}
        for raw in data["nodes"]:
            new = raw["id"]
            base = new if CANVAS_ID_RE.match(new or "") else "node"
            if new in taken_ids or not CANVAS_ID_RE.match(new or ""):
                i = 2
                stem = base.rsplit("-", 1)[0] if base.rsplit("-", 1)[-1].isdigit() else base
                while f"{stem}-{i}" in taken_ids:
                    i += 1
                new = f"{stem}-{i}"
            taken_ids.add(new)
            id_map[raw["id"]] = new
        cells = [(r["col"], r["row"]) for r in data["nodes"]]
        min_col, min_row = min(c for c, _ in cells), min(r for _, r in cells)
        occupied = set(self.cells().values())
        if at_cell is not None:
            dc, dr = at_cell[0] - min_col, at_cell[1] - min_row
        else:
            dc, dr = 0, 1
        while any((c + dc, r + dr) in occupied for c, r in cells):
            dr += 1
        count = len(data["nodes"])
        macro = Macro(f"{verb} {count} node{'s' if count != 1 else ''}" if count != 1 else f"{verb} {id_map[data['nodes'][0]['id']]}")
        pending: set[str] = set()
        for raw in data["nodes"]:
            try:
                self._import_for(parse_node_ref(raw["node"]), macro, pending)
            except RefError:
                pass
        keys, notes = clipboard.pasted_keys(data, id_map, self.flow)
        for raw, (c, r) in zip(data["nodes"], cells, strict=True):
            new_id = id_map[raw["id"]]
            AddNodeCommand(self.flow, FlowNode(new_id, raw["node"], c + dc, r + dr, **keys[new_id]), parent=macro)
        for e in data["edges"]:
            if e["from"] in id_map and e["to"] in id_map:
                edge = FlowEdge(id_map[e["from"]], id_map[e["to"]], e.get("map"), e.get("when"), e.get("loop"))
                AddEdgeCommand(self.flow, edge, parent=macro)
        join = {id_map[k]: v for k, v in data.get("join", {}).items() if k in id_map}
        if join:
            SetFlowAttrCommand(self.flow, "join", {**self.flow.join, **join}, "Join policy", parent=macro)
        for extend in self.paste_extenders:
            extend(data, id_map, macro)
        self.undo_stack.push(macro)
        if notes:
            self.noted.emit("; ".join(notes))
        return [id_map[r["id"]] for r in data["nodes"]]

    def _free_cell(self, cell: Cell, occupied: set[Cell]) -> Cell:
        col, row = max(0, cell[0]), max(0, cell[1])
        while (col, row) in occupied:
            row += 1
        return (col, row)

    # -- files -------------------------------------------------------------------------------
    def to_text(self) -> str:
        """The YAML that :meth:`save` would write."""
        return dumps_flow(self.file)

    def save(self, path: str | Path | None = None) -> Path:
        """Write the file atomically (Save As when ``path`` is given); marks the document clean."""
        old = self.file.path
        written = save_flow(self.file, path)
        self.undo_stack.setClean()
        if old is None or Path(old) != written:
            self.pathChanged.emit(str(written))
        self.saved.emit(str(written))
        return written

    def reload_from_disk(self) -> None:
        """Replace the model with the file on disk; clears undo history. Raises AxiomError."""
        if self.file.path is None:
            raise AxiomError.of("no_path", "flow has no file path")
        fresh = load_flow(self.file.path, fast=True)
        self.file = fresh
        self._listen(fresh.flow)
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.flowReplaced.emit()
        self.refresh_analysis()
