"""API keys through the Runtime facade: :class:`KeyAccess`, a mixin of
:class:`~axiom_ide.runtime.runtime.Runtime`, keeps the key store private (``_api_keys``); every
method but :meth:`authenticate` names the tenant it acts for (None: the runtime's own)."""
from __future__ import annotations

from axiom_ide.runtime.store.apikeys import ApiKey, ApiKeyStore


class KeyAccess:
    tenant_id: str
    _api_keys: ApiKeyStore

    def authenticate(self, raw: str | None) -> ApiKey | None:
        """The live key ``raw`` is (its tenant says whose requests it makes), or None."""
        return self._api_keys.authenticate(raw)

    def list_api_keys(self, *, tenant_id: str | None = None) -> list[ApiKey]:
        """The tenant's live keys (masked), oldest first."""
        return self._api_keys.list(tenant_id=tenant_id or self.tenant_id)

    def create_api_key(self, name: str, *, tenant_id: str | None = None) -> tuple[str, ApiKey]:
        """A new key for the tenant: (the raw key, shown once; its stored row)."""
        return self._api_keys.create(name, tenant_id=tenant_id or self.tenant_id)

    def revoke_api_key(self, name: str, *, tenant_id: str | None = None) -> bool:
        """Revoke the tenant's key ``name`` (its row stays, for audit); False when there is none."""
        return self._api_keys.revoke(name, tenant_id=tenant_id or self.tenant_id)
