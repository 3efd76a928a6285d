"""Suite-wide setup: Qt runs offscreen (CI has no display); state never touches the user's dirs;
``@pytest.mark.requires_tool(...)`` for the end-to-end tests that need an outside program;
``make_runtime`` runs the engine tests once per node invoker (in process, and real host processes)."""
from __future__ import annotations

import asyncio
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


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "requires_tool(*names, why=''): the test runs one of these programs (the first on PATH); "
        "without any it is skipped, or fails under CI (CI=true) so that CI never passes by skipping")


def require_tool(*names: str, why: str = "") -> str:
    """The path of the first of ``names`` on PATH. Missing: skip the test on a developer machine,
    fail it under CI (``CI=true``) — an end-to-end check that silently skips there proves nothing."""
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    message = f"{' or '.join(names)} is not installed" + (f" ({why})" if why else "")
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must have it", pytrace=False)
    pytest.skip(message)


def pytest_runtest_setup(item):
    for mark in item.iter_markers("requires_tool"):
        require_tool(*mark.args, why=mark.kwargs.get("why", ""))


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


#: How node code runs: in this process (InlineInvoker), or in real node host processes (HostPool,
#: what ``flow run``, ``serve`` and the IDE use by default).
INVOKERS = ("inline", "host")


@pytest.fixture(params=INVOKERS)
def invoker(request) -> str:
    return request.param


@pytest.fixture
def aio():
    """``aio(coro)`` runs ``coro`` on the test's one event loop. Host processes belong to the loop
    that started them, so all of a test's calls into one runtime must share a loop."""
    with asyncio.Runner() as runner:
        yield runner.run


@pytest.fixture
def make_runtime(invoker, aio):
    """``make_runtime(data_dir, **kw)``: a Runtime whose nodes run the ``invoker`` way; every one
    made is closed (its host processes stopped) after the test."""
    from axiom_ide.runtime.runtime import Runtime

    made = []

    def make(data_dir, **kw):
        rt = Runtime(data_dir, inline=invoker == "inline", **kw)
        made.append(rt)
        # The host case must never quietly fall back to the in-process invoker.
        assert type(rt.invoker).__name__ == ("InlineInvoker" if invoker == "inline" else "HostPool")
        return rt

    yield make
    for rt in made:
        aio(rt.close())
