"""The node inspector's **Compensation** row: which node compensates this one (``compensate:``).

A picker of the flow's other nodes plus **None**. Choosing one is one undoable edit
(``FlowDocument.set_compensation``); a choice the compiler refuses (``check_compensations``: the
node has edges, takes another message, compensates a node itself, …) is not made: the picker goes
back to the current value and the compiler's message shows under it.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLabel, QWidget

from axiom_ide.app.compensation_menu import NONE

TOOLTIP = ("The node run (saga-style) with this node's output when a later failure ends the run "
           "(compensate: in flow.yaml). It must have no edges.")


class CompensationRow:
    """The picker (``combo``) and its refusal message (``error``) for one node inspector."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.doc: Any = None
        self.node_id: str | None = None
        self._ids: tuple[str, ...] = ()
        self.combo = QComboBox(parent, objectName="nodeCompensateField")
        self.combo.setToolTip(TOOLTIP)
        self.combo.activated.connect(self._chosen)  # the user's choice only, never our own refills
        self.error = QLabel(parent, objectName="nodeCompensateError")
        self.error.setProperty("error", True)
        self.error.setWordWrap(True)
        self.error.hide()

    def show_node(self, doc: Any, node_id: str) -> None:
        """Show ``node_id``'s compensation; the choices are the flow's other nodes."""
        node = doc.flow.node(node_id)
        if node is None:
            return
        if (doc, node_id) != (self.doc, self.node_id):
            self.error.hide()
        self.doc, self.node_id = doc, node_id
        if self.combo.view().isVisible():  # never refill under an open list
            return
        ids = tuple(n.id for n in doc.flow.nodes if n.id != node_id)
        self.combo.blockSignals(True)
        if ids != self._ids:
            self._ids = ids
            self.combo.clear()
            self.combo.addItem(NONE, None)
            for nid in ids:
                self.combo.addItem(nid, nid)
        index = self.combo.findData(node.compensate) if node.compensate else 0
        if index < 0:  # names no node of the flow (the Problems panel says so): shown as written
            self.combo.addItem(node.compensate, node.compensate)
            self._ids = ()
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)

    def _chosen(self, index: int) -> None:
        doc, node_id = self.doc, self.node_id
        if doc is None or node_id is None or doc.flow.node(node_id) is None:
            return
        target = self.combo.itemData(index)
        reason = doc.compensation_check(node_id, target)
        if reason is not None:
            self.error.setText(f"Not changed: {reason}")
            self.error.show()
            self.show_node(doc, node_id)  # back to the current value
            return
        self.error.hide()
        doc.set_compensation(node_id, target)
