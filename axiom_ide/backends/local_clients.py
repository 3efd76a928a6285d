"""The Console's **Client Builder** over an in-process runtime; mixed into :class:`LocalConsole`
(a remote can implement the same coroutines later).

Builds run off the loop (a worker thread per build request): :meth:`client_build` returns the new
version's number at once with every language ``pending``; the page re-reads
:meth:`client_versions` until none is ``pending`` or ``building``.
"""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from axiom_ide.runtime.api_snippets import LOCAL_ORIGIN


class LocalClients:
    runtime: Any
    tenant: str
    _workspace: Any

    def _clients(self) -> Any:
        service = getattr(self, "_client_service", None)
        if service is None:
            from axiom_ide.runtime.clients.service import Clients

            rt, tenant = self.runtime, self.tenant
            service = self._client_service = Clients(
                rt.client_store(), lambda: self._workspace() if self._workspace is not None else None,
                lambda a: rt.store_artifact(a, tenant_id=tenant), lambda n: rt.latest_artifact(n, tenant_id=tenant),
                tenant_id=tenant, origin=LOCAL_ORIGIN)
            self._client_builds: set[asyncio.Task] = set()
        return service

    async def client_list(self) -> list[Any]:
        return self._clients().clients()

    async def client_create(self, name: str) -> Any:
        return self._clients().create(name)

    async def client_get(self, name: str) -> Any:
        return self._clients().get(name)

    async def client_delete(self, name: str) -> bool:
        return self._clients().delete(name)

    async def client_add(self, name: str, members: list[tuple[str, str, str]]) -> Any:
        """Add (kind, target, alias) members — all or none."""
        from axiom_ide.runtime.clients.model import Member

        return self._clients().add(name, [Member(k, t, a) for k, t, a in members])

    async def client_remove(self, name: str, aliases: list[str]) -> Any:
        return self._clients().remove(name, aliases)

    async def client_marketplace(self) -> dict[str, Any]:
        """What the **+ Add nodes & flows** panel offers: the workspace's packages (every version, its
        nodes) and flows."""
        ws = self._workspace() if self._workspace is not None else None
        if ws is None:
            return {"packages": [], "flows": []}
        packages: dict[str, dict[str, Any]] = {}
        for pkg in sorted(ws.packages.values(), key=lambda p: (p.name, p.version)):
            entry = packages.setdefault(pkg.name, {"name": pkg.name, "versions": {}})
            entry["versions"][pkg.version] = {
                "description": pkg.manifest.description or "",
                "nodes": [{"name": n.name, "description": n.description or ""} for n in pkg.manifest.nodes]}
        flows_dir = Path(ws.root) / "flows"
        flows = sorted(p.name[: -len(".flow.yaml")] for p in flows_dir.glob("*.flow.yaml")) if flows_dir.is_dir() else []
        return {"packages": list(packages.values()), "flows": flows}

    def _start(self, name: str, number: int, languages: list[str]) -> None:
        task = asyncio.ensure_future(asyncio.to_thread(self._clients().run_builds, name, number, languages))
        self._client_builds.add(task)
        task.add_done_callback(self._client_builds.discard)

    async def client_build(self, name: str, languages: list[str]) -> int:
        """Snapshot the members into the next version (each language ``pending``) and start building."""
        number = self._clients().new_version(name, languages)
        self._start(name, number, list(languages))
        return number

    async def client_add_language(self, name: str, number: int, lang: str) -> str:
        """**+ language…**: build ``lang`` of version ``number`` from its frozen snapshot."""
        key = self._clients().queue_language(name, number, lang)
        self._start(name, number, [key])
        return key

    async def client_versions(self, name: str) -> list[Any]:
        return self._clients().versions(name)

    async def client_archive(self, name: str, number: int, lang: str) -> bytes:
        return self._clients().archive(name, number, lang)
