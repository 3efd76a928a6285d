"""The node payload popover (guides/debug-a-flow, "Inspect a node's input and output").

Clicking a node that has executed — completed or failed — opens a :class:`PayloadPopover` over the
canvas: the node's **Input** and **Output** decoded to JSON, each with a copy-to-clipboard button;
for pipeline nodes **Input Frames** and **Output Frames** lists instead (expand a frame to decode
it); for a failed node its error with the exception type and traceback; for a node that used agent
memory, **Memory**: its reads, writes and searches in the run (the MEMORY_* events' summaries). An expired checkpoint reads
"Snapshot expired". **Fork from here** and **Run from here** ask the window to continue the
execution at this node (``forkRequested`` / ``runFromHereRequested``); both are disabled with the
docs' tooltip when the checkpoint expired, and for pipeline nodes (a pipeline run is not forked).

The popover is a frame inside the canvas viewport, not a popup window: it takes no mouse or
keyboard grab, so the canvas stays usable while it is open. × or Esc closes it. It shows a
:class:`~axiom_ide.backends.payloads.NodePayload`, read through the Backend.
"""
from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

SNAPSHOT_EXPIRED = "Snapshot expired"
CHECKPOINT_EXPIRED = "Checkpoint expired — fork unavailable"
PIPELINE_NO_FORK = "A pipeline run cannot be forked; run the flow again."
WIDTH, MIN_WIDTH, MAX_HEIGHT = 380, 250, 460
#: The strip at the canvas's bottom where the Run / Stop buttons float.
RESERVED_BOTTOM = 64


def json_text(value: Any) -> str:
    """The JSON the popover shows and copies (indented, keys in message order)."""
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


