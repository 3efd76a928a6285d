"""Compiled artifacts: written once, never updated (immutability is the contract)."""
from __future__ import annotations

import json

from axiom_ide.runtime.compiler.artifact import Artifact
from axiom_ide.runtime.store.db import Database


class ArtifactStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._cache: dict[str, Artifact] = {}
        self._owners: dict[str, str] = {}

    def put(self, artifact: Artifact, *, tenant_id: str = "local") -> None:
        body = json.dumps(artifact.to_json(), separators=(",", ":"))
        with self.db.lock:
            self.db.conn.execute(
                "INSERT INTO artifacts (graph_id, flow_name, mode, created_at, body, tenant_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (artifact.graph_id, artifact.flow_name, artifact.mode, artifact.created_at, body, tenant_id),
            )
        self._cache[artifact.graph_id] = artifact
        self._owners[artifact.graph_id] = tenant_id

    def tenant_of(self, graph_id: str) -> str | None:
        """The tenant that owns ``graph_id``; None when there is no such artifact."""
        owner = self._owners.get(graph_id)
        if owner is None:
            with self.db.lock:
                row = self.db.conn.execute("SELECT tenant_id FROM artifacts WHERE graph_id = ?",
                                           (graph_id,)).fetchone()
            if row is None:
                return None
            owner = self._owners[graph_id] = row["tenant_id"]
        return owner

    def get(self, graph_id: str) -> Artifact | None:
        cached = self._cache.get(graph_id)
        if cached is not None:
            return cached
        with self.db.lock:
            row = self.db.conn.execute("SELECT body FROM artifacts WHERE graph_id = ?", (graph_id,)).fetchone()
        if row is None:
            return None
        artifact = Artifact.from_json(json.loads(row["body"]))
        self._cache[graph_id] = artifact
        return artifact

    def list(self, flow_name: str | None = None, limit: int = 100, *, tenant_id: str | None = None) -> list[dict]:
        """Newest first: graph_id, flow_name, mode, created_at (only ``tenant_id``'s when given)."""
        where, params = [], []
        if flow_name:
            where.append("flow_name = ?")
            params.append(flow_name)
        if tenant_id is not None:
            where.append("tenant_id = ?")
            params.append(tenant_id)
        sql = "SELECT graph_id, flow_name, mode, created_at FROM artifacts"
        sql += (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at DESC LIMIT ?"
        with self.db.lock:
            rows = self.db.conn.execute(sql, (*params, limit)).fetchall()
        return [dict(r) for r in rows]

    def latest(self, flow_name: str, *, tenant_id: str | None = None) -> Artifact | None:
        rows = self.list(flow_name, limit=1, tenant_id=tenant_id)
        return self.get(rows[0]["graph_id"]) if rows else None
