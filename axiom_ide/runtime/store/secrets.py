"""Secrets: tenant-scoped values encrypted at rest (Fernet), never returned by a read API.

Listing returns names and timestamps only; plaintext leaves this module only through
:meth:`SecretStore.resolve`, which the runtime calls when an execution starts and hands to node
hosts — never to logs or APIs. Neither values nor the master key are ever logged.

Where a data dir's master key lives is decided once, when the data dir gets its first key, and
recorded in the data dir itself, so a later open never guesses:

* ``secret.keyring`` (mode 0600, no secret in it) — the key is in the OS keyring, under the
  service and entry it names, with a fingerprint of the key. Written only after the key was
  stored and read back. If that keyring is later unusable, locked, missing the entry or holding a
  different key, opening fails with ``secret_key_unavailable``: a new key would make every stored
  secret undecryptable.
* ``secret.key`` (mode 0600) — the key itself. Used when no OS keyring answers at first open: the
  ``keyring`` module missing, no recommended backend (keyring's own ``priority >= 1``, so not the
  fail backend nor keyrings.alt's plaintext file), or any keyring error — with only a debug log.
  A keyring that becomes usable later changes nothing: the data dir keeps its file key and stays
  self-contained (a move, copy or backup carries the key with it). Nothing migrates on its own.

Both files at once is never written by this module and is refused (``secret_key_ambiguous``).
Concurrent first opens of one data dir agree on one key: each candidate gets its own keyring entry
and the files are created exclusively, so the loser adopts the winner's key. A data dir whose key
an older version put in the keyring under ``master-key:<data dir>`` with no ``secret.keyring``
adopts that entry instead of making a new key.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.record_rules import SECRET_NAME_RE, check_secret_name  # noqa: F401 (re-exported)
from axiom_ide.runtime.store.db import Database

KEY_FILE = "secret.key"
KEYRING_REF_FILE = "secret.keyring"
KEYRING_SERVICE = "axiom-ide"

log = logging.getLogger(__name__)


def load_master_key(data_dir: Path, *, use_keyring: bool = True) -> tuple[bytes, str]:
    """(key, where) — where is "file" or "keyring". Makes a key only for a data dir that has none.

    ``use_keyring=False`` never touches the keyring: a new data dir gets a key file, and one whose
    key is in the keyring raises ``secret_key_unavailable``.
    """
    data_dir = Path(data_dir)
    key_path, ref_path = data_dir / KEY_FILE, data_dir / KEYRING_REF_FILE
    if key_path.exists() and ref_path.exists():
        raise AxiomError.of(
            "secret_key_ambiguous",
            f"the data dir has both {KEY_FILE} (a master key) and {KEYRING_REF_FILE} (a master key in the "
            f"OS keyring); keep the one its secrets were written with and move the other away",
            file=str(data_dir))
    if key_path.exists():
        return _read_key_file(key_path), "file"
    if ref_path.exists():
        return _key_from_keyring(ref_path, use_keyring=use_keyring), "keyring"
    if use_keyring:
        key = _new_key_in_keyring(data_dir)
        if key is not None:
            return key, "keyring"
    return _new_key_file(key_path), "file"


def _os_keyring() -> tuple[Any, str]:
    """(backend, "") for a recommended keyring backend, else (None, why not)."""
    try:
        import keyring
        from keyring.backends.chainer import ChainerBackend
    except Exception:  # noqa: BLE001 — not installed, or broken
        return None, "the keyring module cannot be imported"
    try:
        backend = keyring.get_keyring()
        # A chainer writes to its first backend; keyring sorts them by priority.
        first = backend.backends[0] if isinstance(backend, ChainerBackend) and backend.backends else backend
        if first.priority >= 1:  # keyring.core.recommended()
            return backend, ""
        return None, f"no recommended keyring backend ({type(first).__module__}.{type(first).__name__})"
    except Exception as e:  # noqa: BLE001 — a backend's priority probe may raise anything
        return None, f"the keyring backend failed ({type(e).__name__})"


def _new_key_in_keyring(data_dir: Path) -> bytes | None:
    """Store a new key (or adopt an older version's entry) in the OS keyring and record it in
    ``secret.keyring``; None when no keyring works, so the caller falls back to the key file."""
    backend, why = _os_keyring()
    if backend is None:
        log.debug("secrets master key: %s; using %s", why, KEY_FILE)
        return None
    legacy_user = f"master-key:{data_dir.resolve()}"
    try:
        value = backend.get_password(KEYRING_SERVICE, legacy_user)
        if value is not None:
            user, made = legacy_user, False
        else:
            # An entry of its own per candidate key: two first opens racing never overwrite each
            # other's key, and the one that creates secret.keyring first decides.
            user, made = f"{legacy_user}#{os.urandom(4).hex()}", True
            value = Fernet.generate_key().decode("ascii")
            backend.set_password(KEYRING_SERVICE, user, value)
            if backend.get_password(KEYRING_SERVICE, user) != value:
                raise RuntimeError("the stored key did not read back")
        key = _checked(value.encode("ascii"), f'keyring entry "{user}"')
    except Exception as e:  # noqa: BLE001 — locked, no D-Bus, denied, ...: any keyring failure
        log.debug("secrets master key: the OS keyring failed (%s); using %s", type(e).__name__, KEY_FILE)
        return None
    ref = {"service": KEYRING_SERVICE, "username": user, "fingerprint": _fingerprint(key)}
    try:
        _create_exclusive(data_dir / KEYRING_REF_FILE, json.dumps(ref, indent=2).encode("utf-8"))
    except FileExistsError:
        if made:
            _forget(backend, user)
        return _key_from_keyring(data_dir / KEYRING_REF_FILE, use_keyring=True)
    except BaseException:
        if made:
            _forget(backend, user)
        raise
    log.debug("secrets master key: stored in the OS keyring as %r", user)
    return key


def _key_from_keyring(ref_path: Path, *, use_keyring: bool) -> bytes:
    try:
        ref = json.loads(ref_path.read_text(encoding="utf-8"))
        service, user, fingerprint = ref["service"], ref["username"], ref["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        raise AxiomError.of("secret_key_unavailable",
                            f"{KEYRING_REF_FILE} cannot be read, so the master key's keyring entry is unknown",
                            file=str(ref_path)) from None

    def unavailable(situation: str) -> AxiomError:
        return AxiomError.of(
            "secret_key_unavailable",
            f'this data dir\'s master key is in the OS keyring (service "{service}", entry "{user}"), but '
            f"{situation}; no new key was made, so its secrets decrypt again once that keyring is back",
            file=str(ref_path))

    if not use_keyring:
        raise unavailable("this runtime was opened with use_keyring=False")
    backend, why = _os_keyring()
    if backend is None:
        raise unavailable(why)
    try:
        value = backend.get_password(service, user)
    except Exception as e:  # noqa: BLE001
        raise unavailable(f"reading it failed ({type(e).__name__}; a locked keyring needs unlocking)") from None
    if value is None:
        raise unavailable("the keyring has no such entry")
    key = _checked(value.encode("ascii", "replace"), f'keyring entry "{user}"')
    if _fingerprint(key) != fingerprint:
        raise unavailable(f"the entry holds a different key than the one {KEYRING_REF_FILE} records")
    return key


def _new_key_file(path: Path) -> bytes:
    key = Fernet.generate_key()
    try:
        _create_exclusive(path, key)
    except FileExistsError:  # a concurrent first open won; use its key
        return _read_key_file(path)
    log.debug("secrets master key: created %s", path)
    return key


def _read_key_file(path: Path) -> bytes:
    return _checked(path.read_bytes().strip(), str(path))


def _checked(key: bytes, source: str) -> bytes:
    try:
        Fernet(key)
    except ValueError:
        raise AxiomError.of("secret_key_unavailable", f"{source} does not hold a valid master key") from None
    return key


def _fingerprint(key: bytes) -> str:
    """Names a key without revealing it, so secret.keyring can tell the keyring entry is the same."""
    return "sha256:" + hashlib.sha256(b"axiom-ide master key\0" + key).hexdigest()[:32]


def _forget(backend: Any, user: str) -> None:
    try:
        backend.delete_password(KEYRING_SERVICE, user)
    except Exception:  # noqa: BLE001 — best effort: an unused entry decrypts nothing
        log.debug("secrets master key: could not delete unused keyring entry %r", user)


def _create_exclusive(path: Path, data: bytes) -> None:
    """Create ``path`` (mode 0600) holding ``data`` or raise FileExistsError. Written aside and
    hard-linked in, so a concurrent reader never sees a half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: exclusive create in place
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
    finally:
        tmp.unlink(missing_ok=True)


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
