"""Suite-wide setup: Qt runs offscreen (CI has no display); state never touches the user's dirs."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
# Master keys never go to the developer's real keyring (Keychain, Secret Service), in this process or
# in the runtimes tests start; keyring tests install a backend of their own.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "axiom_ide" / "resources" / "examples" / "workspace"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own data dir; the real user data dir is never used."""
    data = tmp_path_factory.mktemp("axiom-data")
    monkeypatch.setenv("AXIOM_IDE_DATA_DIR", str(data))
    monkeypatch.delenv("AXIOM_IDE_WORKSPACE", raising=False)
    yield


@pytest.fixture
def example_workspace(tmp_path) -> Path:
    """A fresh, writable copy of the bundled example workspace."""
    target = tmp_path / "workspace"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("gen", "__pycache__", ".pytest_cache"))
    return target
