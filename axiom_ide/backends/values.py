"""The words of the Backend protocol's values that the app reads — execution statuses — owned by
the protocol, not by the local store: a remote serves the same strings (reference/http-api), so the
app imports them from here and never from ``axiom_ide.runtime.store``."""
from __future__ import annotations

from axiom_ide.runtime.store.executions import (  # the one definition; re-exported as the protocol's
    CANCELLED,
    COMPLETED,
    DEBUG_PAUSED,
    FAILED,
    FINAL_STATUSES,
    RUNNING,
    STATUSES,
)

__all__ = ["CANCELLED", "COMPLETED", "DEBUG_PAUSED", "FAILED", "FINAL_STATUSES", "RUNNING", "STATUSES"]
