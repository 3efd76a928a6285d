"""The **Tests** tab of the result panel: the current flow's test cases (``<name>.flow.test.yaml``
beside it, runtime/flowtest.py), **Run** (the selected case) and **Run all**, each case green
(passed) or red (failed / could not run) with its duration, and under the list the selected case's
messages — the expected-vs-actual diff of a failing case, the ``file:line`` error of a malformed
one — and the nodes its mocks answered (a case's mocks are its run's pins, runtime/pins.py). A test file that cannot be read shows its ``file:line`` error and lists nothing.

Present while the current flow tab has a file; it follows ``ResultsPanel.tabFollowed`` and reads
the test file (through ``backend.flow_tests``) when it is shown and after every change
(:meth:`reload`, e.g. **Save as test case**). Cases run through the backend's engine and node
hosts (backends/local_tests.py).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.qt_bridge import alive

TITLE = "Tests"
COLUMNS = ("Case", "Result", "Duration")
RUN = "Run"
RUN_ALL = "Run all"
NO_FILE = "No tests yet: {name} beside the flow holds them. Save as test case on an execution adds one."
UNSAVED = "Save the flow to give it tests."
NOT_RUN = "not run"
#: Under a run case's messages: the canvas ids its mocks answered (the run's ``pinned`` events).
MOCKED = "Mocked (not called): {nodes}"
RUNNING = "running…"
NOT_AVAILABLE = "Flow tests run on the local runtime only."
#: Result words and colours (theme greens and reds).
MARKS = {"passed": ("passed", "#2e7d32"), "failed": ("failed", "#c62828"), "error": ("error", "#c62828")}


class TestsPanel(QWidget):
    def __init__(self, results: Any, bridge: Any, parent: QWidget | None = None):
        super().__init__(parent, objectName="testsPanel")
        self.results = results
        self.result_tabs = results.tabs
        self.bridge = bridge
        self.tab: Any = None
        #: Case name → its latest outcome (cleared when another flow is followed).
        self.outcomes: dict[str, Any] = {}
        self.listing: Any = None
        self.file_label = QLabel(objectName="testsFile")
        self.file_label.setProperty("hint", True)
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_button = QPushButton(RUN, objectName="testsRun")
        self.run_button.setToolTip("Run the selected test case")
        self.run_all_button = QPushButton(RUN_ALL, objectName="testsRunAll")
        self.run_all_button.setToolTip("Run every test case of this flow")
        self.run_button.clicked.connect(self.run_selected)
        self.run_all_button.clicked.connect(self.run_all)
        bar = QHBoxLayout()
        bar.addWidget(self.file_label, 1)
        bar.addWidget(self.run_button)
        bar.addWidget(self.run_all_button)
        self.problems = QLabel(objectName="testsFileProblems")
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet("color: #c62828;")
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.hide()
        self.tree = QTreeWidget(objectName="testsList")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(COLUMNS)
        head = self.tree.header()
        head.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        head.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        head.setStretchLastSection(False)
        self.tree.itemSelectionChanged.connect(self._show_selected)
        self.detail = QPlainTextEdit(objectName="testsDetail")
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText("Select a case to see what its last run found.")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tree)
        split.addWidget(self.detail)
        split.setSizes([360, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.problems)
        layout.addWidget(split, 1)
        self.hide()
        results.tabFollowed.connect(self.bind)
        self.result_tabs.currentChanged.connect(lambda _i: self._shown_changed())
        self._update_buttons()

    # -- following the current flow -------------------------------------------------------------
    @property
    def flow_path(self) -> Path | None:
        path = getattr(getattr(self.tab, "doc", None), "path", None)
        return Path(path) if path else None

    def bind(self, tab: Any) -> None:
        if tab is not self.tab:
            self.outcomes = {}
            self.listing = None
        self.tab = tab
        has_doc = getattr(tab, "doc", None) is not None
        index = self.result_tabs.indexOf(self)
        if has_doc and index < 0:
            self.result_tabs.addTab(self, TITLE)
        elif not has_doc and index >= 0:
            self.result_tabs.removeTab(index)
            self.hide()
        self._fill()
        self._shown_changed()

    def _shown_changed(self) -> None:
        if self.result_tabs.currentWidget() is self and self.listing is None:
            self.reload()

    def reload(self) -> None:
        """Read the current flow's test file again (through the backend) and list its cases."""
        path = self.flow_path
        if path is None:
            self.listing = None
            self._fill()
            return
        tab = self.tab

        def done(listing: Any) -> None:
            if alive(self) and self.tab is tab:
                self.listing = listing
                self._fill()

        self.bridge.call(lambda b: self._tests(b).list_flow_tests(path), done, self._failed)

    @staticmethod
    def _tests(backend: Any) -> Any:
        tests = getattr(backend, "flow_tests", None)
        if tests is None:
            raise RuntimeError(NOT_AVAILABLE)
        return tests

    def _failed(self, exc: Exception) -> None:
        if not alive(self):
            return
        from axiom_ide.runtime.errors import AxiomError, render

        text = "\n".join(render(d) for d in exc.diagnostics) if isinstance(exc, AxiomError) else str(exc)
        self.problems.setText(text)
        self.problems.show()
        for item in self._items():
            if item.text(1) == RUNNING:
                self._mark(item, None)
        self._update_buttons()

    # -- running --------------------------------------------------------------------------------
    def run_selected(self) -> None:
        items = self.tree.selectedItems()
        if items:
            self._run([items[0].text(0)])

    def run_all(self) -> None:
        self._run(None)

    def _run(self, names: list[str] | None) -> None:
        path = self.flow_path
        if path is None or self._running():
            return
        for item in self._items():
            if names is None or item.text(0) in names:
                item.setText(1, RUNNING)
                item.setForeground(1, QBrush())
        self._update_buttons()
        tab = self.tab

        def done(outcomes: list[Any]) -> None:
            if not alive(self) or self.tab is not tab:
                return
            for outcome in outcomes:
                self.outcomes[outcome.name] = outcome
            self.problems.setVisible(False)
            file_errors = [o for o in outcomes if o.name == "(file)"]
            if file_errors:
                self.problems.setText("\n".join(file_errors[0].messages))
                self.problems.show()
            self.reload()  # the file may have changed since it was listed

        self.bridge.call(lambda b: self._tests(b).run_flow_tests(path, names), done, self._failed)

    def show_listing(self, listing: Any) -> None:
        """Show ``listing`` (a TestListing just read, e.g. after Save as test case) without reading again."""
        self.listing = listing
        self._fill()

    def _running(self) -> bool:
        return any(item.text(1) == RUNNING for item in self._items())

    # -- showing --------------------------------------------------------------------------------
    def _items(self) -> list[QTreeWidgetItem]:
        return [it for it in (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())) if it]

    def _fill(self) -> None:
        selected = [it.text(0) for it in self.tree.selectedItems()]
        self.tree.clear()
        listing = self.listing
        path = self.flow_path
        if path is None:
            self.file_label.setText(UNSAVED if getattr(self.tab, "doc", None) is not None else "")
        elif listing is None or not listing.exists:
            self.file_label.setText(NO_FILE.format(name=path.name.removesuffix(".flow.yaml") + ".flow.test.yaml"))
        else:
            n = len(listing.cases)
            self.file_label.setText(f"{Path(listing.file).name} · {n} case{'s' if n != 1 else ''}")
        problems = list(listing.problems) if listing is not None else []
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        for case in listing.cases if listing is not None else ():
            item = QTreeWidgetItem([case.name, NOT_RUN, ""])
            item.setToolTip(0, f"{Path(listing.file).name}:{case.line}" if case.line else case.name)
            self.tree.addTopLevelItem(item)
            self._mark(item, self.outcomes.get(case.name))
            if case.name in selected:
                item.setSelected(True)
        self._update_buttons()
        self._show_selected()

    def _mark(self, item: QTreeWidgetItem, outcome: Any) -> None:
        if outcome is None:
            item.setText(1, NOT_RUN)
            item.setText(2, "")
            item.setForeground(1, QBrush())
            return
        word, colour = MARKS.get(outcome.status, (outcome.status, "#c62828"))
        item.setText(1, word)
        item.setForeground(1, QBrush(QColor(colour)))
        item.setData(1, Qt.ItemDataRole.DecorationRole, QColor(colour))
        item.setText(2, f"{outcome.duration:.2f} s" if outcome.status != "error" else "")

    def _show_selected(self) -> None:
        items = self.tree.selectedItems()
        outcome = self.outcomes.get(items[0].text(0)) if items else None
        if outcome is None:
            self.detail.setPlainText("")
        else:
            parts = ([f"{outcome.name}: passed in {outcome.duration:.2f} s"] if outcome.status == "passed"
                     else list(outcome.messages) or [outcome.status])
            if outcome.mocked:
                parts.append(MOCKED.format(nodes=", ".join(outcome.mocked)))
            self.detail.setPlainText("\n\n".join(parts))
        self._update_buttons()

    def _update_buttons(self) -> None:
        idle = self.flow_path is not None and not self._running()
        cases = bool(self.listing is not None and self.listing.cases)
        self.run_all_button.setEnabled(idle and cases)
        self.run_button.setEnabled(idle and bool(self.tree.selectedItems()))

    def case_names(self) -> list[str]:
        return [it.text(0) for it in self._items()]

    def results_by_case(self) -> dict[str, str]:
        return {it.text(0): it.text(1) for it in self._items()}
