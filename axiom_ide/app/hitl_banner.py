"""The human-in-the-loop banner (concepts/execution-model "Paused (HITL)"; runtime/engine/hitl.py).

While an execution waits for an approval before a node, a banner across the top of the flow tab
(its latest run) and of the execution detail page reads ``Paused (HITL) before "<node>": <prompt>``
with three buttons:

- **Approve** — the node runs with its own input;
- **Reject** — the run ends Failed (``node "<id>": approval rejected``);
- **Edit & approve** — a dialog with the node's input as JSON; **Approve** there (enabled while
  the text is a JSON object) runs the node with the edited input.

Each click is one ``Backend.resume_pause`` call through ``submit(action, input, on_done,
on_error)`` — set by whoever shows the banner (the flow tab: its run's bridge; the detail page:
app/execution_pages.py). A refusal (someone else answered first, the pause timed out) shows its
message in the banner. The banner follows the events: HITL_PAUSED shows it, HITL_RESUMED /
HITL_TIMED_OUT / the run's end hide it.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

APPROVE, REJECT, EDIT_APPROVE = "Approve", "Reject", "Edit & approve"
PAUSED_TEXT = 'Paused (HITL) before "{node}": {prompt}'
EDIT_TITLE = 'Edit the input of "{node}", then approve'
NOT_AN_OBJECT = "The input must be a JSON object, e.g. {\"text\": \"…\"}"
_STYLE = "QFrame#hitlBanner { background: #fff7e6; border: 2px solid #f59e0b; border-radius: 6px; }"
_PAUSED, _ANSWERED = "HITL_PAUSED", ("HITL_RESUMED", "HITL_TIMED_OUT")
_ENDED = ("EXECUTION_COMPLETED", "EXECUTION_FAILED", "EXECUTION_CANCELLED")

#: ``submit(action, input, on_done, on_error)``: one Backend.resume_pause call.
Submit = Callable[[str, Any, Callable[[Any], None], Callable[[BaseException], None]], None]


def pending_pause(events: Sequence[Any]) -> Any:
    """The HITL_PAUSED event still waiting for an answer among ``events`` (in order), or None."""
    pending = None
    for e in events:
        if e.type == _PAUSED:
            pending = e
        elif e.type in _ANSWERED or e.type in _ENDED:
            pending = None
    return pending


class EditInputDialog(QDialog):
    """The node's input as JSON; **Approve** is enabled while it parses as a JSON object."""

    def __init__(self, node: str, value: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hitlEditDialog")
        self.setWindowTitle(EDIT_TITLE.format(node=node))
        self.editor = QPlainTextEdit(json.dumps(value if value is not None else {}, indent=2, ensure_ascii=False))
        self.editor.setObjectName("hitlInputEditor")
        self.problem = QLabel(objectName="hitlInputProblem")
        self.problem.setStyleSheet("color: #c62828;")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.approve_button = self.buttons.addButton(APPROVE, QDialogButtonBox.ButtonRole.AcceptRole)
        self.approve_button.setObjectName("hitlEditApproveButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(EDIT_TITLE.format(node=node)))
        lay.addWidget(self.editor)
        lay.addWidget(self.problem)
        lay.addWidget(self.buttons)
        self.editor.textChanged.connect(self._check)
        self.resize(480, 320)
        self._check()

    def value(self) -> Any:
        """The edited input (a dict), or None while it is not a JSON object."""
        try:
            value = json.loads(self.editor.toPlainText())
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None

    def _check(self) -> None:
        text = self.editor.toPlainText()
        try:
            value = json.loads(text)
            problem = "" if isinstance(value, dict) else NOT_AN_OBJECT
        except json.JSONDecodeError as exc:
            problem = f"Not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.approve_button.setEnabled(not problem)


class HitlBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="hitlBanner")
        self.setStyleSheet(_STYLE)
        self.submit: Submit | None = None
        #: Called after a decision was recorded (the detail page reads the execution again).
        self.on_decided: Callable[[str], None] | None = None
        self.execution_id: str | None = None
        self.node: str | None = None
        self.input: Any = None
        self.edit_dialog: EditInputDialog | None = None
        self.run: Any = None
        self.text = QLabel(objectName="hitlPrompt")
        self.text.setWordWrap(True)
        self.approve_button = QPushButton(APPROVE, objectName="hitlApprove")
        self.reject_button = QPushButton(REJECT, objectName="hitlReject")
        self.edit_button = QPushButton(EDIT_APPROVE.replace("&", "&&"), objectName="hitlEditApprove")  # no mnemonic
        self.error = QLabel(objectName="hitlError")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.hide()
        row = QHBoxLayout()
        row.addWidget(self.text, 1)
        for b in (self.approve_button, self.reject_button, self.edit_button):
            row.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addLayout(row)
        lay.addWidget(self.error)
        self.approve_button.clicked.connect(lambda: self._decide("approve", None))
        self.reject_button.clicked.connect(lambda: self._decide("reject", None))
        self.edit_button.clicked.connect(self._edit)
        self.hide()

    @classmethod
    def for_execution(cls, execution_id: str, events: Sequence[Any]) -> HitlBanner:
        """A banner for a page over one execution's history (shown when it waits for an approval)."""
        banner = cls()
        banner.show_events(execution_id, events)
        return banner

    # -- what it shows ---------------------------------------------------------------------------
    def show_pause(self, execution_id: str, event: Any) -> None:
        """Show the pause ``event`` (a HITL_PAUSED) of ``execution_id``."""
        data = getattr(event, "data", None) or {}
        self.execution_id, self.node, self.input = execution_id, event.node, data.get("input")
        self.text.setText(PAUSED_TEXT.format(node=event.node, prompt=data.get("prompt") or ""))
        self.error.hide()
        self._enable(True)
        self.show()

    def show_events(self, execution_id: str, events: Sequence[Any]) -> None:
        """Show the pending pause among an execution's ``events``, or hide."""
        pause = pending_pause(events)
        if pause is None:
            self.hide()
        else:
            self.show_pause(execution_id, pause)

    def bind(self, run: Any) -> None:
        """Follow a flow tab's run (a FlowRun): its events show and hide the banner; clicks go to
        its bridge."""
        if self.run is not None:
            try:
                self.run.state.eventAdded.disconnect(self._event)
            except (RuntimeError, TypeError):
                pass
        self.run = run
        self.hide()
        run.state.eventAdded.connect(self._event)
        bridge = run.bridge

        def submit(action: str, value: Any, done: Callable[[Any], None], fail: Callable[[BaseException], None]) -> None:
            eid = self.execution_id
            bridge.call(lambda b: b.resume_pause(eid, action, value), done, fail)

        self.submit = submit
        self.show_events(run.state.execution_id or "", run.state.events)

    def _event(self, event: Any) -> None:
        if event.type == _PAUSED:
            self.show_pause(event.execution_id, event)
        elif event.type in _ANSWERED or event.type in _ENDED:
            self.hide()

    # -- clicks ----------------------------------------------------------------------------------
    def _enable(self, on: bool) -> None:
        for b in (self.approve_button, self.reject_button, self.edit_button):
            b.setEnabled(on)

    def _edit(self) -> None:
        self.edit_dialog = EditInputDialog(self.node or "", self.input, self)
        self.edit_dialog.accepted.connect(lambda: self._decide("approve", self.edit_dialog.value()
                                                               if self.edit_dialog else None))
        self.edit_dialog.open()

    def _decide(self, action: str, value: Any) -> None:
        if self.submit is None or self.execution_id is None:
            return
        self._enable(False)
        self.submit(action, value, self._done, self._refused)

    def _done(self, _answer: Any) -> None:
        self.hide()
        if self.on_decided is not None and self.execution_id is not None:
            self.on_decided(self.execution_id)

    def _refused(self, exc: BaseException) -> None:
        self.error.setText(getattr(exc, "message", None) or str(exc))
        self.error.show()
        self._enable(True)
