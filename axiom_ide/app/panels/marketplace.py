"""Marketplace panel: packages available to import into the open flow.

Sources are local: the workspace's own packages ("In Development", as pushed packages are on the
platform) and a local registry — packages under ``<data dir>/registry/`` when that folder exists.
"+ Import" on a card adds the package to the open flow's library (one undoable
``doc.import_package``).

On a remote (the window's backend is a RemoteBackend; :meth:`MarketplacePanel.attach` follows the
bridge's backend) the panel lists the remote's registry instead (app/panels/marketplace_remote.py):
**Packages** (filters All packages / In Development / Published) and **Flows** (public flows,
whose + Import pulls the flow into flows/<name>.flow.yaml and whose Use as subflow places it in the
open flow as a ``flow:<artifact id>`` node); refresh reads the remote again.
On a remote the panel also drives :class:`~axiom_ide.app.remote_types.RemoteTypes` (``types``): the
type descriptors of the remote's packages the open flow uses, so the canvas checks them.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.panels import discard, follow_analysis
from axiom_ide.app.panels.marketplace_card import NodeLine, add_summary, hint_label
from axiom_ide.app.panels.marketplace_remote import REMOTE_FILTERS, RemoteMarketplace, is_remote, set_import_state
from axiom_ide.app.panels.marketplace_subflow import fetch_missing_copies, set_use_state

FILTERS = ("All packages", "In Development", "Local registry")


class PackageCard(QFrame):
    """One package: name@version, description, nodes, and the + Import button."""

    def __init__(self, key: str, pkg: Any, source: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.key = key
        self.setObjectName(f"card:{key}")
        self.setProperty("card", True)
        name = QLabel(f"<b>{pkg.name}</b> <span style='color:gray'>@{pkg.version}</span>", objectName="cardTitle")
        name.setWordWrap(True)  # a long name@version wraps beside the button: the card fits a narrow dock
        self.import_button = QPushButton("+ Import", objectName="importButton")
        top = QHBoxLayout()
        top.addWidget(name, 1)
        top.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(top)
        add_summary(layout, pkg.manifest.description, [NodeLine(n.name, n.input, n.output, n.type == "pipeline")
                                                       for n in pkg.manifest.nodes])
        layout.addWidget(hint_label(source))

    def set_imported(self, imported: bool, can_import: bool) -> None:
        set_import_state(self.import_button, imported, can_import)


class MarketplacePanel(QWidget):
    """Filter dropdown, search, refresh, and one card per package."""

    #: (package key) after + Import was clicked and the import was pushed.
    imported = Signal(str)
    #: (path) after + Import on a remote's public flow wrote flows/<name>.flow.yaml.
    pulled = Signal(str)

    def __init__(self, workspace_getter: Any, registry_root: Path | None, refresh: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("marketplacePanel")
        self._workspace = workspace_getter
        self._refresh_workspace = refresh
        self.registry_root = Path(registry_root).resolve() if registry_root else None
        self.doc: Any = None
        self.cards: dict[str, Any] = {}
        #: The remote's listing (attach); used while ``remote_mode``.
        self.remote: RemoteMarketplace | None = None
        self.remote_mode = False
        #: On a remote, the type descriptors of its packages the open flow uses (app/remote_types.py).
        self.types: Any = None

        self.filter = QComboBox(objectName="marketplaceFilter")
        self.filter.addItems(FILTERS)
        self.refresh_button = QToolButton(objectName="marketplaceRefresh")
        self.refresh_button.setText("⟳")
        self.refresh_button.setToolTip("Refresh: rescan packages")
        self.search = QLineEdit(placeholderText="Search packages", objectName="marketplaceSearch")
        self.search.setClearButtonEnabled(True)
        self.title = QLabel("Packages")
        #: Packages | Flows: shown on a remote only.
        self.tab_bar = QTabBar(objectName="marketplaceTabs")
        self.tab_bar.addTab("Packages")
        self.tab_bar.addTab("Flows")
        self.tab_bar.setDrawBase(False)
        self.tab_bar.setExpanding(False)
        self.tab_bar.setUsesScrollButtons(False)
        self.tab_bar.setVisible(False)
        row = QHBoxLayout()
        row.addWidget(self.title)
        row.addWidget(self.tab_bar, 0)
        row.addStretch(1)
        row.addWidget(self.filter)
        row.addWidget(self.refresh_button)

        self.list_widget = QWidget()
        self.list_layout = QVBoxLayout(self.list_widget)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # cards wrap to the dock's width
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.list_widget)
        self.empty = QLabel("No packages match.", objectName="marketplaceEmpty")
        self.empty.setProperty("hint", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self.search)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)

        self.filter.currentIndexChanged.connect(lambda _i: self.rebuild())
        self.search.textChanged.connect(lambda _t: self.rebuild())
        self.refresh_button.clicked.connect(self.refresh)
        self.tab_bar.currentChanged.connect(lambda _i: self.rebuild())

    def attach(self, bridge: Any, workspace_root: Path, open_path: Callable[[Path], Any]) -> None:
        """Follow ``bridge``'s backend: the remote's registry while it is a RemoteBackend."""
        from axiom_ide.app.remote_types import RemoteTypes

        self.remote = RemoteMarketplace(self, bridge, workspace_root, open_path)
        self.types = RemoteTypes(bridge, self._workspace, workspace_root, self._refresh_workspace,
                                 status_bar=self._status_bar)
        bridge.backendReady.connect(self._backend_ready)

    def _status_bar(self) -> Any:
        """The window's status bar (the remote types' sync says there what it fetched)."""
        window = self.window()
        return window.statusBar() if isinstance(window, QMainWindow) else None

    def _backend_ready(self, backend: Any) -> None:
        remote = is_remote(backend)
        if remote != self.remote_mode:
            self.remote_mode = remote
            self.filter.blockSignals(True)
            self.filter.clear()
            self.filter.addItems(REMOTE_FILTERS if remote else FILTERS)
            self.filter.blockSignals(False)
            self.title.setVisible(not remote)
            self.tab_bar.setVisible(remote)
            self.tab_bar.setCurrentIndex(0)
        if remote and self.remote is not None:
            self.remote.load()
            self._fetch_copies()
        else:
            self.rebuild()
        if self.types is not None:
            self.types.connected(backend)

    def refresh(self) -> None:
        """⟳: read the remote's registry again, or rescan the workspace's packages."""
        if self.remote_mode and self.remote is not None:
            self.remote.load()
            if self.types is not None:
                self.types.retry()
        else:
            self._refresh_workspace()

    def source_of(self, pkg: Any) -> str:
        root = Path(pkg.root).resolve()
        if self.registry_root is not None and root.is_relative_to(self.registry_root):
            return "Local registry"
        return "In Development"

    def set_document(self, doc: Any) -> None:
        follow_analysis(self.doc, doc, self.update_buttons)
        self.doc = doc
        self.update_buttons()
        self._fetch_copies()
        if self.types is not None:
            self.types.follow(doc)

    def _fetch_copies(self) -> None:
        """On a remote: the copies of the open flow's marketplace subflows the workspace lacks."""
        if self.remote_mode and self.remote is not None and self.doc is not None:
            fetch_missing_copies(self.remote, self.doc)

    def rebuild(self) -> None:
        for card in self.cards.values():
            discard(card)
        self.cards.clear()
        if self.remote_mode and self.remote is not None:
            self._rebuild_remote(self.remote)
            return
        self.empty.setText("No packages match.")
        self.filter.setVisible(True)
        self.search.setPlaceholderText("Search packages")
        workspace = self._workspace()
        wanted = self.filter.currentText()
        needle = self.search.text().strip().lower()
        packages = workspace.packages if workspace is not None else {}
        for key in sorted(packages):
            pkg = packages[key]
            source = self.source_of(pkg)
            if wanted != FILTERS[0] and source != wanted:
                continue
            hay = " ".join([key, pkg.manifest.description or ""] + [n.name for n in pkg.manifest.nodes]).lower()
            if needle and needle not in hay:
                continue
            card = PackageCard(key, pkg, source)
            card.import_button.clicked.connect(lambda _c=False, k=key: self.import_package(k))
            self.list_layout.insertWidget(self.list_layout.count() - 1, card)
            self.cards[key] = card
        self.empty.setVisible(not self.cards)
        self.update_buttons()

    def _rebuild_remote(self, remote: RemoteMarketplace) -> None:
        flows = self.tab_bar.currentIndex() == 1
        self.filter.setVisible(not flows)
        self.search.setPlaceholderText("Search flows" if flows else "Search packages")
        for card in remote.cards(self.filter.currentText(), self.search.text().strip().lower(), flows):
            self.list_layout.insertWidget(self.list_layout.count() - 1, card)
            self.cards[card.key] = card
        self.empty.setText(remote.error or ("No public flows match." if flows else "No packages match."))
        self.empty.setVisible(not self.cards)
        self.update_buttons()

    def update_buttons(self) -> None:
        imports = set(self.doc.flow.imports) if self.doc is not None else set()
        for key, card in self.cards.items():
            if not key.startswith("flow:"):  # a public flow's + Import needs no open flow
                card.set_imported(key in imports, self.doc is not None)
            elif getattr(card, "subflow_button", None) is not None:  # its Use as subflow does
                set_use_state(card.subflow_button, self.doc is not None)

    def import_package(self, key: str) -> None:
        if self.doc is None:
            return
        self.doc.import_package(key)
        self.update_buttons()
        self.imported.emit(key)
