"""Runtime state in one SQLite database per data dir (WAL).

- :mod:`.db` — opening, pragmas, versioned migrations (a newer unknown schema is refused).
- :mod:`.artifacts` — compiled artifacts (immutable rows).
- :mod:`.executions` — execution records and the docs' statuses.
- :mod:`.events` — the append-only per-execution event log.
- :mod:`.checkpoints` — the checkpoint protocol, SQLite/in-memory stores, TTL, blobs.
- :mod:`.journal` — the step journal: per-step checkpoints appended to a file, folded in batches;
  :mod:`.journal_format` — its versioned record format, and recovery that never drops an acknowledged step.
- :mod:`.secrets` / :mod:`.configs` — encrypted secrets; flow configs and their resolution.
- :mod:`.memory` — agent memory (the host's MemoryBackend).
"""
from axiom_ide.runtime.store.artifacts import ArtifactStore
from axiom_ide.runtime.store.db import Database, SchemaError, open_database

__all__ = ["Database", "SchemaError", "open_database", "ArtifactStore"]
