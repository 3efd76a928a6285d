"""Console → Client Builder (guides/build-a-client-sdk): **New client** (Name, **Create client**);
the client's detail view with **+ Add nodes & flows**, which splits the page (configuration left,
:class:`~.client_builder_market.Marketplace` right); **Members** grouped by package with **Remove
all** per package and **Remove** per member (flows listed individually); **Build a version** for the
languages ticked; **Versions** with a status per language (``pending``, ``building``, ``succeeded``
or ``failed`` with the error inline), a **+ language…** dropdown per version and **Download** per
succeeded language (saves ``<name>-sdk-<lang>.zip``). Everything goes through the backend's
``console`` API; statuses refresh on their own while a build runs."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.console.api_keys import error_text
from axiom_ide.app.console.cells import button_cell
from axiom_ide.app.console.client_builder_market import Marketplace
from axiom_ide.runtime.clients.model import BUILDING, FAILED, LANGUAGES, PENDING, SUCCEEDED, SUFFIX
from axiom_ide.runtime.errors import AxiomError

Call = Callable[..., Any]
#: How often statuses are re-read while a build is pending or building (ms).
POLL_MS = 300


class ClientBuilderPage(QWidget):
    def __init__(self, call: Call, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("clientBuilderPage")
        self._call = _needs_clients(call)
        self.client: Any = None
        self.versions: list[Any] = []
        self.downloaded: list[Path] = []
        #: Where the save dialog opens (the folder of the last download).
        self.download_dir = Path.home()
        title = QLabel("<h2>Client Builder</h2>")
        intro = QLabel("A client bundles nodes and flows into a typed SDK: each member becomes one method.")
        intro.setWordWrap(True)
        # Clients and New client.
        self.client_list = QListWidget(objectName="clientList")
        self.client_list.setMaximumHeight(64)
        self.client_list.currentTextChanged.connect(self._select_client)
        self.new_button = QPushButton("New client", objectName="newClient")
        self.new_button.clicked.connect(self.open_new)
        self.new_form = QFrame(objectName="newClientForm")
        self.new_form.setFrameShape(QFrame.Shape.StyledPanel)
        self.new_name = QLineEdit(objectName="newClientName", placeholderText="billing")
        self.new_name.returnPressed.connect(self.create_client)
        self.create_button = QPushButton("Create client", objectName="createClient")
        self.create_button.clicked.connect(self.create_client)
        self.new_error = QLabel(objectName="newClientError")
        self.new_error.setStyleSheet("color: #c0392b")
        form = QHBoxLayout(self.new_form)
        form.addWidget(QLabel("Name"))
        form.addWidget(self.new_name, 1)
        form.addWidget(self.create_button)
        form.addWidget(self.new_error)
        self.new_form.hide()
        top = QHBoxLayout()
        top.addWidget(self.client_list, 1)
        top.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignTop)
        # The detail view (left of the split).
        self.detail = QWidget(objectName="clientDetail")
        self.heading = QLabel(objectName="clientHeading")
        self.add_button = QPushButton("+ Add nodes && flows", objectName="addNodesFlows")
        self.add_button.clicked.connect(self.open_market)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.add_button)
        self.members = QTreeWidget(objectName="clientMembers")
        self.members.setHeaderLabels(["Members", "Alias", ""])
        self.members.setColumnWidth(0, 230)
        self.error = QLabel(objectName="clientError")
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        self.lang_boxes: dict[str, QCheckBox] = {}
        langs = QHBoxLayout()
        for key, label, _ in LANGUAGES:
            box = QCheckBox(label, objectName=f"lang_{key}")
            self.lang_boxes[key] = box
            langs.addWidget(box)
        langs.addStretch(1)
        self.build_button = QPushButton("Build", objectName="buildVersion")
        self.build_button.clicked.connect(self.build)
        langs.addWidget(self.build_button)
        self.versions_tree = QTreeWidget(objectName="clientVersions")
        self.versions_tree.setHeaderLabels(["Versions", "Status", ""])
        self.versions_tree.setColumnWidth(0, 150)
        self.versions_tree.setColumnWidth(1, 260)
        left = QVBoxLayout(self.detail)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(head)
        left.addWidget(self.members, 2)
        left.addWidget(self.error)
        left.addWidget(QLabel("<b>Build a version</b>"))
        left.addLayout(langs)
        left.addWidget(self.versions_tree, 2)
        self.market = Marketplace()
        self.market.submitted.connect(self.add_members)
        self.market.closed.connect(self.close_market)
        self.split = QSplitter(Qt.Orientation.Horizontal, objectName="clientSplit")
        self.split.addWidget(self.detail)
        self.split.addWidget(self.market)
        self.split.setChildrenCollapsible(False)
        self.market.hide()
        self.detail.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.new_form)
        layout.addWidget(self.split, 1)
        self.poll = QTimer(self, interval=POLL_MS, singleShot=True)
        self.poll.timeout.connect(self.refresh_versions)

    # -- clients ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._call(lambda b: b.console.client_list(), self._show_clients, self._refused)

    def _show_clients(self, clients: list[Any], select: str | None = None) -> None:
        current = select or (self.client.name if self.client is not None else None)
        self.client_list.blockSignals(True)
        self.client_list.clear()
        self.client_list.addItems([c.name for c in clients])
        self.client_list.blockSignals(False)
        names = [c.name for c in clients]
        if current in names:
            self.client_list.setCurrentRow(names.index(current))
        elif names:
            self.client_list.setCurrentRow(0)

    def open_new(self) -> None:
        self.new_form.show()
        self.new_error.clear()
        self.new_name.setFocus()

    def create_client(self) -> None:
        name = self.new_name.text()

        def done(client: Any) -> None:
            self.new_form.hide()
            self.new_name.clear()
            self._call(lambda b: b.console.client_list(), lambda cs: self._show_clients(cs, client.name),
                       self._refused)

        self._call(lambda b: b.console.client_create(name), done, lambda exc: self.new_error.setText(error_text(exc)))

    def _select_client(self, name: str) -> None:
        if name:
            self._call(lambda b: b.console.client_get(name), self._show_client, self._refused)

    def _show_client(self, client: Any) -> None:
        changed = self.client is None or self.client.name != client.name
        self.client = client
        self.detail.setEnabled(True)
        self.heading.setText(f"<h3>{client.name}</h3>")
        self.error.clear()
        self._fill_members(client)
        self.market.set_client(client.members)
        if changed:
            self.refresh_versions()

    def _fill_members(self, client: Any) -> None:
        self.members.clear()
        groups: dict[str, QTreeWidgetItem] = {}
        for m in client.members:
            if m.kind == "node":
                group = groups.get(m.package)
                if group is None:
                    group = groups[m.package] = QTreeWidgetItem([m.package, "", ""])
                    self.members.addTopLevelItem(group)
                    button = QPushButton("Remove all", objectName="removeAll")
                    aliases = [x.alias for x in client.members if x.kind == "node" and x.package == m.package]
                    button.clicked.connect(lambda _=False, a=aliases: self.remove(a))
                    self.members.setItemWidget(group, 2, button_cell(button))
                item = QTreeWidgetItem(group, [m.target.rsplit(":", 1)[1], m.alias, ""])
            else:
                item = QTreeWidgetItem([f"flow {m.target}", m.alias, ""])
                self.members.addTopLevelItem(item)
            button = QPushButton("Remove", objectName="removeMember")
            button.clicked.connect(lambda _=False, a=m.alias: self.remove([a]))
            self.members.setItemWidget(item, 2, button_cell(button))
        self.members.expandAll()
        if not client.members:
            self.members.addTopLevelItem(QTreeWidgetItem(["No members yet — + Add nodes & flows", "", ""]))

    def member_rows(self) -> list[tuple[str, str]]:
        """(label, alias) per row, groups included (for tests and screenshots)."""
        out = []
        for i in range(self.members.topLevelItemCount()):
            top = self.members.topLevelItem(i)
            assert top is not None
            out.append((top.text(0), top.text(1)))
            for j in range(top.childCount()):
                child = top.child(j)
                assert child is not None
                out.append(("  " + child.text(0), child.text(1)))
        return out

    def remove(self, aliases: list[str]) -> None:
        name = self.client.name
        self._call(lambda b: b.console.client_remove(name, aliases), self._show_client, self._refused)

    # -- the marketplace -------------------------------------------------------------------------
    def open_market(self) -> None:
        self._call(lambda b: b.console.client_marketplace(), self._show_market, self._refused)

    def _show_market(self, market: dict[str, Any]) -> None:
        self.market.fill(market)
        if self.client is not None:
            self.market.set_client(self.client.members)
        self.market.show()
        self.split.setSizes([self.width() // 2, self.width() // 2])

    def close_market(self) -> None:
        self.market.hide()

    def add_members(self, members: list[tuple[str, str, str]]) -> None:
        name = self.client.name
        self._call(lambda b: b.console.client_add(name, members), self._show_client,
                   lambda exc: self.market.show_error(error_text(exc)))

    # -- versions --------------------------------------------------------------------------------
    def chosen_languages(self) -> list[str]:
        return [k for k, box in self.lang_boxes.items() if box.isChecked()]

    def build(self) -> None:
        langs = self.chosen_languages()
        if not langs:
            self.error.setText("Select one or more languages to build")
            return
        name = self.client.name
        self.error.clear()
        self._call(lambda b: b.console.client_build(name, langs), lambda _n: self.refresh_versions(), self._refused)

    def refresh_versions(self) -> None:
        if self.client is None:
            return
        name = self.client.name
        self._call(lambda b: b.console.client_versions(name), self._show_versions, self._refused)

    def _show_versions(self, versions: list[Any]) -> None:
        if self.client is None or (versions and versions[0].client != self.client.name):
            return
        self.versions = versions
        self.versions_tree.clear()
        for v in versions:
            top = QTreeWidgetItem([f"Version {v.number}", f"{len(v.snapshot['members'])} members", ""])
            self.versions_tree.addTopLevelItem(top)
            more = QComboBox(objectName="addLanguage")
            more.addItem("+ language…")
            built = {b.language for b in v.builds if b.status != FAILED}
            for key, label, _ in LANGUAGES:
                if key not in built:
                    more.addItem(label, key)
            more.activated.connect(lambda index, box=more, n=v.number: self._add_language(n, box, index))
            self.versions_tree.setItemWidget(top, 2, button_cell_combo(more))
            for b in v.builds:
                label = {k: lab for k, lab, _ in LANGUAGES}[b.language]
                status = b.status + (f": {b.error}" if b.status == FAILED and b.error else "")
                row = QTreeWidgetItem(top, [label, status, ""])
                row.setToolTip(1, status)
                if b.status == FAILED:
                    row.setForeground(1, Qt.GlobalColor.red)
                if b.status == SUCCEEDED:
                    button = QPushButton("Download", objectName="downloadSdk")
                    button.clicked.connect(lambda _=False, n=v.number, lang=b.language: self.download(n, lang))
                    self.versions_tree.setItemWidget(row, 2, button_cell(button))
        self.versions_tree.expandAll()
        if any(b.status in (PENDING, BUILDING) for v in versions for b in v.builds):
            self.poll.start()

    def status_rows(self, number: int) -> dict[str, str]:
        """Language label → status text of version ``number`` as the list shows it."""
        for i in range(self.versions_tree.topLevelItemCount()):
            top = self.versions_tree.topLevelItem(i)
            if top is not None and top.text(0) == f"Version {number}":
                rows = [top.child(j) for j in range(top.childCount())]
                return {r.text(0): r.text(1) for r in rows if r is not None}
        return {}

    def _add_language(self, number: int, box: QComboBox, index: int) -> None:
        lang = box.itemData(index)
        if not lang:
            return
        name = self.client.name
        self._call(lambda b: b.console.client_add_language(name, number, lang), lambda _k: self.refresh_versions(),
                   self._refused)

    def download(self, number: int, lang: str) -> None:
        """**Download**: a save dialog prefilled with ``<name>-sdk-<lang>.zip``, then the zip written."""
        name = self.client.name
        dialog = QFileDialog(self, "Save SDK", str(self.download_dir / f"{name}-sdk-{SUFFIX[lang]}.zip"), "ZIP (*.zip)")
        dialog.setObjectName("saveSdkDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.selectFile(f"{name}-sdk-{SUFFIX[lang]}.zip")

        def chosen(path: str) -> None:
            def write(data: bytes) -> None:
                from axiom_ide.runtime.fileio import atomic_write_bytes

                try:
                    atomic_write_bytes(path, data)
                except OSError as exc:
                    self.error.setText(f"Could not save {path}: {exc.strerror or exc}")
                    return
                self.downloaded.append(Path(path))
                self.download_dir = Path(path).parent
                self.error.setText("")

            self._call(lambda b: b.console.client_archive(name, number, lang), write, self._refused)

        dialog.fileSelected.connect(chosen)
        dialog.open()

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))


#: What the page says when the active backend's Console has no Client Builder API (local and remote both have one).
NO_CLIENTS = "The connected backend does not offer the Client Builder yet"


def _needs_clients(call: Call) -> Call:
    def wrapped(fn: Callable[[Any], Any], on_done: Any = None, on_error: Any = None) -> Any:
        async def guarded(backend: Any) -> Any:
            if not hasattr(getattr(backend, "console", None), "client_list"):
                raise AxiomError.of("console_unavailable", NO_CLIENTS)
            return await fn(backend)

        return call(guarded, on_done, on_error)

    return wrapped


def button_cell_combo(box: QComboBox) -> QWidget:
    cell = QWidget()
    layout = QHBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(box)
    layout.addStretch(1)
    return cell
