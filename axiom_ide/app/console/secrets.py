"""Console → Secrets (guides/manage-secrets.md): **Add secret** opens the form (Name, Value in a
password field with a show/hide toggle, **Save secret**); an existing name needs **I understand,
replace it**; the list shows names with their updated time and a delete button per row (confirmed);
nodes' ``required_secrets`` that are not set are flagged. A saved value is cleared from the form and
never read back: the backend returns names and dates only."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.console.api_keys import error_text
from axiom_ide.app.console.cells import button_cell, fit_columns
from axiom_ide.runtime.model.flow_users import flows_using

Call = Callable[..., Any]


class SecretsPage(QWidget):
    def __init__(self, call: Call, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("secretsPage")
        self._call = call
        self._names: set[str] = set()
        #: The workspace's flow files (set by the main window), to name the flows placing a node
        #: whose required secret is not set.
        self.flow_files: Callable[[], list[Path]] = list
        title = QLabel("<h2>Secrets</h2>")
        intro = QLabel("Secrets are encrypted at rest and readable by every node of your tenant with "
                       "ax.secrets.get(\"NAME\"). A value is never shown again after you save it.")
        intro.setWordWrap(True)
        self.add_button = QPushButton("Add secret", objectName="addSecret")
        self.add_button.clicked.connect(self.open_form)
        # The form.
        self.form = QFrame(objectName="secretForm")
        self.form.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = QLineEdit(objectName="secretName", placeholderText="ANTHROPIC_API_KEY")
        self.value = QLineEdit(objectName="secretValue")
        self.value.setEchoMode(QLineEdit.EchoMode.Password)
        # Not Qt's 32767 default: a longer paste would be cut silently; the backend says what is too long.
        self.value.setMaxLength(2**31 - 1)
        self.show_value = QPushButton("Show", objectName="showSecretValue")
        self.show_value.setCheckable(True)
        self.show_value.setToolTip("Show or hide the value")
        self.show_value.toggled.connect(self._toggle_echo)
        self.replace = QCheckBox("I understand, replace it", objectName="replaceSecret")
        self.warning = QLabel(objectName="secretWarning")
        self.warning.setWordWrap(True)
        self.error = QLabel(objectName="secretError")
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        self.save_button = QPushButton("Save secret", objectName="saveSecret")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.close_form)
        fields = QFormLayout()
        fields.addRow("Name", self.name)
        value_row = QHBoxLayout()
        value_row.addWidget(self.value, 1)
        value_row.addWidget(self.show_value)
        fields.addRow("Value", value_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.replace)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        form_layout = QVBoxLayout(self.form)
        form_layout.addLayout(fields)
        form_layout.addWidget(self.warning)
        form_layout.addWidget(self.error)
        form_layout.addLayout(buttons)
        self.name.textChanged.connect(self._update_form)
        self.value.textChanged.connect(self._update_form)
        self.replace.toggled.connect(self._update_form)
        self.value.returnPressed.connect(self.save)
        # The list and the flags.
        self.missing = QLabel(objectName="missingSecrets")
        self.missing.setWordWrap(True)
        self.missing.setStyleSheet("color: #b9770e")
        self.status = QLabel(objectName="secretsStatus")
        self.table = QTreeWidget(objectName="secretsList")
        self.table.setHeaderLabels(["Name", "Updated", ""])
        self.table.setRootIsDecorated(False)
        fit_columns(self.table)  # the Delete <name> buttons stay in view; a long name elides
        self.delete_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(self.form)
        layout.addWidget(self.missing)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.dialog: QMessageBox | None = None
        self.close_form()

    # -- the form ---------------------------------------------------------------------------------
    def open_form(self) -> None:
        self.form.show()
        self.name.setFocus()

    def close_form(self) -> None:
        self.name.clear()
        self.value.clear()
        self.show_value.setChecked(False)
        self.replace.setChecked(False)
        self.error.hide()
        self.form.hide()
        self._update_form()

    def _toggle_echo(self, shown: bool) -> None:
        self.value.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_value.setText("Hide" if shown else "Show")

    def _update_form(self) -> None:
        name = self.name.text().strip()
        exists = name in self._names
        self.warning.setText(f'A secret named "{name}" already exists: saving replaces its value.' if exists else "")
        self.warning.setVisible(exists)
        self.replace.setVisible(exists)
        self.save_button.setEnabled(bool(name) and bool(self.value.text()) and (not exists or self.replace.isChecked()))

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        name, value, replace = self.name.text().strip(), self.value.text(), self.replace.isChecked()
        self.save_button.setEnabled(False)
        self._call(lambda b: b.console.set_secret(name, value, replace=replace), self._saved, self._refused)

    def _saved(self, _replaced: bool) -> None:
        self.close_form()
        self.refresh()

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.show()
        self._update_form()

    # -- the list ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._call(lambda b: b.console.list_secrets(), self._show_secrets, self._list_refused)
        files = self.flow_files()

        async def missing(b: Any) -> list[tuple[str, str, list[str]]]:
            rows = await b.console.missing_secrets()
            flows = flows_using(files, {node for _secret, node in rows})
            return [(secret, node, flows[node]) for secret, node in rows]

        self._call(missing, self._show_missing, self._list_refused)

    def _list_refused(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))

    def _show_secrets(self, rows: list[dict[str, Any]]) -> None:
        self.table.clear()
        self.delete_buttons = {}
        self._names = {r["name"] for r in rows}
        self.status.setText("" if rows else "No secrets yet. Click Add secret to register one.")
        trash = self.style().standardIcon(QStyle.StandardPixmap.SP_TrashIcon)
        for row in rows:
            updated = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["updated_at"] / 1000))
            item = QTreeWidgetItem([row["name"], updated, ""])
            self.table.addTopLevelItem(item)
            button = QPushButton(trash, f"Delete {row['name']}")
            button.setObjectName("deleteSecret")
            button.clicked.connect(lambda _c=False, n=row["name"]: self.confirm_delete(n))
            self.table.setItemWidget(item, 2, button_cell(button))
            self.delete_buttons[row["name"]] = button
        fit_columns(self.table)
        self._update_form()

    def _show_missing(self, missing: list[tuple[str, str, list[str]]]) -> None:
        lines = [f"{secret} — required by {node}" + (f" (flows: {', '.join(flows)})" if flows else "")
                 for secret, node, flows in missing]
        self.missing.setText("Required by flows, not set:\n" + "\n".join(lines) if lines else "")
        self.missing.setVisible(bool(lines))

    def rows(self) -> list[list[str]]:
        items = [self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount())]
        return [[item.text(0), item.text(1)] for item in items if item is not None]

    def confirm_delete(self, name: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete secret",
                          f'Delete the secret "{name}"? The next execution no longer sees it. '
                          "This cannot be undone.", QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("deleteSecretBox")
        delete = box.addButton("Delete secret", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        delete.clicked.connect(lambda: self._call(lambda b: b.console.delete_secret(name),
                                                  lambda _found: self.refresh(), self._list_refused))
        self.dialog = box
        box.open()
