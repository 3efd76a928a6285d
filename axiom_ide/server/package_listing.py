"""The rows of ``GET /api/packages`` (what ``axiom-ide search`` and ``info`` read): one per package
version, its manifest (description, author, license, tags, nodes), the messages its protos define,
where it comes from (``visibility``: ``workspace`` — the server's own workspace, ``private`` — the
caller's push, ``public`` — published), when it was pushed and published (the registry's records;
null for a workspace package, which is neither), and its deploy status.

The deploy status is what is true on this server, derived from the package tree the node routes
serve — the same resolution :class:`~axiom_ide.runtime.engine.single_node.NodeDirectory` does for
``/invocations/v1/nodes/...``: ``deployed`` when every node its axiom.yaml declares resolves (its
input and output messages compile, its handler file is there), so each answers at its endpoint;
``failed`` when one does not (``deploy_detail`` names which and why); ``not deployed`` for a
proto-only package (nothing to run: its messages are for importing).
"""
from __future__ import annotations

import threading
from typing import Any

DEPLOYED, FAILED, NOT_DEPLOYED = "deployed", "failed", "not deployed"
DEPLOY_STATUSES = (DEPLOYED, FAILED, NOT_DEPLOYED)
WORKSPACE = "workspace"


def deploy_status(pkg: Any) -> tuple[str, str | None]:
    """(status, detail) of a loaded Package; the detail is None when deployed."""
    declared = pkg.manifest.nodes
    if pkg.manifest.is_proto_only:  # `type: proto-only` or no nodes: built and deployed never
        return NOT_DEPLOYED, "proto-only: no nodes to deploy, its messages are for importing"
    root = str(pkg.root)
    try:
        specs, problems = pkg.try_nodes()
    except Exception as exc:  # noqa: BLE001 - any failure to load it is a failed deploy, said as is
        return FAILED, str(exc).replace(root, pkg.key)
    reasons = [d.message.replace(root, pkg.key) for d in problems]
    answering = 0
    for spec in specs:
        if spec.source_file.is_file():
            answering += 1
        else:
            reasons.append(f'node "{spec.name}": its handler nodes/{spec.source_file.name} is missing')
    if answering == len(declared) and not reasons:
        return DEPLOYED, None
    return FAILED, f"{answering} of {len(declared)} nodes answer: " + "; ".join(reasons)


_STORED: dict[tuple[str, float, str], tuple[str, str | None]] = {}
_STORED_LOCK = threading.Lock()


def stored_status(pkg: Any, entry: Any) -> tuple[str, str | None]:
    """:func:`deploy_status` of a registry tree, once per push: a deployed tree is never edited (a
    push of the same version again renames a new tree in, with a new ``pushed_at``)."""
    key = (str(pkg.root), float(entry.pushed_at), str(entry.visibility))
    with _STORED_LOCK:
        known = _STORED.get(key)
    if known is None:
        known = deploy_status(pkg)
        with _STORED_LOCK:
            if len(_STORED) >= 4096:
                _STORED.clear()
            _STORED[key] = known
    return known


def package_row(pkg: Any, entry: Any = None) -> dict[str, Any]:
    """The row of ``pkg`` (a loaded Package); ``entry`` is its registry record (None: a package of
    the server's workspace)."""
    from axiom_ide.runtime.registry.store import proto_files
    from axiom_ide.server.registry_models import millis

    m = pkg.manifest
    try:
        messages = [name for f in proto_files(pkg.root) for name in f["messages"]]
    except (OSError, UnicodeDecodeError):
        messages = []
    status, detail = deploy_status(pkg) if entry is None else stored_status(pkg, entry)
    return {"name": pkg.name, "version": pkg.version, "key": pkg.key, "language": m.language,
            "description": m.description, "author": m.author or "", "license": m.license or "", "tags": list(m.tags),
            "nodes": [{"name": n.name, "ref": f"{pkg.key}:{n.name}", "type": n.type or "unary",
                       "description": n.description, "input": n.input, "output": n.output,
                       "required_secrets": list(n.required_secrets)} for n in m.nodes],
            "messages": messages,
            "visibility": entry.visibility if entry is not None else WORKSPACE,
            "pushed_at": millis(entry.pushed_at) if entry is not None else None,
            "published_at": millis(entry.published_at) if entry is not None else None,
            "deploy_status": status, "deploy_detail": detail}
