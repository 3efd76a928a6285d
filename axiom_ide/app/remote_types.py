"""On a remote, the canvas checks flows against the remote's packages too.

A flow open on a remote may use packages the local workspace lacks but the remote has (the
tenant's pushes, published versions: + Import in the remote Marketplace adds them to the flow's
library). :class:`RemoteTypes` fetches their type descriptors into the workspace's cache
(``backends/remote_descriptors.py``: ``.axiom/remote/<host>/<owner>/<pkg>/<version>/``, one folder
per remote) and puts the active remote's descriptors on the workspace (``Workspace.extra_roots``,
after the workspace's own packages, which always win), so the Library lists their nodes with
ports and types, edges type-check, Run is enabled, and Run / Debug go to the remote as always.

When it syncs: on connect (the bridge's ``backendReady``) and whenever the open flow needs a
package it has not synced since (open, + Import, paste, reload, a marketplace subflow's copy
arriving — the packages inside it count too: the document's ``analysisChanged``); the Marketplace's ⟳ syncs again. A published descriptor is never fetched
again (immutable); a private push is fetched again on each connect and each flow opened. A remote that cannot be
reached leaves the package unresolved with that said (``Workspace.unresolved``), not "not found";
a package neither local nor on the remote keeps the workspace's "not found". On Local the caches
are not used at all.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axiom_ide.app.qt_bridge import alive
from axiom_ide.backends.remote_descriptors import SyncResult, cache_root, cached, remote_base, sync_descriptors
from axiom_ide.runtime.compiler.marketplace import cached_flow_path
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.model.refs import RefError, is_artifact_id, parse_node_ref

#: The status bar after a sync that wrote descriptors (keys joined by ", ").
FETCHED = "Fetched {keys} from {host}"
#: How long (ms) the status bar shows it.
FETCHED_MS = 5000


def needed_packages(flow: Any, workspace_root: Path | None = None, _seen: set[str] | None = None) -> set[str]:
    """The package keys a flow uses: its library (imports) and its package nodes; with
    ``workspace_root``, those of the marketplace subflows it places too (their copies in
    ``.axiom/marketplace/``, nested ones included), which the canvas analyses against the same
    workspace."""
    seen = set() if _seen is None else _seen
    keys = {str(k) for k in flow.imports}
    for node in flow.nodes:
        try:
            ref = parse_node_ref(node.node)
        except RefError:
            continue
        if not ref.is_subflow:
            keys.add(ref.package_key)
        elif workspace_root is not None and is_artifact_id(ref.subflow) and ref.subflow not in seen:
            seen.add(ref.subflow)
            copy = cached_flow_path(workspace_root, ref.subflow)
            try:
                inner = load_flow(copy).flow if copy.is_file() else None
            except AxiomError:
                inner = None
            if inner is not None:
                keys |= needed_packages(inner, workspace_root, seen)
    return keys


def _is_remote(backend: Any) -> bool:
    return callable(getattr(getattr(backend, "registry", None), "protos", None)) and bool(getattr(backend, "api_url", ""))


class RemoteTypes:
    """The active remote's package descriptors on the window's workspace (``panel.types``)."""

    def __init__(self, bridge: Any, workspace: Callable[[], Any], workspace_root: Path,
                 refresh_workspace: Callable[[], Any], status_bar: Callable[[], Any] | None = None) -> None:
        self.bridge = bridge
        #: The window's QStatusBar (None while the panel has no window).
        self._status_bar = status_bar or (lambda: None)
        self._workspace = workspace
        self.root = Path(workspace_root)
        self._refresh_workspace = refresh_workspace
        #: The active remote's cache folder; None on Local.
        self.cache: Path | None = None
        #: The active remote's host[:port], as the status bar names it.
        self.host = ""
        #: Keys synced (or being synced) since the last connect.
        self.attempted: set[str] = set()
        #: key → why its types could not be fetched (the canvas's message).
        self.reasons: dict[str, str] = {}
        self.doc: Any = None
        #: The documents followed since the last connect (a newly opened one syncs its packages again).
        self.opened: weakref.WeakSet[Any] = weakref.WeakSet()
        #: The last sync's result (tests, status).
        self.last: SyncResult | None = None

    # -- when ----------------------------------------------------------------------------------
    def connected(self, backend: Any) -> None:
        """The bridge's backend changed: this remote's caches (synced afresh), or none on Local."""
        if _is_remote(backend):
            url = str(backend.api_url)
            self.cache, self.host = cache_root(self.root, url), urlsplit(url).netloc or url
        else:
            self.cache, self.host = None, ""
        self.attempted.clear()
        self.reasons.clear()
        self.opened = weakref.WeakSet()
        self.apply()
        self.check()

    def follow(self, doc: Any) -> None:
        """The open flow changed (``panel.set_document``)."""
        if self.doc is not None:
            try:
                self.doc.analysisChanged.disconnect(self.check)
            except (RuntimeError, TypeError):  # already deleted, or never connected
                pass
        if doc is not None:
            doc.analysisChanged.connect(self.check)
            if doc not in self.opened:  # opened (or first shown) since the connect: its private pushes afresh
                self.opened.add(doc)
                self.attempted -= needed_packages(doc.flow, self.root)
        self.doc = doc
        self.apply()
        self.check()

    def retry(self) -> None:
        """The Marketplace's ⟳ on a remote: sync the open flow's remote packages again."""
        self.attempted.clear()
        self.check()

    # -- what ----------------------------------------------------------------------------------
    def local_keys(self, workspace: Any) -> set[str]:
        """The workspace's own packages (not remote descriptors)."""
        base = remote_base(self.root).resolve()
        return {k for k, p in workspace.packages.items() if not Path(p.root).resolve().is_relative_to(base)}

    def check(self) -> None:
        """Sync the packages the open flow needs that are not the workspace's own and were not
        synced since the last connect."""
        workspace, doc, cache = self._workspace(), self.doc, self.cache
        if cache is None or workspace is None or doc is None or not alive(doc):
            return
        wanted = needed_packages(doc.flow, self.root) - self.local_keys(workspace) - self.attempted
        if not wanted:
            return
        self.attempted |= wanted
        host = self.host

        async def sync(backend: Any) -> SyncResult:
            if not _is_remote(backend):  # switched away meanwhile: nothing to fetch
                return SyncResult()
            return await sync_descriptors(backend.registry, cache, wanted, host)

        def failed(exc: BaseException) -> None:
            why = str(getattr(exc, "message", None) or exc)
            self.synced(cache, SyncResult(failed={k: f'package "{k}" could not be fetched: {why}' for k in wanted}))

        self.bridge.call(sync, lambda result: self.synced(cache, result), failed)

    def synced(self, cache: Path, result: SyncResult) -> None:
        self.last = result
        if cache != self.cache:  # another connection since: its own sync applies
            return
        for key in (*result.fetched, *result.kept, *result.absent):
            self.reasons.pop(key, None)
        self.reasons.update(result.failed)
        self.apply(force=bool(result.fetched or result.failed or result.absent), fetched=result.fetched)

    def apply(self, *, force: bool = False, fetched: list[str] | None = None) -> None:
        """Put the active remote's descriptors (none on Local) and reasons on the workspace; the
        workspace is rescanned (and every open flow analysed again) when they change."""
        workspace = self._workspace()
        if workspace is None:
            return
        base = remote_base(self.root).resolve()
        roots = [r for r in workspace.extra_roots if not Path(r).resolve().is_relative_to(base)]
        reasons: dict[str, str] = {}
        if self.cache is not None:
            local = self.local_keys(workspace)
            roots += [d for key, d in cached(self.cache).items() if key not in local]
            reasons = dict(self.reasons)
        if force or roots != workspace.extra_roots or reasons != workspace.unresolved:
            workspace.extra_roots = roots
            workspace.unresolved = reasons
            self._refresh(fetched or [])

    def _refresh(self, fetched: list[str]) -> None:
        """Rescan the workspace; the status bar then says what was fetched, or keeps what it said."""
        bar = self._status_bar()
        before = bar.currentMessage() if bar is not None else ""
        self._refresh_workspace()
        if bar is None:
            return
        if fetched:
            bar.showMessage(FETCHED.format(keys=", ".join(sorted(fetched)), host=self.host), FETCHED_MS)
        elif bar.currentMessage() != before:  # the rescan's "N packages" says nothing of a sync
            bar.clearMessage()
            if before:
                bar.showMessage(before, FETCHED_MS)
