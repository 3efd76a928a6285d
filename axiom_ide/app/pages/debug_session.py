"""The debug session page (guides__debug-a-flow.md, "Fork a debug session from a checkpoint").

A session over an execution's history (a backend ``ReplayView``, backends/replay_view.py), in one
of three modes, shown on the header's pill: REPLAY (a past run, **Replay in debugger**), FORK (a
fork's run, after **Fork from here**) or LIVE (a Debug run going in the editor, **Open in
debugger**; app/pages/live_session.py feeds it). The header has the session id, the pill and a
**Fork** button (fork at the selected node's checkpoint). The session canvas (the read-only canvas,
canvas/readonly.py) draws every card's state at the current step, the node a Debug run is paused
before in the paused colour; a click on a card selects it in the Inspector. The step toolbar at
the canvas's bottom-center: **Step Back** (``,``), **Step Forward** (``.``), **Run to End**
(**Stop** while running). The Inspector shows the selected node's checkpointed output and
**Modify…**, which replaces one top-level key with a JSON value (a literal null and values over
1 MB are refused; **Clear** drops a pending override), and the six detail tabs up to the current
step (app/pages/session_tabs.py). With overrides pending, Step Forward reads "Apply N override(s)
and Fork" and hands them to ``on_fork(checkpoint_id, overrides)``; in a LIVE session it asks first
(no silent forks). In LIVE, Step Forward at the run's head steps the paused run one node, Run to
End continues it and Stop pauses it.
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
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.pages.session_tabs import SessionTabs

if TYPE_CHECKING:
    from axiom_ide.backends.replay_view import ReplayView

MAX_OVERRIDE_BYTES = 1024 * 1024
NULL_REFUSED = "A literal null is not a value — use Clear to remove an override key."
TOO_LARGE = "The value is over 1 MB."
EXPIRED = "Checkpoint expired — fork unavailable"
STEP_FORWARD, RUN_TO_END, STOP = "Step Forward", "Run to End", "Stop"
APPLY = "Apply {n} override(s) and Fork"
#: The LIVE confirmation (no silent forks): its title and text.
CONFIRM_TITLE = "Fork with overrides?"
CONFIRM_TEXT = ("Stepping with {n} override(s) creates a fork of this run from the checkpoint of {node}, "
                "with the override(s) applied. The live run stays paused where it is.")
NO_FLOW = "The flow as compiled for this run is not available."
#: The execution statuses after which a run goes no further.
ENDED = ("Completed", "Failed", "Cancelled")
#: Replay statuses -> the canvas's card states (pending = idle).
_CARD_STATE = {"running": "running", "completed": "completed", "failed": "failed", "skipped": "skipped"}
_TOOLBAR_STYLE = ("QFrame#stepToolbar { background: palette(window); border: 1px solid palette(mid);"
                  " border-radius: 6px; }")


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
                 on_fork: Callable[[str, dict[str, Any]], None] | None = None, workspace: Any = None,
                 live: Any = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("debugSessionPage")
        self.replay = replay
        self.mode = mode
        self.on_fork = on_fork
        #: A LIVE session's controls (app/pages/live_session.py: ``step``, ``resume``, ``pause``), else None.
        self.live = live
        #: Pending overrides (top-level key -> JSON value) of the checkpoint ``override_checkpoint``.
        self.overrides: dict[str, Any] = {}
        self.override_checkpoint: str | None = None
        self.index = -1
        self.selected: str | None = replay.node_ids[0] if replay.node_ids else None
        self.dialog: ModifyDialog | None = None
        self.confirm: QMessageBox | None = None

        root = QVBoxLayout(self)
        root.addLayout(self._header(session_id))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._canvas_area(workspace))
        split.addWidget(self._inspector())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([740, 520])
        root.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        #: ``,`` Step Back and ``.`` Step Forward (the docs' keys), page-wide shortcuts.
        self.shortcuts = (self._shortcut(Qt.Key.Key_Comma, self.step_back),
                          self._shortcut(Qt.Key.Key_Period, self.step_forward))
        self.fitted = False
        self.go(len(replay) - 1 if live is not None else -1)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        """The first time shown: the whole flow fits the canvas (once laid out at its size)."""
        super().showEvent(event)
        if not self.fitted and self.canvas is not None:
            QTimer.singleShot(0, self._fit)

    def _fit(self) -> None:
        if self.canvas is not None and not self.fitted:
            self.canvas.fit_all()
            self.fitted = True

    # -- building ----------------------------------------------------------------------------
    def _header(self, session_id: str) -> QHBoxLayout:
        header = QHBoxLayout()
        self.pill = QLabel(self.mode)
        self.pill.setObjectName("modePill")
        self.pill.setStyleSheet("border: 1px solid #d9a400; border-radius: 8px; padding: 1px 8px;")
        header.addWidget(self.pill)
        self.session_label = QLabel(f"Session {session_id}")
        self.session_label.setObjectName("sessionId")
        self.session_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.session_label)
        self.position = QLabel()
        self.position.setObjectName("sessionPosition")
        header.addWidget(self.position, 1)
        #: The header's fork button: fork at the selected node's checkpoint (with any pending overrides).
        self.fork_button = QPushButton("Fork")
        self.fork_button.clicked.connect(self.fork)
        header.addWidget(self.fork_button)
        return header

    def _canvas_area(self, workspace: Any) -> QWidget:
        """The session canvas with the step toolbar floating at its bottom-center."""
        area = QWidget()
        grid = QGridLayout(area)
        grid.setContentsMargins(0, 0, 0, 0)
        self.canvas: Any = None
        if self.replay.flow:
            from axiom_ide.canvas.readonly import readonly_canvas

            self.canvas = readonly_canvas(self.replay.flow, workspace)
            self.canvas.nodeClicked.connect(self.select)
            grid.addWidget(self.canvas, 0, 0)
        else:
            missing = QLabel(NO_FLOW)
            missing.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(missing, 0, 0)
        toolbar = QFrame(objectName="stepToolbar")
        toolbar.setStyleSheet(_TOOLBAR_STYLE)
        bar = QHBoxLayout(toolbar)
        bar.setContentsMargins(6, 4, 6, 4)
        self.step_back = QPushButton("Step Back")
        self.step_back.setToolTip("Step Back (,)")
        self.step_forward = QPushButton(STEP_FORWARD)
        self.step_forward.setToolTip("Step Forward (.)")
        self.run_to_end = QPushButton(RUN_TO_END)
        self.step_back.clicked.connect(lambda: self.go(self.index - 1))
        self.step_forward.clicked.connect(self.forward)
        self.run_to_end.clicked.connect(self.toggle_run)
        for b in (self.step_back, self.step_forward, self.run_to_end):
            bar.addWidget(b)
        holder = QWidget()
        lay = QHBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 20)
        lay.addWidget(toolbar)
        grid.addWidget(holder, 0, 0, Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignHCenter)
        return area

    def _inspector(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        box = QVBoxLayout(top)
        box.setContentsMargins(4, 0, 0, 0)
        title = QLabel("Inspector")
        title.setStyleSheet("font-weight: bold;")
        box.addWidget(title)
        self.node_label = QLabel()
        self.node_label.setObjectName("inspectorNode")
        box.addWidget(self.node_label)
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        box.addWidget(self.output, 2)
        row = QHBoxLayout()
        self.modify = QPushButton("Modify…")
        self.modify.clicked.connect(self.open_modify)
        row.addWidget(self.modify)
        row.addStretch(1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove the selected override key")
        self.clear_button.clicked.connect(self.clear_override)
        row.addWidget(self.clear_button)
        box.addLayout(row)
        self.overrides_list = QListWidget()
        self.overrides_list.setObjectName("overrides")
        self.overrides_list.setMaximumHeight(70)
        self.overrides_list.currentRowChanged.connect(lambda _: self._label_forward())
        self.overrides_list.hide()  # shown while overrides pend
        box.addWidget(self.overrides_list)
        split.addWidget(top)
        self.tabs = SessionTabs()
        split.addWidget(self.tabs)
        split.setSizes([300, 300])
        return split

    def _shortcut(self, key: Qt.Key, button: QPushButton) -> QShortcut:
        """``key`` clicks ``button`` (when enabled) wherever focus is on the page, the canvas too."""
        shortcut = QShortcut(QKeySequence(key), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(lambda: button.click() if button.isEnabled() else None)
        return shortcut

    # -- the run's head (LIVE) ---------------------------------------------------------------
    @property
    def head(self) -> int:
        return len(self.replay) - 1

    @property
    def run_status(self) -> str:
        """The execution's status at its latest event."""
        return str(self.replay.at(self.head).status)

    @property
    def live_paused(self) -> bool:
        return self.live is not None and self.run_status == "Debug paused"

    @property
    def live_running(self) -> bool:
        return self.live is not None and self.run_status not in ENDED and not self.live_paused

    def set_replay(self, replay: ReplayView) -> None:
        """The history read again (a LIVE run went on): at the head before, at the head after."""
        follow = self.index >= self.head
        self.replay = replay
        self.go(self.head if follow else self.index)

    # -- stepping ----------------------------------------------------------------------------
    def card_states(self) -> dict[str, str | None]:
        """Canvas id -> the state its card is drawn in at the current step."""
        point = self.replay.at(self.index)
        states: dict[str, str | None] = {n: _CARD_STATE.get(s.status) for n, s in point.nodes.items()}
        if point.paused_at is not None and states.get(point.paused_at) is None:
            states[point.paused_at] = "paused"  # the node the run is paused before
        return states

    def go(self, index: int) -> None:
        self.index = max(-1, min(index, self.head))
        point = self.replay.at(self.index)
        if self.canvas is not None:
            self.canvas.show_states(self.card_states())
            self.canvas.flow_scene.select_nodes([self.selected] if self.selected else [])
        event = self.replay.events[self.index] if self.index >= 0 else None
        where = f" · {event.type}{' ' + event.node if event.node else ''}" if event is not None else ""
        self.position.setText(f"Event {self.index + 1} of {len(self.replay)}{where} · {point.status}")
        self.step_back.setEnabled(self.index > -1)
        self.tabs.show_step(self.replay, self.index)
        self._inspect()
        self._label_forward()

    def forward(self) -> None:
        if self.overrides:
            if self.live is not None:
                self.ask_fork()
            else:
                self.fork()
            return
        if self.index < self.head:
            self.go(self.index + 1)
        elif self.live_paused:
            self.live.step()

    def ask_fork(self) -> None:
        """LIVE: no silent forks — ask before forking with the pending overrides; Cancel changes nothing."""
        node = self._override_node() or "the selected node"
        box = QMessageBox(QMessageBox.Icon.Question, CONFIRM_TITLE,
                          CONFIRM_TEXT.format(n=len(self.overrides), node=node), parent=self)
        box.setObjectName("forkConfirm")
        fork = box.addButton(APPLY.format(n=len(self.overrides)), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: self.fork() if button is fork else None)
        self.confirm = box
        box.open()

    def fork(self) -> None:
        """Fork at the overrides' checkpoint (else the selected node's) with the pending overrides
        (then none pend)."""
        cp = self.override_checkpoint if self.overrides else self.selected_checkpoint()
        if cp is not None and self.on_fork is not None:
            self.on_fork(cp, dict(self.overrides))
        self.overrides.clear()
        self.override_checkpoint = None
        self._show_overrides()

    def toggle_run(self) -> None:
        """Run to End / Stop: REPLAY steps to the end on a timer; LIVE continues or pauses the run."""
        if self.live is not None:
            if self.live_running:
                self.live.pause()
            elif self.live_paused:
                self.go(self.head)
                self.live.resume()
            else:
                self.go(self.head)
            return
        if self._timer.isActive():
            self._timer.stop()
        else:
            self._timer.start(100)
        self._label_forward()

    def _tick(self) -> None:
        self.go(self.index + 1)
        if self.index >= self.head:
            self._timer.stop()
            self._label_forward()

    def _label_forward(self) -> None:
        n = len(self.overrides)
        self.step_forward.setText(APPLY.format(n=n) if n else STEP_FORWARD)
        self.step_forward.setEnabled(bool(n) or self.index < self.head or self.live_paused)
        running = self._timer.isActive() or self.live_running
        self.run_to_end.setText(STOP if running else RUN_TO_END)
        self.run_to_end.setEnabled(running or self.index < self.head or self.live_paused)
        self.clear_button.setEnabled(self.overrides_list.currentRow() >= 0)

    # -- inspector ---------------------------------------------------------------------------
    def select(self, node: str) -> None:
        """Show ``node`` (a card clicked) in the Inspector."""
        self.selected = node
        if self.canvas is not None:
            self.canvas.flow_scene.select_nodes([node])
        self._inspect()

    def selected_node(self) -> str | None:
        return self.selected

    def selected_checkpoint(self) -> str | None:
        node = self.selected
        state = self.replay.at(self.index).nodes.get(node) if node else None
        return state.checkpoint_id if state is not None else None

    def _inspect(self) -> None:
        node = self.selected
        state = self.replay.at(self.index).nodes.get(node) if node else None
        self.node_label.setText(f"{node} — {state.status}" if state is not None else "Click a node on the canvas.")
        cp = self.selected_checkpoint()
        view = self.replay.checkpoint(cp) if cp is not None else None
        expired = view is not None and view.expired
        if state is not None and state.error and cp is None:
            self.output.setPlainText(state.error)
        elif cp is None:
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
        self.dialog.accepted.connect(lambda c=cp: self._modified(c))
        self.dialog.open()

    def _modified(self, checkpoint_id: str | None) -> None:
        assert self.dialog is not None
        if checkpoint_id != self.override_checkpoint:  # overrides belong to one checkpoint
            self.overrides.clear()
            self.override_checkpoint = checkpoint_id
        self.overrides[self.dialog.key.currentText()] = self.dialog.result_value
        self._show_overrides()

    def _override_node(self) -> str | None:
        cp = self.replay.checkpoint(self.override_checkpoint) if self.override_checkpoint else None
        return cp.node if cp is not None else None

    def _show_overrides(self) -> None:
        self.overrides_list.clear()
        node = self._override_node()
        for key, value in self.overrides.items():
            self.overrides_list.addItem(f"{node}.{key} = {json.dumps(value, default=str)[:80]}")
        self.overrides_list.setVisible(bool(self.overrides))
        self._label_forward()

    def clear_override(self) -> None:
        """**Clear**: drop the selected override key."""
        row = self.overrides_list.currentRow()
        keys = list(self.overrides)
        if 0 <= row < len(keys):
            del self.overrides[keys[row]]
        if not self.overrides:
            self.override_checkpoint = None
        self._show_overrides()
