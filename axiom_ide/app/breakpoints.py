"""Breakpoints of each saved flow (guides/debug-a-flow): set and cleared by right-clicking a card
or an edge (**Set breakpoint** / **Clear breakpoint**; an unsaved flow's item reads "Save the flow
first to enable breakpoints."), drawn as a red dot on the card or at the edge's middle, honoured
only by **Debug** runs. An edge's breakpoint (id ``"src->dst"``, as the runtime takes it) pauses
the run when that edge fires, before its destination, showing the mapped values it delivers.

They are not part of the flow: they persist in ``<data dir>/breakpoints.json`` (0600, written
atomically) keyed by the flow file's resolved path. A stored breakpoint on a node the flow no longer
has is dropped when the flow opens, with a note in the status bar naming it. A breakpoint may
carry a condition (CEL over the node's input) and a hit count (pause on every Nth reach), edited
in the Breakpoints tab; such a breakpoint is stored as ``{"node", "condition", "hit_count"}``
instead of its bare canvas id. Breakpoints (node and edge ones, with their options) follow a
node's rename and its undo (``doc.nodeRenamed``), as pins do.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu

from axiom_ide.app import compensation_menu
from axiom_ide.backends.breakpoint_check import edge_breakpoint as edge_id
from axiom_ide.backends.breakpoint_check import edge_ends
from axiom_ide.runtime.fileio import atomic_write_text

FILE_NAME = "breakpoints.json"
SET, CLEAR = "Set breakpoint", "Clear breakpoint"
SAVE_FIRST = "Save the flow first to enable breakpoints."
DROPPED = 'Breakpoint on "{node}" dropped: the flow has no such node any more'
DROPPED_EDGE = 'Breakpoint on "{src} → {dst}" dropped: the flow has no such edge any more'


def label(breakpoint: str) -> str:
    """How a breakpoint is named to the user: the canvas id, or ``a → b`` for an edge."""
    ends = edge_ends(breakpoint)
    return breakpoint if ends is None else f"{ends[0]} → {ends[1]}"
#: A breakpoint's condition and hit count, as stored and as the backend's set_breakpoints takes them.
Options = dict[str, Any]


class BreakpointStore:
    """``{flow path: [canvas id, ...]}`` in one JSON file."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def _load(self) -> dict[str, list[Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {k: [n for n in v if isinstance(n, str) or (isinstance(n, dict) and isinstance(n.get("node"), str))]
                for k, v in data.items() if isinstance(v, list)}

    def get(self, flow_path: Path) -> set[str]:
        return {n if isinstance(n, str) else n["node"] for n in self._load().get(str(Path(flow_path).resolve()), ())}

    def get_options(self, flow_path: Path) -> dict[str, Options]:
        """Canvas id -> {"condition", "hit_count"} of the breakpoints that have either."""
        found: dict[str, Options] = {}
        for n in self._load().get(str(Path(flow_path).resolve()), ()):
            if isinstance(n, dict):
                condition, hits = n.get("condition"), n.get("hit_count")
                found[n["node"]] = {"condition": condition if isinstance(condition, str) else None,
                                    "hit_count": hits if isinstance(hits, int) and hits >= 1 else None}
        return found

    def put(self, flow_path: Path, nodes: set[str], options: dict[str, Options] | None = None) -> None:
        data = self._load()
        key = str(Path(flow_path).resolve())
        options = options or {}
        if nodes:
            data[key] = [{"node": n, **options[n]} if n in options else n for n in sorted(nodes)]
        else:
            data.pop(key, None)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=0o600)


