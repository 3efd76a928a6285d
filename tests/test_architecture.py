"""Layering rules (STYLE.md rule 1 and its layout): one-way dependencies, no cycles, no Qt below the GUI.

The contracts live in pyproject.toml ([tool.importlinter]) and are checked by import-linter over the
static import graph, lazy imports included; the probe below imports every headless module for real.
"""
from __future__ import annotations

import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LINT_IMPORTS = pathlib.Path(sys.executable).with_name("lint-imports")

PROBE = """
import importlib, pkgutil, sys
import axiom_ide
names = []
for layer in sys.argv[1:]:
    package = importlib.import_module(f"axiom_ide.{layer}")
    names.append(package.__name__)
    names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print(len(names), ",".join(qt))
"""


def lint_imports(cwd: pathlib.Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", str(cwd / "pyproject.toml")],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
    )


def test_every_headless_module_imports_without_qt():
    out = subprocess.run(
        [sys.executable, "-c", PROBE, "runtime", "server", "backends", "cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    count, qt = out.stdout.split(" ")
    assert int(count) > 100  # the walk found the tree, not just the four packages
    assert qt.strip() == "", f"Qt loaded by headless layers: {qt.strip()}"


def test_cli_help_builds_every_verb_without_qt():
    out = subprocess.run(
        [sys.executable, "-c", ("import sys; from axiom_ide.cli.main import build_parser; build_parser();"
          "print(','.join(m for m in sys.modules if m.startswith('PySide6')))")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == ""


def test_import_contracts_hold():
    out = lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout
    assert out.stderr == ""


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("runtime/errors.py", "import PySide6.QtCore", "runtime, server, backends and cli never import Qt"),
        ("server/serve.py", "import axiom_ide.canvas.scene", "runtime, server, backends and cli never import Qt"),
        ("backends/base.py", "import axiom_ide.document.document", "GUI layers"),
        ("runtime/observer.py", "import axiom_ide.server.app", "Headless layers"),
        ("runtime/model/__init__.py", "import axiom_ide.runtime.engine.runner", "No import cycles"),
        ("app/status.py", "import axiom_ide.runtime.store.events", "The GUI reaches a runtime only through a Backend"),
        ("app/main_window.py", "import axiom_ide.runtime.runtime", "The GUI reaches a runtime only through a Backend"),
        ("backends/remote_console.py", "import axiom_ide.runtime.store.apikeys", "The protocol and the remote backends"),
    ],
)
def test_import_contracts_catch_a_violation(tmp_path, module, line, broken):
    """The contracts bite: one bad import in a copy of the tree breaks the named contract."""
    shutil.copytree(ROOT / "axiom_ide", tmp_path / "axiom_ide", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "axiom_ide" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    out = lint_imports(tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    # A layer violation also closes a cycle, so only the named contract is asserted, with its chain.
    report = out.stdout.split("Broken contracts")[1]
    assert broken in report
    assert line.split()[1].removeprefix("axiom_ide.").split(".")[0] in report


def test_the_store_free_contract_lists_every_remote_backend_module():
    """A new ``backends/remote*.py`` is held to the contract too (import-linter takes no partial
    wildcards, so the modules are listed by name)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"].startswith("The protocol and the remote backends")]
    remote = {f"axiom_ide.backends.{p.stem}" for p in (ROOT / "axiom_ide" / "backends").glob("remote*.py")}
    assert remote and remote <= set(contract["source_modules"])
    assert contract["forbidden_modules"] == ["axiom_ide.runtime.store"]


def test_no_app_module_reaches_a_backends_runtime():
    """The app asks a Backend, never its runtime (``backend.runtime``, ``b.runtime``, ``getattr(backend, "runtime")``)."""
    reach = re.compile(r"""\b(?:backend|b|self\.backend|bridge\.backend)\s*\.\s*runtime\b|getattr\([^,]*backend[^,]*,\s*["']runtime["']""")
    found = {str(path.relative_to(ROOT)): [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                                           if reach.search(line)]
             for path in sorted((ROOT / "axiom_ide" / "app").rglob("*.py"))}
    assert {k: v for k, v in found.items() if v} == {}
    assert reach.search('runtime = getattr(backend, "runtime", None)') and reach.search("b.runtime.tenant_id")


#: The Runtime's stores: private behind its facade (runtime.py, history_reads.py).
RUNTIME_STORES = ("executions", "event_log", "checkpoints", "artifacts", "configs", "secrets", "api_keys",
                  "memory", "debug_store", "db", "configs_store")
_STORES = "|".join(RUNTIME_STORES)
_PRIVATE_STORE_READ = re.compile(rf"\b(?:runtime|rt|_runtime\([^()]*\))\s*\.\s*_(?:{_STORES})\b")


def private_store_reads(text: str) -> list[str]:
    """The lines of ``text`` that reach a private store of a Runtime (``runtime._executions`` ...)."""
    return [line.strip() for line in text.splitlines() if _PRIVATE_STORE_READ.search(line)]


def test_no_module_outside_the_runtime_reads_a_private_store_of_runtime():
    runtime_pkg = ROOT / "axiom_ide" / "runtime"
    found = {str(path.relative_to(ROOT)): hits for path in sorted((ROOT / "axiom_ide").rglob("*.py"))
             if runtime_pkg not in path.parents and (hits := private_store_reads(path.read_text(encoding="utf-8")))}
    assert found == {}


@pytest.mark.parametrize("line", [
    "rec = request.app[STATE].runtime._executions.get(execution_id)",
    "rows = rt._event_log.list(eid)",
    "box = _runtime(request)._secrets",
    "self.runtime._db.sync()",
])
def test_the_private_store_check_catches_a_violation(line):
    assert private_store_reads(f"x = 1\n{line}\n") == [line]
    assert private_store_reads(line.replace("._", ".")) == []
