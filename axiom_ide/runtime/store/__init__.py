"""Runtime state in one SQLite database per data dir (WAL).

- :mod:`.db` — opening, pragmas, versioned migrations (a newer unknown schema is refused).
- :mod:`.artifacts` — compiled artifacts (immutable rows).
"""
from axiom_ide.runtime.store.db import Database, SchemaError, open_database
from axiom_ide.runtime.store.artifacts import ArtifactStore

__all__ = ["Database", "SchemaError", "open_database", "ArtifactStore"]
