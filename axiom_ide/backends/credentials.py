"""Where the remote's URLs and API key are kept: the one store the CLI (``axiom-ide login``) and the
IDE (Settings → Connections) share.

``credentials.json`` in the user config dir (platformdirs; ``AXIOM_IDE_CONFIG_DIR`` overrides),
written atomically with owner-only 0600 permissions — the config-dir equivalent of the docs'
``~/.axiom/credentials``. When a recommended OS keyring answers, the key goes there (service
``axiom-ide``, user = the API URL) and the file says ``"key_in": "keyring"`` instead of holding it;
otherwise the key is in the file. Reading a damaged file is an error naming it, never silently {}.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError

log = logging.getLogger(__name__)

CREDENTIALS = "credentials.json"
KEYRING_SERVICE = "axiom-ide"


def config_dir() -> Path:
    value = os.environ.get("AXIOM_IDE_CONFIG_DIR")
    if value:
        return Path(value)
    import platformdirs

    return Path(platformdirs.user_config_dir("axiom-ide", "Axiom"))


def credentials_path() -> Path:
    return config_dir() / CREDENTIALS


@dataclass(frozen=True)
class Credentials:
    api_url: str
    ingress_url: str
    key: str | None
    #: "file" or "keyring": where the key is kept.
    key_in: str = "file"


def stored_credentials() -> dict[str, Any]:
    """What was stored (``api_url``, ``ingress_url``, ``key`` — read back from the keyring when it
    is kept there), or {} when nothing was."""
    path = credentials_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise AxiomError.of("invalid_credentials", f'{path}: cannot read the stored credentials ({exc}); '
                            'run "axiom-ide login" again', file=str(path)) from None
    if not isinstance(data, dict):
        return {}
    if data.get("key_in") == "keyring" and not data.get("key"):
        data["key"] = _keyring_get(str(data.get("api_url") or ""))
    return data


def load() -> Credentials | None:
    data = stored_credentials()
    if not data.get("api_url"):
        return None
    api = str(data["api_url"])
    return Credentials(api, str(data.get("ingress_url") or api), data.get("key"), str(data.get("key_in") or "file"))


def save(api_url: str, ingress_url: str, key: str) -> Credentials:
    """Store the URLs and the key (the keyring when one answers, else the 0600 file); atomic."""
    from axiom_ide.runtime.fileio import atomic_write_text

    api_url, ingress_url = api_url.rstrip("/"), (ingress_url or api_url).rstrip("/")
    where = "keyring" if _keyring_set(api_url, key) else "file"
    body: dict[str, Any] = {"api_url": api_url, "ingress_url": ingress_url}
    body.update({"key_in": "keyring"} if where == "keyring" else {"key": key})
    path = credentials_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(body, indent=2) + "\n", mode=0o600)
    return Credentials(api_url, ingress_url, key, where)


def _keyring() -> Any:
    from axiom_ide.runtime.store.secrets import _os_keyring  # the one "does a keyring answer" probe

    backend, why = _os_keyring()
    if backend is None:
        log.debug("credentials: %s; the key goes in %s", why, CREDENTIALS)
    return backend


def _keyring_set(api_url: str, key: str) -> bool:
    backend = _keyring()
    if backend is None:
        return False
    try:
        backend.set_password(KEYRING_SERVICE, api_url, key)
        return bool(backend.get_password(KEYRING_SERVICE, api_url) == key)
    except Exception as exc:  # noqa: BLE001 — locked, no D-Bus, denied: the file it is
        log.debug("credentials: the OS keyring failed (%s)", type(exc).__name__)
        return False


def _keyring_get(api_url: str) -> str | None:
    backend = _keyring()
    try:
        value = backend.get_password(KEYRING_SERVICE, api_url) if backend is not None else None
    except Exception as exc:  # noqa: BLE001
        log.debug("credentials: the OS keyring failed (%s)", type(exc).__name__)
        value = None
    if value is None:
        raise AxiomError.of("invalid_credentials", f'the API key for {api_url} is not in the OS keyring any more; '
                            'run "axiom-ide login" again (or save it in Settings → Connections)')
    return str(value)
