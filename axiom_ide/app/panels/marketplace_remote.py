"""The Marketplace panel on a remote (Settings → Connections → Remote): the remote's registry.

:class:`RemoteMarketplace` reads the remote through the runtime bridge — ``registry.packages()``
(the tenant's pushes, "In Development", and every published version, "Published") and
``registry.flows()`` (public flows) — and builds one card per entry, each with **+ Import**:

A package card shows what the local card shows (the remote listing carries it): description and
nodes (each node's input → output in the tooltip), then In Development / Published and the commit.

- a package: added to the open flow's library (one undoable ``doc.import_package``), as the
  getting-started guide's "Import your pushed package" does;
- a public flow: ``flow pull`` of its graph (``GET /api/graphs/{id}``, the flow document as
  compiled) into ``flows/<name>.flow.yaml``, written atomically and opened; an existing file is
  never overwritten without asking (**Overwrite** / Cancel, Cancel the default). Its **Use as
  subflow** places it in the open flow as a ``flow:<artifact id>`` node instead
  (app/panels/marketplace_subflow.py).

A package card also has **Import types…**: a menu of the workspace's own packages; choosing one
imports the remote package's message types into it, as ``axiom-ide import NAME@VERSION`` run in
that package does (``backends/registry_import.import_protos``: imports/<scope-name>/<version>/, the
axiom.yaml entry, generate; a collision with a local message fails with the documented error and
writes nothing), then rescans the workspace.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox, QPushButton, QVBoxLayout, QWidget

from axiom_ide.app.panels.marketplace_card import NodeLine, add_summary, deploy_label, hint_label
from axiom_ide.app.panels.marketplace_subflow import add_use_button, artifact_line, use_as_subflow
from axiom_ide.app.qt_bridge import alive
from axiom_ide.runtime.errors import AxiomError

#: The remote's package filters (the guide's "In Development": the tenant's own pushes).
REMOTE_FILTERS = ("All packages", "In Development", "Published")
VISIBILITY = {"private": "In Development", "public": "Published"}
PULL_TITLE = "Import flow"
OVERWRITE = "{path} already exists. Overwrite it with flow {flow} ({graph_id}) from the marketplace?"
OVERWRITE_BUTTON = "Overwrite"
IMPORT_TYPES = "Import types…"
TYPES_TITLE = "Import message types"
NO_TARGET = "No package in this workspace to import into"
#: ``axiom-ide import``'s own words (cli/registry_cmds.py).
IMPORTED = "✓ imported {key} into {rel}/: {messages}"


def is_remote(backend: Any) -> bool:
    """Whether ``backend`` has a platform registry to list (a RemoteBackend)."""
    return callable(getattr(getattr(backend, "registry", None), "packages", None))


def set_import_state(button: QPushButton, imported: bool, can_import: bool) -> None:
    """A package card's + Import: "Imported" (disabled) once in the open flow's library."""
    button.setText("Imported" if imported else "+ Import")
    button.setEnabled(can_import and not imported)
    button.setToolTip("Already in this flow's library" if imported
                      else ("Add this package to the open flow's library" if can_import else "Open a flow first"))


class RemoteCard(QFrame):
    """One registry entry: its title, what it is, and the + Import button."""

    def __init__(self, key: str, title: str, lines: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"card:{key}")
        self.setProperty("card", True)
        self.import_button = QPushButton("+ Import", objectName="importButton")
        top = QHBoxLayout()
        top.addWidget(QLabel(title), 1)
        top.addWidget(self.import_button)
        #: Packages only: Import types… (None on a flow's card).
        self.types_button: QPushButton | None = None
        #: Public flows only: Use as subflow (marketplace_subflow.py; None on a package's card).
        self.subflow_button: QPushButton | None = None
        self.body = layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        for text in lines:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setProperty("hint", True)
            layout.addWidget(label)

    def set_imported(self, imported: bool, can_import: bool) -> None:
        set_import_state(self.import_button, imported, can_import)


def node_lines(pkg: dict[str, Any]) -> list[NodeLine]:
    """A listing row's nodes (``GET /api/registry/packages``: name, type, input, output)."""
    return [NodeLine(str(n.get("name", "")), str(n.get("input") or ""), str(n.get("output") or ""),
                     n.get("type") == "pipeline") for n in pkg.get("nodes") or []]


