"""The Console's **Client Builder** over a remote's ``/api/clients/...`` routes
(``server/client_routes.py``); mixed into :class:`~axiom_ide.backends.remote_console.RemoteConsole`
with the same coroutines and records as :class:`~axiom_ide.backends.local_clients.LocalClients`, so
the page works unchanged on a remote.

Clients, members, versions and builds come back as the runtime's ``Client`` / ``Version`` / ``Build``
values (``runtime/clients/model.py``: frozen model values, no store record). A remote version's
``snapshot`` holds its ``members`` (alias, kind, target, mode, message type names) — the descriptor
sets stay on the server, which builds the SDKs. The builds run there: :meth:`client_build` answers
with the new version's number at once, every language ``pending``; the page re-reads
:meth:`client_versions`. The marketplace panel lists what the tenant sees on the remote (its
``/api/packages`` and ``/api/flows``); refusals are the server's ``{error, message}``, which
:mod:`.remote_http` turns into the same ``AxiomError`` code and words as the local runtime's.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from axiom_ide.runtime.clients.model import Build, Client, Member, Version, language
from axiom_ide.runtime.errors import AxiomError


def _seconds(ms: Any) -> float:
    return float(ms) / 1000.0 if isinstance(ms, (int, float)) else 0.0


def client_from_json(body: dict[str, Any]) -> Client:
    return Client(str(body["name"]), tuple(Member.from_json(m) for m in body["members"]),
                  _seconds(body.get("created_at")), _seconds(body.get("updated_at")))


def version_from_json(body: dict[str, Any]) -> Version:
    members = [{**m, "input": {"type": m["input"]}, "output": {"type": m["output"]}} for m in body["members"]]
    builds = tuple(Build(str(b["language"]), str(b["status"]), b.get("error") or "", _seconds(b.get("updated_at")))
                   for b in body["builds"])
    return Version(str(body["client"]), int(body["version"]), _seconds(body.get("created_at")),
                   {"client": body["client"], "version": body["version"], "members": members}, builds)


class RemoteClients:
    http: Any

    def _path(self, name: str, *rest: str) -> str:
        return "/".join(["/api/clients", quote(name, safe=""), *rest])

    async def client_list(self) -> list[Client]:
        body = await self.http.json("GET", "/api/clients")
        return [client_from_json(c) for c in body["clients"]]

    async def client_create(self, name: str) -> Client:
        return client_from_json(await self.http.json("POST", "/api/clients", json_body={"name": name}))

    async def client_get(self, name: str) -> Client:
        return client_from_json(await self.http.json("GET", self._path(name)))

    async def client_delete(self, name: str) -> bool:
        try:
            await self.http.json("DELETE", self._path(name))
        except AxiomError as exc:
            if exc.diagnostics[0].code == "client_not_found":
                return False
            raise
        return True

    async def client_add(self, name: str, members: list[tuple[str, str, str]]) -> Client:
        """Add (kind, target, alias) members — all or none (the server checks them first)."""
        body = {"members": [{"kind": k, "target": t, "alias": a} for k, t, a in members]}
        return client_from_json(await self.http.json("POST", self._path(name, "members"), json_body=body))

    async def client_remove(self, name: str, aliases: list[str]) -> Client:
        return client_from_json(await self.http.json("DELETE", self._path(name, "members"),
                                                     params=[("alias", a) for a in aliases]))

    async def client_marketplace(self) -> dict[str, Any]:
        """What the **+ Add nodes & flows** panel offers on the remote: the packages the tenant sees
        there (every version, its nodes) and its flows."""
        packages: dict[str, dict[str, Any]] = {}
        listed = (await self.http.json("GET", "/api/packages"))["packages"]
        for pkg in sorted(listed, key=lambda p: (p["name"], p["version"])):
            entry = packages.setdefault(pkg["name"], {"name": pkg["name"], "versions": {}})
            entry["versions"].setdefault(pkg["version"], {
                "description": pkg.get("description") or "",
                "nodes": [{"name": n["name"], "description": n.get("description") or ""} for n in pkg["nodes"]]})
        flows = (await self.http.json("GET", "/api/flows"))["flows"]
        return {"packages": list(packages.values()), "flows": sorted({f["name"] for f in flows})}

    async def client_build(self, name: str, languages: list[str]) -> int:
        """Snapshot the members into the next version on the remote and start building there."""
        keys = list(dict.fromkeys(language(x) for x in languages))
        if not keys:
            raise AxiomError.of("no_language", "choose at least one language to build")
        body = await self.http.json("POST", self._path(name, "versions"), json_body={"languages": keys})
        return int(body["version"])

    async def client_add_language(self, name: str, number: int, lang: str) -> str:
        """**+ language…**: build ``lang`` of version ``number`` from its frozen snapshot, on the remote."""
        key = language(lang)
        await self.http.json("POST", self._path(name, "versions", str(int(number)), "languages"),
                             json_body={"language": key})
        return key

    async def client_versions(self, name: str) -> list[Version]:
        body = await self.http.json("GET", self._path(name, "versions"))
        return [version_from_json(v) for v in body["versions"]]

    async def client_archive(self, name: str, number: int, lang: str) -> bytes:
        """The SDK zip of a succeeded build (a refusal otherwise, in the server's words)."""
        path = self._path(name, "versions", str(int(number)), "sdk", language(lang))
        async with self.http.open("GET", path) as response:
            return bytes(await response.aread())
