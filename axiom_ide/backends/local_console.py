"""LocalConsole: the Console pages' API over an in-process runtime (exposed as ``LocalBackend.console``).

Every method is a coroutine run on the runtime's loop (the app calls it through the bridge like any
other backend call); each returns plain records (the stores' own dataclasses) and raises the stores'
``AxiomError`` for bad input (a blank or duplicate key name, ...), whose message the page shows.
"""
from __future__ import annotations

from typing import Any


class LocalConsole:
    """``LocalConsole(runtime, tenant)``: the tenant's API keys (more pages follow)."""

    def __init__(self, runtime: Any, tenant: str) -> None:
        self.runtime = runtime
        self.tenant = tenant

    # -- API Keys ---------------------------------------------------------------------------------
    async def list_keys(self) -> list[Any]:
        """The tenant's active keys (``ApiKey``: name, masked key, created, last used), oldest first."""
        return self.runtime.api_keys.list(tenant_id=self.tenant)

    async def create_key(self, name: str) -> tuple[str, Any]:
        """Mint a key; returns (the raw 64-hex key — shown once, never stored — and its record)."""
        return self.runtime.api_keys.create(name, tenant_id=self.tenant)

    async def revoke_key(self, name: str) -> bool:
        """Revoke now (the server checks keys on every request); False when no active key has that name."""
        return self.runtime.api_keys.revoke(name, tenant_id=self.tenant)
