"""Editing ``compensate: <canvas id>`` (saga compensation, runtime/compiler/compensation.py).

``node.compensate = X`` means: when a later failure ends the run after ``node`` completed, the node
``X`` runs with ``node``'s output. Invariants:
- a declaration is checked by the compiler's own :func:`check_compensations` on a trial copy of the
  flow; a choice is refused with the first error it *adds* (problems the flow already has are not
  the choice's fault), in the compiler's words, and nothing changes;
- setting or clearing it is one undoable ``UpdateNodeCommand``; a rename carries the references
  along (``Flow.update_node``), and removing a compensation node clears the keys naming it in the
  same undo step (:func:`clear_references`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from axiom_ide.document.analysis import resolve_node
from axiom_ide.document.commands import Command, UpdateNodeCommand
from axiom_ide.runtime.compiler.compensation import check_compensations
from axiom_ide.runtime.errors import AxiomError, Diagnostic
from axiom_ide.runtime.model.flow import Flow


@dataclass
class _Trial:
    """What :func:`check_compensations` reads of an analysis: node specs and a diagnostics list."""

    nodes: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _errors(flow: Flow, specs: dict[str, Any]) -> list[str]:
    trial = _Trial(specs)
    check_compensations(flow, trial)
    return [d.message for d in trial.diagnostics if d.is_error]


def compensation_check(doc: Any, node_id: str, target: str | None) -> str | None:
    """None when node ``node_id`` may declare ``compensate: target`` (None clears it, always
    allowed); else why not, in the compiler's words."""
    flow = doc.flow
    node = flow.node(node_id)
    if node is None:
        return f'no node "{node_id}" in this flow'
    if target is None or target == node.compensate:
        return None
    specs = dict(getattr(doc.analysis, "nodes", {}) or {})
    for nid in (node_id, target):  # the debounced analysis may not have seen a new node yet
        other = flow.node(nid)
        if other is not None and specs.get(nid) is None:
            specs[nid] = resolve_node(doc.workspace, other.node)[0]
    before = set(_errors(flow, specs))
    trial = Flow(flow.name, nodes=[replace(n, compensate=target) if n.id == node_id else n for n in flow.nodes],
                 edges=list(flow.edges), mode=flow.mode)
    added = [m for m in _errors(trial, specs) if m not in before]
    return added[0] if added else None


def set_compensation(doc: Any, node_id: str, target: str | None) -> bool:
    """Set (``target``) or clear (None) ``compensate:`` of ``node_id`` as one undo step
    ("Compensate a with undo-a" / "Clear compensation of a"). False when it already is so;
    AxiomError("invalid_compensate", the compiler's message) when refused."""
    reason = compensation_check(doc, node_id, target)
    if reason is not None:
        raise AxiomError.of("invalid_compensate", reason)
    node = doc.flow.node(node_id)
    if node.compensate == target:
        return False
    text = f"Compensate {node_id} with {target}" if target else f"Clear compensation of {node_id}"
    doc.undo_stack.push(UpdateNodeCommand(doc.flow, node_id, {"compensate": target}, text))
    return True


def clear_references(flow: Flow, removed: Iterable[str], macro: Command) -> None:
    """Add to ``macro`` (before its removals) a child clearing ``compensate:`` on every kept node
    that names a removed one, so undo restores the key after the node is back."""
    gone = set(removed)
    for n in flow.nodes:
        if n.compensate in gone and n.id not in gone:
            UpdateNodeCommand(flow, n.id, {"compensate": None}, parent=macro)


def compensations(flow: Flow) -> list[tuple[str, str]]:
    """(compensated node, its compensator) for every declaration naming another existing node."""
    ids = {n.id for n in flow.nodes}
    return [(n.id, n.compensate) for n in flow.nodes if n.compensate and n.compensate in ids and n.compensate != n.id]
