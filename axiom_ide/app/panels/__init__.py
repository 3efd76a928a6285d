"""Dock panels of the main window. Each has ``set_document(doc | None)`` and reads the active
document; edits go through the document's undoable methods only."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def follow_analysis(old: Any, new: Any, slot: Callable[[], Any]) -> None:
    """Move ``slot`` from ``old``'s ``analysisChanged`` to ``new``'s (either may be None; a
    document Qt already deleted is skipped)."""
    if old is not None:
        try:
            old.analysisChanged.disconnect(slot)
        except (RuntimeError, TypeError):
            pass
    if new is not None:
        new.analysisChanged.connect(slot)


def discard(widget: Any) -> None:
    """Take a row or card out of its panel for good. Hidden first: a widget added to a shown
    layout gets a queued "show if not hidden", and a rebuild before that call runs (two undos in
    one event-loop turn) would otherwise leave it shown as a top-level window of its own."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()
