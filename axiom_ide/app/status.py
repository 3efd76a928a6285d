"""What the status pill and the Run button say about a flow, as pure functions of its analysis.

Kept free of widgets so the words can be tested directly; they follow the docs: the Run button is
disabled "while topology errors or unresolved type warnings remain", its tooltip says exactly what
to fix (``Analysis.run_blockers()``), and amber edges read "Type warnings must be resolved before
running.".
"""
from __future__ import annotations

from typing import Any

from axiom_ide.backends.values import COMPENSATING, PAUSED_HITL, WAITING_ON_GATE

RUN_TOOLTIP = "Run the flow (F5)"
#: The status bar while a run goes, and while a Debug run is paused (as the pill: "Debug paused").
RUN_STARTED = "Running {name}…"
DEBUG_PAUSED = "Debug paused"
NO_NODES_BLOCKER = "Add a node to the canvas to run the flow."


def pill_status(flow: Any, analysis: Any) -> tuple[str, str]:
    """(text, state) for the status pill: "Draft", "Valid" or "N problems" — counted and coloured
    as the Problems list shows them: red ("errors") when any is an error, else amber
    ("problems")."""
    if flow is None or not flow.nodes:
        return "Draft", "draft"
    diagnostics = list(getattr(analysis, "diagnostics", []) or []) if analysis is not None else []
    if not diagnostics:
        return "Valid", "valid"
    n = len(diagnostics)
    state = "errors" if any(getattr(d, "is_error", False) for d in diagnostics) else "problems"
    return (f"{n} problem" if n == 1 else f"{n} problems"), state


def run_blockers(flow: Any, analysis: Any) -> list[str]:
    """Everything that must be fixed before running, one sentence each."""
    if flow is None or not flow.nodes:
        return [NO_NODES_BLOCKER]
    if analysis is None:
        return []
    return list(analysis.run_blockers())


def run_tooltip(blockers: list[str]) -> str:
    return "\n".join(blockers) if blockers else RUN_TOOLTIP


def run_status_text(flow_name: str, status: str) -> str | None:
    """The status bar's words for a run that goes (``RunState.status``): "Running <flow>…", or the
    docs' status while it stops or turns ("Debug paused", "Paused (HITL)", "Waiting on gate",
    "Compensating"); None once it has ended (the end says its own)."""
    if status in (DEBUG_PAUSED, PAUSED_HITL, WAITING_ON_GATE, COMPENSATING):
        return status
    if status in ("Compiling", "Running"):
        return RUN_STARTED.format(name=flow_name)
    return None
