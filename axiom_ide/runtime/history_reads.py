"""Tenant-checked reads of the run history: what callers outside the runtime may see of
executions, their events and their checkpoints.

:class:`HistoryReads` is a mixin of :class:`~axiom_ide.runtime.runtime.Runtime`: the stores stay
private (``_executions``, ``_event_log``, ``_checkpoints``) and every read here names the tenant
it reads for (None: the runtime's own tenant). Another tenant's execution reads exactly like a
missing one: ``execution_not_found``.
"""
from __future__ import annotations

import builtins
from typing import Any

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.checkpoints import Checkpoint, CheckpointStore
from axiom_ide.runtime.store.events import EventRecord, EventStore
from axiom_ide.runtime.store.executions import ExecutionRecord, ExecutionStore

NOT_FOUND = "execution not found"


class HistoryReads:
    tenant_id: str
    _executions: ExecutionStore
    _event_log: EventStore
    _checkpoints: CheckpointStore

    def find_execution(self, execution_id: str, *, tenant_id: str | None = None) -> ExecutionRecord | None:
        """The execution, or None when it does not exist or belongs to another tenant."""
        rec = self._executions.get(execution_id)
        return rec if rec is not None and rec.tenant_id == (tenant_id or self.tenant_id) else None

    def operator_execution(self, execution_id: str) -> ExecutionRecord | None:
        """Any tenant's execution: only for the data dir's operator (``flow resume`` reports every
        execution it continued), never on a request's behalf."""
        return self._executions.get(execution_id)

    def execution(self, execution_id: str, tenant_id: str | None = None) -> ExecutionRecord:
        """The execution; raises ``execution_not_found`` when it is missing or another tenant's."""
        rec = self.find_execution(execution_id, tenant_id=tenant_id)
        if rec is None:
            raise AxiomError.of("execution_not_found", NOT_FOUND)
        return rec

    def list_executions(self, *, status: str | None = None, flow_name: str | None = None,
                        tenant_id: str | None = None, limit: int = 100,
                        offset: int = 0) -> builtins.list[ExecutionRecord]:
        """The tenant's executions, newest first."""
        return self._executions.list(status=status, flow_name=flow_name, tenant_id=tenant_id or self.tenant_id,
                                     limit=limit, offset=offset)

    def executions_page(self, *, tenant_id: str | None = None, **filters: Any) -> builtins.list[ExecutionRecord]:
        """One keyset page of the tenant's executions (filters: see ``ExecutionStore.page``)."""
        return self._executions.page(tenant_id=tenant_id or self.tenant_id, **filters)

    def forks(self, execution_id: str, *, tenant_id: str | None = None) -> builtins.list[ExecutionRecord]:
        """The executions forked from ``execution_id`` (which must be the tenant's)."""
        rec = self.execution(execution_id, tenant_id)
        return [child for child in self._executions.children(rec.id) if child.tenant_id == rec.tenant_id]

    def execution_events(self, execution_id: str, *, tenant_id: str | None = None,
                         **filters: Any) -> builtins.list[EventRecord]:
        """The execution's stored events (filters: ``after_seq``, ``node``, ``types``, ``limit``)."""
        return self._event_log.list(self.execution(execution_id, tenant_id).id, **filters)

    def execution_checkpoints(self, execution_id: str, *, tenant_id: str | None = None) -> builtins.list[Checkpoint]:
        """The execution's checkpoints in step order (expired ones keep their row)."""
        return self._checkpoints.list(self.execution(execution_id, tenant_id).id)

    def executions_change_token(self, *, tenant_id: str | None = None) -> str:
        """A cheap fingerprint of the tenant's executions that moves on every create and update,
        including other processes' on the same data dir (it reads the database)."""
        return self._executions.change_token(tenant_id or self.tenant_id)

    def checkpoint(self, checkpoint_id: str, *, tenant_id: str | None = None) -> Checkpoint | None:
        """A checkpoint by id, or None when missing or its execution is another tenant's."""
        cp = self._checkpoints.get(checkpoint_id)
        if cp is None or self.find_execution(cp.execution_id, tenant_id=tenant_id) is None:
            return None
        return cp
