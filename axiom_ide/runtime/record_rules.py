"""What a client checks and assumes about stored records before it asks a runtime, local or remote:
the API key name rule and the platform's run defaults. The stores import them from here
(``store/apikeys.py``, ``store/configs.py`` re-export them), so a RemoteBackend applies the same
rule without loading the local store. No store, no I/O."""
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
