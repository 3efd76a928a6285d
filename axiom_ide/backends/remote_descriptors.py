"""Type descriptors of a remote's packages, cached in the workspace so the IDE can check a flow that
uses packages only the remote has (a tenant's push, a published version).

A **descriptor** is the least the canvas needs to type-check a package's nodes: an ``axiom.yaml``
with the package's node signatures (name, type, description, input, output — the registry
listing's ``nodes``, with their required secrets), its ``messages/*.proto`` and the types it
imports from other packages (``GET .../protos``: ``files`` and ``imports``), plus ``remote.json``
(where and when it came from: visibility, commit, push time). It is a package directory without node code:
it type-checks and lists its nodes; it never runs (runs go to the remote, which has the code).

Layout: ``<workspace>/.axiom/remote/<host>/<owner>/<pkg>/<version>/``, keyed by the remote's
``host_port`` (:func:`cache_root`), so two remotes never mix. A published version is immutable, so
its descriptor is kept as it is; a private push can be pushed again, so :func:`sync_descriptors`
fetches it again whenever it is asked for it. A descriptor of a package the remote no longer lists
is removed. Every write is atomic (a staging directory renamed into place); files are 0600.

No Qt here; :mod:`axiom_ide.app.remote_types` decides when to sync and hands the result to the
workspace (``Workspace.extra_roots`` and ``Workspace.unresolved``).
"""
from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axiom_ide.backends.registry_import import _safe_name
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.fileio import atomic_write_text
from axiom_ide.runtime.packages.dirswap import swap_in
from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, ImportDecl, Manifest, NodeDecl, dump_manifest
from axiom_ide.runtime.packages.messages import import_dir

#: Under the workspace root: one folder per remote.
REMOTE_DIR = Path(".axiom") / "remote"
META_FILE = "remote.json"
#: The codes of a remote that did not answer at all (remote_http.py).
UNREACHABLE = frozenset({"unreachable", "timeout", "tls", "connection_lost"})
#: The canvas's words for a package whose types could not be fetched.
NOT_FETCHED = 'package "{key}" could not be fetched: the remote {host} could not be reached ({reason})'
NOT_READ = 'package "{key}" could not be fetched from the remote {host}: {reason}'


def host_key(api_url: str) -> str:
    """``127.0.0.1_8765`` for ``http://127.0.0.1:8765``: a folder name per remote (no ``:``)."""
    parts = urlsplit(api_url)
    netloc = (parts.netloc or parts.path).rsplit("@", 1)[-1].lower()
    return "".join(c if c.isalnum() or c in "-._" else "_" for c in netloc) or "remote"


def remote_base(workspace_root: Path) -> Path:
    return Path(workspace_root) / REMOTE_DIR


def cache_root(workspace_root: Path, api_url: str) -> Path:
    """``<workspace>/.axiom/remote/<host>``: the descriptors of one remote."""
    return remote_base(workspace_root) / host_key(api_url)


def descriptor_dir(root: Path, key: str) -> Path:
    """The folder of ``owner/pkg@version`` under a remote's ``root``."""
    name, _, version = key.partition("@")
    owner, _, short = name.partition("/")
    for part in (owner, short, version):
        if not part or part in (".", "..") or "/" in part or "\\" in part:
            raise AxiomError.of("invalid_argument", f'"{key}" is not a package key (owner/pkg@version)')
    return Path(root) / owner / short / version


def cached(root: Path) -> dict[str, Path]:
    """Every descriptor under a remote's ``root``: key → folder."""
    out: dict[str, Path] = {}
    for manifest in sorted(Path(root).glob(f"*/*/*/{MANIFEST_FILE}")):
        d = manifest.parent
        out[f"{d.parent.parent.name}/{d.parent.name}@{d.name}"] = d
    return out


