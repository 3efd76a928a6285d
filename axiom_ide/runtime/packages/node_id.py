"""Node ids: the stable 26-character id a package node is invoked by (``/v1/nodes/{node_ulid}``).

The platform's registry assigns each published node a ULID. Locally there is no registry, so the id
is *derived*: the first 128 bits of SHA-256 over ``"<package>@<version>:<Node>"`` (e.g.
``examples/text@0.1.0:Greet``), written the way a ULID is written — 26 Crockford base32 characters,
the first one ``0``–``7``. The same node of the same package version has the same id on every
machine and every run; any change of package name, version or node name gives a new id. The id is
ULID-*shaped* only: its leading "timestamp" characters carry hash bits, not a time.
"""
from __future__ import annotations

import hashlib
import re

#: Crockford's base32 alphabet (no I, L, O, U), as ULIDs use it.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: A node id as the route accepts it (case-insensitive on input; ids are upper-case).
NODE_ID_PATTERN = r"[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}"
_NODE_ID_RE = re.compile(NODE_ID_PATTERN + r"\Z")


def node_id(package: str, version: str, node: str) -> str:
    """The node id of ``package@version:node`` (e.g. ``node_id("examples/text", "0.1.0", "Greet")``)."""
    return derived_id(f"{package}@{version}:{node}")


def derived_id(text: str) -> str:
    """The first 128 bits of SHA-256 over ``text``, written as a ULID (also flow ids: runtime/flow_ids.py)."""
    digest = hashlib.sha256(text.encode()).digest()
    value = int.from_bytes(digest[:16], "big")
    chars = []
    for _ in range(26):  # 26 × 5 bits = 130 ≥ 128: the first character holds the top 3 bits
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_node_id(text: str) -> bool:
    return bool(_NODE_ID_RE.match(text))
