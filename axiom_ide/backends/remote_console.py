"""RemoteConsole: the Console pages' API over a remote deployment's management routes (``/api/keys``,
``/api/secrets``), exposed as ``RemoteBackend.console``. Same methods and records as
:class:`~axiom_ide.backends.local_console.LocalConsole` for the pages built on it; a refusal (401,
403, 404, 409 ...) is the ``AxiomError`` :mod:`.remote_http` makes of it, which the page shows.
Flow Configs and Usage are not offered remotely yet: they refuse with ``console_unavailable``."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from axiom_ide.backends.local_console import check_secret
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.apikeys import ApiKey, check_key_name


def _key(d: dict[str, Any], tenant: str) -> ApiKey:
    prefix, _, suffix = (d.get("key") or d.get("masked") or "").partition("…")
    sec = lambda ms: ms / 1000 if ms is not None else None  # noqa: E731
    return ApiKey(d["name"], d.get("tenant") or tenant, prefix if suffix else "", suffix,
                  sec(d["created_at"]) or 0.0, sec(d.get("last_used")))


class RemoteConsole:
    def __init__(self, http: Any) -> None:
        self.http = http

    async def list_keys(self) -> list[ApiKey]:
        body = await self.http.json("GET", "/api/keys")
        return [_key(k, "") for k in body["keys"]]

    async def create_key(self, name: str) -> tuple[str, ApiKey]:
        name = check_key_name(name)
        body = await self.http.json("POST", "/api/keys", json_body={"name": name})
        return body["key"], _key({**body, "key": body["masked"]}, body.get("tenant", ""))

    async def revoke_key(self, name: str) -> bool:
        try:
            await self.http.json("DELETE", f"/api/keys/{quote(name, safe='')}")
        except AxiomError as exc:
            if "404" in exc.message or "not found" in exc.message.lower():
                return False
            raise
        return True

    async def list_secrets(self) -> list[dict[str, Any]]:
        return (await self.http.json("GET", "/api/secrets"))["secrets"]

    async def set_secret(self, name: str, value: str, *, replace: bool = False) -> bool:
        check_secret(name, value)
        existed = any(s["name"] == name for s in await self.list_secrets())
        if existed and not replace:
            raise AxiomError.of("secret_exists", f'a secret named "{name}" already exists; confirm '
                                                 '"I understand, replace it" to replace its value')
        await self.http.json("PUT", f"/api/secrets/{quote(name, safe='')}", json_body={"value": value})
        return existed

    async def delete_secret(self, name: str) -> bool:
        await self.http.json("DELETE", f"/api/secrets/{quote(name, safe='')}")
        return True

    async def missing_secrets(self) -> list[tuple[str, str]]:
        return []

    async def _unavailable(self, *_args: Any, **_kw: Any) -> Any:
        raise AxiomError.of("console_unavailable", "this page is not offered for a remote backend yet")

    list_configs = set_config = delete_config = effective = usage = _unavailable
