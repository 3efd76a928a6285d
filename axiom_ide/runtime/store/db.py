"""The SQLite database: one file ``axiom.db`` per data dir, WAL mode, versioned migrations.

Durability: ``synchronous=NORMAL`` by default (survives a killed process; WAL), ``full`` on
request for power-loss safety. Migrations are an append-only list; ``PRAGMA user_version`` records
how many ran. A database written by a newer Axiom IDE (user_version beyond what we know) is
refused with a clear message and never altered.
"""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError

DB_FILENAME = "axiom.db"

#: Append-only. Never edit a shipped migration; add a new one.
MIGRATIONS: list[str] = [
    # 1: compiled artifacts
    """
    CREATE TABLE artifacts (
        graph_id    TEXT PRIMARY KEY,
        flow_name   TEXT NOT NULL,
        mode        TEXT NOT NULL,
        created_at  REAL NOT NULL,
        body        TEXT NOT NULL
    );
    CREATE INDEX artifacts_by_flow ON artifacts (flow_name, created_at);
    """,
]


class SchemaError(AxiomError):
    pass


class Database:
    """A connection with the schema migrated; safe to share within one thread (the loop's)."""

    def __init__(self, path: Path, *, durability: str = "normal") -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={'FULL' if durability == 'full' else 'NORMAL'}")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self._migrate()

    def _migrate(self) -> None:
        with self.lock:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                self.conn.close()
                raise SchemaError.of(
                    "schema_too_new",
                    f"the database {self.path} was written by a newer Axiom IDE "
                    f"(schema version {version}, this version knows up to {len(MIGRATIONS)}); "
                    "upgrade Axiom IDE or use another --data-dir",
                    file=str(self.path),
                )
            for number in range(version, len(MIGRATIONS)):
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _split(MIGRATIONS[number]):
                        self.conn.execute(statement)
                    self.conn.execute(f"PRAGMA user_version={number + 1}")
                    self.conn.execute("COMMIT")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise

    def close(self) -> None:
        self.conn.close()


def _split(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


def open_database(data_dir: Path, *, durability: str = "normal") -> Database:
    return Database(Path(data_dir) / DB_FILENAME, durability=durability)
