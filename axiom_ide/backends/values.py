"""The words of the Backend protocol's values that the app reads — execution statuses — owned by
the protocol, not by the local store: a remote serves the same strings (reference/http-api), so the
app imports them from here and never from ``axiom_ide.runtime.store``."""
from __future__ import annotations

from axiom_ide.runtime.store.executions import (  # the one definition; re-exported as the protocol's
    CANCELLED,
    COMPENSATING,
    COMPLETED,
    DEBUG_PAUSED,
    FAILED,
    FINAL_STATUSES,
    PAUSED_HITL,
    RUNNING,
    STATUSES,
    WAITING_ON_GATE,
)

__all__ = ["CANCELLED", "COMPENSATING", "COMPLETED", "DEBUG_PAUSED", "FAILED", "FINAL_STATUSES", "PAUSED_HITL",
           "RUNNING", "STATUSES", "WAITING_ON_GATE"]
