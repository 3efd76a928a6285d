"""When a host must reload, and whether a package's ``gen/`` must be regenerated first.

A host serves the package as it was when the host started; the pool compares
:func:`source_fingerprint` before invocations (throttled) and starts a fresh host on change.
"""
from __future__ import annotations

import os
from pathlib import Path

_SOURCES = (("nodes", ".py"), ("messages", ".proto"))


def _scan(root: Path) -> list[tuple[str, int, int]]:
    out = []
    for path in [root / "axiom.yaml"] + [
        Path(entry.path)
        for sub, suffix in _SOURCES
        for entry in _entries(root / sub)
        if entry.name.endswith(suffix)
    ]:
        try:
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(path), 0, -1))
    return out


def _entries(directory: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return []


def source_fingerprint(root: Path) -> tuple:
    """(path, mtime_ns, size) of axiom.yaml, nodes/*.py and messages/*.proto."""
    return tuple(_scan(Path(root)))


def gen_is_stale(root: Path, home: Path | None = None) -> bool:
    """True when ``gen/`` (in ``home``, default the package ``root``) is missing a file or is
    older than the manifest or a .proto."""
    root = Path(root)
    gen = Path(home if home is not None else root) / "gen"
    sources = [p for p in _scan(root) if not p[0].endswith(".py")]
    newest = max((m for _, m, _ in sources), default=0)
    needed = [gen / "__init__.py", gen / "axiom_context.py"]
    needed += [gen / (Path(p).stem + "_pb2.py") for p, _, _ in sources if p.endswith(".proto")]
    for path in needed:
        try:
            if path.stat().st_mtime_ns < newest:
                return True
        except OSError:
            return True
    return False


def ensure_gen(root: Path, home: Path | None = None) -> None:
    """Regenerate ``gen/`` (in ``home``, default ``root``) when stale (protoc runs in a
    subprocess; call from a thread)."""
    if gen_is_stale(root, home):
        from axiom_ide.runtime.packages.generate import generate

        generate(Path(root), home=home)
