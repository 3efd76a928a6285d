"""The body of a Marketplace package card, one look for the local and the remote listing alike.

:func:`add_summary` puts, under a card's title row, the package's description ("No description."
when it has none) and its nodes ("Nodes: A, B, …", each node's input → output message types in the
label's tooltip; "Message types only (proto-only package)" when it has none). The local card
(``marketplace.PackageCard``) reads them from the package's axiom.yaml, the remote card
(``marketplace_remote.package_card``) from the remote registry's listing row, and under it
:func:`deploy_label`: "Not deployed: <detail>" when the remote says the version is not deployed
(red when its deploy failed: a node does not answer), nothing when it is.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QVBoxLayout

NO_DESCRIPTION = "No description."
PROTO_ONLY = "Message types only (proto-only package)"
NOT_DEPLOYED = "Not deployed: {detail}"


@dataclass(frozen=True)
class NodeLine:
    """One node of a card: its name and the message types it takes and gives."""

    name: str
    input: str = ""
    output: str = ""
    pipeline: bool = False

    def signature(self) -> str:
        return f"{self.name}: {self.input} → {self.output}" + (" (pipeline)" if self.pipeline else "")


def hint_label(text: str) -> QLabel:
    """A secondary line of a card (source, visibility, commit), wrapped, in the theme's hint style."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("hint", True)
    return label


def add_summary(layout: QVBoxLayout, description: str, nodes: Sequence[NodeLine]) -> tuple[QLabel, QLabel]:
    """Append the description and nodes lines to ``layout``; returns (description, nodes) labels."""
    desc = QLabel(description or NO_DESCRIPTION, objectName="cardDescription")
    desc.setWordWrap(True)
    node_label = hint_label(("Nodes: " + ", ".join(n.name for n in nodes)) if nodes else PROTO_ONLY)
    node_label.setObjectName("cardNodes")
    if nodes:
        node_label.setToolTip("\n".join(n.signature() for n in nodes))
    layout.addWidget(desc)
    layout.addWidget(node_label)
    return desc, node_label


def deploy_label(status: object, detail: object) -> QLabel | None:
    """The card's deploy line for a listing row's ``deploy_status``/``deploy_detail``: None when
    ``deployed`` (or when the remote does not say); "Not deployed: <detail>" otherwise, in red when
    the deploy ``failed`` (a hint for a proto-only ``not deployed``: nothing is wrong with it)."""
    if not status or status == "deployed":
        return None
    label = hint_label(NOT_DEPLOYED.format(detail=detail or status))
    label.setObjectName("cardDeploy")
    if status == "failed":
        label.setProperty("hint", False)
        label.setProperty("error", True)
    return label
