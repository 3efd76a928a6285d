"""Clients: what the ``axiom-ide client`` verbs and the Console's Client Builder call.

``Clients(store, workspace, store_artifact, latest_artifact, tenant_id=, origin=)``: ``workspace``
returns the current Workspace (packages and ``flows/``); ``store_artifact`` / ``latest_artifact``
are the runtime's (a flow member is compiled and stored when a version is built); ``flow_resolver``
(optional) returns how that compile resolves ``flow:<x>`` subflows — the compile route's (None: the
compiler's default, the workspace's flows and marketplace copies). Every check runs
before anything is written: an unknown member or an alias clash saves nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axiom_ide.runtime.clients import snapshot as snap
from axiom_ide.runtime.clients.build import build_all
from axiom_ide.runtime.clients.model import Client, Member, Version, language
from axiom_ide.runtime.clients.store import ClientStore
from axiom_ide.runtime.errors import AxiomError


class Clients:
    def __init__(self, store: ClientStore, workspace: Callable[[], Any], store_artifact: Callable[[Any], None],
                 latest_artifact: Callable[[str], Any], *, tenant_id: str, origin: str,
                 flow_resolver: Callable[[], Any] | None = None) -> None:
        self.store = store
        self._workspace = workspace
        self._store_artifact = store_artifact
        self._latest = latest_artifact
        self.tenant = tenant_id
        self.origin = origin
        self._flow_resolver = flow_resolver

    def _ws(self) -> Any:
        ws = self._workspace()
        if ws is None:
            raise AxiomError.of("no_workspace", "no workspace is open")
        return ws

    # -- clients and members -----------------------------------------------------------------------
    def create(self, name: str) -> Client:
        return self.store.create(name, tenant_id=self.tenant)

    def clients(self) -> list[Client]:
        return self.store.clients(tenant_id=self.tenant)

    def get(self, name: str) -> Client:
        return self.store.get(name, tenant_id=self.tenant)

    def delete(self, name: str) -> bool:
        return self.store.delete(name, tenant_id=self.tenant)

    def add(self, name: str, members: list[Member]) -> Client:
        """Add members (each must name an existing node or flow; aliases unique) — all or none."""
        self.get(name)
        ws = self._ws()
        for m in members:
            snap.check_member(m, ws, self._latest)
        return self.store.add_members(name, members, tenant_id=self.tenant)

    def remove(self, name: str, aliases: list[str]) -> Client:
        return self.store.remove_members(name, aliases, tenant_id=self.tenant)

    # -- versions ----------------------------------------------------------------------------------
    def _languages(self, languages: list[str]) -> list[str]:
        out: list[str] = []
        for lang in languages:
            k = language(lang)
            if k not in out:
                out.append(k)
        if not out:
            raise AxiomError.of("no_language", "choose at least one language to build")
        return out

    def new_version(self, name: str, languages: list[str]) -> int:
        """Snapshot the client's members now into the next version, each language ``pending``."""
        langs = self._languages(languages)
        client = self.get(name)
        resolver = self._flow_resolver() if self._flow_resolver is not None else None
        frozen = snap.take(client.members, self._ws(), self._store_artifact, self._latest, client=client.name,
                           flow_resolver=resolver)
        frozen["origin"] = self.origin
        return self.store.new_version(client.name, frozen, langs, tenant_id=self.tenant)

    def run_builds(self, name: str, number: int, languages: list[str]) -> Version:
        build_all(self.store, name, number, self._languages(languages), tenant_id=self.tenant)
        return self.version(name, number)

    def build(self, name: str, languages: list[str]) -> Version:
        """A new version, built now in each language (blocking)."""
        number = self.new_version(name, languages)
        return self.run_builds(name, number, languages)

    def queue_language(self, name: str, number: int, lang: str) -> str:
        """Queue ``lang`` on an existing version (built from its frozen snapshot); returns its key."""
        k = language(lang)
        self.store.add_build(name, number, k, tenant_id=self.tenant)
        return k

    def versions(self, name: str) -> list[Version]:
        return self.store.versions(name, tenant_id=self.tenant)

    def version(self, name: str, number: int) -> Version:
        return self.store.version(name, number, tenant_id=self.tenant)

    def archive(self, name: str, number: int, lang: str) -> bytes:
        return self.store.archive(name, number, language(lang), tenant_id=self.tenant)
