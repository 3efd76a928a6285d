"""Flow ids: the stable 26-character, ULID-form id of a flow (``ax.flow_id``; the ``FLOW ID`` of
``axiom memory ls`` and the ``--flow`` of its verbs, e.g. ``01JX4Q4VJ4N4CW9V1T08CYJWWG`` in
guides/inspect-agent-memory).

The platform assigns a flow its id once. Locally the id is *derived*, the way node ids are
(:func:`axiom_ide.runtime.packages.node_id.derived_id`): the first 128 bits of SHA-256 over
``"flow:<tenant>/<flow name>"`` in Crockford base32 — the same flow of the same tenant has the same
id on every machine, run and compile (its versions share one memory store, as the docs say), and
different flows or tenants get different ids. Agent memory is keyed by it.

Where a flow id is asked for (memory CLI, HTTP, Backend: store/memory_inspect.py) the flow's
*name* is accepted too (:func:`flow_keys`): it names the same flow — its id's rows and any kept
under the name. Memory written before flows had ids was keyed by the name; the flow-id migration
(store/db.py) rewrote those rows to the id, so node code finds them under ``ax.flow_id``.
"""
from __future__ import annotations

import re

from axiom_ide.runtime.packages.node_id import derived_id

#: A flow id exactly as this module writes it (upper-case; a flow name is lower-case kebab).
_FLOW_ID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}\Z")


def flow_id(tenant_id: str, flow_name: str) -> str:
    """The id of ``flow_name`` in ``tenant_id`` ('' for no flow: memory written outside one)."""
    return derived_id(f"flow:{tenant_id}/{flow_name}") if flow_name else ""


def is_flow_id(text: str) -> bool:
    return bool(_FLOW_ID_RE.match(text))


def flow_keys(tenant_id: str, flow: str) -> tuple[str, ...]:
    """The stored ``flow_id`` values a ``--flow`` / ``flow_id`` argument names: an id (or '') itself;
    a flow name its id and the name (memory kept under it: written by an older runtime)."""
    return (flow,) if not flow or is_flow_id(flow) else (flow_id(tenant_id, flow), flow)
