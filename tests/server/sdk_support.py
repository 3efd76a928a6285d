"""The generated Python SDK, installed for real: unzip a built ``<name>-sdk-py.zip``, pip-install it
(offline: pip, setuptools and protobuf come from the project's venv) into a fresh venv, and run a
script with it against a server (``import sdk_support``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any


def unzip(path: Path, dest: Path) -> Path:
    """Extract the SDK zip into ``dest``; its one top-level folder."""
    with zipfile.ZipFile(path) as z:
        z.extractall(dest)
        top = {n.split("/", 1)[0] for n in z.namelist()}
    assert len(top) == 1
    return dest / top.pop()


def install_python_sdk(zip_path: Path, tmp_path: Path) -> Path:
    """The SDK in ``zip_path`` pip-installed (editable) into a new venv under ``tmp_path``; its python."""
    sdk = unzip(zip_path, tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "project_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run([str(py), "-m", "pip", "install", "--no-index", "--no-build-isolation", "-e", str(sdk)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return py


def run_sdk_script(py: Path, script: str, key: str, cwd: Path) -> Any:
    """Run ``script`` with the SDK's python and ``AXIOM_API_KEY=key``; the JSON of its last line."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AXIOM_BASE_URL")}
    env["AXIOM_API_KEY"] = key
    run = subprocess.run([str(py), "-c", script], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])
