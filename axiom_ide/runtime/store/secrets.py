"""Secrets: tenant-scoped values encrypted at rest (Fernet), never returned by a read API.

The master key lives in the OS keyring when the ``keyring`` module is importable and a working
backend answers; otherwise in ``secret.key`` (mode 0600) in the data dir. A key file that already
exists always wins, so a data dir keeps decrypting with the key it was written with. Listing
returns names and timestamps only; plaintext leaves this module only through :meth:`resolve`,
which the runtime calls when an execution starts and hands to node hosts — never to logs or APIs.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store.db import Database

KEY_FILE = "secret.key"
KEYRING_SERVICE = "axiom-ide"
SECRET_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")


def _keyring_key(data_dir: Path) -> bytes | None:
    try:
        import keyring  # type: ignore[import-not-found]
    except Exception:  # noqa: BLE001 — not installed
        return None
    user = f"master-key:{data_dir.resolve()}"
    try:
        value = keyring.get_password(KEYRING_SERVICE, user)
        if value is None:
            value = Fernet.generate_key().decode("ascii")
            keyring.set_password(KEYRING_SERVICE, user, value)
            if keyring.get_password(KEYRING_SERVICE, user) != value:
                return None
        return value.encode("ascii")
    except Exception:  # noqa: BLE001 — no usable backend
        return None


def load_master_key(data_dir: Path, *, use_keyring: bool = True) -> tuple[bytes, str]:
    """(key, where) — where is "file" or "keyring"."""
    path = Path(data_dir) / KEY_FILE
    if path.exists():
        return path.read_bytes().strip(), "file"
    if use_keyring:
        key = _keyring_key(Path(data_dir))
        if key is not None:
            return key, "keyring"
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key, "file"


class SecretBox:
    """Encrypts and decrypts values with the data dir's master key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, value: str) -> bytes:
        return self._fernet.encrypt(value.encode("utf-8"))

    def open(self, token: bytes) -> str:
        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken:
            raise AxiomError.of("secret_key_mismatch",
                                "a stored secret cannot be decrypted with this data dir's master key") from None


def check_secret_name(name: str) -> None:
    if not SECRET_NAME_RE.match(name or ""):
        raise AxiomError.of("invalid_name", f'secret name "{name}" must start with a letter or "_" and '
                            "use letters, digits, \"_\", \".\" or \"-\"")


class SecretStore:
    def __init__(self, db: Database, box: SecretBox) -> None:
        self.db = db
        self.box = box

    def set(self, name: str, value: str, *, tenant_id: str = "local") -> bool:
        """Store or replace; returns True when an existing value was replaced."""
        check_secret_name(name)
        now = time.time()
        with self.db.transaction() as conn:
            existed = conn.execute("SELECT 1 FROM secrets WHERE tenant_id = ? AND name = ?",
                                   (tenant_id, name)).fetchone() is not None
            conn.execute(
                "INSERT INTO secrets (tenant_id, name, value, created_at, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (tenant_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (tenant_id, name, self.box.seal(value), now, now),
            )
            self.db.config_generation += 1
        return existed

    def list(self, *, tenant_id: str = "local") -> list[dict[str, Any]]:
        """Names and timestamps only — never values."""
        with self.db.lock:
            rows = self.db.conn.execute(
                "SELECT name, created_at, updated_at FROM secrets WHERE tenant_id = ? ORDER BY name", (tenant_id,)
            ).fetchall()
        return [{"name": r["name"], "created_at": int(r["created_at"] * 1000),
                 "updated_at": int(r["updated_at"] * 1000)} for r in rows]

    def delete(self, name: str, *, tenant_id: str = "local") -> bool:
        with self.db.transaction() as conn:
            self.db.config_generation += 1
            return conn.execute("DELETE FROM secrets WHERE tenant_id = ? AND name = ?",
                                (tenant_id, name)).rowcount > 0

    def resolve(self, *, tenant_id: str = "local") -> dict[str, str]:
        """Every secret in plaintext, for an execution that is starting. Never log the result."""
        with self.db.lock:
            rows = self.db.conn.execute("SELECT name, value FROM secrets WHERE tenant_id = ?", (tenant_id,)).fetchall()
        return {r["name"]: self.box.open(r["value"]) for r in rows}
