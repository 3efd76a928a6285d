"""The debug session page (guides__debug-a-flow.md, "Fork a debug session from a checkpoint").

A REPLAY/FORK session over an execution's stored history (a backend ``ReplayView``, backends/replay_view.py): a header with the
session id, the mode pill and a **Fork** button (fork at the selected node's checkpoint), a step toolbar — **Step Back** (``,``), **Step Forward** (``.``),
**Run to End** (**Stop** while running) — and an Inspector with the selected node's checkpointed
output and **Modify…**, which replaces one top-level key with a JSON value (a literal null and
values over 1 MB are refused). With overrides pending, Step Forward reads
"Apply N override(s) and Fork" and hands them to ``on_fork(checkpoint_id, overrides)``.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from axiom_ide.backends.replay_view import ReplayView

MAX_OVERRIDE_BYTES = 1024 * 1024
NULL_REFUSED = "A literal null is not a value — use Clear to remove an override key."
TOO_LARGE = "The value is over 1 MB."
EXPIRED = "Checkpoint expired — fork unavailable"


def parse_override(text: str) -> tuple[Any, str | None]:
    """The JSON value typed, or the reason it is refused."""
    if len(text.encode()) > MAX_OVERRIDE_BYTES:
        return None, TOO_LARGE
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if value is None:
        return None, NULL_REFUSED
    return value, None


class ModifyDialog(QDialog):
    def __init__(self, keys: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Modify…")
        self.key = QComboBox()
        self.key.addItems(keys)
        self.value = QPlainTextEdit()
        self.error = QLabel()
        self.error.setObjectName("overrideError")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Key", self.key)
        form.addRow("Value (JSON)", self.value)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.result_value: Any = None

    def _accept(self) -> None:
        value, problem = parse_override(self.value.toPlainText())
        if problem is not None:
            self.error.setText(problem)
            return
        self.result_value = value
        self.accept()


class DebugSessionPage(QWidget):
    def __init__(self, replay: ReplayView, *, session_id: str, mode: str = "REPLAY",
                 on_fork: Callable[[str, dict[str, Any]], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("debugSessionPage")
        self.replay = replay
        self.on_fork = on_fork
        self.overrides: dict[str, Any] = {}
        self.index = -1
        root = QHBoxLayout(self)
        left = QVBoxLayout()
        header = QHBoxLayout()
        self.pill = QLabel(mode)
        self.pill.setObjectName("modePill")
        self.pill.setStyleSheet("border: 1px solid #d9a400; border-radius: 8px; padding: 1px 8px;")
        header.addWidget(self.pill)
        self.session_label = QLabel(f"Session {session_id}")
        self.session_label.setObjectName("sessionId")
        self.session_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.session_label)
        header.addStretch(1)
        #: The header's fork button: fork at the selected node's checkpoint (with any pending overrides).
        self.fork_button = QPushButton("Fork")
        self.fork_button.clicked.connect(self.fork)
        header.addWidget(self.fork_button)
        left.addLayout(header)
        self.nodes = QListWidget()
        self.nodes.currentRowChanged.connect(lambda _: self._inspect())
        left.addWidget(self.nodes, 1)
        self.position = QLabel()
        left.addWidget(self.position)
        bar = QHBoxLayout()
        self.step_back = QPushButton("Step Back")
        self.step_forward = QPushButton("Step Forward")
        self.run_to_end = QPushButton("Run to End")
        self.step_back.clicked.connect(lambda: self.go(self.index - 1))
        self.step_forward.clicked.connect(self.forward)
        self.run_to_end.clicked.connect(self.toggle_run)
        bar.addStretch(1)
        for b in (self.step_back, self.step_forward, self.run_to_end):
            bar.addWidget(b)
        bar.addStretch(1)
        left.addLayout(bar)
        root.addLayout(left, 3)
        inspector = QVBoxLayout()
        inspector.addWidget(QLabel("Inspector"))
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        inspector.addWidget(self.output, 1)
        self.modify = QPushButton("Modify…")
        self.modify.clicked.connect(self.open_modify)
        inspector.addWidget(self.modify)
        self.dialog: ModifyDialog | None = None
        root.addLayout(inspector, 2)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        #: ``,`` Step Back and ``.`` Step Forward (the docs' keys), page-wide shortcuts.
        self.shortcuts = (self._shortcut(Qt.Key.Key_Comma, self.step_back),
                          self._shortcut(Qt.Key.Key_Period, self.step_forward))
        self.go(-1)

    def _shortcut(self, key: Qt.Key, button: QPushButton) -> QShortcut:
        """``key`` clicks ``button`` (when enabled) wherever focus is on the page, the node list too."""
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: button.click() if button.isEnabled() else None)
        return shortcut

    # -- stepping ----------------------------------------------------------------------------
    def go(self, index: int) -> None:
        self.index = max(-1, min(index, len(self.replay) - 1))
        point = self.replay.at(self.index)
        row = max(self.nodes.currentRow(), 0)
        self.nodes.blockSignals(True)
        self.nodes.clear()
        for s in point.nodes.values():
            self.nodes.addItem(f"{s.node} — {s.status}")
        self.nodes.setCurrentRow(row)
        self.nodes.blockSignals(False)
        self.position.setText(f"Event {self.index + 1} of {len(self.replay)} · {point.status}")
        self.step_back.setEnabled(self.index > -1)
        self._inspect()
        self._label_forward()

    def forward(self) -> None:
        if self.overrides:
            self.fork()
            return
        self.go(self.index + 1)

    def fork(self) -> None:
        """Fork at the selected node's checkpoint with the pending overrides (then none pend)."""
        cp = self.selected_checkpoint()
        if cp is not None and self.on_fork is not None:
            self.on_fork(cp, dict(self.overrides))
        self.overrides.clear()
        self._label_forward()

    def toggle_run(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self.run_to_end.setText("Run to End")
        else:
            self._timer.start(100)
            self.run_to_end.setText("Stop")

    def _tick(self) -> None:
        self.go(self.index + 1)
        if self.index >= len(self.replay) - 1:
            self.toggle_run()

    def _label_forward(self) -> None:
        n = len(self.overrides)
        self.step_forward.setText(f"Apply {n} override(s) and Fork" if n else "Step Forward")
        self.step_forward.setEnabled(bool(n) or self.index < len(self.replay) - 1)

    # -- inspector ---------------------------------------------------------------------------
    def selected_node(self) -> str | None:
        row = self.nodes.currentRow()
        ids = self.replay.node_ids
        return ids[row] if 0 <= row < len(ids) else None

    def selected_checkpoint(self) -> str | None:
        node = self.selected_node()
        state = self.replay.at(self.index).nodes.get(node) if node else None
        return state.checkpoint_id if state is not None else None

    def _inspect(self) -> None:
        cp = self.selected_checkpoint()
        view = self.replay.checkpoint(cp) if cp is not None else None
        expired = view is not None and view.expired
        if cp is None:
            self.output.setPlainText("No checkpoint yet at this point.")
        elif expired:
            self.output.setPlainText("Snapshot expired")
        else:
            self.output.setPlainText(json.dumps(view.output if view is not None else None, indent=2, default=str))
        self.modify.setEnabled(cp is not None and not expired)
        self.modify.setToolTip(EXPIRED if expired else "")
        self.fork_button.setEnabled(cp is not None and not expired and self.on_fork is not None)
        self.fork_button.setToolTip(EXPIRED if expired else "")

    def open_modify(self) -> None:
        cp = self.selected_checkpoint()
        view = self.replay.checkpoint(cp) if cp else None
        output = view.output if view is not None else None
        keys = sorted(output) if isinstance(output, dict) else []
        self.dialog = ModifyDialog(keys, self)
        self.dialog.accepted.connect(self._modified)
        self.dialog.open()

    def _modified(self) -> None:
        assert self.dialog is not None
        self.overrides[self.dialog.key.currentText()] = self.dialog.result_value
        self._label_forward()
