"""``axiom-ide client ... --remote``: the client verbs against the remote platform (AXIOM_API_URL,
the stored key; ``cli/remote_cmds.py``), through ``RemoteBackend.console``'s Client Builder calls
(``backends/remote_clients.py`` → ``/api/clients/...``).

:class:`RemoteClientVerbs` has the methods of :class:`~axiom_ide.runtime.clients.service.Clients`
that the verbs call, so each verb's handler is the same code locally and remotely. The handlers are
synchronous: they run in a worker thread while the remote's coroutines run on the command's loop.
``build`` and ``add-lang`` wait until the remote's builds have finished (the remote builds; the SDK
calls the remote's origin, so ``--origin`` does not apply).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from axiom_ide.runtime.clients.model import FAILED, SUCCEEDED, Member, Version
from axiom_ide.runtime.errors import AxiomError


class RemoteClientVerbs:
    def __init__(self, backend: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.backend = backend
        self.console = backend.console
        self.loop = loop

    def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def create(self, name: str) -> Any:
        return self._call(self.console.client_create(name))

    def clients(self) -> list[Any]:
        return self._call(self.console.client_list())

    def get(self, name: str) -> Any:
        return self._call(self.console.client_get(name))

    def delete(self, name: str) -> bool:
        return bool(self._call(self.console.client_delete(name)))

    def add(self, name: str, members: list[Member]) -> Any:
        return self._call(self.console.client_add(name, [(m.kind, m.target, m.alias) for m in members]))

    def remove(self, name: str, aliases: list[str]) -> Any:
        return self._call(self.console.client_remove(name, aliases))

    def versions(self, name: str) -> list[Version]:
        return self._call(self.console.client_versions(name))

    def version(self, name: str, number: int) -> Version:
        for v in self.versions(name):
            if v.number == number:
                return v
        raise AxiomError.of("version_not_found", f'client "{name}" has no version {number}')

    def archive(self, name: str, number: int, lang: str) -> bytes:
        return self._call(self.console.client_archive(name, number, lang))

    def package_members(self, ref: str) -> list[Member]:
        """``--package owner/pkg@version``: every node of that package as the remote lists it."""
        from axiom_ide.runtime.clients.snapshot import node_member
        from axiom_ide.runtime.model.refs import RefError, parse_import

        try:
            name, version = parse_import(ref)
        except RefError as exc:
            raise AxiomError.of("invalid_member", str(exc)) from None
        market = self._call(self.console.client_marketplace())
        entry = next((p for p in market["packages"] if p["name"] == name), None)
        found = entry["versions"].get(version) if entry is not None else None
        if found is None:
            raise AxiomError.of("unknown_package", f'package "{name}@{version}" not found on the remote')
        return [node_member(f"{name}@{version}:{n['name']}") for n in found["nodes"]]

    # -- builds: the remote builds; the verbs wait for the outcome -----------------------------------
    def _settled(self, name: str, number: int, languages: list[str]) -> Version:
        async def wait() -> Version:
            while True:
                versions = await self.console.client_versions(name)
                v = next((x for x in versions if x.number == number), None)
                if v is None:
                    raise AxiomError.of("version_not_found", f'client "{name}" has no version {number}')
                if all((b := v.build(lang)) is not None and b.status in (SUCCEEDED, FAILED) for lang in languages):
                    return v
                await asyncio.sleep(self.backend.poll_interval)

        return self._call(wait())

    def build(self, name: str, languages: list[str]) -> Version:
        from axiom_ide.runtime.clients.model import language

        number = self._call(self.console.client_build(name, languages))
        return self._settled(name, number, list(dict.fromkeys(language(x) for x in languages)))

    def queue_language(self, name: str, number: int, lang: str) -> str:
        return self._call(self.console.client_add_language(name, number, lang))

    def run_builds(self, name: str, number: int, languages: list[str]) -> Version:
        return self._settled(name, number, languages)


def run_remote(handler: Callable[[Any, Any], int], args: Any) -> int:
    """Run a client verb's ``handler(clients, args)`` against the configured remote."""
    from axiom_ide.cli.remote_cmds import backend

    async def go() -> int:
        remote = backend()
        try:
            verbs = RemoteClientVerbs(remote, asyncio.get_running_loop())
            return int(await asyncio.to_thread(handler, verbs, args) or 0)
        finally:
            await remote.close()

    return asyncio.run(go())
