"""File commands of the main window: new, open, save, save as, close, recent files, external
changes (QFileSystemWatcher) and crash recovery.

:class:`FileController` is handed what it works with — the tab widget, the preferences, the
recovery manager, the undo group, the Open Recent menu, the workspace, a ``status(text, ms)``
line, and a :class:`FileHost` (the window): the questions to the user (``ask_*``, which tests
answer), error reporting, and what the window does when a tab opens or the active document's title
changes. It owns the file watcher and what this window last wrote to each file.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer
from PySide6.QtGui import QUndoGroup
from PySide6.QtWidgets import QMenu, QTabWidget

from axiom_ide.app.dialogs.new_flow import slugify, unique_flow_path
from axiom_ide.app.flow_tab import FlowTab
from axiom_ide.runtime.errors import AxiomError

SAVED_MESSAGE = "Saved"


class FileHost(Protocol):
    """The window's side of the file commands."""

    def ask_new_flow_name(self) -> str | None: ...
    def ask_open_path(self) -> Path | None: ...
    def ask_save_path(self, doc: Any) -> Path | None: ...
    def ask_unsaved(self, doc: Any) -> str: ...
    def ask_unsaved_many(self, docs: list[Any]) -> str: ...
    def ask_reload_dirty(self, doc: Any) -> bool: ...
    def ask_stop_debug(self, doc: Any, status: str) -> bool: ...
    def ask_restore(self, entries: list[Any]) -> bool: ...
    def show_error(self, title: str, exc: Exception) -> None: ...
    def tab_added(self, tab: FlowTab) -> None: ...
    def document_reloaded(self) -> None: ...
    def title_changed(self) -> None: ...


