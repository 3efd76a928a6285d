"""``@pytest.mark.requires_tool``: a missing end-to-end program skips on a developer machine and
fails the run under CI (``CI=true``)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("ci,outcome", [("true", "1 error"), ("", "1 skipped")])
def test_a_missing_tool_fails_under_ci_and_skips_elsewhere(tmp_path, ci, outcome):
    # The suite's conftest, and a test that needs a program no PATH has.
    (tmp_path / "conftest.py").write_text((REPO / "tests" / "conftest.py").read_text())
    (tmp_path / "test_tool.py").write_text(
        "import pytest\n\n"
        "@pytest.mark.requires_tool('no-such-tool-h8', 'nor-this-one', why='apt-get install it')\n"
        "def test_needs_it():\n    raise AssertionError('ran without its tool')\n")
    env = {**os.environ, "CI": ci}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    message = "no-such-tool-h8 or nor-this-one is not installed (apt-get install it)"
    assert outcome in proc.stdout, proc.stdout
    assert message in proc.stdout, proc.stdout
    assert (proc.returncode != 0) == (ci == "true")
    assert ("CI must have it" in proc.stdout) == (ci == "true")
