"""The runtime's ``python_for_packages`` (the desktop's Run → Python Interpreter for Packages…):
it, not ``AXIOM_IDE_PYTHON``, makes the virtual environment of a package whose requirements the
runtime lacks; and :func:`check_python` says what is wrong with a file that is not a Python 3.11+.
Offline: the configured interpreter here fails to make the venv, and the error names it."""
from __future__ import annotations

import asyncio
import stat
import sys
from pathlib import Path

import pytest
from engine_support import compile_file

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.host.interpreter import check_python
from axiom_ide.runtime.runtime import Runtime


def _script(path: Path, body: str) -> Path:
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="uses a shell script as the configured interpreter")
def test_the_configured_interpreter_not_the_environment_variable_makes_the_venv(example_workspace, tmp_path,
                                                                              monkeypatch):
    env_python = _script(tmp_path / "env-python", "echo 'the env var one ran' >&2; exit 4")
    configured = _script(tmp_path / "settings-python", "echo 'no venv module here' >&2; exit 3")
    monkeypatch.setenv("AXIOM_IDE_PYTHON", str(env_python))
    (example_workspace / "packages" / "text" / "requirements.txt").write_text("no-such-distribution-axiom>=1\n")
    rt = Runtime(tmp_path / "data", python_for_packages=configured, use_keyring=False)
    assert rt.python_for_packages == configured
    assert rt.invoker.python_for_packages == configured
    artifact = compile_file(example_workspace / "flows" / "hello.flow.yaml", example_workspace, store=rt._artifacts)

    async def go():
        try:
            return await rt.run(artifact, {"name": "Ada"}, timeout=60)
        finally:
            await rt.close()

    outcome = asyncio.run(go())
    assert outcome.output is None
    message = str(outcome.error)
    assert (f"the Python interpreter for packages {configured}: cannot create a virtual environment: "
            "no venv module here") in message, message
    assert "env var one" not in message and str(env_python) not in message


def test_without_a_setting_the_environment_variable_still_applies(example_workspace, tmp_path, monkeypatch):
    env_python = _script(tmp_path / "env-python", "echo 'the env var one ran' >&2; exit 4")
    monkeypatch.setenv("AXIOM_IDE_PYTHON", str(env_python))
    (example_workspace / "packages" / "text" / "requirements.txt").write_text("no-such-distribution-axiom>=1\n")
    rt = Runtime(tmp_path / "data", use_keyring=False)
    assert rt.python_for_packages is None
    artifact = compile_file(example_workspace / "flows" / "hello.flow.yaml", example_workspace, store=rt._artifacts)

    async def go():
        try:
            return await rt.run(artifact, {"name": "Ada"}, timeout=60)
        finally:
            await rt.close()

    message = str(asyncio.run(go()).error)
    assert f"AXIOM_IDE_PYTHON={env_python}: cannot create a virtual environment: the env var one ran" in message


def test_check_python_accepts_this_interpreter():
    assert check_python(sys.executable) == sys.version_info[:2]


@pytest.mark.parametrize(("body", "said"), [
    ("echo 'not python' >&2; exit 2", "is not a working Python interpreter: not python"),
    ("echo hello", "is not a working Python interpreter: hello"),
    ("echo '(3, 9)'", "is Python 3.9: packages need Python 3.11 or newer"),
])
@pytest.mark.skipif(sys.platform == "win32", reason="shell scripts")
def test_check_python_says_what_is_wrong(tmp_path, body, said):
    fake = _script(tmp_path / "python3", body)
    with pytest.raises(AxiomError) as info:
        check_python(fake)
    assert str(info.value).endswith(f"{fake} {said}"), str(info.value)


def test_check_python_refuses_a_text_file_and_a_missing_path(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    with pytest.raises(AxiomError, match=r"notes\.txt is not a working Python interpreter: "):
        check_python(text)
    with pytest.raises(AxiomError, match="nothing-here is not a file"):
        check_python(tmp_path / "nothing-here")
