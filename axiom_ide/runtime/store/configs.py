"""Flow configs: named profiles of run parameters and secret overrides, and their resolution.

A config with ``flow_name == ""`` is tenant-wide; the tenant-wide one named ``default`` is the
*tenant default*. At invocation the layers merge parameter by parameter, later winning
(guides/flow-configs): platform defaults → tenant default → the flow's ``default`` profile → the
selected profile (when it is not ``default``). Selecting a profile *by id* applies it directly on
top of the tenant default (the flow default is not layered in between). Secret overrides merge over
the tenant's secrets along the same layers; their values are encrypted like secrets and never read
back through this API (only their names).
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.record_rules import PLATFORM_MAX_ATTEMPTS, PLATFORM_NODE_TIMEOUT
from axiom_ide.runtime.store.db import Database
from axiom_ide.runtime.store.secrets import SecretBox, check_secret_name

TENANT = ""


@dataclass(frozen=True)
class FlowConfig:
    id: str
    tenant_id: str
    #: "" for a tenant-wide config.
    flow_name: str
    name: str
    node_timeout_seconds: float | None
    max_attempts: int | None
    #: Names of the secret overrides (values are write-only).
    secret_overrides: tuple[str, ...]
    created_at: float
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "flow": self.flow_name or None, "name": self.name,
                "node_timeout_seconds": self.node_timeout_seconds, "max_attempts": self.max_attempts,
                "secret_overrides": list(self.secret_overrides),
                "created_at": int(self.created_at * 1000), "updated_at": int(self.updated_at * 1000)}


@dataclass(frozen=True)
class Resolved:
    node_timeout_seconds: float
    max_attempts: int
    secrets: dict[str, str]
    #: Ids of the configs applied, in layer order.
    layers: tuple[str, ...]
    config_id: str | None = None


def config_exists(name: str, flow_name: str) -> AxiomError:
    """The refusal of a second config of one name in one scope (a create or a rename; HTTP 409)."""
    scope = f'flow "{flow_name}"' if flow_name else "the tenant default"
    return AxiomError.of("already_exists", f'a config named "{name}" already exists for {scope}')


def _valid_timeout(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if 1 <= v <= 3600 else None


def _valid_attempts(value: Any) -> int | None:
    try:
        v = int(value)
    except (TypeError, ValueError):
        return None
    return v if 1 <= v <= 100 else None


class ConfigStore:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self.db = db
        self.box = box

    def set(self, name: str = "default", *, flow_name: str = TENANT, node_timeout_seconds: float | None = None,
            max_attempts: int | None = None, secret_overrides: dict[str, str] | None = None,
            remove_overrides: tuple[str, ...] = (), tenant_id: str = "local",
            rename_to: str | None = None) -> FlowConfig:
        """Create or update (``None`` keeps a field as it is); ``rename_to`` renames an existing
        config in the same transaction (refused before anything is written when the name is taken)."""
        name = name or "default"
        if rename_to is not None:
            rename_to = rename_to.strip()
            if not rename_to:
                raise AxiomError.of("invalid_config", "a config needs a name")
            if rename_to != name and self.get(rename_to, flow_name=flow_name, tenant_id=tenant_id) is not None:
                raise config_exists(rename_to, flow_name)
        if node_timeout_seconds is not None and _valid_timeout(node_timeout_seconds) is None:
            raise AxiomError.of("invalid_config", "node_timeout_seconds must be between 1 and 3600")
        if max_attempts is not None and _valid_attempts(max_attempts) is None:
            raise AxiomError.of("invalid_config", "max_attempts must be between 1 and 100")
        for key in secret_overrides or {}:
            check_secret_name(key)
        now = time.time()
        current = self.get(name, flow_name=flow_name, tenant_id=tenant_id)
        with self.db.transaction() as conn:
            if current is None:
                config_id = uuid.uuid4().hex
                conn.execute(
                    "INSERT INTO flow_configs (id, tenant_id, flow_name, name, node_timeout_seconds, max_attempts, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (config_id, tenant_id, flow_name, name, node_timeout_seconds, max_attempts, now, now))
            else:
                config_id = current.id
                conn.execute(
                    "UPDATE flow_configs SET node_timeout_seconds = ?, max_attempts = ?, updated_at = ? WHERE id = ?",
                    (node_timeout_seconds if node_timeout_seconds is not None else current.node_timeout_seconds,
                     max_attempts if max_attempts is not None else current.max_attempts, now, config_id))
                if rename_to and rename_to != name:
                    conn.execute("UPDATE flow_configs SET name = ? WHERE id = ?", (rename_to, config_id))
            for key, value in (secret_overrides or {}).items():
                conn.execute("INSERT OR REPLACE INTO config_secret_overrides (config_id, name, value) VALUES (?, ?, ?)",
                             (config_id, key, self.box.seal(value)))
            for key in remove_overrides:
                conn.execute("DELETE FROM config_secret_overrides WHERE config_id = ? AND name = ?", (config_id, key))
            self.db.config_generation += 1
        return self.by_id(config_id, tenant_id=tenant_id)  # type: ignore[return-value]

    def _from_row(self, row) -> FlowConfig:
        with self.db.lock:
            names = [r[0] for r in self.db.conn.execute(
                "SELECT name FROM config_secret_overrides WHERE config_id = ? ORDER BY name", (row["id"],))]
        return FlowConfig(row["id"], row["tenant_id"], row["flow_name"], row["name"], row["node_timeout_seconds"],
                          row["max_attempts"], tuple(names), row["created_at"], row["updated_at"])

    def by_id(self, config_id: str, *, tenant_id: str = "local") -> FlowConfig | None:
        with self.db.lock:
            row = self.db.conn.execute("SELECT * FROM flow_configs WHERE id = ? AND tenant_id = ?",
                                       (config_id, tenant_id)).fetchone()
        return self._from_row(row) if row else None

    def get(self, name: str, *, flow_name: str = TENANT, tenant_id: str = "local") -> FlowConfig | None:
        with self.db.lock:
            row = self.db.conn.execute(
                "SELECT * FROM flow_configs WHERE tenant_id = ? AND flow_name = ? AND name = ?",
                (tenant_id, flow_name, name)).fetchone()
        return self._from_row(row) if row else None

    def list(self, *, flow_name: str | None = None, tenant_id: str = "local") -> list[FlowConfig]:
        sql, params = "SELECT * FROM flow_configs WHERE tenant_id = ?", [tenant_id]
        if flow_name is not None:
            sql += " AND flow_name = ?"
            params.append(flow_name)
        with self.db.lock:
            rows = self.db.conn.execute(sql + " ORDER BY flow_name, name", params).fetchall()
        return [self._from_row(r) for r in rows]

    def delete(self, name: str, *, flow_name: str = TENANT, tenant_id: str = "local") -> bool:
        with self.db.transaction() as conn:
            self.db.config_generation += 1
            return conn.execute("DELETE FROM flow_configs WHERE tenant_id = ? AND flow_name = ? AND name = ?",
                                (tenant_id, flow_name, name)).rowcount > 0

    def _overrides(self, config_id: str) -> dict[str, str]:
        with self.db.lock:
            rows = self.db.conn.execute("SELECT name, value FROM config_secret_overrides WHERE config_id = ?",
                                        (config_id,)).fetchall()
        return {r["name"]: self.box.open(r["value"]) for r in rows}

    def resolve(self, flow_name: str, config_id: str | None = None, *, secrets: dict[str, str] | None = None,
                tenant_id: str = "local") -> Resolved:
        """Merge the layers for one invocation (see the module docstring)."""
        tenant_default = self.get("default", flow_name=TENANT, tenant_id=tenant_id)
        flow_default = self.get("default", flow_name=flow_name, tenant_id=tenant_id) if flow_name else None
        layers: list[FlowConfig | None] = [tenant_default]
        if config_id:
            by_id = self.by_id(config_id, tenant_id=tenant_id)
            if by_id is not None and by_id.flow_name in (flow_name, TENANT):
                layers.append(by_id)  # by id: straight on top of the tenant default
            else:
                selected = self.get(config_id, flow_name=flow_name, tenant_id=tenant_id)
                if selected is None:
                    raise AxiomError.of("config_not_found",
                                        f'config "{config_id}" not found for flow "{flow_name}"')
                layers.append(flow_default)
                if selected.name != "default":
                    layers.append(selected)
        else:
            layers.append(flow_default)
        timeout, attempts = PLATFORM_NODE_TIMEOUT, PLATFORM_MAX_ATTEMPTS
        merged = dict(secrets or {})
        applied: list[str] = []
        for layer in layers:
            if layer is None:
                continue
            applied.append(layer.id)
            timeout = _valid_timeout(layer.node_timeout_seconds) or timeout
            attempts = _valid_attempts(layer.max_attempts) or attempts
            merged.update(self._overrides(layer.id))
        return Resolved(timeout, attempts, merged, tuple(applied), config_id)
