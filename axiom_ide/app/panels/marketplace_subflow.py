"""**Use as subflow** on a remote Marketplace's public flow card (guides/publish-a-flow: a published
flow is "importable as a subflow").

It places a ``flow:<artifact id>`` node in the open flow — one undoable ``doc.add_node``, named
after the flow — which the remote resolves when it compiles the flow (the caller's artifacts and
every published one; the run is the caller's). So the canvas can check its edges and the local
compile can resolve it too, the flow document the artifact was compiled from is kept first as the
workspace's copy, ``.axiom/marketplace/<id>.flow.yaml`` (``runtime/compiler/marketplace.py``;
fetched once: a published artifact is immutable), with the copies of the marketplace flows it
places in turn. Nothing is placed when a copy cannot be had; a box says why.

A flow opened on a remote with marketplace subflows the workspace has no copy of (written or pulled
elsewhere) gets them the same way (:func:`fetch_missing_copies`, from the panel's ``set_document``),
then is analysed again.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton

from axiom_ide.app.qt_bridge import alive
from axiom_ide.runtime.compiler.marketplace import cached_flow_path
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.refs import is_artifact_id

USE_AS_SUBFLOW = "Use as subflow"
USE_TITLE = "Use as subflow"
USE_TIP = "Place this flow in the open flow as a subflow node (flow:{graph_id}); it runs in your tenant"
NO_FLOW_TIP = "Open a flow first"


def artifact_line(graph_id: str) -> QLabel:
    """A public flow card's "Artifact <id>" line: one line, elided (the full id in its tooltip) when
    the dock is narrower than the id, selectable so the id can be copied."""
    from axiom_ide.app.panels.inspector_text import ElidedLabel

    label = ElidedLabel(f"Artifact {graph_id}", objectName="artifactLine")
    label.setProperty("hint", True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def add_use_button(card: Any, graph_id: str) -> QPushButton:
    """The card's Use as subflow button, on a row of its own under the card's lines."""
    button = QPushButton(USE_AS_SUBFLOW, objectName="useAsSubflowButton")
    button.setProperty("graph_id", graph_id)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(button)
    card.body.addLayout(row)
    card.subflow_button = button
    return button


def set_use_state(button: QPushButton, has_flow: bool) -> None:
    """Enabled while a flow is open (there is somewhere to place the node)."""
    button.setEnabled(has_flow)
    button.setToolTip(USE_TIP.format(graph_id=button.property("graph_id")) if has_flow else NO_FLOW_TIP)


def use_as_subflow(remote: Any, flow: dict[str, Any]) -> None:
    """Use as subflow on ``flow`` (a ``registry.flows()`` row) of ``remote`` (a RemoteMarketplace):
    keep its flow document (and those of the marketplace flows it places) as the workspace's
    copies, then place it in the open flow."""
    doc = remote.panel.doc
    if doc is None:
        return
    graph_id = str(flow["graph_id"])
    root = Path(remote.workspace_root)

    def got(problems: list[str]) -> None:
        if problems:
            _say(remote, problems[0])
        elif alive(doc):
            _place(remote, doc, flow)

    remote.bridge.call(lambda backend: keep_copies(backend, root, [graph_id]), got,
                       lambda exc: _say(remote, str(getattr(exc, "message", None) or exc)))


def fetch_missing_copies(remote: Any, doc: Any) -> None:
    """On a remote, for a flow opened with marketplace subflows the workspace has no copy of (a
    flow written or pulled elsewhere): fetch the copies, then analyse the flow again. Quiet when a
    copy cannot be had: the node's diagnostic says what to do."""
    root = Path(remote.workspace_root)
    wanted = [i for i in marketplace_refs(doc.flow.to_plain()) if not cached_flow_path(root, i).is_file()]
    if not wanted:
        return

    def got(_problems: list[str]) -> None:
        if alive(doc):
            doc.refresh_analysis()

    remote.bridge.call(lambda backend: keep_copies(backend, root, wanted), got, lambda _exc: None)


def marketplace_refs(plain: Any) -> list[str]:
    """The artifact ids a plain flow's ``flow:<artifact id>`` nodes name, in order, once each."""
    nodes = plain.get("nodes") if isinstance(plain, dict) else None
    refs = [str(n.get("node", "")) for n in nodes or [] if isinstance(n, dict)]
    return list(dict.fromkeys(r[5:] for r in refs if r.startswith("flow:") and is_artifact_id(r[5:])))


async def keep_copies(backend: Any, root: Path, graph_ids: list[str]) -> list[str]:
    """Fetch and keep the copies of ``graph_ids`` and of the marketplace flows they place in turn
    (an existing copy is kept as it is: a published artifact is immutable); the problems, if any."""
    import asyncio

    problems: list[str] = []
    todo, seen = list(graph_ids), set()
    while todo:
        graph_id = todo.pop(0)
        if graph_id in seen:
            continue
        seen.add(graph_id)
        path = cached_flow_path(root, graph_id)
        if path.is_file():
            from axiom_ide.runtime.model.flow_yaml import load_flow

            try:
                todo += marketplace_refs(load_flow(path).flow.to_plain())
                continue
            except AxiomError:
                pass  # an unreadable copy: fetch it again
        graph = await backend.api.json("GET", f"/api/graphs/{quote(graph_id, safe='')}", missing_ok=True)
        problem = await asyncio.to_thread(_keep, graph, graph_id, path)
        if problem:
            problems.append(problem)
            continue
        todo += marketplace_refs(graph.get("source"))
    return problems


def _keep(graph: Any, graph_id: str, path: Path) -> str | None:
    """Write the copy (atomic); the reason it cannot be had, or None."""
    from axiom_ide.runtime.model.flow_yaml import flow_from_tree, new_flow_file, save_flow

    if graph is None:
        return f'the remote has no flow "{graph_id}"'
    if not graph.get("source"):
        return f'flow "{graph_id}" was published without its flow document'
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_flow(new_flow_file(flow_from_tree(graph["source"])), path)
    except (OSError, AxiomError) as exc:
        return f"could not write {path}: {getattr(exc, 'message', None) or exc}"
    return None


def _place(remote: Any, doc: Any, flow: dict[str, Any]) -> None:
    doc.add_node(f"flow:{flow['graph_id']}", label=str(flow["flow"]))
    remote.panel.update_buttons()


def _say(remote: Any, text: str) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, USE_TITLE, f"{USE_TITLE}: {text}", QMessageBox.StandardButton.Close,
                      remote.panel)
    box.setObjectName("useSubflowBox")
    box.open()
    remote.box = box
