"""A workspace: every package (directory with an axiom.yaml) under a root folder.

Scanning skips hidden directories and ``.venv``, ``node_modules``, ``gen``, ``imports`` and
``__pycache__``, and does not descend into a package. :meth:`Workspace.refresh` rescans and keeps
a loaded :class:`Package` while its files are unchanged (mtime/size fingerprint), so compiled
messages survive; a package whose files changed is reloaded.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError, Diagnostic
from axiom_ide.runtime.model.refs import NodeRef
from axiom_ide.runtime.packages.manifest import MANIFEST_FILE
from axiom_ide.runtime.packages.package import NodeSpec, Package

SKIP_DIRS = frozenset({".venv", "venv", "node_modules", "gen", "imports", "__pycache__"})


def find_package_dirs(root: Path) -> Iterator[Path]:
    """Directories under ``root`` (inclusive) holding an axiom.yaml, in sorted walk order."""
    root = Path(root)
    if not root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(root):
        if MANIFEST_FILE in filenames:
            dirnames[:] = []
            yield Path(dirpath)
            continue
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d not in SKIP_DIRS)


class Workspace:
    """Packages found under ``root`` and ``extra_roots``, keyed ``owner/pkg@version``."""

    def __init__(self, root: Path, extra_roots: Sequence[Path] = ()):
        self.root = Path(root)
        self.extra_roots = [Path(p) for p in extra_roots]
        self.packages: dict[str, Package] = {}
        #: Problems met while scanning (unreadable or malformed manifests, duplicate keys).
        self.problems: list[Diagnostic] = []
        #: Why a package the workspace lacks is missing, when the caller knows more than "not found"
        #: (the IDE on a remote whose types could not be fetched): ``owner/pkg@version`` → message.
        self.unresolved: dict[str, str] = {}
        self._by_root: dict[Path, Package] = {}
        self.refresh()

    def refresh(self) -> None:
        """Rescan the roots; reload packages whose files changed."""
        packages: dict[str, Package] = {}
        by_root: dict[Path, Package] = {}
        problems: list[Diagnostic] = []
        for base in [self.root, *self.extra_roots]:
            for d in find_package_dirs(base):
                d = d.resolve()
                if d in by_root:
                    continue
                old = self._by_root.get(d)
                try:
                    pkg = old if old is not None and not old.is_stale() else Package(d)
                except AxiomError as exc:
                    problems += exc.diagnostics
                    continue
                by_root[d] = pkg
                if not pkg.name or not pkg.version:
                    continue
                if pkg.key in packages:
                    problems.append(Diagnostic(
                        "manifest_error",
                        f"package {pkg.key} is defined twice: {packages[pkg.key].root} and {pkg.root}; using the first",
                        location=_loc(pkg.root / MANIFEST_FILE),
                    ))
                    continue
                packages[pkg.key] = pkg
        self.packages = packages
        self._by_root = by_root
        self.problems = problems

    def package(self, name: str, version: str) -> Package | None:
        return self.packages.get(f"{name}@{version}")

    def package_at(self, root: Path) -> Package | None:
        return self._by_root.get(Path(root).resolve())

    def versions(self, name: str) -> list[str]:
        return [p.version for p in self.packages.values() if p.name == name]

    def resolve(self, ref: NodeRef) -> NodeSpec:
        """The node ``ref`` names; raises ``unknown_package`` / ``unknown_node`` / ``unknown_message`` /
        ``proto_error`` / ``manifest_error``."""
        if ref.is_subflow:
            raise AxiomError.of("unknown_node", f'"{ref}" is a subflow, not a package node')
        pkg = self.package(ref.package, ref.version)
        if pkg is None:
            short = ref.package.rsplit("/", 1)[-1]
            broken = [
                d for d in self.problems
                if d.code == "manifest_error" and d.location.file
                and (ref.package in d.message or Path(d.location.file).parent.name == short)
            ]
            if broken:
                raise AxiomError(broken)
            if ref.package_key in self.unresolved:
                raise AxiomError.of("unknown_package", self.unresolved[ref.package_key])
            others = self.versions(ref.package)
            hint = f" (available versions: {', '.join(sorted(others))})" if others else ""
            raise AxiomError.of(
                "unknown_package", f'package "{ref.package_key}" not found in the workspace{hint}'
            )
        spec = pkg.node(ref.node)
        if spec is None:
            names = [n.name for n in pkg.manifest.nodes]
            listing = ", ".join(names) if names else "none"
            raise AxiomError.of(
                "unknown_node",
                f'node "{ref.node}" not found in package {pkg.key} (nodes: {listing})',
                file=str(pkg.root / MANIFEST_FILE),
            )
        return spec


def _loc(path: Path):
    from axiom_ide.runtime.errors import Location

    return Location(file=str(path))
