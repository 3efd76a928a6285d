"""Command palette (Ctrl+K): every action by name, fuzzy-filtered, Enter runs it.

Matching is a subsequence match scored so that consecutive letters and word starts rank first
("sva" finds "Save As…"). Disabled actions are listed, greyed, and cannot be run.
"""
from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget


def action_label(action: QAction) -> str:
    return action.text().replace("&", "").strip()


def fuzzy_score(query: str, text: str) -> int | None:
    """Higher is better; ``None`` when ``query`` is not a subsequence of ``text``."""
    q, t = query.lower().strip(), text.lower()
    if not q:
        return 0
    score, pos, prev = 0, 0, -2
    for ch in q:
        if ch == " ":
            continue
        i = t.find(ch, pos)
        if i < 0:
            return None
        score += 1
        if i == prev + 1:
            score += 5  # consecutive letters
        if i == 0 or not t[i - 1].isalnum():
            score += 8  # start of a word
        prev, pos = i, i + 1
    return score * 100 - len(t)


def rank(query: str, actions: Iterable[QAction]) -> list[QAction]:
    scored = []
    for action in actions:
        s = fuzzy_score(query, action_label(action))
        if s is not None:
            scored.append((-s, action_label(action), action))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [a for _s, _l, a in scored]


class CommandPalette(QDialog):
    """A frameless popup with a search line and the matching actions."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("commandPalette")
        self._actions = [a for a in actions if action_label(a)]
        self.search = QLineEdit(placeholderText="Type a command…", objectName="paletteSearch")
        self.list = QListWidget(objectName="paletteList")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(520, 380)
        self.search.textChanged.connect(self.refilter)
        self.search.returnPressed.connect(self.run_current)
        self.list.itemActivated.connect(lambda _item: self.run_current())
        self.search.installEventFilter(self)
        self.refilter("")

    def refilter(self, text: str) -> None:
        self.list.clear()
        for action in rank(text, self._actions):
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            item = QListWidgetItem(action_label(action) + (f"    {keys}" if keys else ""))
            item.setData(Qt.ItemDataRole.UserRole, action)
            item.setToolTip(action.toolTip())
            if not action.isEnabled():
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        for row in range(self.list.count()):
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsEnabled:
                self.list.setCurrentRow(row)
                break

    def visible_labels(self) -> list[str]:
        return [action_label(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count())]

    def run_current(self) -> None:
        item = self.list.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        action: QAction = item.data(Qt.ItemDataRole.UserRole)
        self.accept()
        action.trigger()

    def eventFilter(self, obj, event):  # noqa: N802 (Qt API)
        from PySide6.QtCore import QEvent

        if obj is self.search and event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            row = self.list.currentRow() + step
            while 0 <= row < self.list.count():
                if self.list.item(row).flags() & Qt.ItemFlag.ItemIsEnabled:
                    self.list.setCurrentRow(row)
                    break
                row += step
            return True
        return super().eventFilter(obj, event)
