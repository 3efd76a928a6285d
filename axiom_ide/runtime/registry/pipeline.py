"""What the platform does with a pushed package before deploying it: validate, generate, test.

:func:`build_package` runs the steps on an unpacked tree and reports each through ``log`` (one
line per step, the build progress ``axiom-ide push`` prints). A step that fails raises
``AxiomError`` with code ``push_failed`` and the step's own words (validation diagnostics as
``file:line:col: error: ...``, protoc's errors, the failing tests' pytest summary).

The package's tests run in the node sandbox (``host/sandbox.py``: the tree read-only, a private
temporary directory, a scrubbed environment) since they are the tenant's code, with a time limit.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError, render
from axiom_ide.runtime.packages.generate import generate
from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, Manifest, load_manifest
from axiom_ide.runtime.packages.validate import validate_package

#: Seconds a package's tests may take on the platform.
TEST_TIMEOUT = 300.0

Log = Callable[[str], None]


def _fail(message: str) -> AxiomError:
    return AxiomError.of("push_failed", message)


def build_package(root: Path, log: Log, *, sandbox: object | None = None, run_tests: bool = True) -> Manifest:
    """Validate, generate and test the package at ``root``; its manifest. Raises ``push_failed``."""
    if not (root / MANIFEST_FILE).is_file():
        raise _fail(f"no {MANIFEST_FILE} at the root of the pushed tree: push from a package directory")
    log("Validating package")
    report = validate_package(root)
    for d in report.warnings:
        log(f"  {render(d)}")
    if not report.ok:
        lines = "\n".join(render(d) for d in report.errors)
        raise _fail(f"package {report.package or root.name} failed validation:\n{lines}")
    manifest = load_manifest(root / MANIFEST_FILE)
    log(f"  ✓ {manifest.name}@{manifest.version} is valid")
    log("Generating message bindings")
    try:
        written = generate(root, manifest)
    except AxiomError as exc:
        lines = "\n".join(render(d.relative_to(root)) for d in exc.diagnostics)
        raise _fail(f"generating message bindings failed:\n{lines}") from None
    log(f"  ✓ {len(written)} files in gen/")
    if run_tests:
        _test(root, log, sandbox)
    return manifest


def _test(root: Path, log: Log, sandbox: object | None) -> None:
    tests = sorted((root / "nodes").glob("*_test.py")) if (root / "nodes").is_dir() else []
    if not tests:
        log("Testing: no nodes/*_test.py files; nothing to run")
        return
    if importlib.util.find_spec("pytest") is None:
        log("Testing: pytest is not installed on this server; tests not run")
        return
    from axiom_ide.runtime.host.sandbox import Sandbox, command, host_env

    box = sandbox if isinstance(sandbox, Sandbox) else Sandbox()
    log(f"Testing: {len(tests)} test file{'s' if len(tests) != 1 else ''}")
    with tempfile.TemporaryDirectory(prefix="axiom-push-test-") as tmp:
        argv = [sys.executable, "-B", "-m", "pytest", "-q", "-p", "no:cacheprovider", "nodes/"]
        full, scrub = command(box, argv, root=root, host_dir=Path(tmp), python=sys.executable)
        env = host_env(sandboxed=scrub, private_tmp=tmp)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        try:
            done = subprocess.run(full, cwd=str(root), env=env, capture_output=True, text=True,
                                  timeout=TEST_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise _fail(f"the package's tests did not finish within {TEST_TIMEOUT:g}s") from None
    lines = [line for line in (done.stdout or "").splitlines() if line.strip()]
    if done.returncode != 0:
        tail = "\n".join(lines[-30:]) or (done.stderr or "").strip()[-2000:] or f"pytest exited with {done.returncode}"
        raise _fail(f"the package's tests failed:\n{tail}")
    log(f"  ✓ {lines[-1] if lines else 'tests passed'}")
