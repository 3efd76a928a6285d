"""The right half of the Client Builder's split view (guides/build-a-client-sdk "Add nodes and
flows"): the **Packages** tab (a card per package with a version dropdown, **+ Add all** and a
**+ Add** per node), the **Flows** tab (**+ Add**, or **In client** for a flow already in it), and the
tray at the bottom where picked members collect with their aliases (editable inline; non-empty and
unique) until **Add N members**."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.runtime.clients.model import default_alias


def clear_layout(box: Any) -> None:
    """Take every item out of ``box`` (nested layouts too), deleting its widgets."""
    while box.count():
        item = box.takeAt(0)
        if item is None:
            continue
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


def _scroll(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(inner)
    return area


class PackageCard(QFrame):
    """One package: name, version dropdown, description, **+ Add all**, and its nodes with **+ Add**."""

    def __init__(self, entry: dict[str, Any], pick: Callable[[str, str], None],
                 in_client: Callable[[str], bool] = lambda _t: False, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("packageCard")
        self._in_client = in_client
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.entry = entry
        self._pick = pick
        self.name = entry["name"]
        self.version = QComboBox(objectName="packageVersion")
        self.version.addItems(sorted(entry["versions"], reverse=True))
        self.add_all = QPushButton("+ Add all", objectName="addAll")
        self.add_all.clicked.connect(self._add_all)
        head = QHBoxLayout()
        head.addWidget(QLabel(f"<b>{self.name}</b>"), 1)
        head.addWidget(self.version)
        head.addWidget(self.add_all)
        self.description = QLabel(objectName="packageDescription")
        self.description.setWordWrap(True)
        self.nodes_box = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.description)
        layout.addLayout(self.nodes_box)
        self.node_buttons: dict[str, QPushButton] = {}
        self.version.currentTextChanged.connect(self._show_version)
        self._show_version(self.version.currentText())

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version.currentText()}"

    def _show_version(self, version: str) -> None:
        clear_layout(self.nodes_box)
        self.node_buttons = {}
        info = self.entry["versions"].get(version, {"description": "", "nodes": []})
        self.description.setText(info["description"])
        for node in info["nodes"]:
            row = QHBoxLayout()
            label = QLabel(node["name"])
            label.setToolTip(node["description"])
            target = f"{self.key}:{node['name']}"
            button = QPushButton("In client" if self._in_client(target) else "+ Add", objectName="addNode")
            button.setEnabled(not self._in_client(target))
            button.clicked.connect(lambda _=False, t=target: self._pick("node", t))
            row.addWidget(label, 1)
            row.addWidget(button)
            self.nodes_box.addLayout(row)
            self.node_buttons[node["name"]] = button

    def refresh(self) -> None:
        self._show_version(self.version.currentText())

    def _add_all(self) -> None:
        for name in self.node_buttons:
            self._pick("node", f"{self.key}:{name}")


class TrayRow(QWidget):
    def __init__(self, kind: str, target: str, on_remove: Callable[[TrayRow], None],
                 on_edit: Callable[[], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.kind, self.target = kind, target
        self.alias = QLineEdit(default_alias(target), objectName="trayAlias")
        self.alias.setToolTip("The method name the SDK generates")
        self.alias.textChanged.connect(on_edit)
        remove = QPushButton("✕", objectName="trayRemove")
        remove.setToolTip("Take it out of the tray")
        remove.setFixedWidth(28)
        remove.clicked.connect(lambda: on_remove(self))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        what = QLabel(target if kind == "node" else f"flow {target}")
        what.setMinimumWidth(120)
        layout.addWidget(what, 1)
        layout.addWidget(self.alias, 1)
        layout.addWidget(remove)


class Marketplace(QWidget):
    """Emits ``submitted([(kind, target, alias)])`` on **Add N members**; ``closed`` on Close."""

    submitted = Signal(list)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("clientMarketplace")
        self.in_client: set[tuple[str, str]] = set()
        self.aliases_in_client: set[str] = set()
        self.tabs = QTabWidget(objectName="marketTabs")
        self.packages_inner = QWidget()
        self.packages_box = QVBoxLayout(self.packages_inner)
        self.flows_inner = QWidget()
        self.flows_box = QVBoxLayout(self.flows_inner)
        self.tabs.addTab(_scroll(self.packages_inner), "Packages")
        self.tabs.addTab(_scroll(self.flows_inner), "Flows")
        self.cards: list[PackageCard] = []
        self.flow_buttons: dict[str, QWidget] = {}
        # The tray.
        self.tray = QFrame(objectName="memberTray")
        self.tray.setFrameShape(QFrame.Shape.StyledPanel)
        self.tray.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        rows = QWidget(objectName="trayRows")
        self.tray_rows_box = QVBoxLayout(rows)
        self.tray_rows_box.setContentsMargins(0, 0, 0, 0)
        self.tray_rows_box.addStretch(1)
        self.tray_scroll = _scroll(rows)
        self.tray_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tray_scroll.setFixedHeight(132)  # about four picks; more scroll
        self.tray_rows: list[TrayRow] = []
        self.tray_error = QLabel(objectName="trayError")
        self.tray_error.setStyleSheet("color: #c0392b")
        self.tray_error.setWordWrap(True)
        self.submit = QPushButton("Add 0 members", objectName="addMembers")
        self.submit.clicked.connect(self._submit)
        close = QPushButton("Close", objectName="closeMarket")
        close.clicked.connect(self.closed)
        tray_layout = QVBoxLayout(self.tray)
        tray_layout.addWidget(QLabel("<b>Picked</b> — edit an alias to rename its method"))
        tray_layout.addWidget(self.tray_scroll)
        tray_layout.addWidget(self.tray_error)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        buttons.addWidget(self.submit)
        tray_layout.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Marketplace</b>"))
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.tray)
        self._update()

    # -- filling ---------------------------------------------------------------------------------
    def fill(self, market: dict[str, Any]) -> None:
        clear_layout(self.packages_box)
        self.cards = []
        for entry in market["packages"]:
            card = PackageCard(entry, self.pick, lambda t: ("node", t) in self.in_client)
            self.cards.append(card)
            self.packages_box.addWidget(card)
        if not market["packages"]:
            self.packages_box.addWidget(QLabel("No packages in the workspace"))
        self.packages_box.addStretch(1)
        self.flow_names = list(market["flows"])
        self._fill_flows()

    def _fill_flows(self) -> None:
        clear_layout(self.flows_box)
        self.flow_buttons = {}
        for name in getattr(self, "flow_names", []):
            row = QWidget(objectName="flowRow")
            line = QHBoxLayout(row)
            line.setContentsMargins(4, 2, 4, 2)
            line.addWidget(QLabel(name), 1)
            marker: QWidget
            if ("flow", name) in self.in_client:
                marker = QLabel("In client", objectName="inClient")
            else:
                add = marker = QPushButton("+ Add", objectName="addFlow")
                add.clicked.connect(lambda _=False, n=name: self.pick("flow", n))
            line.addWidget(marker)
            self.flow_buttons[name] = marker
            self.flows_box.addWidget(row)
        if not self.flow_buttons:
            self.flows_box.addWidget(QLabel("No flows in the workspace"))
        self.flows_box.addStretch(1)

    def set_client(self, members: Any) -> None:
        """The client's current members (for **In client** and the alias check); picks now in the
        client leave the tray."""
        self.in_client = {(m.kind, m.target) for m in members}
        self.aliases_in_client = {m.alias for m in members}
        for row in list(self.tray_rows):
            if (row.kind, row.target) in self.in_client:
                self._remove(row)
        for card in self.cards:
            card.refresh()
        self._fill_flows()
        self._update()

    # -- the tray --------------------------------------------------------------------------------
    def pick(self, kind: str, target: str) -> None:
        if (kind, target) in self.in_client or any((r.kind, r.target) == (kind, target) for r in self.tray_rows):
            return
        row = TrayRow(kind, target, self._remove, self._update)
        self.tray_rows.append(row)
        self.tray_rows_box.insertWidget(self.tray_rows_box.count() - 1, row)  # above the stretch
        self._update()

    def _remove(self, row: TrayRow) -> None:
        self.tray_rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        self._update()

    def problem(self) -> str:
        """Why the tray cannot be added yet ("" when it can)."""
        from axiom_ide.runtime.clients.model import snake

        seen = {snake(a): a for a in self.aliases_in_client}
        for row in self.tray_rows:
            alias = row.alias.text().strip()
            if not alias:
                return f"The alias of {row.target} is empty; an alias is required"
            if snake(alias) in seen:
                return f'Alias "{alias}" is already used; aliases must be unique within the client'
            seen[snake(alias)] = alias
        return ""

    def _update(self) -> None:
        n = len(self.tray_rows)
        self.submit.setText(f"Add {n} member{'s' if n != 1 else ''}")
        problem = self.problem()
        self.tray_error.setText(problem)
        self.submit.setEnabled(n > 0 and not problem)

    def _submit(self) -> None:
        if self.tray_rows and not self.problem():
            self.submitted.emit([(r.kind, r.target, r.alias.text().strip()) for r in self.tray_rows])

    def show_error(self, text: str) -> None:
        self.tray_error.setText(text)
