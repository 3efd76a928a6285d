"""The card menu's **Compensate with…** submenu: the same edit as the inspector's Compensation row.

It lists **None** and the flow's nodes that have no edges (a compensation node runs only after a
failure, so the compiler refuses one with edges; listing only these keeps the menu short on a large
flow). The current choice is checked; a node the compiler refuses for this card
(``FlowDocument.compensation_check``) is listed disabled, its tooltip saying why. Choosing one is
one undoable ``FlowDocument.set_compensation``. Installed into ``TabBreakpoints.menu_extenders``.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtWidgets import QMenu

#: The first choice, in the submenu and the inspector's Compensation row: no compensation.
NONE = "None"
#: The submenu's title on a card's right-click menu.
TITLE = "Compensate with…"
#: Shown (disabled) when no node of the flow could compensate: every other node has edges.
NO_CANDIDATE = "No node without edges"


def candidates(doc: Any, node_id: str) -> list[str]:
    """The other nodes that have no edges, in flow order."""
    touched = {end for e in doc.flow.edges for end in (e.src, e.dst)}
    return [n.id for n in doc.flow.nodes if n.id != node_id and n.id not in touched]


def add_submenu(menu: QMenu, doc: Any, node_id: str) -> QMenu:
    """Append **Compensate with…** for card ``node_id`` to ``menu``; returns the submenu."""
    node = doc.flow.node(node_id)
    sub = menu.addMenu(TITLE)
    sub.setObjectName("compensateMenu")
    sub.setToolTipsVisible(True)
    current = node.compensate if node is not None else None
    none = sub.addAction(NONE, lambda: doc.set_compensation(node_id, None))
    none.setCheckable(True)
    none.setChecked(current is None)
    ids = candidates(doc, node_id)
    if current and current not in ids and doc.flow.node(current) is not None:
        ids.insert(0, current)  # the current one, even if the flow no longer allows it
    if not ids:
        sub.addAction(NO_CANDIDATE).setEnabled(False)
    for target in ids:
        action = sub.addAction(target, partial(doc.set_compensation, node_id, target))
        action.setCheckable(True)
        action.setChecked(target == current)
        reason = doc.compensation_check(node_id, target)
        if reason is not None and target != current:
            action.setEnabled(False)
            action.setToolTip(reason)
    return sub


def extender(tab: Any) -> Callable[[QMenu, str], None]:
    """A ``menu_extenders`` entry for ``tab``'s card menu."""

    def extend(menu: QMenu, node_id: str) -> None:
        if tab.doc.flow.node(node_id) is not None:
            menu.addSeparator()
            add_submenu(menu, tab.doc, node_id)

    return extend
