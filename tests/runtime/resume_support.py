"""Run-then-SIGKILL for the resume tests: ``flow run`` in a subprocess, killed mid-run once its
database shows a number of checkpoints."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def checkpoints(db: Path) -> int:
    """How many checkpoints another process's database holds so far (-1: no execution yet)."""
    if not db.exists():
        return -1
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            if conn.execute("SELECT COUNT(*) FROM executions").fetchone()[0] == 0:
                return -1
            return conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return -1


@contextmanager
def running(flow: Path, data: Path, after: int, *, inline: bool) -> Iterator[subprocess.Popen]:
    """``flow run`` in a subprocess, yielded once the database shows ``after`` checkpoints, then
    SIGKILLed."""
    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(data))
    cmd = [sys.executable, "-m", "axiom_ide", "flow", "run", str(flow), "-d", '{"text": "a"}', "--timeout", "60"]
    proc = subprocess.Popen(cmd + (["--inline"] if inline else []), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while checkpoints(data / "axiom.db") < after:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        yield proc
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
