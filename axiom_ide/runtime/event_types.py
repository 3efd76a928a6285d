"""The event types of an execution's log: the words an event's ``type`` is, shared by the store
that writes them (``store/events.py`` re-exports them), the engine, the server and the Backend
protocol's values (``backends/values.Event``; the app reads them from here). No store, no I/O —
a client of a remote reads the same words without loading the local store."""
from __future__ import annotations

EXECUTION_STARTED = "EXECUTION_STARTED"
EXECUTION_RESUMED = "EXECUTION_RESUMED"
NODE_STARTED = "NODE_STARTED"
NODE_COMPLETED = "NODE_COMPLETED"
NODE_FAILED = "NODE_FAILED"
NODE_RETRY = "NODE_RETRY"
#: A node attempt that was running when its runtime died; the resumed run runs the node again, as
#: the next attempt (at-least-once delivery). Emitted at resume, before that re-run's NODE_STARTED.
NODE_INTERRUPTED = "NODE_INTERRUPTED"
EDGE_SKIPPED = "EDGE_SKIPPED"
#: Compensation (saga) after a failure, one trio per compensated completion (engine/compensation.py):
#: the node is the compensation node; data ``compensates`` (the completed node), ``checkpoint_id``
#: (its completion), and on failure ``error``.
COMPENSATION_STARTED = "COMPENSATION_STARTED"
COMPENSATION_COMPLETED = "COMPENSATION_COMPLETED"
COMPENSATION_FAILED = "COMPENSATION_FAILED"
LOG = "LOG"
FRAME = "FRAME"
DEBUG_PAUSED = "DEBUG_PAUSED"
DEBUG_RESUMED = "DEBUG_RESUMED"
#: Human-in-the-loop approval gates (engine/hitl.py): the run paused before the node (prompt,
#: input, timeout_at, on_timeout); how it was resumed (action approve|reject, input when edited,
#: comment); the pause timed out and ``outcome`` (its on_timeout) applied.
HITL_PAUSED = "HITL_PAUSED"
HITL_RESUMED = "HITL_RESUMED"
HITL_TIMED_OUT = "HITL_TIMED_OUT"
#: Parallel branches (engine/gates.py): a fan-out started / skipped a branch (``branch`` = the
#: fan-out edge "src->dst"); a branch reached its join (``gate``); a join waits for the rest of
#: its branches (``waiting_for``); every branch of a join settled and it runs.
BRANCH_STARTED = "BRANCH_STARTED"
BRANCH_SKIPPED = "BRANCH_SKIPPED"
BRANCH_FINISHED = "BRANCH_FINISHED"
GATE_WAITING = "GATE_WAITING"
GATE_OPENED = "GATE_OPENED"
EXECUTION_COMPLETED = "EXECUTION_COMPLETED"
EXECUTION_FAILED = "EXECUTION_FAILED"
EXECUTION_CANCELLED = "EXECUTION_CANCELLED"
#: Runtime flow mutation (engine/mutation.py): an applied batch (data: ``nodes``, ``edges``).
FLOW_MUTATED = "FLOW_MUTATED"
#: A node's agent-memory calls (data: runtime/memory/events.py).
MEMORY_READ = "MEMORY_READ"
MEMORY_WRITE = "MEMORY_WRITE"
MEMORY_SEARCH = "MEMORY_SEARCH"
