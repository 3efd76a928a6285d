"""The execution engine: pure step functions plus thin async loops (STYLE.md rule 7).

- :mod:`.plan` — an artifact's topology with edge plans and conditions compiled once.
- :mod:`.steps` — the pure unary step functions over a :class:`~.steps.ExecutionState`; ``refold``.
- :mod:`.loop` — the async unary driver (dispatch, timeout, retry, checkpoint-then-continue).
- :mod:`.pipeline` — the pipeline driver (frame streams with backpressure).
- :mod:`.runner` — one execution end to end against the stores (status, EXECUTION_* events).
- :mod:`.events` — numbering, publishing and persisting events.
- :mod:`.debug` — debug sessions and their gate (breakpoints, pause, step, continue), fork overrides.
- :mod:`.replay` — an execution's history as a timeline of node states (reads only).
- :mod:`.codec` — JSON ↔ protobuf ↔ dicts from the artifact's descriptors.
- :mod:`.invoker` / :mod:`.inline` — the node-hosting interface and an in-process invoker.
"""
