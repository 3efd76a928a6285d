"""The debug session page's six detail tabs (guides__debug-a-flow.md: the Inspector shows "the same
six detail tabs as the execution detail page"): **Timeline**, **Events**, **Checkpoints**,
**Pauses**, **Branches**, **Output** — each up to the session's current step, so stepping back and
forth (or a LIVE run advancing) redraws them. The table helpers and the pause / branch event types
are the detail page's (app/pages/execution_detail.py).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QPlainTextEdit, QTableWidget, QTabWidget, QWidget

from axiom_ide.app.pages.detail_tabs import fill as _fill
from axiom_ide.app.pages.detail_tabs import table as _table
from axiom_ide.app.pages.detail_tabs import when as _when
from axiom_ide.app.pages.execution_detail import BRANCH_TYPES, PAUSE_TYPES

if TYPE_CHECKING:
    from axiom_ide.backends.replay_view import ReplayView

TAB_NAMES = ("Timeline", "Events", "Checkpoints", "Pauses", "Branches", "Output")
ENDED = ("EXECUTION_COMPLETED", "EXECUTION_FAILED", "EXECUTION_CANCELLED")
NO_OUTPUT = "No output yet at this step."


def _detail(e: Any) -> str:
    return json.dumps(e.data, default=str) if e.data else ""


def checkpoints_upto(replay: ReplayView, index: int) -> list[Any]:
    """The checkpoints recorded by event ``index`` (a fork's inherited ones from the start)."""
    def announced(events: Sequence[Any]) -> set[Any]:
        return {(e.data or {}).get("checkpoint_id") for e in events if e.type == "NODE_COMPLETED"}

    every, upto = announced(replay.events), announced(replay.events[:index + 1])
    return [cp for cp in replay.checkpoints if cp.id in upto or cp.id not in every]


class SessionTabs(QTabWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionTabs")
        self.timeline = _table(("#", "Event", "Node", "Time"))
        self.events_table = _table(("#", "Event", "Node", "Attempt", "Time", "Detail"))
        self.checkpoints_table = _table(("Step", "Node", "Checkpoint", "Created"))
        self.pauses_table = _table(("#", "Event", "Node", "Time", "Detail"))
        self.branches_table = _table(("#", "Event", "Node", "Time", "Detail"))
        self.output_view = QPlainTextEdit()
        self.output_view.setReadOnly(True)
        widgets: tuple[QWidget, ...] = (self.timeline, self.events_table, self.checkpoints_table,
                                        self.pauses_table, self.branches_table, self.output_view)
        for widget, name in zip(widgets, TAB_NAMES, strict=True):
            self.addTab(widget, name)

    def tab_names(self) -> list[str]:
        return [self.tabText(i) for i in range(self.count())]

    def show_step(self, replay: ReplayView, index: int) -> None:
        """Every tab as of event ``index`` (-1: before the first event)."""
        events = replay.events[:index + 1]
        _fill(self.timeline, [(e.seq, e.type, e.node, _when(e.time)) for e in events])
        _fill(self.events_table, [(e.seq, e.type, e.node, e.attempt, _when(e.time), _detail(e)) for e in events])
        _fill(self.checkpoints_table, [(cp.step, cp.node, cp.id, _when(cp.created_at))
                                       for cp in checkpoints_upto(replay, index)])
        for table, types in ((self.pauses_table, PAUSE_TYPES), (self.branches_table, BRANCH_TYPES)):
            _fill(table, [(e.seq, e.type, e.node, _when(e.time), _detail(e)) for e in events if e.type in types])
        for table in (self.timeline, self.events_table):
            last = table.item(table.rowCount() - 1, 0) if table.rowCount() else None
            if last is not None:
                table.scrollToItem(last)
        rec = replay.execution
        if not any(e.type in ENDED for e in events):
            text = NO_OUTPUT
        elif rec.output is not None:
            text = json.dumps(rec.output, indent=2, default=str)
        else:
            text = rec.error or "No output."
        self.output_view.setPlainText(text)

    @staticmethod
    def rows(table: QTableWidget, column: int = 1) -> list[str]:
        """The texts of ``column`` (the event type, for the event tables), top to bottom."""
        out = []
        for r in range(table.rowCount()):
            item = table.item(r, column)
            out.append(item.text() if item is not None else "")
        return out
