"""API keys: 64-hex bearer keys, shown once; only their SHA-256 is stored.

A key resolves to its tenant. Revocation is checked on every lookup (no cache), so a revoked key
fails on its very next use. ``last_used`` is written at most once a minute per key, so a burst of
requests costs one write, not one per request (guides/api-keys: "updated at most once per minute").
"""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.record_rules import KEY_NAME_PATTERN, MAX_NAME_LENGTH, check_key_name  # noqa: F401 — re-exported
from axiom_ide.runtime.store.db import Database

#: A raw key: 64 lowercase hex characters (match with ``fullmatch``: ``$`` would allow a newline).
KEY_RE = re.compile(r"[0-9a-f]{64}")
#: Seconds between two writes of a key's ``last_used``.
LAST_USED_INTERVAL = 60.0


@dataclass(frozen=True)
class ApiKey:
    #: Unique among the tenant's active keys (``ci``, ``laptop``, ``cli``); revoked keys keep theirs.
    name: str
    #: The tenant every request made with this key acts as.
    tenant_id: str
    #: First 8 and last 4 characters of the raw key (empty for keys minted before masking existed).
    prefix: str
    suffix: str
    #: Unix seconds.
    created_at: float
    #: Unix seconds of a recent use (written at most once a minute), or None when never used.
    last_used: float | None
    revoked_at: float | None = None

    @property
    def masked(self) -> str:
        """First 8 characters, an ellipsis, the last 4 (``a1b2c3d4…9f0e``)."""
        return f"{self.prefix}…{self.suffix}" if self.prefix else "—"

    def to_json(self) -> dict:
        """The list shape (CLI ``--json`` and ``GET /api/keys``): never the key itself."""
        ms = lambda t: int(t * 1000) if t is not None else None  # noqa: E731
        return {"name": self.name, "key": self.masked, "created_at": ms(self.created_at),
                "last_used": ms(self.last_used)}


def created_json(raw: str, key: ApiKey) -> dict:
    """A new key as ``keys create --json`` and ``POST /api/keys`` show it: the raw ``key``, this once."""
    return {"name": key.name, "tenant": key.tenant_id, "key": raw, "masked": key.masked,
            "created_at": int(key.created_at * 1000)}


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


class ApiKeyStore:
    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        #: Unix seconds now; injectable so the last-used throttle is testable without waiting.
        self.clock = clock

    def create(self, name: str, *, tenant_id: str = "local") -> tuple[str, ApiKey]:
        """Mint a key named ``name``; returns (raw key — never retrievable again, its record)."""
        name = check_key_name(name)
        if not tenant_id or not tenant_id.isprintable() or tenant_id != tenant_id.strip():
            raise AxiomError.of("invalid_tenant", f'tenant "{tenant_id}" is not a valid tenant id')
        raw = secrets.token_hex(32)
        now = self.clock()
        with self.db.transaction() as conn:
            # A revoked key's name may be reused; its row stays (revoked) for the audit trail.
            active = conn.execute("SELECT 1 FROM api_keys WHERE tenant_id = ? AND name = ? AND revoked_at IS NULL",
                                  (tenant_id, name)).fetchone()
            if active is not None:
                raise AxiomError.of("key_exists", f'an API key named "{name}" already exists; '
                                                  "revoke it first or pick another name")
            conn.execute(
                "INSERT INTO api_keys (name, tenant_id, key_hash, prefix, suffix, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (name, tenant_id, hash_key(raw), raw[:8], raw[-4:], now))
        return raw, ApiKey(name, tenant_id, raw[:8], raw[-4:], now, None)

    def list(self, *, tenant_id: str | None = "local", include_revoked: bool = False) -> list[ApiKey]:
        sql, params = "SELECT * FROM api_keys WHERE 1 = 1", []
        if tenant_id is not None:
            sql += " AND tenant_id = ?"
            params.append(tenant_id)
        if not include_revoked:
            sql += " AND revoked_at IS NULL"
        with self.db.lock:
            rows = self.db.conn.execute(sql + " ORDER BY created_at, name", params).fetchall()
        return [_key(r) for r in rows]

    def revoke(self, name: str, *, tenant_id: str = "local") -> bool:
        """Revoke now; False when the tenant has no active key of that name."""
        name = (name or "").strip()
        with self.db.transaction() as conn:
            return conn.execute("UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND name = ? "
                                "AND revoked_at IS NULL", (self.clock(), tenant_id, name)).rowcount > 0

    def authenticate(self, raw: str | None) -> ApiKey | None:
        """The active key ``raw`` names, or None (missing, malformed, unknown or revoked)."""
        if not raw or not KEY_RE.fullmatch(raw):
            return None
        digest = hash_key(raw)
        with self.db.lock:
            row = self.db.conn.execute("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
                                       (digest,)).fetchone()
        if row is None:
            return None
        key = _key(row)
        now = self.clock()
        if key.last_used is None or now - key.last_used >= LAST_USED_INTERVAL:
            with self.db.transaction() as conn:
                conn.execute("UPDATE api_keys SET last_used = ? WHERE key_hash = ?", (now, digest))
            key = replace(key, last_used=now)
        return key


def _key(row) -> ApiKey:
    return ApiKey(row["name"], row["tenant_id"], row["prefix"], row["suffix"], row["created_at"],
                  row["last_used"], row["revoked_at"])