class PayloadPopover(QFrame):
    #: (execution id, node) Fork from here: fork at the node's output checkpoint.
    forkRequested = Signal(str, str)
    #: (execution id, node) Run from here: re-run the node and everything downstream.
    runFromHereRequested = Signal(str, str)
    #: (execution id, node, output JSON) Pin output: editor runs use this output instead (app/pins.py).
    pinRequested = Signal(str, str, object)

    def __init__(self, payload: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.payload = payload
        self.setObjectName("payloadPopover")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFixedWidth(WIDTH)
        #: Section title → the JSON text it shows (and its copy button copies).
        self.texts: dict[str, str] = {}
        self.copy_buttons: dict[str, QPushButton] = {}
        self.frame_lists: dict[str, QTreeWidget] = {}

        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(6)
        head = QHBoxLayout()
        pinned = bool(getattr(payload, "pinned", False))
        self.title = QLabel(f"<b>{payload.node}</b> · {payload.status}" + (" · Pinned" if pinned else ""),
                            objectName="payloadTitle")
        head.addWidget(self.title, 1)
        self.close_button = QPushButton("×", objectName="payloadClose")
        self.close_button.setToolTip("Close (Esc)")
        self.close_button.setFlat(True)
        self.close_button.setFixedWidth(28)
        self.close_button.clicked.connect(self.close)
        head.addWidget(self.close_button)
        outer.addLayout(head)

        body = QWidget()
        self.body = QVBoxLayout(body)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(4)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        if pinned:  # the node was not called in this run: its output was the editor's pin
            note = QLabel("Pinned", objectName="payloadPinned")
            note.setToolTip("This run used the node's pinned output; the node was not called.")
            note.setStyleSheet("color: #8a5a00; font-weight: bold;")
            self.body.addWidget(note)
        if payload.status == "failed" and payload.error:
            self._error(payload)
        if payload.pipeline:
            self._frames("Input Frames", payload.input_frames)
            self._frames("Output Frames", payload.output_frames)
        elif payload.checkpoint_id is not None:
            self._section("Input", payload.input, payload.expired)
            self._section("Output", payload.output, payload.expired)
        elif payload.input is not None:  # a failed node: the input its upstream delivered
            self._section("Input", payload.input, False)
        if getattr(payload, "memory", None):
            self._memory(payload.memory)
        self.body.addStretch(1)

        buttons = QHBoxLayout()
        self.fork_button = QPushButton("Fork from here", objectName="forkFromHere")
        self.run_from_here_button = QPushButton("Run from here", objectName="runFromHere")
        for button, signal in ((self.fork_button, self.forkRequested),
                               (self.run_from_here_button, self.runFromHereRequested)):
            button.clicked.connect(lambda _=False, s=signal: s.emit(payload.execution_id, payload.node))
            buttons.addWidget(button)
        self.pin_button = QPushButton("Pin output", objectName="pinOutput")
        self.pin_button.setToolTip("Editor runs use this output instead of running the node")
        self.pin_button.clicked.connect(lambda: self.pinRequested.emit(payload.execution_id, payload.node, payload.output))
        self.pin_button.setEnabled(payload.checkpoint_id is not None and not payload.expired and not payload.pipeline)
        buttons.addWidget(self.pin_button)
        buttons.addStretch(1)
        outer.addLayout(buttons)
        blocked = CHECKPOINT_EXPIRED if payload.expired else PIPELINE_NO_FORK if payload.pipeline else ""
        if blocked:
            for button in (self.fork_button, self.run_from_here_button):
                button.setEnabled(False)
                button.setToolTip(blocked)
        if payload.checkpoint_id is None:  # a failed node: nothing to fork at, it can still run again
            self.fork_button.setEnabled(False)
            self.fork_button.setToolTip(f'node "{payload.node}" has no output to fork from')

    # -- sections ----------------------------------------------------------------------------
    def _heading(self, title: str, text: str | None) -> None:
        row = QHBoxLayout()
        label = QLabel(f"<b>{title}</b>")
        row.addWidget(label, 1)
        if text is not None:
            copy = QPushButton("Copy", objectName=f"copy{title.replace(' ', '')}")
            copy.setToolTip(f"Copy {title} to the clipboard")
            copy.clicked.connect(lambda _=False, t=text: QGuiApplication.clipboard().setText(t))
            self.copy_buttons[title] = copy
            self.texts[title] = text
            row.addWidget(copy)
        self.body.addLayout(row)

    def _text_box(self, text: str, lines: int = 6) -> QPlainTextEdit:
        box = QPlainTextEdit(text)
        box.setReadOnly(True)
        box.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        height = box.fontMetrics().lineSpacing() * min(max(text.count("\n") + 1, 2), lines) + 12
        box.setFixedHeight(height)
        self.body.addWidget(box)
        return box

    def _section(self, title: str, value: Any, expired: bool) -> None:
        if expired:
            self._heading(title, None)
            self.body.addWidget(QLabel(SNAPSHOT_EXPIRED))
            return
        text = json_text(value)
        self._heading(title, text)
        self._text_box(text).setObjectName(f"payload{title}")

    def _frames(self, title: str, frames: list[Any]) -> None:
        self._heading(title, json_text(frames))
        tree = QTreeWidget(objectName=f"payload{title.replace(' ', '')}")
        tree.setHeaderHidden(True)
        tree.setColumnCount(1)
        for i, frame in enumerate(frames):
            item = QTreeWidgetItem([f"Frame {i}"])
            child = QTreeWidgetItem([json_text(frame)])
            item.addChild(child)
            tree.addTopLevelItem(item)
        tree.setFixedHeight(min(max(len(frames), 1), 6) * 22 + 30)
        self.frame_lists[title] = tree
        self.body.addWidget(tree)

    def _memory(self, calls: list[dict[str, str]]) -> None:
        """**Memory**: the node's agent-memory reads, writes and searches in this run, one line each."""
        self._heading("Memory", None)
        tree = QTreeWidget(objectName="payloadMemory")
        tree.setHeaderHidden(True)
        tree.setColumnCount(2)
        tree.setRootIsDecorated(False)
        for call in calls:
            item = QTreeWidgetItem([call["type"].removeprefix("MEMORY_").lower(), call["summary"]])
            item.setToolTip(1, call["summary"])
            tree.addTopLevelItem(item)
        tree.resizeColumnToContents(0)
        tree.setFixedHeight(min(max(len(calls), 1), 6) * 22 + 8)
        self.body.addWidget(tree)

    def _error(self, payload: Any) -> None:
        kind = payload.exception_type or "Error"
        self._heading("Error", f"{kind}: {payload.error}\n{payload.traceback or ''}".rstrip())
        message = QLabel(f"{kind}: {payload.error}", objectName="payloadError")
        message.setWordWrap(True)
        message.setStyleSheet("color: #d9534f;")
        self.body.addWidget(message)
        if payload.traceback:
            self._text_box(payload.traceback, 10).setObjectName("payloadTraceback")

    # -- placement and keys ------------------------------------------------------------------
    def show_at(self, card: QRect) -> None:
        """Show beside ``card`` (the clicked card's rect in the parent's coordinates): to its right
        when there is room, else to its left, else over the canvas; clear of the Run button strip
        at the bottom, kept inside the parent."""
        parent = self.parentWidget()
        if parent is not None:
            self.setMaximumHeight(max(160, min(MAX_HEIGHT, parent.height() - RESERVED_BOTTOM - 8)))
        x, y = card.right() + 10, card.top() - 10
        if parent is not None:
            right, left = parent.width() - card.right() - 14, card.left() - 14
            room = max(right, left)
            if room < WIDTH and room >= MIN_WIDTH:  # a narrow canvas: narrower, beside the card
                self.setFixedWidth(room)
            self.adjustSize()
            if right >= self.width():
                x = card.right() + 10
            elif left >= self.width():
                x = card.left() - 10 - self.width()
            else:
                x = parent.width() - self.width() - 4
            x = max(4, x)
            y = max(4, min(y, parent.height() - RESERVED_BOTTOM - self.height()))
        else:
            self.adjustSize()
        self.move(x, y)
        self.show()
        self.raise_()
        self.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() == Qt.Key.Key_Escape:
            self.close()
            event.accept()
            return
        super().keyPressEvent(event)
