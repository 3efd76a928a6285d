"""LocalConsole: the Console pages' API over an in-process runtime (exposed as ``LocalBackend.console``).

Every method is a coroutine run on the runtime's loop (the app calls it through the bridge like any
other backend call); keys and configs leave as the protocol's values (``ApiKeyView``,
``FlowConfigView`` of ``backends/values.py``), the rest as plain dicts; bad input (a blank or
duplicate key name, ...) raises the stores' ``AxiomError``, whose message the page shows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axiom_ide.backends.local_clients import LocalClients
from axiom_ide.backends.values import ApiKeyView, FlowConfigView
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.memory_texts import check_query
from axiom_ide.runtime.record_rules import MAX_SECRET_BYTES, check_secret  # noqa: F401 (MAX_SECRET_BYTES re-exported)
from axiom_ide.runtime.store.configs import config_exists
from axiom_ide.runtime.usage_report import Usage, usage_report


class LocalMemory:
    """The Console's **Memory** page over the runtime's :class:`MemoryInspector` (the ``axiom-ide
    memory`` verbs' records, as plain dicts); mixed into :class:`LocalConsole`."""

    runtime: Any
    tenant: str

    async def memory_flows(self) -> list[dict[str, Any]]:
        return self.runtime.memory_inspector().flows(self.tenant)

    async def memory_sessions(self, flow_id: str) -> list[dict[str, Any]]:
        return self.runtime.memory_inspector().sessions(self.tenant, flow_id)

    async def memory_session(self, session_id: str, flow_id: str | None = None) -> dict[str, Any] | None:
        return self.runtime.memory_inspector().session(self.tenant, session_id, flow_id)

    async def memory_search(self, flow_id: str, query: str) -> dict[str, Any]:
        return self.runtime.memory_inspector().search(self.tenant, flow_id, check_query(query))

    async def memory_end(self, session_id: str, flow_id: str | None = None) -> bool:
        return bool(self.runtime.memory_inspector().end_session(self.tenant, session_id, flow_id))

    async def memory_delete_session(self, session_id: str, flow_id: str | None = None) -> int:
        return self.runtime.memory_inspector().delete_session(self.tenant, session_id, flow_id)

    async def memory_delete_flow(self, flow_id: str) -> int:
        return self.runtime.memory_inspector().delete_flow(self.tenant, flow_id)


class LocalConsole(LocalMemory, LocalClients):
    """``LocalConsole(runtime, tenant, workspace)``: the tenant's API keys and secrets; ``workspace``
    returns the IDE's current Workspace (for the nodes' ``required_secrets``)."""

    def __init__(self, runtime: Any, tenant: str, workspace: Callable[[], Any] | None = None) -> None:
        self.runtime = runtime
        self.tenant = tenant
        self._workspace = workspace

    # -- API Keys ---------------------------------------------------------------------------------
    async def list_keys(self) -> list[ApiKeyView]:
        """The tenant's active keys (name, masked key, created, last used), oldest first."""
        return [ApiKeyView.from_record(k) for k in self.runtime.list_api_keys(tenant_id=self.tenant)]

    async def create_key(self, name: str) -> tuple[str, ApiKeyView]:
        """Mint a key; returns (the raw 64-hex key — shown once, never stored — and its view)."""
        raw, key = self.runtime.create_api_key(name, tenant_id=self.tenant)
        return raw, ApiKeyView.from_record(key)

    async def revoke_key(self, name: str) -> bool:
        """Revoke now (the server checks keys on every request); False when no active key has that name."""
        return self.runtime.revoke_api_key(name, tenant_id=self.tenant)

    # -- Secrets ----------------------------------------------------------------------------------
    async def list_secrets(self) -> list[dict[str, Any]]:
        """Names with ``created_at``/``updated_at`` (ms); never a value."""
        return self.runtime.list_secrets(tenant_id=self.tenant)

    async def set_secret(self, name: str, value: str, *, replace: bool = False) -> bool:
        """Save ``value`` encrypted under ``name``; an existing name is replaced only with ``replace``
        (the page's **I understand, replace it**). Returns True when a value was replaced. Checked
        before anything is written: nothing is half-saved."""
        check_secret(name, value)
        if not replace and any(s["name"] == name for s in self.runtime.list_secrets(tenant_id=self.tenant)):
            raise AxiomError.of("secret_exists", f'a secret named "{name}" already exists; confirm '
                                                 '"I understand, replace it" to replace its value')
        return self.runtime.set_secret(name, value, tenant_id=self.tenant)

    async def delete_secret(self, name: str) -> bool:
        """Delete now (the next execution no longer sees it); False when there is none of that name."""
        return self.runtime.delete_secret(name, tenant_id=self.tenant)

    async def missing_secrets(self) -> list[tuple[str, str]]:
        """(secret name, ``package@version:Node``) for each workspace node's ``required_secrets`` the
        tenant has not set, sorted."""
        workspace = self._workspace() if self._workspace is not None else None
        if workspace is None:
            return []
        have = {s["name"] for s in self.runtime.list_secrets(tenant_id=self.tenant)}
        missing = set()
        for package in workspace.packages.values():
            for node in package.manifest.nodes:
                for secret in node.required_secrets:
                    if secret not in have:
                        missing.add((secret, f"{package.name}@{package.version}:{node.name}"))
        return sorted(missing)

    # -- Flow Configs -----------------------------------------------------------------------------
    async def list_configs(self, flow_name: str) -> list[FlowConfigView]:
        """The profiles of ``flow_name`` ("" = the tenant's own, not scoped to a flow)."""
        return [FlowConfigView.from_record(c) for c in self.runtime.list_configs(flow_name=flow_name,
                                                                                  tenant_id=self.tenant)]

    async def set_config(self, name: str, *, flow_name: str, node_timeout_seconds: float | None = None,
                         secret_overrides: dict[str, str] | None = None) -> FlowConfigView:
        """Create or update a profile (blank name: ``default``); the store checks every value first."""
        return FlowConfigView.from_record(self.runtime.set_config(
            name.strip() or "default", flow_name=flow_name, node_timeout_seconds=node_timeout_seconds,
            secret_overrides=secret_overrides, tenant_id=self.tenant))

    async def create_config(self, name: str, *, flow_name: str, node_timeout_seconds: float | None = None,
                            secret_overrides: dict[str, str] | None = None) -> FlowConfigView:
        """A new profile (blank name: ``default``); refused (``already_exists``) when the name is taken."""
        name = name.strip() or "default"
        if self.runtime.config(name, flow_name=flow_name, tenant_id=self.tenant) is not None:
            raise config_exists(name, flow_name)
        return await self.set_config(name, flow_name=flow_name, node_timeout_seconds=node_timeout_seconds,
                                     secret_overrides=secret_overrides)

    async def update_config(self, name: str, *, flow_name: str, new_name: str | None = None,
                            node_timeout_seconds: float | None = None, secret_overrides: dict[str, str] | None = None,
                            remove_overrides: tuple[str, ...] = ()) -> FlowConfigView:
        """Edit a profile in one transaction: rename (refused when taken), timeout, overrides set or
        removed; every value is checked before anything is written."""
        if self.runtime.config(name, flow_name=flow_name, tenant_id=self.tenant) is None:
            raise AxiomError.of("not_found", f'no config named "{name}" for {flow_name or "the tenant default"}')
        return FlowConfigView.from_record(self.runtime.set_config(
            name, flow_name=flow_name, node_timeout_seconds=node_timeout_seconds, secret_overrides=secret_overrides,
            remove_overrides=tuple(remove_overrides), rename_to=new_name, tenant_id=self.tenant))

    async def delete_config(self, name: str, *, flow_name: str) -> bool:
        return self.runtime.delete_config(name, flow_name=flow_name, tenant_id=self.tenant)

    async def effective(self, flow_name: str) -> tuple[float, tuple[str, ...]]:
        """The node timeout after the four layers with no profile selected, and the names of the
        secret overrides that apply (values never leave the store)."""
        resolved = self.runtime.config_layers(flow_name, None, tenant_id=self.tenant)
        return resolved.node_timeout_seconds, tuple(sorted(resolved.secrets))

    # -- Usage ------------------------------------------------------------------------------------
    async def usage(self, *, now: float | None = None) -> Usage:
        """The last 30 days' executions (runtime/usage_report.py). The in-process runtime applies
        no daily limits (only a server started with limits does), so it reports no quotas."""
        return usage_report(self.runtime, self.tenant, now=now)

