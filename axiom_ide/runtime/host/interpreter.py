"""Which Python interpreter runs a package's node host.

The runtime's own interpreter — in the frozen app the app's executable, which stands in for
``python -m axiom_ide.runtime.host.worker`` (packaging/entry.py) — runs every package whose
``requirements.txt`` it satisfies (all of the example workspace's: theirs are empty). A package
needing something else gets a virtual environment of its own, made with the configured interpreter
(the runtime's ``python_for_packages``: the desktop's Run → Python Interpreter for Packages…, else
``AXIOM_IDE_PYTHON``) under ``<venv root>/<scope>@<version>-<hash>/`` with the package's
requirements and protobuf (the worker imports it) installed; it is rebuilt when requirements.txt
changes. With no interpreter configured the invocation fails saying so (:func:`needs_python`).
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, load_manifest
from axiom_ide.runtime.packages.naming import module_scope

#: The interpreter packages with requirements of their own get their virtual environment from.
PYTHON_ENV = "AXIOM_IDE_PYTHON"
#: What the worker itself needs in a package's virtual environment (pyproject.toml's range).
WORKER_REQUIREMENTS = ("protobuf>=5.27,<8",)
_STAMP = ".axiom-requirements"
#: The oldest Python a package's virtual environment may use (pyproject.toml's requires-python).
MIN_PYTHON = (3, 11)
#: What :func:`check_python` runs to learn an interpreter's version.
VERSION_PROBE = "import sys; print(sys.version_info[:2])"


def requirement_lines(root: Path) -> list[str]:
    """The requirement lines of the package's requirements.txt (no comments, no blanks)."""
    try:
        text = (Path(root) / "requirements.txt").read_text(encoding="utf-8")
    except OSError:
        return []
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def unmet_requirements(root: Path) -> list[str]:
    """The lines of requirements.txt this process's environment does not satisfy (an option
    line such as ``-r`` or ``--index-url`` counts as unmet: only pip can honour it)."""
    from packaging.requirements import InvalidRequirement, Requirement

    unmet = []
    for line in requirement_lines(root):
        try:
            req = Requirement(line)
        except InvalidRequirement:
            unmet.append(line)
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            unmet.append(line)
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            unmet.append(line)
    return unmet


def host_python(root: Path, *, default: str = sys.executable, venv_root: Path | None = None,
                python_for_packages: str | Path | None = None) -> str:
    """The interpreter for the package at ``root``: ``default`` when the runtime satisfies its
    requirements, else its virtual environment's (created on first use; call from a thread),
    made with ``python_for_packages`` or, when that is None, ``AXIOM_IDE_PYTHON``."""
    unmet = unmet_requirements(root)
    if not unmet:
        return default
    if python_for_packages is not None and str(python_for_packages).strip():
        configured, source = str(python_for_packages), f"the Python interpreter for packages {python_for_packages}"
    else:
        configured = os.environ.get(PYTHON_ENV, "").strip()
        source = f"{PYTHON_ENV}={configured}"
    if not configured:
        raise needs_python(root, unmet)
    base = venv_root if venv_root is not None else _default_venv_root()
    return ensure_venv(configured, root, base / _venv_key(root), source=source)


def check_python(path: str | Path) -> tuple[int, int]:
    """The (major, minor) version of the interpreter at ``path``, which must run
    :data:`VERSION_PROBE` and be Python 3.11+; else an AxiomError saying what is wrong with it."""
    where = str(path)
    if not Path(where).is_file():
        raise AxiomError.of("python_required", f"{where} is not a file")
    try:
        proc = subprocess.run([where, "-c", VERSION_PROBE], capture_output=True, text=True, timeout=30, check=False)
    except OSError as exc:  # e.g. "Exec format error" (a text file), "Permission denied" (not executable)
        raise AxiomError.of("python_required", f"{where} is not a working Python interpreter: "
                            f"{exc.strerror or exc}") from exc
    except subprocess.SubprocessError as exc:  # it hung
        raise AxiomError.of("python_required", f"{where} is not a working Python interpreter: {exc}") from exc
    out = proc.stdout.strip()
    match = re.fullmatch(r"\((\d+), (\d+)\)", out)
    if proc.returncode != 0 or match is None:
        said = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-2:]) or f"exit status {proc.returncode}"
        raise AxiomError.of("python_required", f"{where} is not a working Python interpreter: {said}")
    version = (int(match.group(1)), int(match.group(2)))
    if version < MIN_PYTHON:
        raise AxiomError.of("python_required", f"{where} is Python {version[0]}.{version[1]}: packages need "
                            f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer")
    return version


def needs_python(root: Path, unmet: list[str]) -> AxiomError:
    key = _package_key(root)
    return AxiomError.of(
        "python_required",
        f"package {key} needs {', '.join(unmet)}, which this app does not include: set {PYTHON_ENV} to a "
        f"Python 3.11+ interpreter (e.g. {PYTHON_ENV}=/usr/bin/python3) to run it in a virtual environment of its own "
        "(in the desktop app: Run → Python Interpreter for Packages…)",
        file=str(Path(root) / "requirements.txt"),
    )


def ensure_venv(python: str, root: Path, target: Path, *, source: str | None = None) -> str:
    """``target``, a virtual environment made with ``python`` holding the package's requirements;
    returns its interpreter. Reused while requirements.txt is unchanged. ``source``: where
    ``python`` was configured, for the error when it cannot make one."""
    wanted = hashlib.sha256("\n".join([*requirement_lines(root), *WORKER_REQUIREMENTS]).encode()).hexdigest()
    interpreter = target / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    stamp = target / _STAMP
    if interpreter.exists() and stamp.exists() and stamp.read_text() == wanted:
        return str(interpreter)
    _run([python, "-m", "venv", "--clear", str(target)],
         f"{source or f'{PYTHON_ENV}={python}'}: cannot create a virtual environment")
    reqs = Path(root) / "requirements.txt"
    _run([str(interpreter), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          *(["-r", str(reqs)] if requirement_lines(root) else []), *WORKER_REQUIREMENTS],
         f"cannot install the requirements of {_package_key(root)}")
    stamp.write_text(wanted)
    return str(interpreter)


def _run(cmd: list[str], what: str) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise AxiomError.of("python_required", f"{what}: {exc}") from exc
    if proc.returncode != 0:
        tail = " ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        raise AxiomError.of("python_required", f"{what}: {tail}")


def _package_key(root: Path) -> str:
    try:
        m = load_manifest(Path(root) / MANIFEST_FILE)
        return f"{m.name}@{m.version}"
    except AxiomError:
        return str(root)


def _venv_key(root: Path) -> str:
    digest = hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:12]
    return f"{module_scope(_package_key(root))}-{digest}"


def _default_venv_root() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("axiom-ide", "Axiom")) / "venvs"
