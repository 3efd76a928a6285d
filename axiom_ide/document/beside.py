"""Undo commands for what lives *beside* a flow (its pins, ``app/pins.py``), not in its flow.yaml.

Such a command sets the class attribute ``beside_flow = True``. It goes on the document's undo
stack like any edit, so one Undo / Redo history covers both in the order they were done — but it
does not make the document modified, because the flow.yaml it would save is unchanged.

Calling ``setClean()`` after pushing one would be wrong: the clean index would move onto the pin,
and undoing the pin would then report a flow identical to the saved one as modified. Instead the
document's dirty state is computed from the stack (:func:`flow_modified`): modified when a command
that is not beside the flow lies between the saved point (the stack's clean index) and the current
index, in either direction; a clean index of -1 (the saved state can no longer be reached by
undo / redo) is modified.
"""
from __future__ import annotations

from PySide6.QtGui import QUndoStack


def flow_modified(stack: QUndoStack) -> bool:
    """Whether undoing / redoing back to the saved point would change the flow (see module doc)."""
    clean = stack.cleanIndex()
    if clean < 0:
        return True
    lo, hi = sorted((clean, stack.index()))
    return any(not getattr(stack.command(i), "beside_flow", False) for i in range(lo, hi))
