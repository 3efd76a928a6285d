"""Checks a breakpoint condition as the engine will (``runtime/engine/debug.py``), for the app's
Breakpoints tab: the same CEL compile, no runtime, no Qt. Both backends evaluate conditions in the
runtime, so the check is the same for a local and a remote one. An edge's breakpoint id is the
engine's too (``edge_breakpoint`` / ``edge_ends``: ``"src->dst"``)."""
from __future__ import annotations

from axiom_ide.runtime.engine.debug import check_condition, edge_breakpoint, edge_ends
from axiom_ide.runtime.errors import AxiomError

__all__ = ["condition_error", "edge_breakpoint", "edge_ends"]


def condition_error(text: str) -> str | None:
    """The CEL error text of a breakpoint condition, or None when it compiles (or is blank)."""
    if not text.strip():
        return None
    try:
        check_condition(text.strip())
    except AxiomError as exc:
        return exc.message
    return None