class FileController(QObject):
    def __init__(self, tabs: QTabWidget, prefs: Any, recovery: Any, undo_group: QUndoGroup, recent_menu: QMenu,
                 workspace_root: Path, workspace: Callable[[], Any], status: Callable[..., None],
                 host: FileHost) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self.prefs = prefs
        self.recovery = recovery
        self.undo_group = undo_group
        self.recent_menu = recent_menu
        self.workspace_root = workspace_root
        self.workspace = workspace
        self.status = status
        self.host = host
        #: Resolved path → the text this window last wrote there (a change to it is not external).
        self._own_writes: dict[str, str | None] = {}
        self.watcher = QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(self._file_changed)

    # -- tabs ------------------------------------------------------------------------------------
    @property
    def flows_dir(self) -> Path:
        return self.workspace_root / "flows"

    def flow_tabs(self) -> list[FlowTab]:
        """The open tabs, in order (the tab widget holds nothing but FlowTabs)."""
        widgets = (self.tabs.widget(i) for i in range(self.tabs.count()))
        return [w for w in widgets if isinstance(w, FlowTab)]

    def documents(self) -> list[Any]:
        return [tab.doc for tab in self.flow_tabs()]

    def tab_for(self, doc: Any) -> FlowTab | None:
        return next((tab for tab in self.flow_tabs() if tab.doc is doc), None)

    def add_document(self, doc: Any) -> FlowTab:
        tab = FlowTab(doc)
        self.host.tab_added(tab)
        self.undo_group.addStack(doc.undo_stack)
        # Through the tab: cut when it closes (the document outlives it).
        tab.follow(doc.dirtyChanged, lambda _d, t=tab: self._update_tab_title(t))
        tab.follow(doc.pathChanged, lambda _p, t=tab: self._path_changed(t))
        tab.follow(doc.saved, lambda _p, d=doc: self.recovery.forget(d))
        tab.follow(doc.noted, lambda text: self.status(text, 10000))  # what a paste could not keep
        self.tabs.addTab(tab, "")
        self._update_tab_title(tab)
        self._watch(doc)
        self.tabs.setCurrentWidget(tab)
        if tab.view is not None:  # frame the flow once the view has its real size
            QTimer.singleShot(0, tab.view.fit_all)
        return tab

    def _update_tab_title(self, tab: FlowTab) -> None:
        i = self.tabs.indexOf(tab)
        if i < 0:
            return
        doc = tab.doc
        name = doc.path.name.removesuffix(".flow.yaml") if doc.path else (doc.flow.name or "untitled")
        self.tabs.setTabText(i, ("• " if doc.is_dirty else "") + name)
        self.tabs.setTabToolTip(i, str(doc.path) if doc.path else "Not saved yet")
        if tab is self.tabs.currentWidget():
            self.host.title_changed()

    def _path_changed(self, tab: FlowTab) -> None:
        self.recovery.rekey(tab.doc)
        self._watch(tab.doc)
        self._update_tab_title(tab)

    # -- new / open ------------------------------------------------------------------------------
    def new_flow(self, name: str | None = None) -> Any:
        """File → New Flow: ask a name, create and save ``flows/<slug>.flow.yaml``."""
        from axiom_ide.document import FlowDocument

        if name is None:
            name = self.host.ask_new_flow_name()
            if not name:
                return None
        slug = slugify(name)
        self.flows_dir.mkdir(parents=True, exist_ok=True)
        path = unique_flow_path(self.flows_dir, slug)
        doc = FlowDocument.new(slug, self.workspace(), path=path)
        doc.save()
        self.prefs.add_recent_file(path)
        self.rebuild_recent_menu()
        self.add_document(doc)
        self.status(f"Created {path.name}", 4000)
        return doc

    def open_flow(self) -> Any:
        path = self.host.ask_open_path()
        return self.open_path(path) if path else None

    def open_path(self, path: str | Path) -> Any:
        from axiom_ide.document import FlowDocument

        path = Path(path).resolve()
        for doc in self.documents():
            tab = self.tab_for(doc)
            if tab is not None and doc.path is not None and Path(doc.path).resolve() == path:
                self.tabs.setCurrentWidget(tab)
                self.prefs.add_recent_file(path)
                self.rebuild_recent_menu()
                return doc
        try:
            doc = FlowDocument.open(path, self.workspace())
        except AxiomError as exc:
            self.host.show_error("Cannot open flow", exc)
            return None
        self.prefs.add_recent_file(path)
        self.rebuild_recent_menu()
        self.add_document(doc)
        return doc

    def open_subflow(self, name: str, near: Path | None = None) -> Any:
        """Open the flow a ``flow:<name>`` node runs, in its own tab (or switch to it); None and a
        status line when no flow of that name is in the workspace, or when it is a marketplace flow
        (``flow:<artifact id>``: published, immutable, not a file to edit)."""
        from axiom_ide.runtime.model.refs import is_artifact_id

        if is_artifact_id(name):
            self.status(MARKETPLACE_SUBFLOW.format(graph_id=name), 8000)
            return None
        path = find_flow_file(self.workspace_root, name, near)
        if path is None:
            self.status(f'unknown subflow "flow:{name}"', 6000)
            return None
        return self.open_path(path)

    # -- save ------------------------------------------------------------------------------------
    def current_doc(self) -> Any:
        tab = self.tabs.currentWidget()
        return tab.doc if isinstance(tab, FlowTab) else None

    def save(self, doc: Any = None) -> bool:
        doc = doc or self.current_doc()
        if doc is None:
            return False
        if doc.path is None:
            return self.save_as(doc)
        return self._write(doc, None)

    def save_as(self, doc: Any = None, path: str | Path | None = None) -> bool:
        doc = doc or self.current_doc()
        if doc is None:
            return False
        path = Path(path) if path else self.host.ask_save_path(doc)
        return self._write(doc, path) if path else False

    def _write(self, doc: Any, path: Path | None) -> bool:
        try:
            written = doc.save(path)
        except (AxiomError, OSError) as exc:
            self.host.show_error("Save failed", exc)
            return False
        self._own_writes[str(Path(written).resolve())] = self._disk_text(written)
        self.recovery.forget(doc)
        self.prefs.add_recent_file(written)
        self.rebuild_recent_menu()
        self.status(SAVED_MESSAGE, 4000)
        return True

    # -- close -----------------------------------------------------------------------------------
    def close_current_tab(self) -> bool:
        return self.close_tab(self.tabs.currentIndex())

    def close_tab(self, index: int, *, ask: bool = True) -> bool:
        """Close the tab at ``index``; a Debug run still going (paused or running) and a dirty
        document are asked about first unless ``ask`` is False (the caller already settled every
        unsaved document: :meth:`close_all_tabs`). A run still going is cancelled."""
        tab = self.tabs.widget(index)
        if not isinstance(tab, FlowTab):  # no tab at that index
            return False
        doc = tab.doc
        debugging = tab.running and tab.run.breakpoints is not None
        if ask and debugging and not self.host.ask_stop_debug(doc, tab.run.state.status):
            return False
        if ask and doc.is_dirty:
            answer = self.host.ask_unsaved(doc)
            if answer == "cancel" or (answer == "save" and not self.save(doc)):
                return False
        if tab.running:
            tab.run.cancel()
        self.recovery.forget(doc)
        if doc.path is not None and str(doc.path) in self.watcher.files():
            self.watcher.removePath(str(doc.path))
        self.undo_group.removeStack(doc.undo_stack)
        self.tabs.removeTab(index)
        tab.detach()
        tab.deleteLater()
        return True

    def settle_unsaved(self) -> bool:
        """Before closing every tab: one question for the dirty documents (Save / Discard / Cancel
        for one, Save All / Discard All / Cancel for several); True when closing may go on.

        Nothing is closed here, so a Cancel — or a save that fails — leaves every tab open."""
        dirty = [d for d in self.documents() if d.is_dirty]
        if not dirty:
            return True
        if len(dirty) == 1:
            answer = self.host.ask_unsaved(dirty[0])
        else:
            answer = {"save_all": "save", "discard_all": "discard"}.get(self.host.ask_unsaved_many(dirty), "cancel")
        if answer == "cancel":
            return False
        if answer == "save":
            for doc in dirty:
                tab = self.tab_for(doc)
                if tab is not None:
                    self.tabs.setCurrentWidget(tab)  # a Save As dialog shows which flow it is for
                if not self.save(doc):
                    return False
        return True

    def close_all_tabs(self) -> bool:
        """Close every tab after the questions about Debug runs still going and one about the
        unsaved ones; False (all tabs kept) on Cancel."""
        for tab in self.flow_tabs():
            if tab.running and tab.run.breakpoints is not None:
                self.tabs.setCurrentWidget(tab)  # the question shows which flow it is about
                if not self.host.ask_stop_debug(tab.doc, tab.run.state.status):
                    return False
        if not self.settle_unsaved():
            return False
        while self.tabs.count():
            if not self.close_tab(self.tabs.count() - 1, ask=False):
                return False
        return True

    # -- recent files ----------------------------------------------------------------------------
    def rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = [f for f in self.prefs.recent_files() if Path(f).exists()]
        for f in files:
            menu.addAction(Path(f).name, functools.partial(self.open_path, f)).setToolTip(f)
        if files:
            menu.addSeparator()
            menu.addAction("Clear Recent", self._clear_recent_files)
        menu.setEnabled(bool(files))

    def _clear_recent_files(self) -> None:
        self.prefs.clear_recent_files()
        self.rebuild_recent_menu()

    # -- files changing on disk ------------------------------------------------------------------
    @staticmethod
    def _disk_text(path: Any) -> str | None:
        try:
            return Path(path).read_text(encoding="utf-8")
        except OSError:
            return None

    def _watch(self, doc: Any) -> None:
        if doc.path is not None and Path(doc.path).exists() and str(doc.path) not in self.watcher.files():
            self.watcher.addPath(str(doc.path))
            self._own_writes.setdefault(str(Path(doc.path).resolve()), self._disk_text(doc.path))

    def _file_changed(self, path: str) -> None:
        key = str(Path(path).resolve())
        if Path(path).exists() and path not in self.watcher.files():
            self.watcher.addPath(path)  # atomic saves replace the file, which drops the watch
        text = self._disk_text(path)
        if text is None or text == self._own_writes.get(key):
            return
        self._own_writes[key] = text
        for doc in self.documents():
            if doc.path is not None and str(Path(doc.path).resolve()) == key:
                if doc.is_dirty and not self.host.ask_reload_dirty(doc):
                    return
                self._reload(doc)
                self.status(f"Reloaded {Path(path).name} (changed on disk)", 5000)

    def reload_from_disk(self) -> None:
        doc = self.current_doc()
        if doc is not None and doc.path is not None:
            self._reload(doc)

    def _reload(self, doc: Any) -> None:
        try:
            doc.reload_from_disk()
        except AxiomError as exc:
            self.host.show_error("Cannot reload flow", exc)
            return
        self.recovery.forget(doc)
        tab = self.tab_for(doc)
        if tab is not None:
            self._update_tab_title(tab)
        self.host.document_reloaded()

    # -- crash recovery --------------------------------------------------------------------------
    def offer_recovery(self) -> list[Any]:
        """Offer edits left by a crashed session; returns the restored documents."""
        entries = self.recovery.leftovers()
        if not entries:
            return []
        restored: list[Any] = []
        if self.host.ask_restore(entries):
            for entry in entries:
                doc = self._restore(entry)
                if doc is not None:
                    restored.append(doc)
        for entry in entries:
            entry.discard()
        return restored

    def _restore(self, entry: Any) -> Any:
        """Open the original file (or a new flow) and apply the recovered text as one edit."""
        from axiom_ide.document import FlowDocument
        from axiom_ide.runtime.model.flow_yaml import loads_flow

        try:
            recovered = loads_flow(entry.text()).flow
        except AxiomError as exc:
            self.host.show_error("Cannot restore flow", exc)
            return None
        original = Path(entry.original_path) if entry.original_path else None
        if original is not None and original.exists():
            doc = self.open_path(original)
        else:
            doc = FlowDocument.new(recovered.name or "recovered", self.workspace(), path=original)
            self.add_document(doc)
        if doc is None:
            return None
        apply_flow(doc, recovered)
        return doc


