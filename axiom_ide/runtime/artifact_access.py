"""Compiled artifacts through the Runtime facade: :class:`ArtifactAccess`, a mixin of
:class:`~axiom_ide.runtime.runtime.Runtime`, keeps the artifact store private (``_artifacts``).
Reads name the tenant they read for (None: the runtime's own); another tenant's artifact reads
like a missing one. :meth:`Runtime.artifact` is the raising lookup."""
from __future__ import annotations

from typing import Any

from axiom_ide.runtime.compiler.artifact import Artifact
from axiom_ide.runtime.store.artifacts import ArtifactStore


class ArtifactAccess:
    tenant_id: str
    _artifacts: ArtifactStore

    def store_artifact(self, artifact: Artifact, *, tenant_id: str | None = None) -> None:
        """Store ``artifact`` for the tenant (an existing graph id keeps its row)."""
        self._artifacts.put(artifact, tenant_id=tenant_id or self.tenant_id)

    def find_artifact(self, graph_id: str, *, tenant_id: str | None = None) -> Artifact | None:
        """The tenant's artifact ``graph_id``, or None."""
        if self._artifacts.tenant_of(graph_id) != (tenant_id or self.tenant_id):
            return None
        return self._artifacts.get(graph_id)

    def list_artifacts(self, flow_name: str | None = None, limit: int = 100, *,
                       tenant_id: str | None = None) -> list[dict[str, Any]]:
        """The tenant's artifacts (summaries), newest first; ``flow_name`` narrows to one flow."""
        return self._artifacts.list(flow_name, limit, tenant_id=tenant_id or self.tenant_id)

    def latest_artifact(self, flow_name: str, *, tenant_id: str | None = None) -> Artifact | None:
        """The tenant's newest artifact of ``flow_name``, or None."""
        return self._artifacts.latest(flow_name, tenant_id=tenant_id or self.tenant_id)
