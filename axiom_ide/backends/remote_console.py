"""RemoteConsole: the Console pages' API over a remote deployment's management routes (``/api/keys``,
``/api/secrets``, ``/api/memory/...``), exposed as ``RemoteBackend.console``. Same methods and records as
:class:`~axiom_ide.backends.local_console.LocalConsole` for the pages built on it; a refusal (401,
403, 404, 409 ...) is the ``AxiomError`` :mod:`.remote_http` makes of it, which the page shows.
Usage reads ``GET /api/usage`` (server/usage_routes.py, with the daily quota use when the server
runs with limits). Flow Configs are not offered remotely yet: they refuse with ``console_unavailable``."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from axiom_ide.backends.local_console import check_secret
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.apikeys import ApiKey, check_key_name
from axiom_ide.runtime.store.memory_texts import check_query


def _key(d: dict[str, Any], tenant: str) -> ApiKey:
    prefix, _, suffix = (d.get("key") or d.get("masked") or "").partition("…")
    sec = lambda ms: ms / 1000 if ms is not None else None  # noqa: E731
    return ApiKey(d["name"], d.get("tenant") or tenant, prefix if suffix else "", suffix,
                  sec(d["created_at"]) or 0.0, sec(d.get("last_used")))


class RemoteMemory:
    """The Memory page over ``/api/memory/...`` (server/management_tenant.py), the same records as
    :class:`~axiom_ide.backends.local_console.LocalMemory`; mixed into :class:`RemoteConsole`."""

    http: Any

    async def _memory(self, method: str, path: str, flow: str | None = None, **params: Any) -> Any:
        if flow is not None:
            params["flow"] = flow
        return await self.http.json(method, path, params=params or None, missing_ok=True)

    async def memory_flows(self) -> list[dict[str, Any]]:
        return (await self._memory("GET", "/api/memory/flows") or {}).get("flows", [])

    async def memory_sessions(self, flow_id: str) -> list[dict[str, Any]]:
        body = await self._memory("GET", f"/api/memory/flows/{quote(flow_id, safe='')}/sessions")
        return (body or {}).get("sessions", [])

    async def memory_session(self, session_id: str, flow_id: str | None = None) -> dict[str, Any] | None:
        return await self._memory("GET", f"/api/memory/sessions/{quote(session_id, safe='')}", flow_id)

    async def memory_search(self, flow_id: str, query: str) -> dict[str, Any]:
        body = await self._memory("GET", f"/api/memory/flows/{quote(flow_id, safe='')}/search", q=check_query(query))
        return body or {"results": [], "method": "keyword", "latency_ms": 0}

    async def memory_end(self, session_id: str, flow_id: str | None = None) -> bool:
        return await self._memory("POST", f"/api/memory/sessions/{quote(session_id, safe='')}/end",
                                  flow_id) is not None

    async def memory_delete_session(self, session_id: str, flow_id: str | None = None) -> int:
        body = await self._memory("DELETE", f"/api/memory/sessions/{quote(session_id, safe='')}", flow_id)
        return int(body["deleted"]) if body else 0

    async def memory_delete_flow(self, flow_id: str) -> int:
        body = await self._memory("DELETE", f"/api/memory/flows/{quote(flow_id, safe='')}")
        return int(body["deleted"]) if body else 0


class RemoteConsole(RemoteMemory):
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

    list_configs = set_config = delete_config = effective = _unavailable

    async def usage(self) -> Any:
        """The tenant's Usage as ``LocalConsole.usage`` gives it, with ``quotas`` when limits are on."""
        from axiom_ide.runtime.usage_report import Usage

        body = await self.http.json("GET", "/api/usage")
        quotas = body.get("quotas")
        return Usage(body["executions"], body["succeeded"], body["failed"], body.get("avg_duration_ms"),
                     [(d["day"], d["total"], d["succeeded"], d["failed"]) for d in body["days"]],
                     None if quotas is None else {k: (q["used"], q["limit"]) for k, q in quotas.items()},
                     body.get("resets_in_seconds"))

