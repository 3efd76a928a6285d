"""Console → Memory (guides/inspect-agent-memory.md): what the flows' agent memory holds, the
``axiom-ide memory`` verbs as a page. Flows with memory (sessions, last active) → a flow's sessions
(turns, last active) → a session's conversation and semantic memories; search a flow's memories
(content, importance, score, and the method); **End session** (non-destructive; the session's
consolidation status shows under its semantic memories, re-read while it is enqueued or running) and **Delete
session** / **Delete all** for a flow, each asked first with the CLI's question and answered with
its confirmation. Texts come from :mod:`axiom_ide.runtime.memory_texts`."""
from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.console.api_keys import error_text
from axiom_ide.runtime import memory_texts as texts

#: How often a session whose consolidation is enqueued or running is read again.
CONSOLIDATION_POLL_MS = 300

Call = Callable[..., Any]
ID_ROLE = 256  # Qt.ItemDataRole.UserRole: the flow / session id behind a row

CHOOSE_FLOW = "Choose a flow to see its sessions."
CHOOSE_SESSION = "Choose a session to see its conversation and semantic memories."


def tree(name: str, headers: list[str]) -> QTreeWidget:
    view = QTreeWidget(objectName=name)
    view.setHeaderLabels(headers)
    view.setRootIsDecorated(False)
    view.setWordWrap(True)
    view.setUniformRowHeights(False)
    header = view.header()
    header.setStretchLastSection(False)
    for c in range(len(headers) - 1):
        header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
    return view


def rows(view: QTreeWidget) -> list[list[str]]:
    items = [view.topLevelItem(i) for i in range(view.topLevelItemCount())]
    return [[item.text(c) for c in range(view.columnCount())] for item in items if item is not None]


def find_row(view: QTreeWidget, key: str) -> QTreeWidgetItem | None:
    for i in range(view.topLevelItemCount()):
        item = view.topLevelItem(i)
        if item is not None and item.data(0, ID_ROLE) == key:
            return item
    return None


