"""RemoteConsole: the Console pages' API over a remote deployment's management routes (``/api/keys``,
``/api/secrets``, ``/api/memory/...``), exposed as ``RemoteBackend.console``. Same methods and records as
:class:`~axiom_ide.backends.local_console.LocalConsole` for the pages built on it; a refusal (401,
403, 404, 409 ...) is the ``AxiomError`` :mod:`.remote_http` makes of it, which the page shows.
Usage reads ``GET /api/usage`` (server/usage_routes.py, with the daily quota use when the server
runs with limits). Flow Configs go over ``/api/configs`` and ``/api/effective-config``, and the unset
``required_secrets`` are worked out from ``/api/packages`` and ``/api/secrets``. The Client Builder goes
over ``/api/clients/...`` (:mod:`.remote_clients`)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

from axiom_ide.backends.remote_clients import RemoteClients
from axiom_ide.backends.values import ApiKeyView, FlowConfigView, config_from_json, key_from_json
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.memory_texts import check_query
from axiom_ide.runtime.record_rules import check_key_name, check_secret


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


class RemoteConfigs(RemoteMemory):
    """Flow Configs over ``/api/configs`` (server/management_tenant.py), the same ``FlowConfigView``
    values and refusals (409 ``already_exists``, 400 out of range ...) as the local Console."""

    async def list_configs(self, flow_name: str) -> list[FlowConfigView]:
        body = await self.http.json("GET", "/api/configs", params={"flow": flow_name})
        return [config_from_json(c) for c in body["configs"]]

    async def _find(self, name: str, flow_name: str) -> FlowConfigView | None:
        return next((c for c in await self.list_configs(flow_name) if c.name == name), None)

    async def create_config(self, name: str, *, flow_name: str, node_timeout_seconds: float | None = None,
                            secret_overrides: dict[str, str] | None = None) -> FlowConfigView:
        body: dict[str, Any] = {"name": name.strip() or "default", "flow": flow_name or None}
        if node_timeout_seconds is not None:
            body["node_timeout_seconds"] = node_timeout_seconds
        if secret_overrides:
            body["secret_overrides"] = secret_overrides
        return config_from_json(await self.http.json("POST", "/api/configs", json_body=body))

    async def update_config(self, name: str, *, flow_name: str, new_name: str | None = None,
                            node_timeout_seconds: float | None = None, secret_overrides: dict[str, str] | None = None,
                            remove_overrides: tuple[str, ...] = ()) -> FlowConfigView:
        """One ``PATCH``: the server checks every field before it writes (nothing half-saved)."""
        current = await self._find(name, flow_name)
        if current is None:
            raise AxiomError.of("not_found", f'no config named "{name}" for {flow_name or "the tenant default"}')
        body: dict[str, Any] = {}
        if new_name is not None and new_name != name:
            body["rename"] = new_name
        if node_timeout_seconds is not None:
            body["node_timeout_seconds"] = node_timeout_seconds
        if secret_overrides:
            body["secret_overrides"] = secret_overrides
        if remove_overrides:
            body["remove_overrides"] = list(remove_overrides)
        return config_from_json(await self.http.json("PATCH", f"/api/configs/{quote(current.id, safe='')}", json_body=body))

    async def set_config(self, name: str, *, flow_name: str, node_timeout_seconds: float | None = None,
                         secret_overrides: dict[str, str] | None = None) -> FlowConfigView:
        """Create or update (the tenant default's timeout field), as the local Console does."""
        name = name.strip() or "default"
        if await self._find(name, flow_name) is None:
            return await self.create_config(name, flow_name=flow_name, node_timeout_seconds=node_timeout_seconds,
                                            secret_overrides=secret_overrides)
        return await self.update_config(name, flow_name=flow_name, node_timeout_seconds=node_timeout_seconds,
                                        secret_overrides=secret_overrides)

    async def delete_config(self, name: str, *, flow_name: str) -> bool:
        current = await self._find(name, flow_name)
        if current is None:
            return False
        await self.http.json("DELETE", f"/api/configs/{quote(current.id, safe='')}", missing_ok=True)
        return True

    async def effective(self, flow_name: str) -> tuple[float, tuple[str, ...]]:
        body = await self.http.json("GET", "/api/effective-config", params={"flow": flow_name} if flow_name else None)
        return float(body["node_timeout_seconds"]), tuple(body["secret_overrides"])


class RemoteSecrets:
    """Secrets over ``/api/secrets``; mixed into :class:`RemoteConsole`."""

    http: Any

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
        """(secret name, ``package@version:Node``) for each of the remote's nodes' ``required_secrets``
        the tenant has not set there, sorted (the same records as the local Console's)."""
        have = {s["name"] for s in await self.list_secrets()}
        packages = (await self.http.json("GET", "/api/packages"))["packages"]
        return sorted({(secret, node["ref"]) for package in packages for node in package["nodes"]
                       for secret in node.get("required_secrets") or () if secret not in have})


class RemoteConsole(RemoteConfigs, RemoteSecrets, RemoteClients):
    """The Console pages' API over a remote's management routes (``RemoteBackend.console``)."""

    def __init__(self, http: Any) -> None:
        self.http = http

    async def list_keys(self) -> list[ApiKeyView]:
        body = await self.http.json("GET", "/api/keys")
        return [key_from_json(k) for k in body["keys"]]

    async def create_key(self, name: str) -> tuple[str, ApiKeyView]:
        name = check_key_name(name)
        body = await self.http.json("POST", "/api/keys", json_body={"name": name})
        return body["key"], key_from_json(body)

    async def revoke_key(self, name: str) -> bool:
        try:
            await self.http.json("DELETE", f"/api/keys/{quote(name, safe='')}")
        except AxiomError as exc:
            if "404" in exc.message or "not found" in exc.message.lower():
                return False
            raise
        return True

    async def usage(self) -> Any:
        """The tenant's Usage as ``LocalConsole.usage`` gives it, with ``quotas`` when limits are on."""
        from axiom_ide.runtime.usage_report import Usage

        body = await self.http.json("GET", "/api/usage")
        quotas = body.get("quotas")
        return Usage(body["executions"], body["succeeded"], body["failed"], body.get("avg_duration_ms"),
                     [(d["day"], d["total"], d["succeeded"], d["failed"]) for d in body["days"]],
                     None if quotas is None else {k: (q["used"], q["limit"]) for k, q in quotas.items()},
                     body.get("resets_in_seconds"))
