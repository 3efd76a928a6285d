"""Help → Keyboard Shortcuts: every action of the window with its keys, read from the actions
themselves (so the list cannot drift from what the keys do), grouped by menu in menu order."""
from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

#: Keys from here on are media/launcher keys (Back, Forward, the "Save" key, ...) that Qt's
#: standard bindings add on some platforms; nobody types them, so the list leaves them out.
_FIRST_MEDIA_KEY = int(Qt.Key.Key_Back.value)
MENU_ORDER = ("File", "Edit", "View", "Run", "Help")


def action_name(action: QAction) -> str:
    """The command's name without mnemonics or ellipsis ("Undo", not "Undo Move greet")."""
    text = (action.iconText() or action.text()).replace("&", "").rstrip("…").strip()
    # Dock toggles are named by their dock ("Library"); say what the keys do.
    return f"Show/Hide {text} Panel" if action.objectName().startswith("toggle-") else text


def typed_keys(action: QAction) -> list[str]:
    """The action's shortcuts a person types, in the platform's notation."""
    out = []
    for seq in action.shortcuts():
        if seq.isEmpty() or int(seq[0].key().value) >= _FIRST_MEDIA_KEY:  # type: ignore[index]  # stubs lack __getitem__
            continue
        out.append(seq.toString(QKeySequence.SequenceFormat.NativeText))
    return out


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str, str]]:
    """(menu, command, keys) for every action, by menu then command; keys "" when it has none."""
    rows = []
    for action in actions:
        menu = str(action.property("menu") or "")
        rows.append((menu, action_name(action), ", ".join(typed_keys(action))))
    order = {m: i for i, m in enumerate(MENU_ORDER)}
    return sorted(rows, key=lambda r: (order.get(r[0], len(order)), r[1].lower()))


class ShortcutsDialog(QDialog):
    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = shortcut_rows(actions)
        self.table = QTableWidget(len(self.rows), 3, objectName="shortcutsTable")
        self.table.setHorizontalHeaderLabels(["Menu", "Command", "Shortcut"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for r, row in enumerate(self.rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(r, c, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        self.resize(560, 620)

    def table_rows(self) -> list[tuple[str, str, str]]:
        """What the table shows, row by row."""
        t = self.table
        return [(t.item(r, 0).text(), t.item(r, 1).text(), t.item(r, 2).text()) for r in range(t.rowCount())]
