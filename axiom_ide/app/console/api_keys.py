"""Console → API Keys (guides/api-keys.md): Create key → **Create API key** (Name required) → **Save
your API key** (the raw 64-hex key, exactly once, copy button, **Done**); the list's Name, Key
(masked, first 8 … last 4), Created, Last used (``Never`` until used); **Revoke <name>** per row,
confirmed with **Revoke key**. Dialogs open non-modally-blocking (``open()``) so tests drive them."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
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

from axiom_ide.app.console.cells import button_cell, fit_columns

Call = Callable[..., Any]
COLUMNS = ("Name", "Key", "Created", "Last used", "")


def when(seconds: float | None) -> str:
    """A list date: local ``YYYY-MM-DD HH:MM``, ``Never`` for a key never used."""
    return "Never" if seconds is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(seconds))


def error_text(exc: BaseException) -> str:
    """What a refusal says (an AxiomError's message; a remote's status and message)."""
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


class CreateKeyDialog(QDialog):
    """**Create API key**: Name (required) and **Create key** (or Enter); a refusal stays inline."""

    def __init__(self, call: Call, on_created: Callable[[str, Any], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("createKeyDialog")
        self.setWindowTitle("Create API key")
        self._call, self._on_created = call, on_created
        self.name = QLineEdit(objectName="keyName", placeholderText="ci, laptop, production-cli")
        self.error = QLabel(objectName="keyError")
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        self.error.hide()
        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton("Create key", QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("createKeyButton")
        self.create_button.setDefault(True)
        self.create_button.setEnabled(False)
        cancel = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.clicked.connect(self.reject)
        self.create_button.clicked.connect(self.submit)
        self.name.textChanged.connect(lambda text: self.create_button.setEnabled(bool(text.strip())))
        self.name.returnPressed.connect(self.submit)
        form = QFormLayout()
        form.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(420, self.sizeHint().height())

    def submit(self) -> None:
        name = self.name.text()
        if not name.strip():
            self._show_error("A name is required")
            return
        self.create_button.setEnabled(False)
        self._call(lambda b: b.console.create_key(name), self._created, self._refused)

    def _created(self, result: tuple[str, Any]) -> None:
        self.accept()
        self._on_created(*result)

    def _refused(self, exc: BaseException) -> None:
        self.create_button.setEnabled(bool(self.name.text().strip()))
        self._show_error(error_text(exc))

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class SaveKeyDialog(QDialog):
    """**Save your API key**: the raw key, read-only, with a copy button and **Done**. The key lives
    only in this dialog; closing it drops it."""

    def __init__(self, raw: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("saveKeyDialog")
        self.setWindowTitle("Save your API key")
        note = QLabel("Copy this key now and store it somewhere safe. It is shown exactly once: "
                      "only its SHA-256 hash is stored, so it cannot be recovered.")
        note.setWordWrap(True)
        self.key = QLineEdit(raw, objectName="rawKey", readOnly=True)
        self.key.setMinimumWidth(self.key.fontMetrics().horizontalAdvance(raw) + 24)
        self.copy_button = QPushButton("Copy", objectName="copyKeyButton")
        self.copy_button.setIcon(QIcon.fromTheme("edit-copy"))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.key.text()))
        self.done_button = QPushButton("Done", objectName="doneButton")
        self.done_button.setDefault(True)
        self.done_button.clicked.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.key, 1)
        row.addWidget(self.copy_button)
        footer = QHBoxLayout()
        footer.addStretch(1)
        footer.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(row)
        layout.addLayout(footer)
        self.finished.connect(lambda _r: self.key.clear())


class ApiKeysPage(QWidget):
    """The key list with Create key and a **Revoke <name>** button per row."""

    def __init__(self, call: Call, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("apiKeysPage")
        self._call = call
        title = QLabel("<h2>API Keys</h2>")
        intro = QLabel("Keys authenticate the CLI and any code that calls your flows over HTTP. "
                       "Every key carries your tenant's full access.")
        intro.setWordWrap(True)
        self.create_button = QPushButton("Create key", objectName="createKey")
        self.create_button.clicked.connect(self.create_key)
        self.status = QLabel(objectName="apiKeysStatus")
        self.status.setWordWrap(True)
        self.table = QTreeWidget(objectName="apiKeysList")
        self.table.setHeaderLabels(list(COLUMNS))
        self.table.setRootIsDecorated(False)
        fit_columns(self.table)  # the Revoke <name> buttons stay in view; a long name elides
        self.revoke_buttons: dict[str, QPushButton] = {}
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(intro)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.dialog: QDialog | None = None

    def refresh(self) -> None:
        self._call(lambda b: b.console.list_keys(), self._show_keys, self._refused)

    def _show_keys(self, keys: list[Any]) -> None:
        self.table.clear()
        self.revoke_buttons = {}
        self.status.setText("" if keys else "No API keys yet. Click Create key to mint one.")
        trash = self.style().standardIcon(QStyle.StandardPixmap.SP_TrashIcon)
        for key in keys:
            item = QTreeWidgetItem([key.name, key.masked, when(key.created_at), when(key.last_used), ""])
            self.table.addTopLevelItem(item)
            button = QPushButton(trash, f"Revoke {key.name}")
            button.setObjectName("revokeKey")
            button.clicked.connect(lambda _c=False, n=key.name: self.confirm_revoke(n))
            self.table.setItemWidget(item, 4, button_cell(button))
            self.revoke_buttons[key.name] = button
        fit_columns(self.table)

    def rows(self) -> list[list[str]]:
        """What the list shows, row by row (Name, Key, Created, Last used)."""
        items = [self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount())]
        return [[item.text(c) for c in range(4)] for item in items if item is not None]

    def _refused(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))

    def create_key(self) -> None:
        dialog = CreateKeyDialog(self._call, self._created, self)
        self.dialog = dialog
        dialog.open()

    def _created(self, raw: str, _key: Any) -> None:
        dialog = SaveKeyDialog(raw, self)
        self.dialog = dialog
        dialog.open()
        self.refresh()

    def confirm_revoke(self, name: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Revoke key",
                          f'Revoke the API key "{name}"? Any client using it stops working on its next '
                          "request. This cannot be undone.", QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("revokeKeyBox")
        revoke = box.addButton("Revoke key", QMessageBox.ButtonRole.DestructiveRole)
        revoke.setObjectName("revokeKeyButton")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        revoke.clicked.connect(lambda: self._revoke(name))
        self.dialog = box
        box.open()

    def _revoke(self, name: str) -> None:
        def done(found: bool) -> None:
            self.refresh()
            if not found:
                self.status.setText(f'No active API key named "{name}"')

        self._call(lambda b: b.console.revoke_key(name), done, self._refused)
