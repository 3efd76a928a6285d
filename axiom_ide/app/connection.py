"""Which backend the window drives: the embedded runtime (**Local**, the default) or a remote Axiom
deployment (**Remote**: a :class:`~axiom_ide.backends.remote.RemoteBackend` over the stored URLs and
key). The mode is a view preference (QSettings); the URLs and the key are in the credentials store
the CLI shares (``backends/credentials.py``: 0600 file, the key in the OS keyring when one answers),
never in QSettings.

Qt-free words and checks, so Settings → Connections (``dialogs/connections.py``) and the window's
title and status bar say the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

LOCAL = "Local"
#: The label of a remote connection: "Remote: <host[:port]>".
REMOTE = "Remote: {host}"

#: Settings → Connections' words for what is missing or wrong before anything is sent.
NO_API_URL = "Enter the API URL (AXIOM_API_URL) of the remote deployment."
BAD_URL = '{what} must start with http:// or https:// and name a host (got "{url}").'
NO_KEY = "Enter the API key (create one in the remote's Console → API Keys)."
#: The remote mode is stored but its credentials are gone.
NO_CREDENTIALS = ('The Remote connection has no stored URL and key; open Settings → Connections and save them '
                  'again. Using Local.')


@dataclass(frozen=True)
class RemoteSettings:
    api_url: str
    ingress_url: str
    key: str


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def label(mode: str, api_url: str | None = None) -> str:
    """"Local" or "Remote: host:port" — what the title and the status bar show."""
    return REMOTE.format(host=host_of(api_url or "")) if mode == "remote" else LOCAL


def check_url(url: str, what: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return BAD_URL.format(what=what, url=url)
    return None


def validate(api_url: str, ingress_url: str, key: str) -> str | None:
    """The first thing wrong with what was typed, in words; None when it can be tried."""
    if not api_url.strip():
        return NO_API_URL
    problem = check_url(api_url.strip(), "The API URL")
    if problem is None and ingress_url.strip():
        problem = check_url(ingress_url.strip(), "The ingress URL")
    if problem is None and not key.strip():
        problem = NO_KEY
    return problem


def whoami_text(who: dict[str, Any]) -> str:
    """The CLI's ``login`` line for a key the remote accepted."""
    name = who.get("email") or who.get("key") or "this key"
    return f"✓ Logged in as {name} (tenant: {who.get('tenant') or 'not reported by this server'})"


def stored_remote() -> RemoteSettings | None:
    """The stored URLs and key, or None (a damaged store raises its AxiomError)."""
    from axiom_ide.backends import credentials

    stored = credentials.load()
    if stored is None or not stored.key:
        return None
    return RemoteSettings(stored.api_url, stored.ingress_url, stored.key)


def remote_backend(settings: RemoteSettings, **kw: Any) -> Any:
    from axiom_ide.backends.remote import RemoteBackend

    return RemoteBackend(settings.api_url, settings.key, ingress_url=settings.ingress_url or None, **kw)


async def check_remote(settings: RemoteSettings) -> dict[str, Any]:
    """Ask the remote who the key is (``whoami``); raises the AxiomError that says why not."""
    backend = remote_backend(settings)
    try:
        return dict(await backend.whoami())
    finally:
        await backend.close()
