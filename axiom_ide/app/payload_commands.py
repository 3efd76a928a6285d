"""Click an executed node → its payload popover; **Fork from here** / **Run from here** (#13 items 4, 5).

:class:`PayloadController` follows each tab's canvas (``FlowScene.nodeClicked``). A click on a card
the tab's shown run has completed or failed reads the node's payload through the Backend
(``node_payload``) and opens a :class:`~axiom_ide.app.panels.payload_popover.PayloadPopover` over the
canvas next to the card; a click on an idle or running card (or an empty run) opens none and closes
an open one. **Run from here** opens :class:`EditInputDialog` with the node's recorded input: run it
as it is, or edited (invalid JSON is refused with the parser's message, the dialog stays open). Both
buttons start a fork through ``Backend.fork`` (``mode="input"`` / ``"output"``) and show the new run
on the same tab, canvas and result panel as a ▶ Run does (``app/fork_run.py``: ``ForkRun``).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRect, QSize
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from axiom_ide.app.qt_bridge import alive

EXECUTED = ("completed", "failed")


class EditInputDialog(QDialog):
    """Run from here: the node's input as JSON, editable; **Run** re-runs from the node."""

    def __init__(self, node: str, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Run from here — {node}")
        self.setObjectName("runFromHereDialog")
        self.original = value
        #: The parsed input once accepted (None: unchanged, run with the recorded input).
        self.override: Any = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f'Input of "{node}" (JSON). Edit it, or run with the recorded input.'))
        self.editor = QPlainTextEdit(json.dumps(value, indent=2, ensure_ascii=False, default=str),
                                     objectName="runFromHereInput")
        layout.addWidget(self.editor, 1)
        self.error = QLabel("", objectName="runFromHereError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9534f;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.run_button = buttons.addButton("Run", QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setObjectName("runFromHereRun")
        buttons.accepted.connect(self._run)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(460, 320)

    def _run(self) -> None:
        try:
            value = json.loads(self.editor.toPlainText())
        except json.JSONDecodeError as exc:
            self._refuse(f"Invalid JSON: {exc}")
            return
        if not isinstance(value, dict):
            self._refuse("The input must be a JSON object.")
            return
        self.override = None if value == self.original else value
        self.accept()

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class PayloadController(QObject):
    def __init__(self, bridge: Any, *, results: Any, results_dock: Any, status: Callable[..., None],
                 on_run_ended: Callable[[], None], window: QWidget) -> None:
        super().__init__(window)
        self.bridge = bridge
        self.results = results
        self.results_dock = results_dock
        self.status = status
        self.on_run_ended = on_run_ended
        self.window = window
        #: The popover open now (one at a time), and the Run from here dialog last opened.
        self.popover: Any = None
        self.edit_dialog: EditInputDialog | None = None

    def attach(self, tab: Any) -> None:
        scene = tab.scene
        if scene is not None and hasattr(scene, "nodeClicked"):
            scene.nodeClicked.connect(lambda node_id, t=tab: self.node_clicked(t, node_id))

    # -- the popover ---------------------------------------------------------------------------
    def node_clicked(self, tab: Any, node_id: str) -> None:
        self.close_popover()
        state = self.shown_state(tab)
        if state is None or state.execution_id is None or state.node_states.get(node_id) not in EXECUTED:
            return  # idle or running nodes open no popover
        execution_id = state.execution_id
        self.bridge.call(lambda b: b.node_payload(execution_id, node_id),
                         lambda payload: self._show(tab, payload),
                         lambda exc: self.status(f"Payload: {getattr(exc, 'message', None) or exc}", 6000))

    def shown_state(self, tab: Any) -> Any:
        """The execution whose payloads a click on ``tab``'s canvas shows: an execution of this flow
        opened from history in the result panel, else the tab's latest run."""
        shown = getattr(self.results, "state", None)
        own = getattr(tab.run, "state", None)
        if shown is not None and shown is not own and shown.flow_name == tab.doc.flow.name:
            return shown
        return own

    def _show(self, tab: Any, payload: Any) -> None:
        from axiom_ide.app.panels.payload_popover import PayloadPopover

        if not alive(tab) or tab.view is None or not payload.executed:
            return
        self.close_popover()
        item = tab.scene.item_for_node(payload.node)
        popover = PayloadPopover(payload, tab.view.viewport())
        popover.forkRequested.connect(lambda eid, node, t=tab: self.fork(t, eid, node, mode="output"))
        popover.runFromHereRequested.connect(lambda eid, node, t=tab: self.ask_run_from_here(t, payload))
        popover.pinRequested.connect(lambda eid, node, output, t=tab: self.pin(t, eid, node, output))
        popover.show_at(self._card_rect(tab, item, popover.width()))
        self.popover = popover

    @staticmethod
    def _card_rect(tab: Any, item: Any, width: int) -> QRect:
        """The card's rect in the viewport; when the popover fits on neither side of it, the view
        first scrolls the card towards the left edge (as far as the scene allows) to make room."""
        view = tab.view
        if item is None:
            return QRect(view.viewport().rect().center(), QSize(1, 1))

        def rect() -> QRect:
            return view.mapFromScene(item.mapToScene(item.boundingRect())).boundingRect()

        card, room = rect(), view.viewport().width()
        if card.right() + 14 + width > room and card.left() - 14 - width < 0:
            bar = view.horizontalScrollBar()
            bar.setValue(bar.value() + card.left() - 8)
            card = rect()
        return card

    def pin(self, tab: Any, execution_id: str, node: str, output: Any) -> None:
        """Pin output: the tab's pins take the node's recorded output (app/pins.py)."""
        pins = getattr(tab, "pin_list", None)
        if pins is not None and alive(tab) and pins.pin_from_run(node, output, execution_id):
            self.close_popover()

    def close_popover(self) -> None:
        if self.popover is not None and alive(self.popover):
            self.popover.close()
            self.popover.deleteLater()
        self.popover = None

    # -- fork / run from here ------------------------------------------------------------------
    def ask_run_from_here(self, tab: Any, payload: Any) -> EditInputDialog:
        dialog = EditInputDialog(payload.node, payload.input, self.window)
        dialog.accepted.connect(lambda: self.fork(tab, payload.execution_id, payload.node, mode="input",
                                                  input_override=dialog.override))
        dialog.open()  # window-modal, does not block the event loop
        self.edit_dialog = dialog
        return dialog

    def fork(self, tab: Any, execution_id: str, node: str, *, mode: str, input_override: Any = None) -> Any:
        """Start the fork and show it on ``tab`` like a ▶ Run: canvas, pill, result panel, and the
        Stop action (Esc / Shift+F5) follows it (``RunCommands.show_fork``)."""
        from axiom_ide.app.fork_run import ForkRun

        self.close_popover()
        if not alive(tab):
            return None
        run = ForkRun(self.bridge, tab.doc, execution_id, node, mode=mode, input_override=input_override,
                      parent=tab)
        runs = getattr(self.window, "runs", None)
        if runs is not None:
            runs.show_fork(tab, run)  # its end updates Stop, the status bar and the Executions view
        else:
            self._bind_alone(tab, run)
        words = "Running from" if mode == "input" else "Forking from"
        self.status(f'{words} "{node}"…')
        run.start()
        return run

    def _bind_alone(self, tab: Any, run: Any) -> None:
        """Without a window's run commands (a bare controller): bind the canvas and panel only."""
        from axiom_ide.canvas.run_binding import RunBinding

        if tab.run_binding is not None:
            tab.run_binding.unbind()
            tab.run_binding = None
        tab.show_run(run)
        if tab.scene is not None:
            tab.run_binding = RunBinding(tab.scene, run.state)
        self.results.bind(run.state)
        self.results_dock.raise_()
        run.ended.connect(lambda result: self._ended(tab, result))

    def _ended(self, tab: Any, result: Any) -> None:
        if alive(tab):
            self.status(f"{tab.doc.flow.name}: {result.status}", 6000)
        self.on_run_ended()
