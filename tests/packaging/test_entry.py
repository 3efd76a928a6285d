"""packaging/entry.py, the frozen app's entry point, run from the source tree: the CLI, and the
``-m`` forms through which the executable stands in for ``python`` (protoc, the host worker)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import axiom_ide

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "packaging" / "entry.py"


def _entry(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, str(ENTRY), *args], env=env, capture_output=True, text=True, timeout=120)


def test_entry_is_the_cli():
    proc = _entry("--version")
    assert (proc.returncode, proc.stdout) == (0, f"axiom-ide {axiom_ide.__version__}\n")


def test_entry_runs_protoc_as_python_m_would():
    proc = _entry("-m", "grpc_tools.protoc", "--version")
    assert proc.returncode == 0 and proc.stdout.startswith("libprotoc "), proc.stdout + proc.stderr


def test_entry_runs_the_host_worker_and_only_the_allowed_modules():
    proc = _entry("host", "--help")
    assert proc.returncode == 0 and proc.stdout.startswith("usage: axiom_ide.runtime.host.worker"), proc.stderr
    proc = _entry("-m", "http.server")  # not a module the runtime starts: the CLI answers
    assert proc.returncode == 2 and "argument COMMAND: invalid choice: 'http.server'" in proc.stderr, proc.stderr
