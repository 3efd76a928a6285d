"""``axiom-ide gui`` sets up logging (runtime/logs.py) before its window: its private JSON-lines file
appears in the data dir."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
import time


def test_the_ide_logs_to_a_private_file_in_its_data_dir(tmp_path):
    data = tmp_path / "data"
    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(data), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen([sys.executable, "-m", "axiom_ide", "gui", "--log-level", "debug"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    path = data / "logs" / "axiom-ide-gui.log"
    try:
        deadline = time.monotonic() + 60
        while not path.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # a readiness poll, not a timing assumption
        assert path.exists(), proc.stderr.read() if proc.poll() is not None else "no log file after 60 s"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
