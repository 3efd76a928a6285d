"""The platform registry that ``axiom-ide serve`` keeps: pushed packages, published packages and flows.

Layout under ``<data dir>/registry/`` (directories 0700, records 0600, every write atomic)::

    private/<tenant hex>/<quoted name>@<version>/        a tenant's pushed package tree
    private/<tenant hex>/<quoted name>@<version>.json    its record (commit, repository, pushed_at)
    public/<quoted name>@<version>/ and .json            published (+ published_at): immutable, every tenant sees it
    flows/<graph_id>.json                                a published compiled flow
    staging/<random>/                                    a push being built (never visible)

A push unpacks into ``staging``, is built there (:mod:`.pipeline`) and only then replaces the
tenant's previous push of that version by renames, so a failed push leaves nothing behind and
other requests never see a half-built tree. Publishing copies the tenant's pushed tree to
``public`` (a copy renamed into place: the owner's flows compiled against the push keep their
paths); a published ``name@version`` is never replaced nor pushed again, whoever asks.
Tenants are private from each other: a tenant sees its own pushes and what is public; an anonymous
caller (tenant ``None``: the marketplace reads of ``search`` / ``info`` logged out) only what is public.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from axiom_ide.runtime.engine.single_node import NodeDirectory, NodeEndpoint
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.fileio import atomic_write_text
from axiom_ide.runtime.packages.dirswap import swap_in
from axiom_ide.runtime.packages.package import Package
from axiom_ide.runtime.packages.workspace import Workspace
from axiom_ide.runtime.registry.archive import unpack
from axiom_ide.runtime.registry.pipeline import Log, build_package

REGISTRY_DIR = "registry"
PRIVATE, PUBLIC = "private", "public"


def already_published(key: str) -> str:
    """The refusal of a second publish (or a push over a published version)."""
    return (f"{key} is already published: making a version public is immutable — you cannot unpublish "
            "or overwrite it. Bump the version in axiom.yaml, push, then publish the new version")


def flow_already_published(graph_id: str) -> str:
    return (f"flow {graph_id} is already published: published flows are immutable. Compile the flow "
            "again to get a new artifact id, then publish that")


@dataclass
class Entry:
    """One stored package version."""

    name: str
    version: str
    #: The tenant that pushed it (and, once public, published it).
    owner: str
    visibility: str
    commit: str
    repository: str
    pushed_at: float
    published_at: float | None = None

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def listed_at(published_at: float | None, pushed_at: float | None) -> float:
    """The "most recently published" rule, one place for the registry's records and the CLI's rows of
    the server's listings: when a version became what its viewer sees — its publish time once
    published (``published_at`` is set on public versions only), else its push time (the viewer's
    own push); ``-inf`` for neither (a package of the server's workspace), so it sorts last. Either
    unit (seconds, milliseconds), the same for both."""
    t = published_at if published_at is not None else pushed_at
    return float(t) if t is not None else float("-inf")


def newest_first(name: str, version: str, published_at: float | None, pushed_at: float | None) -> tuple[Any, ...]:
    """The listings' order (``GET /api/registry/packages``, ``GET /api/packages``' registry rows,
    ``search``) and ``info``'s pick (the smallest): most recently published first
    (:func:`listed_at`), then by name, then the higher version."""
    nums, release, _pre = _semver_key(version)
    return -listed_at(published_at, pushed_at), name, tuple(-n for n in nums), not release


def _entry_order(entry: Entry) -> tuple[Any, ...]:
    return newest_first(entry.name, entry.version, entry.published_at, entry.pushed_at)


def _semver_key(version: str) -> tuple:
    core, _, pre = version.partition("-")
    nums = tuple(int(p) if p.isdigit() else 0 for p in core.split("."))
    return nums, pre == "", pre


class Registry:
    """The registry of one data dir; thread-safe (handlers call it from worker threads)."""

    def __init__(self, data_dir: Path | str, *, sandbox: object | None = None, run_tests: bool = True) -> None:
        self.root = Path(data_dir) / REGISTRY_DIR
        self.sandbox = sandbox
        self.run_tests = run_tests
        for sub in (PRIVATE, PUBLIC, "flows", "staging"):
            (self.root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        self._lock = threading.RLock()
        self._nodes: dict[str, NodeDirectory] = {}
        self._workspaces: dict[str, Workspace] = {}
        self._clear_staging()

    # -- paths -----------------------------------------------------------------------------------
    def _dir(self, visibility: str, tenant: str | None = None) -> Path:
        return self.root / PUBLIC if visibility == PUBLIC else self.root / PRIVATE / str(tenant).encode().hex()

    @staticmethod
    def _slot(name: str, version: str) -> str:
        return f"{quote(name, safe='')}@{version}"

    def _clear_staging(self) -> None:
        for d in (self.root / "staging").iterdir():
            shutil.rmtree(d, ignore_errors=True)

    # -- records ---------------------------------------------------------------------------------
    def _read(self, path: Path) -> Entry | None:
        try:
            return Entry(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def _write(self, path: Path, entry: Entry) -> None:
        atomic_write_text(path, json.dumps(entry.to_json(), indent=1), mode=0o600)

    def _entries(self, base: Path) -> list[Entry]:
        if not base.is_dir():
            return []
        out = [self._read(p) for p in sorted(base.glob("*.json"))]
        return [e for e in out if e is not None and (base / self._slot(e.name, e.version)).is_dir()]

    def public(self, name: str, version: str) -> Entry | None:
        slot = self._slot(name, version)
        entry = self._read(self._dir(PUBLIC) / f"{slot}.json")
        return entry if entry is not None and (self._dir(PUBLIC) / slot).is_dir() else None

    def pushed(self, tenant: str, name: str, version: str) -> Entry | None:
        slot = self._slot(name, version)
        base = self._dir(PRIVATE, tenant)
        entry = self._read(base / f"{slot}.json")
        return entry if entry is not None and (base / slot).is_dir() else None

    def visible(self, tenant: str | None) -> list[Entry]:
        """What ``tenant`` sees: every public version and its own pushes (a published push is
        listed once, as public), most recently published first (:func:`newest_first`). ``None`` is an
        anonymous caller: the public versions only."""
        public = self._entries(self._dir(PUBLIC))
        keys = {e.key for e in public}
        mine = [] if tenant is None else [e for e in self._entries(self._dir(PRIVATE, tenant)) if e.key not in keys]
        return sorted(public + mine, key=_entry_order)

    def find(self, tenant: str | None, name: str, version: str | None = None, *,
             public_only: bool = False) -> Entry | None:
        """A visible version of ``name``; when ``version`` is None the most recently published one
        (as ``info`` and ``search`` order them: a public version by its publish time, the tenant's own
        push by its push time; the higher version on a tie)."""
        entries = [e for e in (self._entries(self._dir(PUBLIC)) if public_only else self.visible(tenant))
                   if e.name == name and (version is None or e.version == version)]
        if not entries:
            return None
        return min(entries, key=_entry_order)

    def tree(self, tenant: str | None, entry: Entry) -> Path:
        if entry.visibility != PUBLIC and tenant is None:  # never a push for an anonymous caller
            raise AxiomError.of("not_found", f"package {entry.key} is not published")
        base = self._dir(PUBLIC) if entry.visibility == PUBLIC else self._dir(PRIVATE, tenant)
        return base / self._slot(entry.name, entry.version)

    def package(self, tenant: str | None, entry: Entry) -> Package:
        return Package(self.tree(tenant, entry))

    # -- push ------------------------------------------------------------------------------------
    def push(self, tenant: str, archive: bytes, *, commit: str, repository: str, log: Log,
             reserved: Callable[[str, str], str | None] | None = None) -> Entry:
        """Unpack, build and deploy a pushed package for ``tenant``; raises AxiomError
        (``invalid_archive``, ``push_failed``, ``already_published``, ``conflict``)."""
        staging = self.root / "staging" / uuid.uuid4().hex
        try:
            log(f"Unpacking {commit[:12]} ({len(archive)} bytes)")
            count = unpack(archive, staging)
            log(f"  ✓ {count} files")
            manifest = build_package(staging, log, sandbox=self.sandbox, run_tests=self.run_tests)
            key = f"{manifest.name}@{manifest.version}"
            why = reserved(manifest.name, manifest.version) if reserved else None
            if why:
                raise AxiomError.of("conflict", why)
            with self._lock:
                if self.public(manifest.name, manifest.version) is not None:
                    raise AxiomError.of("already_published", already_published(key))
                log(f"Deploying {key}")
                base = self._dir(PRIVATE, tenant)
                base.mkdir(parents=True, exist_ok=True, mode=0o700)
                slot = self._slot(manifest.name, manifest.version)
                target = base / slot
                swap_in(staging, target)  # a node host starting meanwhile finds the old tree or the new one
                entry = Entry(manifest.name, manifest.version, tenant, PRIVATE, commit, repository, time.time())
                self._write(base / f"{slot}.json", entry)
                self._nodes.pop(tenant, None)
            log(f"  ✓ {key} deployed (private to your tenant)")
            return entry
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- publish ---------------------------------------------------------------------------------
    def publish(self, tenant: str, name: str, version: str) -> Entry:
        """Make the tenant's push of ``name@version`` public; ``already_published`` / ``not_found``."""
        key = f"{name}@{version}"
        with self._lock:
            if self.public(name, version) is not None:
                raise AxiomError.of("already_published", already_published(key))
            entry = self.pushed(tenant, name, version)
            if entry is None:
                raise AxiomError.of("not_found", f"package {key} is not pushed by your tenant: run "
                                    '"axiom-ide push" from the package directory first')
            slot = self._slot(name, version)
            src, dst = self._dir(PRIVATE, tenant), self._dir(PUBLIC)
            # A copy, not a move: flows the owner compiled against its push keep running from it (the
            # push is frozen too: a published version cannot be pushed again).
            copy = dst / f".{slot}.{uuid.uuid4().hex}.tmp"
            try:
                shutil.copytree(src / slot, copy, symlinks=True)
                entry.visibility, entry.published_at = PUBLIC, time.time()
                os.rename(copy, dst / slot)
            finally:
                shutil.rmtree(copy, ignore_errors=True)
            self._write(dst / f"{slot}.json", entry)
            self._nodes.clear()
            return entry

    def publish_flow(self, tenant: str, graph_id: str, flow_name: str) -> dict[str, Any]:
        with self._lock:
            path = self.root / "flows" / f"{graph_id}.json"
            if path.exists():
                raise AxiomError.of("already_published", flow_already_published(graph_id))
            record = {"graph_id": graph_id, "flow": flow_name, "owner": tenant, "published_at": time.time()}
            atomic_write_text(path, json.dumps(record), mode=0o600)
            return record

    def published_flows(self) -> list[dict[str, Any]]:
        out = []
        for p in sorted((self.root / "flows").glob("*.json")):
            try:
                out.append(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        return sorted(out, key=lambda r: -float(r.get("published_at") or 0))

    def flow_published(self, graph_id: str) -> dict[str, Any] | None:
        return next((r for r in self.published_flows() if r.get("graph_id") == graph_id), None)

    # -- compiling against it ----------------------------------------------------------------------
    def workspace(self, tenant: str, base: Path) -> Workspace:
        """The server's workspace ``base`` plus what ``tenant`` sees here, rescanned: what a flow of
        that tenant compiles against (a name in ``base`` wins; push refuses those names anyway)."""
        with self._lock:
            ws = self._workspaces.get(tenant)
            if ws is None:
                ws = self._workspaces[tenant] = Workspace(base, extra_roots=[self._dir(PRIVATE, tenant),
                                                                             self._dir(PUBLIC)])
            else:
                ws.refresh()
            return ws

    # -- nodes -----------------------------------------------------------------------------------
    def _directories(self, tenant: str) -> list[NodeDirectory]:
        with self._lock:
            mine = self._nodes.get(tenant)
            if mine is None:
                mine = self._nodes[tenant] = NodeDirectory(self._dir(PRIVATE, tenant))
            public = self._nodes.get("\0public")
            if public is None:
                public = self._nodes["\0public"] = NodeDirectory(self._dir(PUBLIC))
        return [mine, public]

    def node_by_path(self, tenant: str, package: str, version: str, name: str) -> NodeEndpoint | None:
        for d in self._directories(tenant):
            hit = d.by_path(package, version, name)
            if hit is not None:
                return hit
        return None

    def node_by_id(self, tenant: str, nid: str) -> NodeEndpoint | None:
        for d in self._directories(tenant):
            hit = d.by_id(nid)
            if hit is not None:
                return hit
        return None


def imported_protos(root: Path) -> list[dict[str, Any]]:
    """The message types the package at ``root`` imports from others (its ``imports:`` entries whose
    ``imports/<scope-name>/<version>/`` exists): package, version, messages and the .proto files."""
    from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, load_manifest
    from axiom_ide.runtime.packages.messages import import_dir

    out: list[dict[str, Any]] = []
    for imp in load_manifest(root / MANIFEST_FILE).imports:
        d = root / import_dir(imp.package, imp.version)
        files = [{"path": p.name, "content": p.read_text(encoding="utf-8")} for p in sorted(d.glob("*.proto"))]
        if files:
            out.append({"package": imp.package, "version": imp.version, "messages": list(imp.messages),
                        "files": files})
    return out


def proto_files(root: Path) -> list[dict[str, Any]]:
    """The package's ``messages/*.proto`` files as ``axiom import`` downloads them: each named after
    the first message it defines (snake_case), with the names of its top-level messages."""
    import re

    from axiom_ide.runtime.packages.naming import snake_case

    out: list[dict[str, Any]] = []
    taken: set[str] = set()
    for path in sorted((root / "messages").rglob("*.proto")):
        text = path.read_text(encoding="utf-8")
        names = re.findall(r"^message\s+([A-Za-z_][A-Za-z0-9_]*)", text, flags=re.M)
        stem = snake_case(names[0]) if names else path.stem
        filename, n = f"{stem}.proto", 2
        while filename in taken:
            filename, n = f"{stem}_{n}.proto", n + 1
        taken.add(filename)
        out.append({"path": filename, "content": text, "messages": names})
    return out
