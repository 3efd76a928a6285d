"""The main window: header toolbar, tabbed canvas, and the Library, Marketplace, Inspector,
Result and Problems docks.

The window holds view state only (which tab, which panels, selection); flow content lives in each
tab's :class:`~axiom_ide.document.FlowDocument`. It composes three controllers, each handed the
parts it works with: :attr:`files` (:mod:`.file_commands`: tabs, open/save/close, recent files,
external changes, crash recovery), :attr:`runs` (:mod:`.run_commands`: Run, Stop, the result panel,
the Executions page) and :attr:`api` (:mod:`.api_commands`: the local HTTP server, Use via API,
interactive docs). The window's own methods of the same names are what actions, panels and tests
call. Actions come from :mod:`.actions` and act on the active document. Layout and panel sizes
persist through QSettings (``saveState``/``restoreState``).
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QUndoGroup
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QTabWidget, QToolBar, QWidget

from axiom_ide.app import actions as action_defs
from axiom_ide.app import questions, runtime_settings
from axiom_ide.app.api_commands import ApiController
from axiom_ide.app.file_commands import FileController
from axiom_ide.app.panels.executions import ExecutionsPanel
from axiom_ide.app.panels.inspector import Inspector
from axiom_ide.app.panels.library import LibraryPanel
from axiom_ide.app.panels.marketplace import MarketplacePanel
from axiom_ide.app.panels.problems import ProblemsPanel
from axiom_ide.app.panels.results import ResultsPanel
from axiom_ide.app.qt_bridge import RuntimeBridge
from axiom_ide.app.recovery import RecoveryManager
from axiom_ide.app.run_commands import RunController, RunViews
from axiom_ide.app.settings import Preferences

APP_TITLE = "Axiom IDE"




class MainWindow(QMainWindow):
    #: Every action by objectName (``actions.py``); hides ``QWidget.actions()``, which nothing here uses.
    actions: dict[str, QAction]  # type: ignore[assignment]

    def __init__(self, workspace_root: Path, data_dir: Path, prefs: Preferences | None = None,
                 *, quiet: bool = False, autosave_ms: int | None = None, backend_factory: Any = None,
                 serve_api: bool = True):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.workspace_root = Path(workspace_root).resolve()
        self.data_dir = Path(data_dir)
        self.registry_root = self.data_dir / "registry"
        self.prefs = prefs or Preferences()
        #: No modal error boxes (tests, scripted runs); errors still reach the status bar.
        self.quiet = quiet
        #: Serve the HTTP API on 127.0.0.1:8765 once started (``start``).
        self.serve_api = serve_api
        self.workspace: Any = None
        self.undo_group = QUndoGroup(self)
        kwargs = {"interval_ms": autosave_ms} if autosave_ms else {}
        self.recovery = RecoveryManager(self.data_dir / "recovery", self.documents, parent=self, **kwargs)
        #: The runtime (through a Backend) on its own loop thread; built on first use.
        #: The Local connection's backend; Settings → Connections may switch to a Remote one.
        self.local_factory = backend_factory or local_backend
        from axiom_ide.app.connection_commands import initial_backend

        factory, self.backend_label = initial_backend(self, explicit=backend_factory is not None)
        self.bridge = RuntimeBridge(lambda: factory(self), self)
        self._console: Any = None  # the Console window, built on first use (show_console)

        self.tabs = QTabWidget(objectName="flowTabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.recent_menu = QMenu("Open Recent", self)
        self.recent_menu.setObjectName("recent-menu")
        self.files = FileController(self.tabs, self.prefs, self.recovery, self.undo_group, self.recent_menu,
                                    self.workspace_root, lambda: self.workspace, self._status, self)
        self._build_docks()
        self.api = ApiController(self.bridge, self.inspector.flow_page, self.statusBar(), self.workspace_root,
                                 self.current_doc, lambda url: self.open_url(url), self)
        self.actions = action_defs.build_actions(self)
        self.runs = RunController(
            self.bridge, RunViews(self.results, self.results_dock, self.problems_dock, self.executions_page,
                                  self.executions_dock, self.inspector.flow_page),
            self.actions["stop-action"], current_tab=self.current_tab, documents=self.documents,
            select_target=self.select_target, show_use_api=self.show_use_api, status=self._status, window=self,
            flow_tabs=lambda: self.files.flow_tabs(), activate_tab=self.tabs.setCurrentWidget,
            open_flow_named=lambda name: self.files.tab_for(self.files.open_subflow(name)))
        from axiom_ide.app.payload_commands import PayloadController

        self.payloads = PayloadController(self.bridge, results=self.results, results_dock=self.results_dock,
                                          status=self._status, on_run_ended=self.runs.executions_changed,
                                          window=self)
        self.inspector.flow_page.flowConfigsRequested.connect(self.show_console_flow_configs)
        from axiom_ide.app.execution_pages import ExecutionPages

        #: Execution detail pages, opened by **Open details** in the Executions view.
        self.execution_pages = ExecutionPages(self.bridge, self, self._status)
        self.executions_page.openDetails.connect(self.execution_pages.open)
        self.marketplace.attach(self.bridge, self.workspace_root, self.open_path)  # the remote's registry on a remote
        from axiom_ide.app.flow_tools import FlowTools

        #: Tests tab, Save as test case, Compare runs, Compare with… (app/flow_tools.py).
        self.flow_tools = FlowTools(self)
        self.tabs.tabCloseRequested.connect(self.files.close_tab)
        self.tabs.currentChanged.connect(lambda _i: self.panels_follow_document())
        action_defs.build_menus(self.menuBar(), self.actions, self.recent_menu)
        self.header = QToolBar("Header", objectName="header")
        self.header.setMovable(False)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        action_defs.build_header(self.header, self.actions)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.header)
        self.files.rebuild_recent_menu()
        self.statusBar().showMessage("Ready", 2000)
        from PySide6.QtWidgets import QLabel

        #: The active backend ("Local" / "Remote: host"), always in the status bar and the title.
        self.backend_status = QLabel(self.backend_label, objectName="backend-status")
        self.statusBar().addPermanentWidget(self.backend_status)
        self._restore_layout()
        self.panels_follow_document()

    # -- construction ----------------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self, objectName=name)
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.AllDockWidgetAreas)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        left, right, bottom = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                               Qt.DockWidgetArea.BottomDockWidgetArea)
        self.library = LibraryPanel(lambda: self.workspace)
        self.library.placeRequested.connect(self.place_node)
        self.marketplace = MarketplacePanel(lambda: self.workspace, self.registry_root, self.refresh_packages)
        self.marketplace.imported.connect(lambda key: self.statusBar().showMessage(f"Imported {key}", 4000))
        self.inspector = Inspector()
        self.results = ResultsPanel()
        self.problems = ProblemsPanel()
        self.problems.locate.connect(self.select_target)
        # The page asks for its rows when it refreshes; the run controller (made next) answers.
        self.executions_page = ExecutionsPanel(lambda status, flow, on_rows: self.runs.fetch_executions(status, flow, on_rows))
        self.library_dock = self._dock("Library", "libraryDock", self.library, left)
        self.marketplace_dock = self._dock("Marketplace", "marketplaceDock", self.marketplace, left)
        self.tabifyDockWidget(self.library_dock, self.marketplace_dock)
        self.library_dock.raise_()
        self.inspector_dock = self._dock("Inspector", "inspectorDock", self.inspector, right)
        self.results_dock = self._dock("Result", "resultsDock", self.results, bottom)
        self.problems_dock = self._dock("Problems", "problemsDock", self.problems, bottom)
        self.tabifyDockWidget(self.results_dock, self.problems_dock)
        self.executions_dock = self._dock("Executions", "executionsDock", self.executions_page, bottom)
        self.tabifyDockWidget(self.problems_dock, self.executions_dock)
        self.results_dock.raise_()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

    def _restore_layout(self) -> None:
        geometry, state = self.prefs.layout()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            screen = QGuiApplication.primaryScreen()
            avail = screen.availableGeometry() if screen else None
            w, h = (min(1440, avail.width() - 80), min(900, avail.height() - 80)) if avail else (1280, 800)
            self.resize(max(w, 960), max(h, 640))
        if state is not None:
            self.restoreState(state)
        else:  # after the resize: docks sized before the window has its size get a share of a default one
            self.resizeDocks([self.library_dock, self.inspector_dock], [260, 340], Qt.Orientation.Horizontal)
            self.resizeDocks([self.results_dock], [170], Qt.Orientation.Vertical)

    def save_layout(self) -> None:
        self.prefs.save_layout(self.saveGeometry(), self.saveState())

    # -- startup work after the first paint ------------------------------------------------------
    def load_workspace(self) -> None:
        from axiom_ide.document import gc_guard
        from axiom_ide.runtime.packages import Workspace

        gc_guard.install()  # worker threads (runtime loop, background YAML) next to Qt objects
        extra = [self.registry_root] if self.registry_root.is_dir() else []
        self.workspace = Workspace(self.workspace_root, extra_roots=extra)
        for doc in self.documents():
            doc.set_workspace(self.workspace)
        self.marketplace.rebuild()
        self.library.refresh()

    def start(self, paths: Sequence[str | Path] = ()) -> None:
        """Load the workspace, offer crash recovery, open ``paths`` (or last session's tabs)."""
        if self.workspace is None:
            self.load_workspace()
        restored = self.files.offer_recovery()
        opened = {str(Path(d.path).resolve()) for d in restored if d.path}
        candidates = list(paths) or self.prefs.open_files() or ([] if restored else self._default_flows())
        for p in candidates:
            if Path(p).exists() and str(Path(p).resolve()) not in opened:
                self.open_path(p)
        self.recovery.start()
        if self.serve_api and self.backend_label == "Local":
            self.start_local_server()

    def _default_flows(self) -> list[str]:
        from axiom_ide.app.dialogs.open_flow import workspace_flows

        flows = workspace_flows(self.workspace_root)
        return [str(flows[0])] if flows else []

    def refresh_packages(self) -> None:
        if self.workspace is None:
            self.load_workspace()
            return
        self.workspace.refresh()
        for doc in self.documents():
            doc.set_workspace(self.workspace)
        self.marketplace.rebuild()
        self.library.refresh()
        self.statusBar().showMessage(f"{len(self.workspace.packages)} packages", 3000)

    # -- active document -------------------------------------------------------------------------
    def current_tab(self) -> Any:
        return self.tabs.currentWidget()

    def current_doc(self) -> Any:
        tab = self.current_tab()
        return tab.doc if tab is not None else None

    def panels_follow_document(self) -> None:
        doc = self.current_doc()
        if doc is not None:
            self.undo_group.setActiveStack(doc.undo_stack)
        for panel in (self.library, self.marketplace, self.inspector, self.problems):
            panel.set_document(doc)
        has_doc = doc is not None
        for name in ("save-action", "save-as-action", "close-tab-action", "reload-action", "copy-action",
                     "paste-action", "duplicate-action", "delete-action", "auto-layout-action", "run-action",
                     "zoom-in-action", "zoom-out-action", "reset-zoom-action", "fit-all-action"):
            self.actions[name].setEnabled(has_doc)
        self.runs.follow_run_of(self.current_tab())
        if not hasattr(self, "breakpoints_panel"):
            from axiom_ide.app.panels.breakpoints import BreakpointsPanel

            self.breakpoints_panel = BreakpointsPanel(self.results.tabs)
        self.breakpoints_panel.bind(getattr(self.current_tab(), "breakpoint_list", None))
        self._update_window_title()

    def _update_window_title(self) -> None:
        doc = self.current_doc()
        backend = f" ({self.backend_label})"
        if doc is None:
            self.setWindowTitle(APP_TITLE + backend)
            return
        self.setWindowTitle(f"{doc.flow.name}{'*' if doc.is_dirty else ''} — {APP_TITLE}{backend}")

    def _selection_changed(self, tab: Any, kind: str, key: Any) -> None:
        if tab is self.current_tab():
            self.inspector.show_target(kind, key)

    # -- canvas commands -------------------------------------------------------------------------
    def selection(self) -> tuple[list[str], list[tuple[str, str]]]:
        """(node ids, edge keys) selected on the active canvas."""
        scene = getattr(self.current_tab(), "scene", None)
        if scene is None:
            return [], []
        return scene.selected_node_ids(), [tuple(k) for k in scene.selected_edge_keys()]

    def select_target(self, kind: str, key: Any) -> None:
        """Select a node or edge on the active canvas (Problems double-click)."""
        tab = self.current_tab()
        if tab is not None and tab.scene is not None:
            if kind == "node":
                tab.view.find_node(key)
            elif kind == "edge":
                tab.scene.select_edges([tuple(key)])
        self.inspector.show_target(kind, key)

    def place_node(self, ref: str) -> None:
        doc = self.current_doc()
        if doc is not None:
            node_id = doc.add_node(ref)
            scene = self.current_tab().scene
            if scene is not None:
                scene.select_nodes([node_id])
            self.statusBar().showMessage(f"Placed {node_id}", 3000)

    def _view_call(self, name: str) -> None:
        view = getattr(self.current_tab(), "view", None)
        fn = getattr(view, name, None)
        if callable(fn):
            fn()

    def zoom_in(self) -> None:
        self._view_call("zoom_in")

    def zoom_out(self) -> None:
        self._view_call("zoom_out")

    def reset_zoom(self) -> None:
        self._view_call("reset_zoom")

    def fit_all(self) -> None:
        self._view_call("fit_all")

    def next_tab(self) -> None:
        if self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % self.tabs.count())

    def previous_tab(self) -> None:
        if self.tabs.count():
            self.tabs.setCurrentIndex((self.tabs.currentIndex() - 1) % self.tabs.count())

    def copy(self) -> None:
        self._view_call("copy_selected")

    def paste(self) -> None:
        self._view_call("paste")

    def duplicate(self) -> None:
        self._view_call("duplicate_selected")

    def delete_selection(self) -> None:
        self._view_call("delete_selected")

    def auto_layout(self) -> None:
        doc = self.current_doc()
        if doc is not None:
            doc.auto_layout()

    def toggle_sandbox(self) -> None:
        runtime_settings.toggle_sandbox(self)  # Run → Run Node Code in Sandbox

    def choose_package_python(self) -> None:
        runtime_settings.choose_package_python(self)  # Run → Python Interpreter for Packages…

    def show_connections(self) -> Any:
        from axiom_ide.app.connection_commands import show_connections  # Settings → Connections
        return show_connections(self)

    def publish_flow(self) -> Any:
        from axiom_ide.app.publish_commands import publish_flow  # Run → Publish… (on a remote)
        return publish_flow(self)

    def push_package(self) -> Any:
        from axiom_ide.app.push_commands import show_push_package  # Run → Push Package…
        return show_push_package(self)

    def show_shortcuts(self) -> Any:
        """Help → Keyboard Shortcuts: every action and its keys, read from the actions."""
        from axiom_ide.app.dialogs.shortcuts import ShortcutsDialog

        dialog = ShortcutsDialog(self.actions.values(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def show_command_palette(self) -> Any:
        from axiom_ide.app.palette import CommandPalette

        palette = CommandPalette(self.actions.values(), self)
        geo = self.geometry()
        palette.move(geo.center().x() - palette.width() // 2, geo.top() + 80)
        palette.show()
        palette.search.setFocus()
        self._palette = palette
        return palette

    # -- what the controllers do, by the names actions, panels and tests use ---------------------
    def _status(self, text: str, ms: int = 0) -> None:
        self.statusBar().showMessage(text, ms)

    @property
    def flows_dir(self) -> Path:
        return self.files.flows_dir

    def documents(self) -> list[Any]:
        return self.files.documents()

    def new_flow(self, name: str | None = None) -> Any:
        return self.files.new_flow(name)

    def open_flow(self) -> Any:
        return self.files.open_flow()

    def open_path(self, path: str | Path) -> Any:
        return self.files.open_path(path)

    def save(self, doc: Any = None) -> bool:
        return self.files.save(doc)

    def save_as(self, doc: Any = None, path: str | Path | None = None) -> bool:
        return self.files.save_as(doc, path)

    def reload_from_disk(self) -> None:
        self.files.reload_from_disk()

    def close_current_tab(self) -> bool:
        return self.files.close_current_tab()

    def run_flow(self) -> Any:
        return self.runs.run_flow()

    def start_run(self, tab: Any, data: dict[str, Any], config_id: str | None = None, *,
                  debug_mode: bool = True) -> Any:
        return self.runs.start_run(tab, data, config_id, debug_mode=debug_mode)

    def stop_run(self) -> None:
        self.runs.stop_run()

    def run_dataset(self) -> Any:
        """Run → Run Dataset… (app/dialogs/run_dataset.py)."""
        from axiom_ide.app.dialogs.run_dataset import open_for

        return open_for(self)

    def show_executions(self) -> None:
        self.runs.show_executions()

    def open_debugger(self) -> None:
        """**Open in debugger** (Run menu, Ctrl+K): the current tab's Debug run on the LIVE debug session page."""
        self.execution_pages.live(getattr(self.current_tab(), "run", None))

    def show_console(self, page: str = "API Keys") -> Any:
        """Console (header, Ctrl+K page names): the Console window on ``page`` (app/console/)."""
        if self._console is None:
            from axiom_ide.app.console.window import ConsoleWindow

            flows = self.workspace_root / "flows"
            self._console = ConsoleWindow(self.bridge.call, lambda: sorted(
                p.name.removesuffix(".flow.yaml") for p in flows.glob("*.flow.yaml")), self)
            self._console.flow_configs.changed.connect(self.inspector.flow_page.refresh_configs)
            from axiom_ide.app.dialogs.open_flow import workspace_flows

            self._console.secrets.flow_files = lambda: workspace_flows(self.workspace_root)
        return self._console.show_page(page)

    def show_console_api_keys(self) -> Any:
        return self.show_console("API Keys")

    def show_console_usage(self) -> Any:
        return self.show_console("Usage")

    def show_console_secrets(self) -> Any:
        return self.show_console("Secrets")

    def show_console_flow_configs(self, flow_name: str = "") -> Any:
        page = self.show_console("Flow Configs")
        if flow_name:
            page.select_flow(flow_name)
        return page

    def show_console_memory(self) -> Any:
        return self.show_console("Memory")

    def show_console_client_builder(self) -> Any:
        return self.show_console("Client Builder")

    def start_local_server(self, on_ready: Any = None, *, port: int = 8765) -> None:
        self.api.start_local_server(on_ready, port=port)

    @property
    def local_server(self) -> Any:
        return self.api.local_server

    def show_use_api(self, data: Any = None) -> Any:
        return self.api.show_use_api(data)

    def open_interactive_docs(self) -> None:
        self.api.open_interactive_docs()

    def open_url(self, url: str) -> bool:
        """Open ``url`` in the user's browser (tests replace this)."""
        return QDesktopServices.openUrl(QUrl(url))

    @property
    def watcher(self) -> Any:
        """The watcher of the open files (FileController's)."""
        return self.files.watcher

    # The dialogs and label last shown, for the tests that look at them.
    @property
    def _run_dialog(self) -> Any:
        return self.runs.run_dialog

    @property
    def _use_api_dialog(self) -> Any:
        return self.api.use_api_dialog

    @property
    def _server_status(self) -> Any:
        return self.api.server_status

    # -- the FileHost side: questions to the user (tests answer them), tab wiring ----------------
    def ask_new_flow_name(self) -> str | None:
        return questions.new_flow_name(self, self.flows_dir)

    def ask_open_path(self) -> Path | None:
        return questions.open_path(self, self.workspace_root)

    def ask_save_path(self, doc: Any) -> Path | None:
        return questions.save_path(self, self.flows_dir, doc)

    def ask_package_python(self) -> Path | None:
        return questions.package_python(self, self.prefs.python_for_packages())

    def ask_unsaved(self, doc: Any) -> str:
        """"save" | "discard" | "cancel" for a dirty document about to close."""
        return questions.unsaved(self, doc)

    def ask_unsaved_many(self, docs: list[Any]) -> str:
        """"save_all" | "discard_all" | "cancel" for several dirty documents closing at once."""
        return questions.unsaved_many(self, docs)

    def ask_stop_debug(self, doc: Any, status: str) -> bool:
        """True: cancel the Debug run (paused or running) of the tab about to close."""
        return questions.stop_debug_run(self, doc, status)

    def ask_reload_dirty(self, doc: Any) -> bool:
        return questions.reload_dirty(self, doc)

    def ask_restore(self, entries: list[Any]) -> bool:
        return questions.restore(self, entries)

    def show_error(self, title: str, exc: Exception) -> None:
        self.statusBar().showMessage(f"{title}: {exc}", 8000)
        if not self.quiet:
            QMessageBox.warning(self, title, str(exc))

    def tab_added(self, tab: Any) -> None:
        """A tab opened (FileController): its Run / Stop buttons and its canvas's selection."""
        tab.runRequested.connect(self.run_flow)
        tab.stopRequested.connect(self.stop_run)
        if tab.scene is not None and hasattr(tab.scene, "selectionTargetChanged"):
            tab.scene.selectionTargetChanged.connect(lambda kind, key, t=tab: self._selection_changed(t, kind, key))
        if tab.scene is not None and hasattr(tab.scene, "nodeActivated"):
            tab.scene.nodeActivated.connect(lambda node_id, t=tab: self.node_activated(t, node_id))
        if tab.scene is not None and hasattr(tab.scene, "connectRefused"):
            tab.scene.connectRefused.connect(lambda reason: self.statusBar().showMessage(reason, 6000))
        self.payloads.attach(tab)  # click an executed card: its payload popover
        tab.debug_bar.openSessionRequested.connect(self.execution_pages.live)  # Open in debugger (LIVE)
        from axiom_ide.app.breakpoints import FILE_NAME, BreakpointStore, TabBreakpoints

        tab.breakpoint_list = TabBreakpoints(tab, BreakpointStore(self.data_dir / FILE_NAME),
                                             lambda text: self.statusBar().showMessage(text, 10000))
        from axiom_ide.app.pins import TabPins

        tab.pin_list = TabPins(tab, lambda text: self.statusBar().showMessage(text, 10000), self)
        self.runs.reattach_paused_debug(tab)  # a Debug run left paused by a runtime that died

    def node_activated(self, tab: Any, node_id: str) -> Any:
        """A card was double-clicked: a subflow node (``flow:<name>``) opens its flow in a tab."""
        node = tab.doc.flow.node(node_id)
        if node is None or not node.node.startswith("flow:"):
            return None
        return self.files.open_subflow(node.node.removeprefix("flow:"), tab.doc.path)

    def document_reloaded(self) -> None:
        self.panels_follow_document()

    def title_changed(self) -> None:
        self._update_window_title()

    # -- closing ---------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        """Quit / closing the window: one question for all unsaved flows first; Cancel (or a
        failed save) keeps the window and every tab, clean ones included."""
        open_files = [str(d.path) for d in self.documents() if d.path]
        self.save_layout()
        if not self.files.close_all_tabs():
            event.ignore()
            return
        self.prefs.set_open_files(open_files)
        self.recovery.stop()
        self.api.stop_local_server()
        self.bridge.close()
        event.accept()


def local_backend(window: MainWindow, *, inline: bool = False) -> Any:
    """The default backend: the runtime of the window's data dir, in process (built on the
    runtime's loop thread); ``inline`` runs node code in process instead of host processes. Hosts
    are sandboxed unless the user turned that off (Run → Run Node Code in Sandbox); packages the
    app does not satisfy get venvs from Run → Python Interpreter for Packages… (else AXIOM_IDE_PYTHON)."""
    from axiom_ide.backends.local_factory import local_backend as make

    return make(window.data_dir, lambda: window.workspace, inline=inline, sandbox=window.prefs.sandbox_nodes(),
                python_for_packages=window.prefs.python_for_packages())


def schedule_start(window: MainWindow, paths: list[str]) -> None:
    """Start after the first paint, so the window shows before the workspace is scanned."""
    QTimer.singleShot(0, lambda: window.start(paths))
