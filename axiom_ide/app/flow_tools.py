"""``FlowTools``: the window's flow-testing and comparing commands (issue 18), in one controller
the main window builds once (``window.flow_tools``):

- the result panel's **Tests** tab (app/panels/tests_tab.py), following the current flow tab;
- **Save as test case** on an execution (the Executions view's toolbar and row menu): asks the case
  name (:attr:`ask_case_name`, a sensible default offered), appends the case to the flow's
  ``.flow.test.yaml`` through ``backend.flow_tests``, then shows the flow's Tests tab with it;
- **Compare runs** (two executions selected): the run diff window (app/dialogs/run_diff.py);
- **Compare with…** (File menu): the flow diff window (app/dialogs/flow_compare.py).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QInputDialog, QWidget

from axiom_ide.app.qt_bridge import alive

CASE_NAME_TITLE = "Save as test case"
CASE_NAME_LABEL = "Case name:"


def default_case_name(rec: Any) -> str:
    """``<status> run <short id>`` — unique enough, and it says where the case came from."""
    word = "failing" if getattr(rec, "status", "") == "Failed" else "run"
    return f"{word} {rec.id[:8]}"


class FlowTools:
    def __init__(self, window: Any) -> None:
        from axiom_ide.app.panels.tests_tab import TestsPanel

        self.window = window
        self.bridge = window.bridge
        #: The result panel's Tests tab.
        self.tests_panel = TestsPanel(window.results, window.bridge)
        #: ``ask_case_name(default) -> name | None`` (tests answer it; the app asks with a dialog).
        self.ask_case_name: Callable[[str], str | None] = self._ask_case_name
        window.executions_page.saveAsTestCase.connect(self.save_as_test_case)
        window.executions_page.compareRuns.connect(self.compare_runs)
        #: Open comparison windows (kept alive while shown).
        self.windows: list[QWidget] = []
        self.compare_dialog: Any = None

    def _status(self, text: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def _ask_case_name(self, default: str) -> str | None:
        text, ok = QInputDialog.getText(self.window, CASE_NAME_TITLE, CASE_NAME_LABEL, text=default)
        return text if ok else None

    # -- Save as test case ----------------------------------------------------------------------
    def flow_path_of(self, flow_name: str) -> Path | None:
        """The file of the flow called ``flow_name``: an open tab's, else found in the workspace."""
        from axiom_ide.app.file_commands import find_flow_file

        for tab in self.window.files.flow_tabs():
            doc = getattr(tab, "doc", None)
            if doc is not None and doc.path is not None and doc.flow.name == flow_name:
                return Path(doc.path)
        return find_flow_file(self.window.workspace_root, flow_name)

    def save_as_test_case(self, execution_id: str) -> None:
        rec = next((r for r in self.window.executions_page.records if r.id == execution_id), None)
        if rec is None:
            return
        path = self.flow_path_of(rec.flow_name)
        if path is None:
            self._status(f'Save as test case: no flow "{rec.flow_name}" in the workspace')
            return
        name = self.ask_case_name(default_case_name(rec))
        if name is None or not name.strip():
            return

        def done(listing: Any) -> None:
            self._status(f'Saved test case "{name.strip()}" to {Path(listing.file).name}')
            self.show_tests(path, listing)

        def failed(exc: Exception) -> None:
            from axiom_ide.runtime.errors import AxiomError, render

            text = "; ".join(render(d) for d in exc.diagnostics) if isinstance(exc, AxiomError) else str(exc)
            self._status(f"Save as test case: {text}", 12000)

        self.bridge.call(lambda b: b.flow_tests.save_test_case(path, execution_id, name), done, failed)

    def show_tests(self, flow_path: Path, listing: Any = None) -> None:
        """Activate (or open) the flow's tab and show its Tests tab (with ``listing`` when known)."""
        window = self.window
        tab = next((t for t in window.files.flow_tabs()
                    if getattr(t.doc, "path", None) is not None and Path(t.doc.path) == flow_path), None)
        if tab is None:
            window.open_path(flow_path)
        else:
            window.tabs.setCurrentWidget(tab)
        panel = self.tests_panel
        if listing is not None:
            panel.show_listing(listing)
        window.results_dock.show()
        window.results_dock.raise_()
        window.results.tabs.setCurrentWidget(panel)
        if listing is None:
            panel.reload()

    # -- Compare runs / Compare with… -----------------------------------------------------------
    def compare_runs(self, first: str, second: str) -> None:
        from axiom_ide.app.dialogs.run_diff import RunDiffWindow

        def done(view: Any) -> None:
            if not alive(self.window):
                return
            win = RunDiffWindow(view, self.window, getattr(self.window, "workspace", None))
            self._keep(win)

        def failed(exc: Exception) -> None:
            self._status(f"Compare runs: {exc}", 12000)

        self.bridge.call(lambda b: b.flow_tests.run_diff(first, second), done, failed)

    def compare_with(self) -> None:
        """File → **Compare with…**: the current flow against a file or a git revision."""
        from axiom_ide.app.dialogs.flow_compare import ask_and_compare

        doc = self.window.current_doc()
        if doc is None or doc.path is None:
            self._status("Compare with…: open a saved flow first")
            return
        #: The open Compare with… dialog (its Compare opens the comparison window).
        self.compare_dialog = ask_and_compare(self.window, Path(doc.path))
        self._keep(self.compare_dialog)

    def _keep(self, win: QWidget) -> None:
        self.windows = [w for w in self.windows if alive(w) and w.isVisible()]
        self.windows.append(win)
        win.show()
        win.raise_()
