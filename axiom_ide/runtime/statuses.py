"""Execution statuses, exactly the docs' (concepts/execution-model): the words an execution's
``status`` is, shared by the store (``store/executions.py`` re-exports them), the engine, the server
and the Backend protocol (``backends/values.py`` re-exports them for the app). No store, no I/O.

Completed, Failed and Cancelled are final; every other status is *incomplete*.
"""
from __future__ import annotations

QUEUED = "Queued"
RUNNING = "Running"
PAUSED_HITL = "Paused (HITL)"
WAITING_ON_GATE = "Waiting on gate"
DEBUG_PAUSED = "Debug paused"
COMPLETED = "Completed"
FAILED = "Failed"
COMPENSATING = "Compensating"
CANCELLED = "Cancelled"

STATUSES = (QUEUED, RUNNING, PAUSED_HITL, WAITING_ON_GATE, DEBUG_PAUSED, COMPLETED, FAILED,
            COMPENSATING, CANCELLED)
FINAL_STATUSES = frozenset({COMPLETED, FAILED, CANCELLED})