#: Double-click on a marketplace subflow's card: nothing to open in place.
MARKETPLACE_SUBFLOW = ("flow:{graph_id} is a published marketplace flow and cannot be edited: + Import on its "
                       "Marketplace card pulls an editable copy into flows/")


def find_flow_file(workspace_root: Path, name: str, near: Path | None = None) -> Path | None:
    """The ``*.flow.yaml`` whose ``name:`` is ``name``, looked for as the compiler resolves
    ``flow:<name>`` (``workspace_flow_resolver``): ``<name>.flow.yaml`` first — beside ``near``,
    then anywhere — then every flow file; hidden directories are skipped."""
    from axiom_ide.runtime.model.flow_yaml import load_flow

    root = Path(workspace_root)
    candidates = ([Path(near).parent / f"{name}.flow.yaml"] if near is not None else []) + sorted(
        root.rglob(f"{name}.flow.yaml")) + sorted(root.rglob("*.flow.yaml"))
    for path in dict.fromkeys(candidates):
        try:
            hidden = any(part.startswith(".") for part in path.resolve().relative_to(root.resolve()).parts)
        except ValueError:  # beside a flow opened from outside the workspace
            hidden = False
        if hidden or not path.is_file():
            continue
        try:
            if load_flow(path, fast=True).flow.name == name:
                return path
        except AxiomError:
            continue
    return None


