"""Every QAction of the main window, built in one place (STYLE.md rule 9).

Each action has an ``objectName`` (``"save-action"``, ...) that tests and the command palette use,
a user-facing text, a standard shortcut where Qt has one, and is connected to a main-window slot
that sends it to the active document. Menus are assembled here too, so the palette, the menu bar
and the toolbar always show the same set.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar

if TYPE_CHECKING:  # pragma: no cover
    from axiom_ide.app.main_window import MainWindow

Std = QKeySequence.StandardKey

#: Tooltip of the Console entry (app/console/).
CONSOLE_TIP = "Console: Client Builder, API Keys, Usage, Secrets, Flow Configs, Memory"


#: Tooltip of the node sandbox setting (runtime/host/README.md says what each platform isolates).
SANDBOX_TIP = ("Node code runs in an isolated host process (bubblewrap on Linux) that sees only its package; "
               "turn off to debug native code locally. Takes effect the next time Axiom IDE starts.")

#: Tooltip of the package interpreter setting (runtime/host/interpreter.py).
INTERPRETER_TIP = ("The Python 3.11+ interpreter that makes a virtual environment for a package whose "
                   "requirements.txt Axiom IDE does not include. Takes effect the next time Axiom IDE starts.")


@dataclass(frozen=True)
class Spec:
    name: str
    text: str
    slot: str | None
    shortcut: object = None
    tip: str = ""
    menu: str = ""


#: (objectName, text, MainWindow slot, shortcut, status tip, menu)
SPECS: tuple[Spec, ...] = (
    Spec("new-flow-action", "New Flow…", "new_flow", Std.New, "Create a flow in the workspace", "File"),
    Spec("open-flow-action", "Open…", "open_flow", Std.Open, "Open a flow from the workspace or disk", "File"),
    Spec("save-action", "Save", "save", Std.Save, "Save the flow", "File"),
    Spec("save-as-action", "Save As…", "save_as", Std.SaveAs, "Save the flow under a new name", "File"),
    Spec("reload-action", "Reload from Disk", "reload_from_disk", None, "Discard edits and re-read the file", "File"),
    Spec("compare-with-action", "Compare with…", "flow_tools.compare_with", None,
         "Compare the flow with a file or a git revision (REV:path): the flow diff on the canvas", "File"),
    Spec("close-tab-action", "Close Flow", "close_current_tab", Std.Close, "Close the current flow", "File"),
    # Std.Quit has no key on Windows or the offscreen platform: spelled out, as the docs and tests press it.
    Spec("quit-action", "Quit", "close", "Ctrl+Q", "Quit Axiom IDE", "File"),
    Spec("undo-action", "Undo", None, Std.Undo, "Undo the last edit", "Edit"),
    Spec("redo-action", "Redo", None, Std.Redo, "Redo the last undone edit", "Edit"),
    Spec("cut-action", "Cut", None, Std.Cut, "Cut the selected nodes", "Edit"),
    Spec("copy-action", "Copy", "copy", Std.Copy, "Copy the selected nodes", "Edit"),
    Spec("paste-action", "Paste", "paste", Std.Paste, "Paste nodes", "Edit"),
    Spec("duplicate-action", "Duplicate", "duplicate", "Ctrl+D", "Duplicate the selected nodes", "Edit"),
    Spec("delete-action", "Delete", "delete_selection", Std.Delete, "Delete the selected nodes and edges", "Edit"),
    Spec("auto-layout-action", "Auto Layout", "auto_layout", "Ctrl+L", "Arrange the nodes in layers", "Edit"),
    Spec("command-palette-action", "Command Palette…", "show_command_palette", "Ctrl+K", "Find any command by name", "View"),
    Spec("zoom-in-action", "Zoom In", "zoom_in", Std.ZoomIn, "", "View"),
    Spec("zoom-out-action", "Zoom Out", "zoom_out", Std.ZoomOut, "", "View"),
    Spec("reset-zoom-action", "Actual Size", "reset_zoom", "Ctrl+0", "", "View"),
    Spec("fit-all-action", "Fit Flow in View", "fit_all", "Ctrl+9", "", "View"),
    Spec("next-tab-action", "Next Flow", "next_tab", Std.NextChild, "", "View"),
    Spec("previous-tab-action", "Previous Flow", "previous_tab", Std.PreviousChild, "", "View"),
    # Not Std.Refresh: that is F5, which is Run (getting-started/first-flow, status.RUN_TOOLTIP).
    Spec("refresh-packages-action", "Refresh Packages", "refresh_packages", "Ctrl+Alt+R", "Rescan the workspace's packages", "View"),
    Spec("run-action", "Run", "run_flow", "F5", "Run the flow", "Run"),
    Spec("stop-action", "Stop", "stop_run", ("Esc", "Shift+F5"), "Cancel the running flow", "Run"),
    Spec("open-debugger-action", "Open in debugger", "open_debugger", None,
         "The current flow's Debug run on the debug session page (LIVE)", "Run"),
    Spec("run-dataset-action", "Run Dataset…", "run_dataset", None,
         "Run the flow once per row of a JSONL or CSV file; a results table, saved as a batch", "Run"),
    Spec("executions-action", "Executions", "show_executions", "Ctrl+Shift+E", "Past and running executions, newest first", "Run"),
    Spec("console-action", "Console", "show_console", None, CONSOLE_TIP, "Run"),
    # Console pages by name (Ctrl+K "API Keys"); no menu, the Console's sub-nav lists them.
    Spec("console-api-keys-action", "API Keys", "show_console_api_keys", None,
         "Console → API Keys: create and revoke API keys", ""),
    Spec("console-usage-action", "Usage", "show_console_usage", None,
         "Console → Usage: executions over the last 30 days", ""),
    Spec("console-secrets-action", "Secrets", "show_console_secrets", None,
         "Console → Secrets: add, replace and delete secrets", ""),
    Spec("console-flow-configs-action", "Flow Configs", "show_console_flow_configs", None,
         "Console → Flow Configs: node timeouts and secret overrides per flow", ""),
    Spec("console-memory-action", "Memory", "show_console_memory", None,
         "Console → Memory: the flows' agent memory sessions, search, end and delete", ""),
    Spec("console-client-builder-action", "Client Builder", "show_console_client_builder", None,
         "Console → Client Builder: bundle nodes and flows into a typed client SDK", ""),
    Spec("sandbox-action", "Run Node Code in Sandbox", "toggle_sandbox", None, SANDBOX_TIP, "Run"),
    Spec("interpreter-action", "Python Interpreter for Packages…", "choose_package_python", None, INTERPRETER_TIP,
         "Run"),
    Spec("publish-flow-action", "Publish…", "publish_flow", None,
         "Compile the flow on the remote and publish it to the public marketplace (irreversible)", "Run"),
    Spec("push-package-action", "Push Package…", "push_package", None,
         "Push a workspace package to the platform with the axiom CLI (tenant-private; its build log live)", "Run"),
    Spec("connections-action", "Connections…", "show_connections", None,
         "Local (the runtime in this app) or a Remote Axiom deployment: URLs, API key, axiom CLI", "Settings"),
    Spec("shortcuts-action", "Keyboard Shortcuts", "show_shortcuts", "Ctrl+/", "Every command and its keys", "Help"),
)

#: Dock toggles: (objectName, dock attribute on the window, shortcut).
DOCK_TOGGLES = (
    ("toggle-marketplace-action", "marketplace_dock", "Ctrl+Shift+M"),
    ("toggle-library-action", "library_dock", "Ctrl+Shift+L"),
    ("toggle-inspector-action", "inspector_dock", "Ctrl+Shift+I"),
    ("toggle-results-action", "results_dock", "Ctrl+Shift+R"),
    ("toggle-problems-action", "problems_dock", "Ctrl+Shift+P"),
)


def _shortcut(value: object) -> list[QKeySequence]:
    if value is None:
        return []
    if isinstance(value, str):
        return [QKeySequence(value)]
    if isinstance(value, tuple):
        return [QKeySequence(v) for v in value]
    return QKeySequence.keyBindings(value)  # type: ignore[arg-type]


def build_actions(window: MainWindow) -> dict[str, QAction]:
    """Create every action, connected to ``window``; returns them by objectName."""
    actions: dict[str, QAction] = {}
    for spec in SPECS:
        if spec.name == "undo-action":
            action = window.undo_group.createUndoAction(window, "Undo")
        elif spec.name == "redo-action":
            action = window.undo_group.createRedoAction(window, "Redo")
        else:
            action = QAction(spec.text, window)
        action.setObjectName(spec.name)
        action.setIconText(spec.text.rstrip("…"))  # toolbar label stays short ("Undo", not "Undo Move greet")
        action.setShortcuts(_shortcut(spec.shortcut))
        action.setStatusTip(spec.tip)
        action.setToolTip(spec.tip or spec.text)
        action.setProperty("menu", spec.menu)
        if spec.slot and "." in spec.slot:  # a controller's method, built after the actions
            owner, method = spec.slot.split(".", 1)
            action.triggered.connect(lambda _checked=False, o=owner, m=method: getattr(getattr(window, o), m)())
        elif spec.slot:
            slot: Callable[[], object] = getattr(window, spec.slot)
            action.triggered.connect(lambda _checked=False, s=slot: s())
        if spec.name == "stop-action":
            action.setEnabled(False)
        if spec.name == "sandbox-action":
            action.setCheckable(True)
            action.setChecked(window.prefs.sandbox_nodes())
        window.addAction(action)  # shortcuts work even while the menu bar is hidden
        actions[spec.name] = action
    for name, dock_attr, key in DOCK_TOGGLES:
        dock = getattr(window, dock_attr)
        action = dock.toggleViewAction()
        action.setObjectName(name)
        action.setShortcut(QKeySequence(key))
        action.setProperty("menu", "View")
        action.setToolTip(f"Show or hide the {dock.windowTitle()} panel")
        window.addAction(action)
        actions[name] = action
    _wire_cut(window, actions["cut-action"], actions["copy-action"])
    return actions


def _wire_cut(window: MainWindow, cut: QAction, copy: QAction) -> None:
    """Edit → Cut: the canvas's Ctrl+X (``FlowView.cut_selected``, one "Cut …" undo step) on the
    active tab; enabled exactly when Copy is (the window sets Copy's state as the tab changes)."""
    def run() -> None:
        cut_selected = getattr(getattr(window.current_tab(), "view", None), "cut_selected", None)
        if callable(cut_selected):
            cut_selected()

    cut.triggered.connect(run)
    cut.setEnabled(copy.isEnabled())
    copy.enabledChanged.connect(cut.setEnabled)


def build_menus(menubar: QMenuBar, actions: dict[str, QAction], recent_menu: QMenu) -> None:
    menus: dict[str, QMenu] = {}
    for title in ("File", "Edit", "View", "Run", "Settings", "Help"):
        menus[title] = menubar.addMenu(f"&{title}")
    for action in actions.values():
        menu = menus.get(action.property("menu") or "")
        if menu is None:
            continue
        menu.addAction(action)
        if action.objectName() == "save-as-action":
            menu.addMenu(recent_menu)
            menu.addSeparator()
        elif action.objectName() in ("redo-action", "auto-layout-action", "fit-all-action", "previous-tab-action"):
            menu.addSeparator()


def build_header(toolbar: QToolBar, actions: dict[str, QAction]) -> None:
    """The header: panel toggles left, later pages and the palette right."""
    for name in ("toggle-marketplace-action", "toggle-library-action"):
        toolbar.addAction(actions[name])
    toolbar.addSeparator()
    for name in ("new-flow-action", "open-flow-action", "save-action", "undo-action", "redo-action"):
        toolbar.addAction(actions[name])
    toolbar.addSeparator()
    for name in ("executions-action", "console-action", "command-palette-action"):
        toolbar.addAction(actions[name])
