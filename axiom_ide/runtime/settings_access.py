"""Secrets and flow configs through the Runtime facade: :class:`SettingsAccess`, a mixin of
:class:`~axiom_ide.runtime.runtime.Runtime`, keeps both stores private (``_secrets``,
``_configs_store``); every method names the tenant it acts for (None: the runtime's own).
Secret values are write-only here: reads list names, and :meth:`Runtime.resolve_config` decrypts
them only for a run."""
from __future__ import annotations

from typing import Any

from axiom_ide.runtime.store.configs import TENANT, ConfigStore, FlowConfig, Resolved
from axiom_ide.runtime.store.secrets import SecretStore


class SettingsAccess:
    tenant_id: str
    _secrets: SecretStore
    _configs_store: ConfigStore

    # -- secrets ---------------------------------------------------------------------------------
    def set_secret(self, name: str, value: str, *, tenant_id: str | None = None) -> bool:
        """Store (encrypted) the tenant's secret; True when it replaced one."""
        return self._secrets.set(name, value, tenant_id=tenant_id or self.tenant_id)

    def list_secrets(self, *, tenant_id: str | None = None) -> list[dict[str, Any]]:
        """The tenant's secrets by name and timestamps (never values)."""
        return self._secrets.list(tenant_id=tenant_id or self.tenant_id)

    def delete_secret(self, name: str, *, tenant_id: str | None = None) -> bool:
        return self._secrets.delete(name, tenant_id=tenant_id or self.tenant_id)

    # -- flow configs ----------------------------------------------------------------------------
    def set_config(self, name: str = "default", *, flow_name: str = TENANT, tenant_id: str | None = None,
                   **changes: Any) -> FlowConfig:
        """Create or update a config profile (see ``ConfigStore.set`` for the fields)."""
        return self._configs_store.set(name, flow_name=flow_name, tenant_id=tenant_id or self.tenant_id, **changes)

    def config(self, name: str, *, flow_name: str = TENANT, tenant_id: str | None = None) -> FlowConfig | None:
        return self._configs_store.get(name, flow_name=flow_name, tenant_id=tenant_id or self.tenant_id)

    def config_by_id(self, config_id: str, *, tenant_id: str | None = None) -> FlowConfig | None:
        return self._configs_store.by_id(config_id, tenant_id=tenant_id or self.tenant_id)

    def list_configs(self, *, flow_name: str | None = None, tenant_id: str | None = None) -> list[FlowConfig]:
        return self._configs_store.list(flow_name=flow_name, tenant_id=tenant_id or self.tenant_id)

    def delete_config(self, name: str, *, flow_name: str = TENANT, tenant_id: str | None = None) -> bool:
        return self._configs_store.delete(name, flow_name=flow_name, tenant_id=tenant_id or self.tenant_id)

    def config_layers(self, flow_name: str, config_id: str | None = None, *,
                      tenant_id: str | None = None) -> Resolved:
        """The layers a run of ``flow_name`` would merge (secrets not decrypted)."""
        return self._configs_store.resolve(flow_name, config_id, tenant_id=tenant_id or self.tenant_id)
