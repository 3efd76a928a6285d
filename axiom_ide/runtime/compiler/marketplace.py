"""Marketplace flows placed as subflows: ``node: flow:<artifact id>``.

A published flow (``axiom flow publish``) is importable as a subflow by every tenant
(guides/publish-a-flow). Its reference is the artifact's id, a 26-character ULID, which no flow name
can be (names are lower case). Who resolves it:

- **The remote** (``POST /api/compile``, ``server/registry_state.flow_resolver``): the caller's own
  artifacts and every published one; another tenant's unpublished artifact reads exactly like a
  missing one (``unknown subflow "flow:<id>"``). The subflow is compiled from the artifact's flow
  document against the *caller's* packages (the server's workspace, the caller's pushes, every
  published package), so a public flow built on its publisher's private pushes compiles for nobody
  else, and says which package. The parent runs in the caller's tenant: its executions, events,
  checkpoints, secrets and quotas are the caller's; the publisher sees nothing of them.
- **A local workspace** (LocalBackend, ``axiom-ide flow compile`` without ``--remote``): from the
  copy the IDE fetched when the flow was placed from the remote's Marketplace (**Use as subflow**),
  ``<workspace>/.axiom/marketplace/<id>.flow.yaml``. A published artifact is immutable, so the copy
  never goes stale. Without a copy the compile names the node: ``flow:<id> is a marketplace flow
  this workspace has no copy of: compile it on the remote …``.
"""
from __future__ import annotations

from pathlib import Path

from axiom_ide.runtime.errors import AxiomError

#: Where a workspace keeps the marketplace flows placed in its flows (a dot dir: never a workspace flow).
CACHE_DIR = Path(".axiom") / "marketplace"


def cached_flow_path(workspace_root: Path, graph_id: str) -> Path:
    """The workspace's copy of published flow ``graph_id``."""
    return Path(workspace_root) / CACHE_DIR / f"{graph_id}.flow.yaml"


def not_fetched(graph_id: str) -> str:
    return (f"flow:{graph_id} is a marketplace flow this workspace has no copy of: compile it on the remote "
            "(axiom-ide flow compile --remote), or place it from the remote's Marketplace (Use as subflow)")


def load_cached(workspace_root: Path, graph_id: str):  # -> Flow
    """The workspace's copy of marketplace flow ``graph_id``; raises ``AxiomError`` (code
    ``marketplace_flow``) naming what to do when there is none or it cannot be read."""
    from axiom_ide.runtime.model.flow_yaml import load_flow

    path = cached_flow_path(workspace_root, graph_id)
    if not path.is_file():
        raise AxiomError.of("marketplace_flow", not_fetched(graph_id))
    try:
        return load_flow(path).flow
    except AxiomError as exc:
        raise AxiomError.of("marketplace_flow", f"flow:{graph_id}: the workspace's copy {path} cannot be read: "
                            f"{exc.message}") from None