class MemoryPage(QWidget):
    def __init__(self, call: Call, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("memoryPage")
        self._call = call
        self.flow: str | None = None
        self.session_id: str | None = None
        self.dialog: QMessageBox | None = None
        self._turns = 0
        intro = QLabel("What your flows' agent memory holds: conversation turns and extracted facts per "
                       "session. End a session to trigger consolidation; deletion is permanent.")
        intro.setWordWrap(True)
        self.status = QLabel(objectName="memoryStatus")
        self.status.setWordWrap(True)

        # Left: flows, then the chosen flow's sessions.
        self.flows = tree("memoryFlows", ["Flow ID", "Sessions", "Last active"])
        # a flow id is 26 characters (ULID form): it gives way (elided in the middle), the time stays whole
        self.flows.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.flows.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.flows.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.flows_empty = QLabel(texts.NO_FLOWS, objectName="memoryFlowsEmpty")
        self.sessions = tree("memorySessions", ["Session ID", "Turns", "Last active"])
        self.sessions_empty = QLabel(CHOOSE_FLOW, objectName="memorySessionsEmpty")
        self.delete_all_button = QPushButton("Delete all", objectName="memoryDeleteAll")
        self.delete_all_button.setToolTip("Permanently delete every session and memory entry of this flow")
        self.delete_all_button.setEnabled(False)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>Flows with memory</b>"))
        lv.addWidget(self.flows, 1)
        lv.addWidget(self.flows_empty)
        head = QHBoxLayout()
        head.addWidget(QLabel("<b>Sessions</b>"))
        head.addStretch(1)
        head.addWidget(self.delete_all_button)
        lv.addLayout(head)
        lv.addWidget(self.sessions, 1)
        lv.addWidget(self.sessions_empty)
        lv.addWidget(QLabel("<b>Search this flow's memories</b>"))
        search_row = QHBoxLayout()
        self.query = QLineEdit(objectName="memoryQuery", placeholderText="e.g. preferred output format")
        self.search_button = QPushButton("Search", objectName="memorySearch")
        search_row.addWidget(self.query, 1)
        search_row.addWidget(self.search_button)
        lv.addLayout(search_row)
        self.query.setEnabled(False)
        self.search_button.setEnabled(False)
        self.results = tree("memoryResults", ["Content", "Importance", "Score"])
        self.results.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            self.results.header().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.results_footer = QLabel(objectName="memoryResultsFooter")
        lv.addWidget(self.results, 1)
        lv.addWidget(self.results_footer)

        # Right: one session.
        self.session_title = QLabel(CHOOSE_SESSION, objectName="memorySessionTitle")
        self.session_title.setWordWrap(True)
        #: The turns as the CLI prints them: ROLE and UTC time, then the content (wrapped).
        self.conversation = QTextBrowser(objectName="memoryConversation")
        self.turns_footer = QLabel(objectName="memoryTurnsFooter")
        self.memories = tree("memorySemantic", ["Type", "Importance", "Content"])
        self.memories_footer = QLabel(objectName="memorySemanticFooter")
        #: How the session's consolidation stands (memory_texts.consolidation); empty before any end.
        self.consolidation = QLabel(objectName="memoryConsolidation")
        self.consolidation.setWordWrap(True)
        self.end_button = QPushButton("End session", objectName="memoryEndSession")
        self.end_button.setToolTip("Close the session and trigger consolidation (the conversation is kept)")
        self.delete_button = QPushButton("Delete session", objectName="memoryDeleteSession")
        self.delete_button.setToolTip("Permanently delete the session's conversation and memory entries")
        for b in (self.end_button, self.delete_button):
            b.setEnabled(False)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.session_title)
        rv.addWidget(QLabel("<b>Conversation</b>"))
        rv.addWidget(self.conversation, 2)
        rv.addWidget(self.turns_footer)
        rv.addWidget(QLabel("<b>Semantic memories</b>"))
        rv.addWidget(self.memories, 1)
        rv.addWidget(self.memories_footer)
        rv.addWidget(self.consolidation)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.end_button)
        buttons.addWidget(self.delete_button)
        rv.addLayout(buttons)

        split = QSplitter(objectName="memorySplit")
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([380, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Memory</h2>"))
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)

        self.flows.currentItemChanged.connect(lambda item, _prev: self._choose_flow(item))
        self.sessions.currentItemChanged.connect(lambda item, _prev: self._choose_session(item))
        self.search_button.clicked.connect(self.search)
        self.query.returnPressed.connect(self.search)
        self.end_button.clicked.connect(self.confirm_end)
        self.delete_button.clicked.connect(self.confirm_delete_session)
        self.delete_all_button.clicked.connect(self.confirm_delete_flow)

    # -- loading ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        self._call(lambda b: b.console.memory_flows(), self._show_flows, self._refused)

    def _refused(self, exc: BaseException) -> None:
        self.status.setText(error_text(exc))

    def _show_flows(self, flows: list[dict[str, Any]]) -> None:
        keep = self.flow
        self.flows.blockSignals(True)
        self.flows.clear()
        for f in flows:
            item = QTreeWidgetItem([f["flow_id"] or texts.NO_FLOW, str(f["sessions"]), texts.when(f["last_active"])])
            item.setData(0, ID_ROLE, f["flow_id"])
            item.setToolTip(0, f["flow_id"] or texts.NO_FLOW)
            self.flows.addTopLevelItem(item)
        self.flows.blockSignals(False)
        self.flows_empty.setVisible(not flows)
        again = find_row(self.flows, keep) if keep is not None else None
        if again is not None:
            self.flows.setCurrentItem(again)
            self._choose_flow(again)
        else:
            self._choose_flow(None)

    def _choose_flow(self, item: QTreeWidgetItem | None) -> None:
        self.flow = None if item is None else item.data(0, ID_ROLE)
        on = self.flow is not None
        for w in (self.delete_all_button, self.query, self.search_button):
            w.setEnabled(on)
        self.results.clear()
        self.results_footer.clear()
        if self.flow is None:
            self.sessions.clear()
            self.sessions_empty.setText(CHOOSE_FLOW)
            self.sessions_empty.show()
            self._show_session(None)
            return
        flow = self.flow
        self._call(lambda b: b.console.memory_sessions(flow), lambda s: self._show_sessions(flow, s), self._refused)

    def _show_sessions(self, flow: str, sessions: list[dict[str, Any]]) -> None:
        if flow != self.flow:
            return
        keep = self.session_id
        self.sessions.blockSignals(True)
        self.sessions.clear()
        for s in sessions:
            item = QTreeWidgetItem([s["session_id"], str(s["turns"]), texts.when(s["last_active"])])
            item.setData(0, ID_ROLE, s["session_id"])
            if s.get("ended_at") is not None:
                item.setToolTip(0, f"Ended {texts.when(s['ended_at'])}")
            self.sessions.addTopLevelItem(item)
        self.sessions.blockSignals(False)
        self.sessions_empty.setText(texts.no_sessions(flow or texts.NO_FLOW))
        self.sessions_empty.setVisible(not sessions)
        again = find_row(self.sessions, keep) if keep is not None else None
        if again is not None:
            self.sessions.setCurrentItem(again)
        self._choose_session(again)

    def _choose_session(self, item: QTreeWidgetItem | None) -> None:
        self.session_id = None if item is None else item.data(0, ID_ROLE)
        if self.session_id is None or self.flow is None:
            self._show_session(None)
            return
        sid, flow = self.session_id, self.flow
        self._call(lambda b: b.console.memory_session(sid, flow), self._show_session, self._refused)

    def _show_session(self, body: dict[str, Any] | None) -> None:
        self.conversation.clear()
        self.memories.clear()
        self._turns = 0
        on = body is not None and body["session_id"] == self.session_id
        self.end_button.setEnabled(on)
        self.delete_button.setEnabled(on)
        if body is None or not on:
            self.session_title.setText(CHOOSE_SESSION)
            self.turns_footer.clear()
            self.memories_footer.clear()
            self.consolidation.clear()
            return
        ended = f" — ended {texts.when(body['ended_at'])}" if body.get("ended_at") is not None else ""
        self.session_title.setText(f"<b>• Session {body['session_id']}</b>{ended}")
        self._turns = len(body["turns"])
        self.conversation.setHtml("".join(
            f"<p><b>{html.escape(t['role'].upper())}</b>&nbsp;&nbsp;<span style='color:gray'>"
            f"{texts.when(t['created_at'])}</span><br>{html.escape(t['content'])}</p>" for t in body["turns"]))
        self.turns_footer.setText(texts.turns_total(len(body["turns"])))
        for m in body["memories"]:
            item = QTreeWidgetItem([m["memory_type"], f"{m['importance']:.2f}", texts.short(m["content"])])
            item.setToolTip(2, m["content"])
            self.memories.addTopLevelItem(item)
        memories = body["memories"]
        self.memories_footer.setText(texts.entries_found(len(memories)) if memories else texts.NO_SEMANTIC)
        state = body.get("consolidation") or {}
        self.consolidation.setText(texts.consolidation(state) or "")
        if state.get("status") in ("enqueued", "running"):  # background job: read the session again soon
            sid = body["session_id"]
            QTimer.singleShot(CONSOLIDATION_POLL_MS, lambda: self._reread(sid))

    def _reread(self, sid: str) -> None:
        if self.session_id == sid and self.flow is not None:
            flow = self.flow
            self._call(lambda b: b.console.memory_session(sid, flow), self._show_session, self._refused)

    # -- search -----------------------------------------------------------------------------------
    def search(self) -> None:
        query, flow = self.query.text().strip(), self.flow
        if flow is None:
            return
        self.results.clear()
        self._call(lambda b: b.console.memory_search(flow, query), self._show_results,
                   lambda exc: self.results_footer.setText(error_text(exc)))

    def _show_results(self, body: dict[str, Any]) -> None:
        self.results.clear()
        for r in body["results"]:
            item = QTreeWidgetItem([r["content"], f"{r['importance']:.2f}", f"{r['score']:.4f}"])
            item.setToolTip(0, r["content"])
            self.results.addTopLevelItem(item)
        self.results_footer.setText(texts.search_footer(body))

    # -- end and delete ---------------------------------------------------------------------------
    def _ask(self, title: str, question: str, answer: str, name: str, then: Callable[[], None]) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, question, QMessageBox.StandardButton.Cancel, self)
        box.setObjectName(f"{name}Box")
        button = box.addButton(answer, QMessageBox.ButtonRole.DestructiveRole)
        button.setObjectName(f"{name}Button")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        button.clicked.connect(then)
        self.dialog = box
        box.open()

    def confirm_end(self) -> None:
        sid, flow = self.session_id, self.flow
        if sid is None or flow is None:
            return

        def done(found: bool) -> None:
            self.status.setText(texts.ended(sid) if found else f'No memory session "{sid}"')
            self.refresh()

        self._ask("End session", texts.confirm_end(sid), "End session", "memoryEnd",
                  lambda: self._call(lambda b: b.console.memory_end(sid, flow), done, self._refused))

    def confirm_delete_session(self) -> None:
        sid, flow = self.session_id, self.flow
        if sid is None or flow is None:
            return

        def done(removed: int) -> None:
            self.status.setText(texts.deleted_session(sid, removed))
            self.session_id = None
            self.refresh()

        self._ask("Delete session", texts.confirm_delete_session(sid), "Delete session", "memoryDeleteSession",
                  lambda: self._call(lambda b: b.console.memory_delete_session(sid, flow), done, self._refused))

    def confirm_delete_flow(self) -> None:
        flow = self.flow
        if flow is None:
            return

        def done(removed: int) -> None:
            self.status.setText(texts.deleted_flow(flow or texts.NO_FLOW, removed))
            self.flow = self.session_id = None
            self.refresh()

        self._ask("Delete all memory", texts.confirm_delete_flow(flow or texts.NO_FLOW), "Delete all",
                  "memoryDeleteFlow",
                  lambda: self._call(lambda b: b.console.memory_delete_flow(flow), done, self._refused))

    # -- for tests and scripts --------------------------------------------------------------------
    def flow_rows(self) -> list[list[str]]:
        return rows(self.flows)

    def session_rows(self) -> list[list[str]]:
        return rows(self.sessions)

    def turn_count(self) -> int:
        return self._turns

    def conversation_lines(self) -> list[str]:
        """The conversation as shown: ``ROLE  time`` and content lines, blank lines dropped."""
        return [" ".join(line.split()) for line in self.conversation.toPlainText().splitlines() if line.strip()]