def apply_flow(doc: Any, target: Any) -> None:
    """Make ``doc.flow`` equal ``target`` through the document's undoable edits (one macro)."""
    flow = doc.flow
    stack = doc.undo_stack
    stack.beginMacro("Restore unsaved changes")
    try:
        for attr in ("description", "mode", "imports", "join"):
            if getattr(flow, attr) != getattr(target, attr):
                doc.set_flow_attr(attr, getattr(target, attr))
        wanted_nodes = {n.id: n for n in target.nodes}
        wanted_edges = {e.key: e for e in target.edges}
        doc.remove([n.id for n in flow.nodes if n.id not in wanted_nodes or n.node != wanted_nodes[n.id].node],
                   [e.key for e in flow.edges if e.key not in wanted_edges])
        for node in target.nodes:
            if flow.node(node.id) is None:
                doc.add_node(node.node, cell=(node.col, node.row) if node.pinned else None, node_id=node.id)
        doc.move_nodes({n.id: (n.col, n.row) for n in target.nodes if n.pinned
                        and (flow.node(n.id).col, flow.node(n.id).row) != (n.col, n.row)})
        for edge in target.edges:
            if flow.edge(*edge.key) is None:
                doc.connect(edge.src, edge.dst, loop=edge.loop, map=edge.map, when=edge.when)
            else:
                doc.set_edge(edge.key, map=edge.map, when=edge.when, loop=edge.loop)
    finally:
        stack.endMacro()
