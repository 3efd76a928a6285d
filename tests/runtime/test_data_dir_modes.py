"""The data dir is its owner's only: 0700, every file the runtime writes in it 0600 — when created
(whatever the umask) and when an older, world-readable data dir is opened."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from engine_support import add_faults_package, chain
from resume_support import running

from axiom_ide.runtime.runtime import Runtime
from axiom_ide.runtime.store.db import open_database

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _modes(data: Path) -> dict[str, int]:
    """Every entry under ``data`` (relative path → mode), the dir itself as "."."""
    out = {".": _mode(data)}
    for root, dirs, files in os.walk(data):
        for name in dirs + files:
            p = Path(root) / name
            out[str(p.relative_to(data))] = _mode(p)
    return out


def _assert_private(data: Path) -> dict[str, int]:
    modes = _modes(data)
    wrong = {k: oct(m) for k, m in modes.items()
             if m != (0o700 if (data / k).is_dir() else 0o600)}
    assert not wrong, f"entries not owner-only: {wrong}"
    return modes


@contextmanager
def _umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def test_a_fresh_data_dir_after_a_cli_run_is_owner_only(example_workspace, tmp_path):
    data = tmp_path / "new" / "data"  # does not exist yet: `flow run` creates it
    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(data))
    flow = example_workspace / "flows" / "hello.flow.yaml"
    out = subprocess.run([sys.executable, "-m", "axiom_ide", "flow", "run", str(flow), "-d", '{"name": "Ada"}',
                          "--json", "--workspace", str(example_workspace)],
                         env=env, capture_output=True, text=True, timeout=120,
                         preexec_fn=lambda: os.umask(0o022))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)["result"]
    assert (result["success"], result["output"]) == (True, {"greeting": "Hello, Ada!"})
    modes = _assert_private(data)
    assert {"axiom.db", "secret.key"} <= set(modes)


def test_wal_shm_and_step_journal_of_a_running_runtime_are_owner_only(example_workspace, tmp_path):
    add_faults_package(example_workspace)
    flow = chain(example_workspace, "slow4", ["Slow"] * 4)
    data = tmp_path / "data"
    with _umask(0o022), running(flow, data, 1, inline=False):
        modes = _assert_private(data)  # checked while the runtime has them all open
        assert {"axiom.db", "axiom.db-wal", "axiom.db-shm", "axiom.db-steps", "secret.key"} <= set(modes)
        assert any(k.startswith("axiom.db-steps/") and k.endswith(".journal") for k in modes), modes
    _assert_private(data)  # and what a SIGKILL leaves behind


def test_sqlite_gives_wal_and_shm_the_database_files_mode_whatever_the_umask(tmp_path):
    data = tmp_path / "data"
    with _umask(0):
        db = open_database(data, journal=True)
        try:
            with db.transaction() as conn:
                conn.execute("INSERT INTO journal_folds (journal, offset) VALUES ('x', 1)")
            assert {"axiom.db-wal", "axiom.db-shm"} <= {p.name for p in data.iterdir()}
            _assert_private(data)
        finally:
            db.close()


def test_an_old_world_readable_data_dir_is_made_private_when_opened(tmp_path, caplog):
    data = tmp_path / "data"
    rt = Runtime(data, inline=True)
    asyncio.run(rt.close())
    # How an older version left it: 0755 dirs, 0644 files, leftovers of a killed run included.
    (data / "axiom.db-wal").write_bytes(b"")
    (data / "axiom.db-steps" / "1-abc.0.journal").write_bytes(b"not a journal")  # left alone by the fold
    (data / "recovery").mkdir()
    (data / "recovery" / "x.flow.yaml").write_text("name: x\n")
    (data / "logs").mkdir(exist_ok=True)
    (data / "logs" / "old.log").write_text("a line\n")
    user = data / "workspace" / "flows"  # the user's own files there
    user.mkdir(parents=True)
    (user / "mine.flow.yaml").write_text("name: mine\n")
    os.chmod(user / "mine.flow.yaml", 0o644)
    loose = [p for p in [data, *data.rglob("*")] if p == data / "workspace" or "workspace" not in p.parts]
    for p in loose:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    assert {str(p.relative_to(data)) for p in loose} >= {
        ".", "axiom.db", "axiom.db-steps", "axiom.db-steps/1-abc.0.journal", "axiom.db-wal", "logs", "logs/old.log",
        "recovery", "recovery/x.flow.yaml", "secret.key", "workspace"}
    runtime_entries = len(loose) - 1  # all of them but the user's workspace folder
    assert _mode(data / "axiom.db") == 0o644 and _mode(data / "secret.key") == 0o644

    with caplog.at_level(logging.INFO, logger="axiom_ide.runtime.store.datadir"):
        rt = Runtime(data, inline=True)
    try:
        assert _mode(data) == 0o700
        for name in ("axiom.db", "secret.key", "axiom.db-steps/1-abc.0.journal", "recovery/x.flow.yaml", "logs/old.log"):
            assert _mode(data / name) == 0o600, name
        for name in ("axiom.db-steps", "recovery", "logs"):
            assert _mode(data / name) == 0o700, name
        # The user's folder is closed off by the data dir's mode and otherwise not ours to change.
        assert _mode(data / "workspace") == 0o755 and _mode(user / "mine.flow.yaml") == 0o644
        (record,) = [r for r in caplog.records if r.name == "axiom_ide.runtime.store.datadir"]
        assert record.levelno == logging.INFO
        assert f"data dir {data}: took access by other users away from {runtime_entries} entries" in record.getMessage()
    finally:
        asyncio.run(rt.close())

    caplog.clear()  # once private, opening again changes and logs nothing
    with caplog.at_level(logging.INFO, logger="axiom_ide.runtime.store.datadir"):
        asyncio.run(Runtime(data, inline=True).close())
    assert not [r for r in caplog.records if r.name == "axiom_ide.runtime.store.datadir"]