def package_card(pkg: dict[str, Any]) -> RemoteCard:
    """As the local card: title, description and nodes (marketplace_card.py), then whether it is not
    deployed (only then), where it is (In Development / Published) and the commit it was pushed from."""
    key = str(pkg.get("key") or f"{pkg['name']}@{pkg['version']}")
    visibility = str(pkg.get("visibility") or "")
    card = RemoteCard(key, f"<b>{pkg['name']}</b> <span style='color:gray'>@{pkg['version']}</span>", [])
    add_summary(card.body, str(pkg.get("description") or ""), node_lines(pkg))
    deploy = deploy_label(pkg.get("deploy_status"), pkg.get("deploy_detail"))
    if deploy is not None:  # "Not deployed: <detail>"; nothing for a deployed version
        card.body.addWidget(deploy)
    card.body.addWidget(hint_label(VISIBILITY.get(visibility, visibility)))
    if pkg.get("commit"):
        card.body.addWidget(hint_label(f"Commit {str(pkg['commit'])[:12]}"))
    card.types_button = QPushButton(IMPORT_TYPES, objectName="importTypesButton")
    card.types_button.setToolTip("Import this package's message types into one of your workspace's packages")
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(card.types_button)
    card.body.addLayout(row)
    return card


def flow_card(flow: dict[str, Any]) -> RemoteCard:
    graph_id = str(flow["graph_id"])
    card = RemoteCard(f"flow:{graph_id}", f"<b>{flow['flow']}</b>", ["Public flow"])
    card.body.addWidget(artifact_line(graph_id))  # elided in a narrow dock, never widening the card
    return card


