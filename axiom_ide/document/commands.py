"""Undo commands: one QUndoCommand per model edit; redo/undo call :class:`Flow` methods only.

Invariants:
- a command never touches a view (the canvas mirrors the model through its change events);
- ``undo`` restores the model exactly (``flow.to_plain()`` equal before ``redo`` and after ``undo``),
  including list positions, so saving after undo writes the same bytes;
- multi-object edits are macros: a parent :class:`Macro` holding child commands, redone in order
  and undone in reverse (QUndoCommand's own child semantics).
"""
from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from PySide6.QtGui import QUndoCommand

from axiom_ide.runtime.model.flow import Flow, FlowEdge, FlowNode


class Command(QUndoCommand):
    """Base: children are kept in a Python list, not as Qt children.

    PySide does not hand a child QUndoCommand's ownership to its Qt parent, so Qt children made
    from Python are freed twice (a crash at teardown). Here the parent runs its children itself:
    in order on redo, in reverse on undo, exactly as Qt would."""

    def __init__(self, text: str, parent: Command | None = None) -> None:
        super().__init__(text)
        self._kids: list[Command] = []
        if parent is not None:
            parent._kids.append(self)

    def child_count(self) -> int:
        return len(self._kids)

    def redo(self) -> None:
        for kid in self._kids:
            kid.redo()

    def undo(self) -> None:
        for kid in reversed(self._kids):
            kid.undo()


class Macro(Command):
    """A named group of child commands: one undo step."""


class AddNodeCommand(Command):
    """Insert a node (at ``index``, default: the end)."""

    def __init__(self, flow: Flow, node: FlowNode, index: int | None = None, text: str = "", parent: Command | None = None) -> None:
        super().__init__(text or f"Add {node.id}", parent)
        self.flow, self.node, self.index = flow, replace(node), index

    def redo(self) -> None:
        self.index = self.flow.add_node(replace(self.node), self.index)

    def undo(self) -> None:
        self.flow.remove_node(self.node.id)


class RemoveNodeCommand(Command):
    """Remove a node, its join policy and (as child commands, first) its edges."""

    def __init__(self, flow: Flow, node_id: str, parent: Command | None = None, with_edges: bool = True) -> None:
        super().__init__(f"Remove {node_id}", parent)
        self.flow, self.node_id = flow, node_id
        self.node: FlowNode | None = None
        self.index = -1
        self.join: Any = None
        if with_edges:
            # Child commands run before this command's own redo (Qt semantics), undone after it.
            for e in list(flow.edges_of(node_id)):
                RemoveEdgeCommand(flow, e.key, parent=self)

    def redo(self) -> None:
        super().redo()  # children: remove the edges
        self.join = copy.deepcopy(self.flow.join.get(self.node_id))
        self.node, self.index = self.flow.remove_node(self.node_id)

    def undo(self) -> None:
        assert self.node is not None
        self.flow.add_node(replace(self.node), self.index)
        if self.join is not None:
            join = copy.deepcopy(self.flow.join)
            join[self.node_id] = self.join
            self.flow.set_attr("join", join)
        super().undo()  # children: restore the edges


class AddEdgeCommand(Command):
    def __init__(self, flow: Flow, edge: FlowEdge, index: int | None = None, text: str = "", parent: Command | None = None) -> None:
        super().__init__(text or f"Connect {edge.src} → {edge.dst}", parent)
        self.flow, self.edge, self.index = flow, _copy_edge(edge), index

    def redo(self) -> None:
        self.index = self.flow.add_edge(_copy_edge(self.edge), self.index)

    def undo(self) -> None:
        self.flow.remove_edge(self.edge.src, self.edge.dst)


class RemoveEdgeCommand(Command):
    def __init__(self, flow: Flow, key: tuple[str, str], parent: Command | None = None) -> None:
        super().__init__(f"Disconnect {key[0]} → {key[1]}", parent)
        self.flow, self.key = flow, tuple(key)
        self.edge: FlowEdge | None = None
        self.index = -1

    def redo(self) -> None:
        self.edge, self.index = self.flow.remove_edge(*self.key)

    def undo(self) -> None:
        assert self.edge is not None
        self.flow.add_edge(_copy_edge(self.edge), self.index)


class UpdateNodeCommand(Command):
    """Change fields of one node (a move sets col/row; a rename sets id)."""

    def __init__(self, flow: Flow, node_id: str, changes: dict[str, Any], text: str = "", parent: Command | None = None) -> None:
        super().__init__(text or f"Edit {node_id}", parent)
        self.flow, self.node_id, self.changes = flow, node_id, dict(changes)
        old = flow.node(node_id)
        assert old is not None, node_id
        self.before = {k: getattr(old, k) for k in changes}

    def redo(self) -> None:
        self.flow.update_node(self.node_id, **self.changes)

    def undo(self) -> None:
        new_id = self.changes.get("id", self.node_id)
        self.flow.update_node(new_id, **self.before)


class RenameNodeCommand(Command):
    """Rename a node's canvas id; its edges and join entry follow (``Flow.rename_node``)."""

    def __init__(self, flow: Flow, old_id: str, new_id: str, parent: Command | None = None) -> None:
        super().__init__(f"Rename {old_id} → {new_id}", parent)
        self.flow, self.old_id, self.new_id = flow, old_id, new_id

    def redo(self) -> None:
        self.flow.rename_node(self.old_id, self.new_id)

    def undo(self) -> None:
        self.flow.rename_node(self.new_id, self.old_id)


class UpdateEdgeCommand(Command):
    """Change map/when/loop of one edge."""

    def __init__(self, flow: Flow, key: tuple[str, str], changes: dict[str, Any], text: str = "", parent: Command | None = None) -> None:
        super().__init__(text or f"Edit {key[0]} → {key[1]}", parent)
        self.flow, self.key = flow, tuple(key)
        self.changes = copy.deepcopy(changes)
        old = flow.edge(*key)
        assert old is not None, key
        self.before = {k: copy.deepcopy(getattr(old, k)) for k in changes}

    def redo(self) -> None:
        self.flow.update_edge(*self.key, **copy.deepcopy(self.changes))

    def undo(self) -> None:
        self.flow.update_edge(*self.key, **copy.deepcopy(self.before))


class SetFlowAttrCommand(Command):
    """Set name/description/mode/imports/join."""

    def __init__(self, flow: Flow, name: str, value: Any, text: str = "", parent: Command | None = None) -> None:
        super().__init__(text or f"Set {name}", parent)
        self.flow, self.name = flow, name
        self.value = copy.deepcopy(value)
        self.before = copy.deepcopy(getattr(flow, name))

    def redo(self) -> None:
        self.flow.set_attr(self.name, self.value)

    def undo(self) -> None:
        self.flow.set_attr(self.name, self.before)


def _copy_edge(e: FlowEdge) -> FlowEdge:
    return replace(e, map=dict(e.map) if e.map is not None else None)
