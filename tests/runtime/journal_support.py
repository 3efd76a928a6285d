"""Shared helpers for the step-journal tests: event rows, what another process sees, a child
process that writes through a journaled database and then SIGKILLs itself."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from axiom_ide.runtime.store.events import EventRecord, event_row

ROOT = Path(__file__).resolve().parents[2]


def event(execution: str, seq: int, node: str = "a") -> tuple:
    return event_row(EventRecord(execution, seq, "NODE_STARTED", node, 1700000000.0 + seq, None, 1, {}))


def outside_count(db_path: Path, table: str) -> int:
    """What another process sees (a separate connection, read-only)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def journal_files(data: Path) -> list[str]:
    return sorted(p.name for p in (data / "axiom.db-steps").glob("*"))


def run_child(data: Path, body: str) -> subprocess.CompletedProcess:
    """Run ``body`` in a fresh interpreter with ``db`` = a journaled Database on ``data``; the child
    ends with SIGKILL on itself (no cleanup of any kind)."""
    script = textwrap.dedent("""
        import os, signal, sys
        sys.path.insert(0, {root!r})
        from axiom_ide.runtime.store import journal as jn
        from axiom_ide.runtime.store.db import open_database, J_EVENT
        from axiom_ide.runtime.store.events import EventRecord, event_row
        def event(execution, seq, node="a"):
            return event_row(EventRecord(execution, seq, "NODE_STARTED", node, 1700000000.0 + seq, None, 1, {{}}))
        db = open_database({data!r}, journal=True)
    """).format(root=str(ROOT), data=str(data)) + textwrap.dedent(body) + "\nos.kill(os.getpid(), signal.SIGKILL)\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
