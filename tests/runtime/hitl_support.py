"""Approval-gate test helpers: a flow with an approval on its middle node, and a real run of it in a
subprocess (real node hosts) SIGKILLed once it is Paused (HITL)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from engine_support import add_faults_package, wait_for, write_flow

PKG = "tests/faults@0.1.0"

#: Runs in a subprocess: start the gated flow (real node hosts) and wait forever.
GATED_RUN = """
import asyncio, sys
from axiom_ide.runtime.runtime import Runtime

async def main(data, graph_id):
    rt = Runtime(data)
    await rt.start(graph_id, {"text": "a"})
    await asyncio.Event().wait()

asyncio.run(main(*sys.argv[1:3]))
"""


def approval_flow(workspace: Path, approval: str = '{prompt: "Ship it?"}') -> Path:
    """n1 → review (approval) → n3, all tests/faults Upper."""
    add_faults_package(workspace)
    return write_flow(workspace, "gated", f"""\
mode: unary
imports: [{PKG}]
nodes:
  - id: n1
    node: {PKG}:Upper
  - id: review
    node: {PKG}:Upper
    approval: {approval}
  - id: n3
    node: {PKG}:Upper
edges:
  - from: n1
    to: review
  - from: review
    to: n3
""")


def stored_status(db: Path) -> str | None:
    """The one execution's status in another process's database (None: none yet)."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute("SELECT status FROM executions").fetchone()
            return row[0] if row else None
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def pause_then_kill(data: Path, graph_id: str) -> None:
    """Run ``graph_id`` in a subprocess until it is Paused (HITL), then SIGKILL it."""
    proc = subprocess.Popen([sys.executable, "-c", GATED_RUN, str(data), graph_id], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=dict(os.environ, AXIOM_IDE_DATA_DIR=str(data)))
    def paused() -> bool:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        return stored_status(data / "axiom.db") == "Paused (HITL)"

    try:
        assert wait_for(paused, timeout=60, interval=0.01), "the run never paused"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
