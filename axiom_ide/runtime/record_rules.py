"""What a client checks and assumes about stored records before it asks a runtime, local or remote:
the API key and secret name rules, the Console's secret size cap and the platform's run
defaults. The stores import them from here (``store/apikeys.py``, ``store/secrets.py``,
``store/configs.py`` re-export them), so a RemoteBackend applies the same rules without loading
the local store. No store, no I/O."""
from __future__ import annotations

import re

from axiom_ide.runtime.errors import AxiomError

#: The node timeout and attempts when no config layer sets them (guides/flow-configs).
PLATFORM_NODE_TIMEOUT = 300.0
PLATFORM_MAX_ATTEMPTS = 1

MAX_NAME_LENGTH = 64
#: A key name as given: at most MAX_NAME_LENGTH characters, no control characters, not all blank
#: (the HTTP API's schema publishes exactly this pattern).
KEY_NAME_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"


def check_key_name(name: str) -> str:
    """``name`` stripped; raises ``invalid_key_name`` when blank, too long or not printable."""
    raw = name or ""
    if not raw.strip():
        raise AxiomError.of("invalid_key_name", "a key name is required")
    if len(raw) > MAX_NAME_LENGTH or not re.fullmatch(KEY_NAME_PATTERN, raw):
        raise AxiomError.of("invalid_key_name", f"a key name is at most {MAX_NAME_LENGTH} printable characters")
    return raw.strip()


SECRET_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")
#: The largest secret value the Console saves (a credential, not a file): 64 KiB of UTF-8.
MAX_SECRET_BYTES = 64 * 1024


def check_secret_name(name: str) -> None:
    if not SECRET_NAME_RE.match(name or ""):
        raise AxiomError.of("invalid_name", f'secret name "{name}" must start with a letter or "_" and '
                            "use letters, digits, \"_\", \".\" or \"-\"")


def check_secret(name: str, value: str) -> None:
    """A secret's name and value as the Console pages accept them (local and remote alike)."""
    check_secret_name(name)
    if not value:
        raise AxiomError.of("invalid_value", f'secret "{name}" needs a value')
    size = len(value.encode("utf-8"))
    if size > MAX_SECRET_BYTES:
        raise AxiomError.of("secret_too_large", f'secret "{name}" is {size} bytes; a secret value is at most '
                                                f"{MAX_SECRET_BYTES} bytes")
