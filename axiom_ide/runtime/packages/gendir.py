"""Where a run's generated code (``gen/``) lives for a package.

``axiom-ide generate`` and ``axiom-ide test`` write the package's own ``gen/`` (the developer asked
for it). A *run* (node hosts, the inline invoker) needs a fresh ``gen/`` too, but a package may sit
in a read-only place — the example workspace inside an installed app, a shared checkout — so a
run generates into the package only when the package is writable, and otherwise into
``<gen root>/<scope>@<version>-<hash of the root path>/gen/`` (the runtime's gen root is
``<data dir>/gen``). The hash keeps two copies of the same package version apart; the host puts
that directory on ``sys.path`` ahead of the package root, and the sandbox binds it read-only.
"""
from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, load_manifest
from axiom_ide.runtime.packages.naming import module_scope


def default_gen_root() -> Path:
    """Used by invokers built without a data dir (tests, tools): the user cache dir."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("axiom-ide", "Axiom")) / "gen"


def package_writable(root: Path) -> bool:
    """Whether a run may write ``gen/`` into the package: not inside the frozen app, the package
    directory (and its ``gen/``, if any) writable — by permission bits as well, so a tree made
    read-only (``chmod -R a-w``) counts as read-only for root too, who may write anyway."""
    root = Path(root)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and _inside(root, Path(bundle)):
        return False
    for path in (root, root / "gen"):
        try:
            mode = path.stat().st_mode
        except OSError:
            continue  # no gen/ yet: the package dir decides
        if not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(path, os.W_OK):
            return False
    return True


def gen_home(root: Path, gen_root: Path | None = None) -> Path:
    """The directory whose ``gen/`` a run of the package at ``root`` imports (see module doc)."""
    root = Path(root)
    if package_writable(root):
        return root
    manifest = load_manifest(root / MANIFEST_FILE)
    digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    key = f"{module_scope(manifest.name or root.name)}@{manifest.version or '0'}-{digest}"
    return (Path(gen_root) if gen_root is not None else default_gen_root()) / key


def _inside(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True