def meta(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((Path(folder) / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_descriptor(package_root: Path) -> bool:
    """Whether a package folder is a remote's type descriptor (no node code here)."""
    return (Path(package_root) / META_FILE).is_file() and Path(package_root).parent.parent.parent.parent.name == "remote"


def is_published(folder: Path) -> bool:
    """A published version's descriptor: immutable on the remote, so never fetched again."""
    return meta(folder).get("visibility") == "public" and (Path(folder) / MANIFEST_FILE).is_file()


def manifest_of(row: dict[str, Any]) -> Manifest:
    """The descriptor's axiom.yaml from a ``GET /api/registry/packages`` row."""
    nodes = [NodeDecl(name=str(n.get("name", "")), description=str(n.get("description") or ""),
                      input=str(n.get("input") or ""), output=str(n.get("output") or ""),
                      type="pipeline" if n.get("type") == "pipeline" else "unary",
                      required_secrets=[str(s) for s in n.get("required_secrets") or []])
             for n in row.get("nodes") or [] if isinstance(n, dict)]
    return Manifest(name=str(row["name"]), version=str(row["version"]), language=str(row.get("language") or "python"),
                    description=str(row.get("description") or ""), author=str(row.get("author") or ""),
                    license=str(row.get("license") or ""), tags=[str(t) for t in row.get("tags") or []], nodes=nodes)


def write_descriptor(folder: Path, row: dict[str, Any], protos: dict[str, Any], origin: str) -> None:
    """Write (or replace) one descriptor, all or nothing."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.{uuid.uuid4().hex}.tmp"
    try:
        (staging / "messages").mkdir(parents=True)
        for f in protos.get("files") or []:
            atomic_write_text(staging / "messages" / _safe_name(str(f["path"])), str(f["content"]), 0o600)
        manifest = manifest_of(row)
        for imp in protos.get("imports") or []:  # the types the package takes from others
            package, version = str(imp["package"]), str(imp["version"])
            for f in imp.get("files") or []:
                atomic_write_text(staging / import_dir(package, version) / _safe_name(str(f["path"])),
                                  str(f["content"]), 0o600)
            manifest.imports.append(ImportDecl(package, version, [str(m) for m in imp.get("messages") or []]))
        atomic_write_text(staging / MANIFEST_FILE, dump_manifest(manifest), 0o600)
        atomic_write_text(staging / META_FILE, json.dumps(
            {"remote": origin, "visibility": row.get("visibility"), "commit": row.get("commit"),
             "pushed_at": row.get("pushed_at"), "published_at": row.get("published_at")}, indent=2) + "\n", 0o600)
        swap_in(staging, folder)  # a flow analysed meanwhile reads the old descriptor or the new one
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_descriptor(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


@dataclass
class SyncResult:
    """What :func:`sync_descriptors` did, key by key."""

    #: Written now (fetched from the remote).
    fetched: list[str] = field(default_factory=list)
    #: Published descriptors already cached, kept as they are.
    kept: list[str] = field(default_factory=list)
    #: Not on the remote (any stale descriptor removed): today's "not found" stands.
    absent: list[str] = field(default_factory=list)
    #: key → the canvas's message when the remote could not be read for it.
    failed: dict[str, str] = field(default_factory=dict)


def _failure(key: str, host: str, exc: BaseException) -> str:
    reason = str(getattr(exc, "message", None) or exc)
    code = exc.diagnostics[0].code if isinstance(exc, AxiomError) and exc.diagnostics else ""
    return (NOT_FETCHED if code in UNREACHABLE else NOT_READ).format(key=key, host=host, reason=reason)


async def sync_descriptors(registry: Any, root: Path, keys: Iterable[str], host: str) -> SyncResult:
    """Make the descriptors of ``keys`` (``owner/pkg@version``) under ``root`` current with the
    remote ``registry`` (a :class:`~.remote_registry.RemoteRegistry`): published ones already cached
    are kept; the others are read from the listing and their protos, then written."""
    result = SyncResult()
    todo: list[str] = []
    for key in sorted(set(keys)):
        try:
            folder = descriptor_dir(root, key)
        except AxiomError:
            result.absent.append(key)
            continue
        (result.kept if is_published(folder) else todo).append(key)
    if not todo:
        return result
    try:
        listing = {str(r.get("key") or f"{r['name']}@{r['version']}"): r for r in await registry.packages()}
    except (AxiomError, OSError) as exc:
        result.failed = {key: _failure(key, host, exc) for key in todo}
        return result
    for key in todo:
        folder = descriptor_dir(root, key)
        row = listing.get(key)
        try:
            protos = await registry.protos(str(row["name"]), str(row["version"])) if row is not None else None
        except (AxiomError, OSError) as exc:
            result.failed[key] = _failure(key, host, exc)
            continue
        if row is None or protos is None:
            await asyncio.to_thread(remove_descriptor, folder)
            result.absent.append(key)
            continue
        try:
            await asyncio.to_thread(write_descriptor, folder, row, protos, str(getattr(registry.http, "base_url", "")))
        except (AxiomError, OSError) as exc:
            result.failed[key] = NOT_READ.format(key=key, host=host, reason=getattr(exc, "message", None) or exc)
            continue
        result.fetched.append(key)
    return result
