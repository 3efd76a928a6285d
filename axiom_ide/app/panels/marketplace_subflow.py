"""**Use as subflow** on a remote Marketplace's public flow card (guides/publish-a-flow: a published
flow is "importable as a subflow").

It places a ``flow:<artifact id>`` node in the open flow — one undoable ``doc.add_node``, named
after the flow — which the remote resolves when it compiles the flow (the caller's artifacts and
every published one; the run is the caller's). So the canvas can check its edges and the local
compile can resolve it too, the flow document the artifact was compiled from is kept first as the
workspace's copy, ``.axiom/marketplace/<id>.flow.yaml`` (``runtime/compiler/marketplace.py``;
fetched once: a published artifact is immutable). Nothing is placed when the copy cannot be had;
a box says why.
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
    keep its flow document as the workspace's copy, then place it in the open flow."""
    doc = remote.panel.doc
    if doc is None:
        return
    graph_id = str(flow["graph_id"])
    path = cached_flow_path(remote.workspace_root, graph_id)
    if path.is_file():  # fetched before: immutable, so still right
        _place(remote, doc, flow)
        return

    async def get(backend: Any) -> Any:
        return await backend.api.json("GET", f"/api/graphs/{quote(graph_id, safe='')}", missing_ok=True)

    def got(graph: Any) -> None:
        problem = _keep(graph, graph_id, path)
        if problem:
            _say(remote, problem)
        elif alive(doc):
            _place(remote, doc, flow)

    remote.bridge.call(get, got, lambda exc: _say(remote, str(getattr(exc, "message", None) or exc)))


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