class RemoteMarketplace:
    """The remote listing of a :class:`~.marketplace.MarketplacePanel` (``panel.remote``)."""

    def __init__(self, panel: Any, bridge: Any, workspace_root: Path, open_path: Callable[[Path], Any]) -> None:
        self.panel = panel
        self.bridge = bridge
        self.workspace_root = Path(workspace_root)
        self.open_path = open_path
        self.packages: list[dict[str, Any]] = []
        self.flows: list[dict[str, Any]] = []
        #: The last read's failure text (shown instead of the cards), or None.
        self.error: str | None = None
        #: The box asking before a pull overwrites a file (or saying a pull failed), while shown.
        self.box: QMessageBox | None = None
        #: The Import types… menu while shown.
        self.types_menu: QMenu | None = None
        self.loading = False

    def load(self) -> None:
        """Read the remote's packages and public flows, then rebuild the panel."""
        async def read(backend: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            if not is_remote(backend):
                raise RuntimeError("not connected to a remote")
            return await backend.registry.packages(), await backend.registry.flows()

        self.loading = True
        self.bridge.call(read, self._loaded, self._failed)

    def _loaded(self, got: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
        self.loading = False
        self.packages, self.flows = got
        self.error = None
        if alive(self.panel):
            self.panel.rebuild()

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.packages, self.flows = [], []
        self.error = f"The remote's marketplace could not be read: {getattr(exc, 'message', None) or exc}"
        if alive(self.panel):
            self.panel.rebuild()

    def cards(self, wanted: str, needle: str, flows: bool) -> list[RemoteCard]:
        """The cards the panel shows: packages matching the filter ``wanted``, or the public flows."""
        out: list[RemoteCard] = []
        if flows:
            for flow in self.flows:
                if needle and needle not in f"{flow['flow']} {flow['graph_id']}".lower():
                    continue
                card = flow_card(flow)
                card.import_button.setToolTip(f"Pull this flow into flows/{flow['flow']}.flow.yaml")
                card.import_button.clicked.connect(lambda _c=False, f=flow: self.pull(f))
                add_use_button(card, str(flow["graph_id"])).clicked.connect(
                    lambda _c=False, f=flow: use_as_subflow(self, f))
                out.append(card)
            return out
        for pkg in sorted(self.packages, key=lambda p: (str(p["name"]), str(p["version"]))):
            if wanted != REMOTE_FILTERS[0] and VISIBILITY.get(str(pkg.get("visibility"))) != wanted:
                continue
            hay = " ".join([str(pkg.get("key") or f"{pkg['name']}@{pkg['version']}"), str(pkg.get("description") or ""),
                            *(n.name for n in node_lines(pkg))]).lower()
            if needle and needle not in hay:  # as the local listing: key, description, node names
                continue
            card = package_card(pkg)
            card.import_button.clicked.connect(lambda _c=False, k=card.key: self.panel.import_package(k))
            if card.types_button is not None:
                card.types_button.clicked.connect(lambda _c=False, c=card: self.types_menu_for(c))
            out.append(card)
        return out

    # -- flow pull ----------------------------------------------------------------------------
    def target(self, flow: dict[str, Any]) -> Path:
        return self.workspace_root / "flows" / f"{flow['flow']}.flow.yaml"

    def pull(self, flow: dict[str, Any]) -> None:
        """**+ Import** on a public flow: pull it into flows/<name>.flow.yaml (asking before an
        existing file is replaced), then open it."""
        target = self.target(flow)
        if not target.exists():
            self._pull(flow, target)
            return
        box = QMessageBox(QMessageBox.Icon.Warning, PULL_TITLE,
                          OVERWRITE.format(path=target.relative_to(self.workspace_root).as_posix(), flow=flow["flow"],
                                           graph_id=flow["graph_id"]),
                          QMessageBox.StandardButton.Cancel, self.panel)
        box.setObjectName("pullFlowBox")
        overwrite = box.addButton(OVERWRITE_BUTTON, QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # nothing edited is lost by Enter
        overwrite.clicked.connect(lambda: self._pull(flow, target))
        box.open()
        self.box = box

    def _pull(self, flow: dict[str, Any], target: Path) -> None:
        graph_id = str(flow["graph_id"])

        async def get(backend: Any) -> Any:
            return await backend.api.json("GET", f"/api/graphs/{quote(graph_id, safe='')}", missing_ok=True)

        self.bridge.call(get, lambda graph: self._write(graph_id, graph, target), self._pull_failed)

    def _write(self, graph_id: str, graph: Any, target: Path) -> None:
        from axiom_ide.runtime.model.flow_yaml import flow_from_tree, new_flow_file, save_flow

        if graph is None:
            self._pull_failed(RuntimeError(f'the remote has no flow "{graph_id}"'))
            return
        if not graph.get("source"):
            self._pull_failed(RuntimeError(f'flow "{graph_id}" was published without its flow document'))
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            save_flow(new_flow_file(flow_from_tree(graph["source"])), target)  # atomic: all or nothing
        except (OSError, AxiomError) as exc:
            self._pull_failed(RuntimeError(f"could not write {target}: {getattr(exc, 'message', None) or exc}"))
            return
        self.panel.pulled.emit(str(target))
        self.open_path(target)

    def _pull_failed(self, exc: BaseException) -> None:
        text = f"{PULL_TITLE}: {getattr(exc, 'message', None) or exc}"
        box = QMessageBox(QMessageBox.Icon.Warning, PULL_TITLE, text, QMessageBox.StandardButton.Close, self.panel)
        box.setObjectName("pullFlowBox")
        box.open()
        self.box = box

    # -- Import types… ------------------------------------------------------------------------
    def local_packages(self) -> list[tuple[str, Path]]:
        """The workspace's own packages (key, root), those an import can write into."""
        workspace = self.panel._workspace()
        packages = workspace.packages if workspace is not None else {}
        root = self.workspace_root.resolve()
        return [(key, Path(pkg.root)) for key, pkg in sorted(packages.items())
                if Path(pkg.root).resolve().is_relative_to(root)]

    def types_menu_for(self, card: RemoteCard) -> None:
        """Import types… on ``card``: the menu of the workspace's packages to import into."""
        menu = QMenu(self.panel)
        menu.setObjectName("importTypesMenu")
        targets = self.local_packages()
        if not targets:
            menu.addAction(NO_TARGET).setEnabled(False)
        for key, root in targets:
            menu.addAction(key).triggered.connect(lambda _c=False, r=root, k=card.key: self.import_types(k, r))
        button = card.types_button or card.import_button
        menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
        self.types_menu = menu

    def import_types(self, key: str, root: Path) -> None:
        """The remote package ``key``'s message types into the local package at ``root``."""
        from axiom_ide.backends.registry_import import import_protos

        name, _, version = key.partition("@")

        async def go(backend: Any) -> tuple[Path, list[str], bool]:
            protos = await backend.registry.protos(name, version or None)
            if protos is None:
                raise RuntimeError(f'package "{key}" is not on the remote any more')
            return await asyncio.to_thread(import_protos, root, protos)

        def done(got: tuple[Path, list[str], bool]) -> None:
            written, messages, _generated = got
            rel = written.relative_to(root).as_posix()
            self._say(QMessageBox.Icon.Information, IMPORTED.format(key=key, rel=f"{root.name}/{rel}",
                                                                    messages=", ".join(messages)))
            self.panel._refresh_workspace()  # the new types are the workspace's now

        self.bridge.call(go, done, lambda exc: self._say(QMessageBox.Icon.Warning,
                                                         str(getattr(exc, "message", None) or exc)))

    def _say(self, icon: QMessageBox.Icon, text: str) -> None:
        box = QMessageBox(icon, TYPES_TITLE, text, QMessageBox.StandardButton.Close, self.panel)
        box.setObjectName("importTypesBox")
        box.open()
        self.box = box
