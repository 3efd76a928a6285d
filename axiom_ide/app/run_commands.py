"""Run commands of the main window: Run Graph dialog → run on the backend → bind the run state to
the canvas, the status pill and the result panel; Stop; Show on canvas; the Executions page.

:class:`RunController` is handed what it works with — the runtime bridge, the result, problems and
executions docks and their panels, the Inspector's flow page, the Stop action, the open tabs
(``current_tab()``, ``documents()``), ``select_target`` and ``show_use_api`` from the window, and
a ``status(text, ms)`` line — and keeps the run-side view state (the Run dialog last opened,
whether the Executions page follows live events).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from axiom_ide.app.qt_bridge import alive
from axiom_ide.app.status import RUN_STARTED, run_status_text


@dataclass(frozen=True)
class RunViews:
    """The window's parts a run shows in."""

    results: Any
    results_dock: QDockWidget
    problems_dock: QDockWidget
    executions_page: Any
    executions_dock: QDockWidget
    #: The Inspector's flow page (its Run configuration card).
    flow_page: Any


class RunController(QObject):
    def __init__(self, bridge: Any, views: RunViews, stop_action: QAction, *,
                 current_tab: Callable[[], Any], documents: Callable[[], list[Any]],
                 select_target: Callable[[str, Any], None], show_use_api: Callable[[Any], Any],
                 status: Callable[..., None], window: QWidget,
                 flow_tabs: Callable[[], list[Any]] = list,
                 activate_tab: Callable[[Any], None] | None = None,
                 open_flow_named: Callable[[str], Any] | None = None) -> None:
        super().__init__(window)
        self.bridge = bridge
        self.views = views
        self.stop_action = stop_action
        self.current_tab = current_tab
        self.documents = documents
        self.select_target = select_target
        self.show_use_api = show_use_api
        self.status = status
        #: Parent of the dialogs.
        self.window = window
        #: Every open FlowTab; make one the current tab; open (or switch to) a flow by name → its tab.
        self.flow_tabs = flow_tabs
        self.activate_tab = activate_tab
        self.open_flow_named = open_flow_named
        #: The Run Graph dialog last opened.
        self.run_dialog: Any = None
        self._executions_live = False
        views.results.showOnCanvas.connect(self.show_on_canvas)
        views.results.stopRequested.connect(self.stop_run)
        views.executions_page.openExecution.connect(self.open_execution)
        views.flow_page.config_source = self.fetch_configs
        views.executions_page.probe = self.probe_executions
        # A tabified dock's page stays "visible" to Qt behind another tab; the dock says when it is seen.
        views.executions_dock.visibilityChanged.connect(views.executions_page.set_shown)

    # -- the Run Graph dialog -------------------------------------------------------------------
    def run_flow(self) -> Any:
        """Run (F5 / the Run button): open the Run Graph dialog for the active flow."""
        tab = self.current_tab()
        if tab is None:
            return None
        blockers = tab.blockers
        if blockers:
            self.status(blockers[0], 6000)
            self.views.problems_dock.raise_()
            return None
        if tab.running:
            self.views.results_dock.raise_()
            return None
        return self.show_run_dialog(tab)

    def show_run_dialog(self, tab: Any) -> Any:
        from axiom_ide.app.dialogs.run_graph import RunGraphDialog

        doc = tab.doc
        analysis = doc.analysis
        mode = getattr(analysis, "mode", None) or doc.flow.mode or "unary"
        last = getattr(tab.run, "state", None)
        # The input last typed (a run, or Use via API), else the shown run's input.
        initial = getattr(tab, "last_input", None) or (last.input if last is not None else None)
        dialog = RunGraphDialog(doc.flow.name, mode, getattr(analysis, "input_type", None),
                                initial=initial, parent=self.window)
        dialog.accepted.connect(lambda: self.start_run(tab, dialog.input_value(), dialog.config_id(),
                                                       debug_mode=dialog.debug_mode.isChecked(),
                                                       debug=dialog.debug))
        dialog.set_analysis(analysis)
        dialog.useApiRequested.connect(lambda data: self._use_api_from(dialog, tab, data))
        dialog.switchRequested.connect(lambda new_mode: self._switch_mode(dialog, tab, new_mode))
        # The dialog follows the flow while open (Switch, a reload): its type and topology warning.
        dialog.analysis_source = lambda: doc.analysis
        doc.analysisChanged.connect(dialog.follow_analysis)
        name = doc.flow.name
        refs = {getattr(s, "ref", None) for s in (getattr(analysis, "nodes", {}) or {}).values()} - {None}

        async def missing_secrets(b: Any) -> list[tuple[str, str]]:
            console = getattr(b, "console", None)
            missing = await console.missing_secrets() if console is not None else []
            return [(secret, node) for secret, node in missing if node in refs]

        def show_missing(missing: list[tuple[str, str]]) -> None:
            if alive(dialog):
                dialog.set_missing_secrets(missing)

        self.bridge.call(missing_secrets, show_missing, lambda _exc: None)

        def show_configs(view: Any) -> None:
            if alive(dialog):
                dialog.set_configs(view)

        self.bridge.call(lambda b: b.flow_configs(name), show_configs, lambda _exc: None)
        dialog.open()  # window-modal, does not block the event loop
        self.run_dialog = dialog
        return dialog

    def _switch_mode(self, dialog: Any, tab: Any, mode: str) -> None:
        """Switch (Run Graph dialog): the flow type as one undoable document edit."""
        tab.doc.set_flow_attr("mode", mode)
        if alive(dialog):
            dialog.set_analysis(tab.doc.refresh_analysis())

    def _use_api_from(self, dialog: Any, tab: Any, data: Any) -> Any:
        """Use via API from the Run Graph dialog: the modal dialog closes first (its input is kept
        for the next Run), so the Use via API dialog is on top and usable."""
        tab.last_input = dict(data or {})
        if alive(dialog):
            dialog.reject()
        return self.show_use_api(data)

    # -- running --------------------------------------------------------------------------------
    def start_run(self, tab: Any, data: dict[str, Any], config_id: str | None = None, *,
                  debug_mode: bool = True, debug: bool = False) -> Any:
        """Compile the tab's flow and run it with ``data``; the views follow the returned FlowRun."""
        from axiom_ide.app.run_controller import FlowRun

        tab.last_input = dict(data)
        breakpoints = sorted(getattr(tab, "breakpoints", None) or ()) if debug else None
        run = FlowRun(self.bridge, tab.doc, data, config_id=config_id, breakpoints=breakpoints, parent=tab)
        if debug:
            run.breakpoint_options = dict(getattr(tab, "breakpoint_options", None) or {})
        pin_list = getattr(tab, "pin_list", None)
        if pin_list is not None:  # the editor's pinned outputs (app/pins.py)
            run.pins = pin_list.for_run()
        self._show_run(tab, run)
        self.status(RUN_STARTED.format(name=tab.doc.flow.name))
        run.state.statusChanged.connect(lambda status, name=tab.doc.flow.name: self._run_status(name, status))
        if pin_list is not None:  # after the status line: a pipeline run says its pins are ignored
            pin_list.watch(run)
        run.start()
        return run

    def _run_status(self, flow_name: str, status: str) -> None:
        """The status bar follows a going run: "Debug paused" while paused, "Running <flow>…" again
        on Continue / Step (app/status.py)."""
        text = run_status_text(flow_name, status)
        if text is not None:
            self.status(text)

    def _show_run(self, tab: Any, run: Any) -> None:
        """The tab's canvas, pill, control bar and (when it is the active tab) the result panel
        follow ``run``."""
        from axiom_ide.canvas.run_binding import RunBinding

        run.notice.connect(lambda text: self.status(text, 15000))  # a dropped stream reattached
        if tab.run_binding is not None:
            tab.run_binding.unbind()
            tab.run_binding = None
        tab.show_run(run)
        tab.result_state = run.state
        # Every run colours its cards (unary and pipeline alike); the Debug Mode choice only
        # decides how the run is driven, never whether the canvas shows it.
        if tab.scene is not None:
            tab.run_binding = RunBinding(tab.scene, run.state)
        if tab is self.current_tab():
            self.views.results.bind(run.state)
            self.views.results_dock.raise_()
        run.ended.connect(lambda result, t=tab: self._run_ended(t, result))
        self._update_stop_action()

    def show_fork(self, tab: Any, run: Any) -> None:
        """A Run from here / Fork from here (app/payload_commands.py) shown exactly as a ▶ Run:
        the Stop action (Esc / Shift+F5) is enabled while it goes and cancels it."""
        self._show_run(tab, run)

    def reattach_paused_debug(self, tab: Any) -> None:
        """A flow opened while a Debug run of it is still paused in the runtime (the app or its
        runtime died with it paused: the runtime brings it back paused where it was) shows it
        paused again, with its control bar: Continue / Step / Stop drive it as before."""
        from axiom_ide.app.debug_resume import reattach_paused_debug

        reattach_paused_debug(self, tab)

    def stop_run(self) -> None:
        """Stop (Esc): cancel the active flow's run."""
        tab = self.current_tab()
        if tab is not None and tab.running:
            tab.run.cancel()

    def _run_ended(self, tab: Any, result: Any) -> None:
        self._update_stop_action()
        if tab is self.current_tab():
            self.views.flow_page.refresh_configs()
            self.status(f"{tab.doc.flow.name}: {result.status}", 6000)
        self.executions_changed()

    def _update_stop_action(self) -> None:
        tab = self.current_tab()
        self.stop_action.setEnabled(bool(tab is not None and tab.running))

    def follow_run_of(self, tab: Any) -> None:
        """The result panel shows the active tab's own result (tab switch): its latest run, or the
        execution last opened for it; a tab that has none shows "No run yet", never another
        tab's result."""
        state = getattr(tab, "result_state", None)
        results = self.views.results
        if state is None:
            results.clear_run()
        elif results.state is not state:
            results.bind(state)
        results.follow_tab(tab)
        self._update_stop_action()

    def owner_tab(self, state: Any) -> Any:
        """The open tab a run state belongs to: the tab that ran (or was shown) it, else the tab of
        its flow by name; None when that flow is not open."""
        tabs = self.flow_tabs()
        for tab in tabs:
            if state is not None and (getattr(tab, "result_state", None) is state
                                      or getattr(getattr(tab, "run", None), "state", None) is state):
                return tab
        name = getattr(state, "flow_name", None)
        return next((tab for tab in tabs if tab.doc.flow.name == name), None)

    def show_on_canvas(self, kind: str, key: Any) -> None:
        """Select the node or edge a failure is attributed to, on the canvas of the flow that ran:
        that flow's tab is activated first (opened from the workspace when it is not open)."""
        state = self.views.results.state
        tab = self.owner_tab(state)
        if tab is None and state is not None and self.open_flow_named is not None:
            tab = self.open_flow_named(state.flow_name)
        if tab is None:
            if state is not None:
                self.status(f'flow "{state.flow_name}" is not open', 6000)
            return
        if tab is not self.current_tab():
            tab.result_state = state  # the result goes with its flow's tab
            if self.activate_tab is not None:
                self.activate_tab(tab)
        if tab is not self.current_tab():
            return
        self.select_target(kind, key)
        if tab.view is not None and kind == "edge" and tab.scene is not None:
            item = tab.scene.item_for_edge(tuple(key))
            if item is not None:
                tab.view.centerOn(item)

    def executions_changed(self) -> None:
        """A run ended: refresh views of history (the Executions page)."""
        if self.bridge.started:
            self.views.executions_page.schedule_refresh()

    # -- configs ------------------------------------------------------------------------------
    def fetch_configs(self, flow_name: str, on_view: Any) -> None:
        """The Run configuration card's data: profiles that apply and the effective timeout."""
        page = self.views.flow_page
        self.bridge.call(lambda b: b.flow_configs(flow_name), lambda view: alive(page) and on_view(view),
                         lambda exc: self.status(f"Flow configs: {exc}", 6000))

    # -- the Executions page --------------------------------------------------------------------
    def show_executions(self) -> None:
        """Executions (header): the executions list, newest first, live-updating."""
        first = not self._executions_live
        if first:
            self._executions_live = True
            self.bridge.executionEvent.connect(self._execution_event)
        v = self.views
        v.executions_page.add_flow_names(d.flow.name for d in self.documents())
        v.executions_dock.show()
        v.executions_dock.raise_()
        # First opened, the page fills the lower half of the window, not a 170-pixel strip of
        # five rows; a size the user gives it afterwards is kept.
        window = self.window
        if first and isinstance(window, QMainWindow) and v.executions_dock.height() < window.height() // 2:
            window.resizeDocks([v.executions_dock], [window.height() // 2], Qt.Orientation.Vertical)
        v.executions_page.refresh()

    def _execution_event(self, event: Any) -> None:
        if event.type.startswith("EXECUTION_") and self.views.executions_dock.isVisible():
            self.views.executions_page.schedule_refresh()

    def fetch_executions(self, status: str | None, flow: str | None, on_rows: Any) -> None:
        page = self.views.executions_page
        limit = page.limit
        self.bridge.call(lambda b: b.list_executions(status=status, flow=flow, limit=limit),
                         lambda rows: alive(page) and on_rows(rows),
                         lambda exc: self.status(f"Executions: {exc}", 6000))

    def probe_executions(self, token: str | None, on_changed: Any) -> None:
        """Whether executions changed since ``token`` — runs of other processes on the same data
        dir included — through the backend's change token (a backend without one: never)."""
        if not self.bridge.started:
            return
        page = self.views.executions_page

        async def probe(b: Any) -> Any:
            changed = getattr(b, "executions_changed_since", None)
            return await changed(token) if changed is not None else None

        self.bridge.call(probe, lambda new: new is not None and alive(page) and on_changed(new),
                         lambda _exc: None)

    def open_execution(self, execution_id: str) -> None:
        """Show one execution's events and output in the result panel."""
        from axiom_ide.app.run_state import RunState

        async def load(b: Any) -> Any:
            rec = await b.get_execution(execution_id)
            if rec is None:
                return None
            result = await b.result(execution_id) if rec.is_final else None
            return rec, await b.events(execution_id), result

        def show(loaded: Any) -> None:
            if loaded is None:
                self.status("execution not found", 6000)
                return
            rec, events, result = loaded
            state = RunState.from_history(rec, events, result, parent=self.views.results)
            if not rec.is_final:
                self.bridge.executionEvent.connect(state.accept)
            tab = self.current_tab()
            if tab is not None and tab.doc.flow.name == rec.flow_name:
                tab.result_state = state  # the active flow's own history: it stays with its tab
            self.views.results.bind(state)
            self.views.results_dock.raise_()

        self.bridge.call(load, show)