class TabBreakpoints:
    """One tab's breakpoints: ``tab.breakpoints`` (the set Debug runs use), the card dots, the
    right-click menu on the canvas and the store."""

    def __init__(self, tab: Any, store: BreakpointStore, note: Callable[[str], None]):
        self.tab = tab
        self.store = store
        self.note = note
        self.menu: QMenu | None = None
        #: Called after every change (the Breakpoints tab of the result panel).
        self.listeners: set[Callable[[], None]] = set()
        #: ``extend(menu, node)`` adds more items to a card's right-click menu (app/pins.py).
        self.menu_extenders: list[Callable[[QMenu, str], None]] = []
        self.menu_extenders.append(compensation_menu.extender(tab))  # Compensate with… (compensation_menu.py)
        tab.breakpoints = set()
        #: Condition / hit count per breakpoint (only those that have one); Debug runs send them.
        tab.breakpoint_options = {}
        self.load()
        tab.follow(tab.doc.pathChanged, lambda _p: self.load())
        if hasattr(tab.doc, "nodeRenamed"):
            tab.follow(tab.doc.nodeRenamed, self.renamed)
        view = tab.view
        if view is not None:
            from PySide6.QtCore import Qt

            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(self._menu)

    @property
    def nodes(self) -> set[str]:
        return set(self.tab.breakpoints)

    def load(self) -> None:
        path = self.tab.doc.path
        stored = self.store.get(path) if path is not None else set()
        flow = self.tab.doc.flow
        present = {n.id for n in flow.nodes} | {edge_id(e.src, e.dst) for e in flow.edges}
        dropped = sorted(stored - present)
        options = self.store.get_options(path) if path is not None else {}
        self.tab.breakpoint_options = {n: o for n, o in options.items() if n in present}
        self._set(stored & present, save=bool(dropped))
        for node in dropped:
            ends = edge_ends(node)
            self.note(DROPPED.format(node=node) if ends is None else DROPPED_EDGE.format(src=ends[0], dst=ends[1]))

    def _set(self, nodes: set[str], *, save: bool = True) -> None:
        scene = self.tab.scene
        for node in set(self.tab.breakpoints) | nodes:
            if scene is not None:
                scene.set_breakpoint(node, node in nodes)
        self.tab.breakpoints = set(nodes)
        self.tab.breakpoint_options = {n: o for n, o in self.tab.breakpoint_options.items() if n in nodes}
        path = self.tab.doc.path
        if save and path is not None:
            self.store.put(path, self.tab.breakpoints, self.tab.breakpoint_options)
        for listener in list(self.listeners):
            listener()

    def renamed(self, old_id: str, new_id: str) -> None:
        """A node's breakpoint, and the breakpoints of the edges at it, take its new id (stored)."""
        def moved(bp: str) -> str:
            ends = edge_ends(bp)
            if ends is None:
                return new_id if bp == old_id else bp
            src, dst = (new_id if end == old_id else end for end in ends)
            return edge_id(src, dst)

        before = set(self.tab.breakpoints)
        if old_id == new_id or not any(moved(bp) != bp for bp in before):
            return
        self.tab.breakpoints = {moved(bp) for bp in before}
        self.tab.breakpoint_options = {moved(n): o for n, o in self.tab.breakpoint_options.items()}
        path = self.tab.doc.path
        if path is not None:
            self.store.put(path, self.tab.breakpoints, self.tab.breakpoint_options)
        for listener in list(self.listeners):
            listener()
        # The document announces the rename before the scene has re-keyed its cards and edges:
        # the dots are redrawn once it has (the old ids then name no item any more).
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self.tab, lambda: self._redraw(before))

    def _redraw(self, before: set[str]) -> None:
        scene = self.tab.scene
        if scene is None:
            return
        for bp in before - self.tab.breakpoints:
            scene.set_breakpoint(bp, False)
        for bp in self.tab.breakpoints:
            scene.set_breakpoint(bp, True)

    def set(self, node: str, on: bool) -> None:
        nodes = self.nodes
        (nodes.add if on else nodes.discard)(node)
        self._set(nodes)

    def options(self, node: str) -> Options:
        return dict(self.tab.breakpoint_options.get(node) or {"condition": None, "hit_count": None})

    def set_options(self, node: str, condition: str | None, hit_count: int | None) -> None:
        """Store a breakpoint's condition (already checked) and hit count; None/None = plain."""
        if condition or hit_count:
            self.tab.breakpoint_options[node] = {"condition": condition or None, "hit_count": hit_count or None}
        else:
            self.tab.breakpoint_options.pop(node, None)
        path = self.tab.doc.path
        if path is not None:
            self.store.put(path, self.tab.breakpoints, self.tab.breakpoint_options)

    def clear_all(self) -> None:
        self._set(set())

    def _menu(self, pos: QPoint) -> None:
        """The right-click menu of the card under ``pos``, else of the edge under it."""
        view = self.tab.view
        scene_pos = view.mapToScene(pos)
        menu = QMenu(view)
        item = self.tab.scene.node_item_at(scene_pos)
        if item is not None:
            menu.setObjectName("nodeContextMenu")
            node = item.node_id
        else:
            edge = self.tab.scene.edge_item_at(scene_pos)
            if edge is None:
                return
            menu.setObjectName("edgeContextMenu")
            node = edge_id(*edge.key)
        if self.tab.doc.path is None:
            menu.addAction(SAVE_FIRST).setEnabled(False)
        elif node in self.tab.breakpoints:
            menu.addAction(CLEAR, lambda: self.set(node, False))
        else:
            menu.addAction(SET, lambda: self.set(node, True))
        if item is not None:  # the extenders (pins) are about cards, not edges
            for extend in self.menu_extenders:
                extend(menu, node)
        self.menu = menu
        menu.popup(view.viewport().mapToGlobal(pos))
