"""``axiom-ide gui`` without a display says what to do instead of letting Qt abort."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="X11/Wayland displays are Linux's")
def test_gui_without_a_display_explains_and_exits_1(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update(PYTHONPATH=str(REPO), AXIOM_IDE_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.run([sys.executable, "-m", "axiom_ide.cli.main", "gui"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1, "", "no display: set DISPLAY or use QT_QPA_PLATFORM=offscreen\n")
