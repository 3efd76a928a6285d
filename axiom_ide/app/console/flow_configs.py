"""Console → Flow Configs (guides/flow-configs.md): the **Flow** picker (**Tenant default (all
flows)**, then each flow), **Default node timeout (seconds)** for the tenant default (saved when the
field loses focus), the picked flow's profiles (name, timeout, secret override names, Delete),
**+ New profile** (Profile name — blank is ``default`` —, Node timeout (s), a Secret override with a
masked Value, **Create**) and the effective values after the layers, refreshed after every change.
A row's **Edit** opens the same form on that profile (rename, timeout, add/replace an override, tick
overrides to remove; **Save** sends it all as one change, refused whole — a taken name, an out-of-range
timeout — with the form kept); **Delete** asks first (**Delete profile**)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.console.api_keys import error_text

Call = Callable[..., Any]
TENANT_DEFAULT = "Tenant default (all flows)"


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:g} s"


class FlowConfigsPage(QWidget):
    #: A profile or the tenant default was saved or deleted (the inspector's card re-reads).
    changed = Signal()

    def __init__(self, call: Call, flow_names: Callable[[], list[str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("flowConfigsPage")
        self._call, self._flow_names = call, flow_names
        title = QLabel("<h2>Flow Configs</h2>")
        self.flow = QComboBox(objectName="configFlow")
        self.flow.currentIndexChanged.connect(lambda _i: self.refresh())
        self.default_timeout = QSpinBox(objectName="defaultNodeTimeout", minimum=0, maximum=3600)
        self.default_timeout.setSpecialValueText("300 (platform default)")
        self.default_timeout.editingFinished.connect(self._save_default)
        self.effective = QLabel(objectName="effectiveValues")
        self.effective.setWordWrap(True)
        self.error = QLabel(objectName="configError")
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        self.empty = QLabel("No profiles for this flow yet.", objectName="noProfiles")
        self.table = QTreeWidget(objectName="profilesList")
        self.table.setHeaderLabels(["Profile", "Node timeout", "Secret overrides", ""])
        self.table.setRootIsDecorated(False)
        self.table.setColumnWidth(0, 200)
        self.table.setColumnWidth(1, 120)
        self.table.setColumnWidth(2, 260)
        self.delete_buttons: dict[str, QPushButton] = {}
        self.edit_buttons: dict[str, QPushButton] = {}
        #: The profile the form edits (None: the form makes a new one).
        self.editing: Any = None
        self.dialog: QMessageBox | None = None
        self.new_button = QPushButton("+ New profile", objectName="newProfile")
        self.new_button.clicked.connect(self._open_form)
        # The new-profile form.
        self.form = QFrame(objectName="profileForm")
        self.form.setFrameShape(QFrame.Shape.StyledPanel)
        self.profile_name = QLineEdit(objectName="profileName", placeholderText="default")
        self.profile_timeout = QSpinBox(objectName="profileTimeout", minimum=0, maximum=3600)
        self.profile_timeout.setSpecialValueText("inherit")
        self.override_name = QLineEdit(objectName="overrideName", placeholderText="Secret name (optional)")
        self.override_value = QLineEdit(objectName="overrideValue", placeholderText="Value")
        self.override_value.setEchoMode(QLineEdit.EchoMode.Password)
        self.remove_overrides = QListWidget(objectName="removeOverrides")
        self.remove_overrides.setMaximumHeight(72)
        self.create_button = QPushButton("Create", objectName="createProfile")
        self.create_button.clicked.connect(self._create)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self._close_form)
        fields = QFormLayout(self.form)
        fields.addRow("Profile name", self.profile_name)
        fields.addRow("Node timeout (s)", self.profile_timeout)
        override = QHBoxLayout()
        override.addWidget(self.override_name)
        override.addWidget(self.override_value)
        fields.addRow("Secret overrides", override)
        fields.addRow("Remove overrides", self.remove_overrides)
        self._fields = fields
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.create_button)
        fields.addRow(buttons)
        top = QFormLayout()
        top.addRow("Flow", self.flow)
        top.addRow("Default node timeout (seconds)", self.default_timeout)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(top)
        layout.addWidget(self.effective)
        layout.addWidget(self.error)
        layout.addWidget(self.form)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        #: Takes the page's spare height while the list is hidden (the tenant default has no profiles),
        #: so the rows above stay at the top instead of spreading down the page.
        self.filler = QWidget(objectName="flowConfigsFiller")
        layout.addWidget(self.filler, 1)
        self._close_form()
        self.fill_flows()

    def flow_name(self) -> str:
        """"" for the tenant default, else the picked flow."""
        return "" if self.flow.currentIndex() <= 0 else self.flow.currentText()

    def fill_flows(self) -> None:
        current = self.flow.currentText()
        self.flow.blockSignals(True)
        self.flow.clear()
        self.flow.addItem(TENANT_DEFAULT)
        self.flow.addItems(sorted(self._flow_names()))
        self.flow.setCurrentIndex(max(0, self.flow.findText(current)))
        self.flow.blockSignals(False)

    def select_flow(self, name: str) -> None:
        """Preselect ``name`` in the picker (the inspector's link); unknown names keep the current pick."""
        self.fill_flows()
        index = self.flow.findText(name) if name else 0
        if index >= 0:
            self.flow.setCurrentIndex(index)

    def refresh(self) -> None:
        flow = self.flow_name()
        self.new_button.setEnabled(bool(flow))
        self.default_timeout.setEnabled(not flow)
        self._call(lambda b: b.console.list_configs(flow), self._show_profiles, self._refused)
        if not flow:
            self._call(lambda b: b.console.list_configs(""), self._show_tenant_default, self._refused)
        self._call(lambda b: b.console.effective(flow), self._show_effective, self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.show()

    def _show_tenant_default(self, configs: list[Any]) -> None:
        default = next((c for c in configs if c.name == "default"), None)
        self.default_timeout.blockSignals(True)
        self.default_timeout.setValue(int(default.node_timeout_seconds or 0) if default else 0)
        self.default_timeout.blockSignals(False)

    def _show_profiles(self, configs: list[Any]) -> None:
        self.table.clear()
        self.delete_buttons = {}
        flow = self.flow_name()
        shown = configs if flow else []
        self.empty.setVisible(bool(flow) and not shown)
        self.table.setVisible(bool(shown))
        self.filler.setVisible(not shown)
        self.edit_buttons = {}
        for cfg in shown:
            item = QTreeWidgetItem([cfg.name, seconds(cfg.node_timeout_seconds), ", ".join(cfg.secret_overrides), ""])
            self.table.addTopLevelItem(item)
            edit = QPushButton("Edit", objectName="editProfile")
            edit.clicked.connect(lambda _c=False, c=cfg: self.edit_profile(c))
            button = QPushButton("Delete", objectName="deleteProfile")
            button.clicked.connect(lambda _c=False, n=cfg.name, f=flow: self.confirm_delete(n, f))
            cell = QWidget()
            row = QHBoxLayout(cell)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(edit)
            row.addWidget(button)
            row.addStretch(1)
            self.table.setItemWidget(item, 3, cell)
            self.delete_buttons[cfg.name] = button
            self.edit_buttons[cfg.name] = edit

    def _show_effective(self, value: tuple[float, tuple[str, ...]]) -> None:
        timeout, overrides = value
        text = f"Effective: node timeout {timeout:g} s"
        if overrides:
            text += "; secrets " + ", ".join(overrides)
        self.effective.setText(text)

    def rows(self) -> list[list[str]]:
        items = [self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount())]
        return [[item.text(c) for c in range(3)] for item in items if item is not None]

    def _save_default(self) -> None:
        value = self.default_timeout.value()
        if self.flow_name() or not value:
            return
        self.error.hide()
        self._call(lambda b: b.console.set_config("default", flow_name="", node_timeout_seconds=float(value)),
                   self._saved, self._refused)

    def _open_form(self) -> None:
        self._close_form()
        self.form.show()
        self.profile_name.setFocus()

    def _close_form(self) -> None:
        for field in (self.profile_name, self.override_name, self.override_value):
            field.clear()
        self.profile_timeout.setValue(0)
        self.editing = None
        self.remove_overrides.clear()
        self._fields.setRowVisible(self.remove_overrides, False)
        self.create_button.setText("Create")
        self.form.hide()

    def edit_profile(self, config: Any) -> None:
        """Open the form on ``config``: its name and timeout filled in, its overrides to tick for removal."""
        self._close_form()
        self.editing = config
        self.profile_name.setText(config.name)
        self.profile_timeout.setValue(int(config.node_timeout_seconds or 0))
        for name in config.secret_overrides:
            item = QListWidgetItem(name, self.remove_overrides)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self._fields.setRowVisible(self.remove_overrides, bool(config.secret_overrides))
        self.create_button.setText("Save")
        self.error.hide()
        self.form.show()
        self.profile_name.setFocus()

    def ticked_removals(self) -> tuple[str, ...]:
        items = [self.remove_overrides.item(i) for i in range(self.remove_overrides.count())]
        return tuple(i.text() for i in items if i is not None and i.checkState() == Qt.CheckState.Checked)

    def _create(self) -> None:
        flow, name = self.flow_name(), self.profile_name.text()
        timeout = float(self.profile_timeout.value()) or None
        key, value = self.override_name.text().strip(), self.override_value.text()
        if key and not value:
            self._refused(ValueError(f'secret override "{key}" needs a value'))
            return
        overrides = {key: value} if key else None
        editing = self.editing
        if editing is not None and timeout is None and editing.node_timeout_seconds is not None:
            self._refused(ValueError("Node timeout (s) must be 1–3600; a saved timeout cannot be cleared"))
            return
        self.error.hide()
        if editing is None:
            self._call(lambda b: b.console.create_config(name, flow_name=flow, node_timeout_seconds=timeout,
                                                         secret_overrides=overrides),
                       self._created, self._refused)
            return
        removals = self.ticked_removals()
        self._call(lambda b: b.console.update_config(editing.name, flow_name=flow, new_name=name.strip() or "default",
                                                     node_timeout_seconds=timeout, secret_overrides=overrides,
                                                     remove_overrides=removals),
                   self._created, self._refused)

    def confirm_delete(self, name: str, flow: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete profile",
                          f'Delete the profile "{name}" of "{flow}" and its secret overrides? The next run '
                          "no longer uses it. This cannot be undone.", QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("deleteProfileBox")
        delete = box.addButton("Delete profile", QMessageBox.ButtonRole.DestructiveRole)
        delete.setObjectName("deleteProfileButton")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        delete.clicked.connect(lambda: self._call(lambda b: b.console.delete_config(name, flow_name=flow),
                                                  self._saved, self._refused))
        self.dialog = box
        box.open()

    def _created(self, config: Any) -> None:
        self._close_form()
        self._saved(config)

    def _saved(self, _result: Any) -> None:
        self.refresh()
        self.changed.emit()
