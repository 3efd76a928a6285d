"""File commands of the main window: new, open, save, save as, close, recent files, external
changes (QFileSystemWatcher) and crash recovery.

A mixin for :class:`~axiom_ide.app.main_window.MainWindow`, kept apart so each file stays small.
Questions to the user go through ``ask_*`` methods, which tests replace.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow, QMessageBox

from axiom_ide.app.dialogs.new_flow import NewFlowDialog, slugify, unique_flow_path
from axiom_ide.app.dialogs.open_flow import OpenFlowDialog
from axiom_ide.app.flow_tab import FlowTab
from axiom_ide.runtime.errors import AxiomError

if TYPE_CHECKING:
    from PySide6.QtCore import QFileSystemWatcher
    from PySide6.QtGui import QUndoGroup
    from PySide6.QtWidgets import QMenu, QTabWidget

    from axiom_ide.app.recovery import RecoveryManager
    from axiom_ide.app.settings import Preferences

    _Window = QMainWindow  # to the checker the mixin is the window it is mixed into
else:
    _Window = object

SAVED_MESSAGE = "Saved"


class FileCommands(_Window):
    """Mixed into MainWindow; uses ``self.tabs``, ``self.workspace``, ``self.prefs``,
    ``self.recovery``, ``self.watcher``, ``self.undo_group``."""

    # What MainWindow (and its other mixins) give this one.
    tabs: QTabWidget
    workspace: Any
    workspace_root: Path
    prefs: Preferences
    quiet: bool
    recent_menu: QMenu
    recovery: RecoveryManager
    watcher: QFileSystemWatcher
    undo_group: QUndoGroup
    _own_writes: dict[str, str | None]

    if TYPE_CHECKING:
        def current_doc(self) -> Any: ...
        def panels_follow_document(self) -> None: ...
        def _update_window_title(self) -> None: ...
        def _selection_changed(self, tab: Any, kind: str, key: Any) -> None: ...
        def run_flow(self) -> Any: ...
        def stop_run(self) -> None: ...

    # -- questions (tests override these) --------------------------------------------------------
    def ask_new_flow_name(self) -> str | None:
        dialog = NewFlowDialog(self.flows_dir, self)
        return dialog.flow_name() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_open_path(self) -> Path | None:
        dialog = OpenFlowDialog(self.workspace_root, self)
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_save_path(self, doc: Any) -> Path | None:
        start = str(doc.path or self.flows_dir / f"{doc.flow.name or 'flow'}.flow.yaml")
        path, _ = QFileDialog.getSaveFileName(self, "Save Flow As", start, "Flows (*.flow.yaml)")
        if not path:
            return None
        return Path(path if path.endswith(".flow.yaml") else path.removesuffix(".yaml") + ".flow.yaml")

    def ask_unsaved(self, doc: Any) -> str:
        """"save" | "discard" | "cancel" for a dirty document about to close."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f'Save changes to "{doc.flow.name}" before closing?',
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def ask_reload_dirty(self, doc: Any) -> bool:
        answer = QMessageBox.question(
            self, "File changed on disk",
            f'"{doc.path.name}" changed on disk and has unsaved edits here.\n'
            "Reload it and lose your edits?")
        return answer == QMessageBox.StandardButton.Yes

    def ask_restore(self, entries: list[Any]) -> bool:
        names = "\n".join(f"• {e.name or 'untitled'} ({e.original_path or 'never saved'})" for e in entries)
        answer = QMessageBox.question(
            self, "Restore unsaved changes?",
            f"Axiom IDE closed with unsaved edits last time:\n{names}\n\nRestore them?")
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, title: str, exc: Exception) -> None:
        self.statusBar().showMessage(f"{title}: {exc}", 8000)
        if not self.quiet:
            QMessageBox.warning(self, title, str(exc))

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
        tab.runRequested.connect(self.run_flow)
        tab.stopRequested.connect(self.stop_run)
        if tab.scene is not None and hasattr(tab.scene, "selectionTargetChanged"):
            tab.scene.selectionTargetChanged.connect(lambda kind, key, t=tab: self._selection_changed(t, kind, key))
        if tab.scene is not None and hasattr(tab.scene, "connectRefused"):
            tab.scene.connectRefused.connect(lambda reason: self.statusBar().showMessage(reason, 6000))
        self.undo_group.addStack(doc.undo_stack)
        doc.dirtyChanged.connect(lambda _d, t=tab: self._update_tab_title(t))
        doc.pathChanged.connect(lambda _p, t=tab: self._path_changed(t))
        doc.saved.connect(lambda _p, d=doc: self.recovery.forget(d))
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
            self._update_window_title()

    def _path_changed(self, tab: FlowTab) -> None:
        self.recovery.rekey(tab.doc)
        self._watch(tab.doc)
        self._update_tab_title(tab)

    # -- new / open ------------------------------------------------------------------------------
    def new_flow(self, name: str | None = None) -> Any:
        """File → New Flow: ask a name, create and save ``flows/<slug>.flow.yaml``."""
        from axiom_ide.document import FlowDocument

        if name is None:
            name = self.ask_new_flow_name()
            if not name:
                return None
        slug = slugify(name)
        self.flows_dir.mkdir(parents=True, exist_ok=True)
        path = unique_flow_path(self.flows_dir, slug)
        doc = FlowDocument.new(slug, self.workspace, path=path)
        doc.save()
        self.prefs.add_recent_file(path)
        self._rebuild_recent_menu()
        self.add_document(doc)
        self.statusBar().showMessage(f"Created {path.name}", 4000)
        return doc

    def open_flow(self) -> Any:
        path = self.ask_open_path()
        return self.open_path(path) if path else None

    def open_path(self, path: str | Path) -> Any:
        from axiom_ide.document import FlowDocument

        path = Path(path).resolve()
        for doc in self.documents():
            tab = self.tab_for(doc)
            if tab is not None and doc.path is not None and Path(doc.path).resolve() == path:
                self.tabs.setCurrentWidget(tab)
                self.prefs.add_recent_file(path)
                self._rebuild_recent_menu()
                return doc
        try:
            doc = FlowDocument.open(path, self.workspace)
        except AxiomError as exc:
            self.show_error("Cannot open flow", exc)
            return None
        self.prefs.add_recent_file(path)
        self._rebuild_recent_menu()
        self.add_document(doc)
        return doc

    # -- save ------------------------------------------------------------------------------------
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
        path = Path(path) if path else self.ask_save_path(doc)
        return self._write(doc, path) if path else False

    def _write(self, doc: Any, path: Path | None) -> bool:
        try:
            written = doc.save(path)
        except (AxiomError, OSError) as exc:
            self.show_error("Save failed", exc)
            return False
        self._own_writes[str(Path(written).resolve())] = self._disk_text(written)
        self.recovery.forget(doc)
        self.prefs.add_recent_file(written)
        self._rebuild_recent_menu()
        self.statusBar().showMessage(SAVED_MESSAGE, 4000)
        return True

    # -- close -----------------------------------------------------------------------------------
    def close_current_tab(self) -> bool:
        return self.close_tab(self.tabs.currentIndex())

    def close_tab(self, index: int) -> bool:
        tab = self.tabs.widget(index)
        if not isinstance(tab, FlowTab):  # no tab at that index
            return False
        doc = tab.doc
        if doc.is_dirty:
            answer = self.ask_unsaved(doc)
            if answer == "cancel" or (answer == "save" and not self.save(doc)):
                return False
        if tab.running:
            tab.run.cancel()
        self.recovery.forget(doc)
        if doc.path is not None and str(doc.path) in self.watcher.files():
            self.watcher.removePath(str(doc.path))
        self.undo_group.removeStack(doc.undo_stack)
        self.tabs.removeTab(index)
        tab.deleteLater()
        return True

    def close_all_tabs(self) -> bool:
        while self.tabs.count():
            if not self.close_tab(self.tabs.currentIndex()):
                return False
        return True

    # -- recent files ----------------------------------------------------------------------------
    def _rebuild_recent_menu(self) -> None:
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
        self._rebuild_recent_menu()

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
                if doc.is_dirty and not self.ask_reload_dirty(doc):
                    return
                self._reload(doc)
                self.statusBar().showMessage(f"Reloaded {Path(path).name} (changed on disk)", 5000)

    def reload_from_disk(self) -> None:
        doc = self.current_doc()
        if doc is not None and doc.path is not None:
            self._reload(doc)

    def _reload(self, doc: Any) -> None:
        try:
            doc.reload_from_disk()
        except AxiomError as exc:
            self.show_error("Cannot reload flow", exc)
            return
        self.recovery.forget(doc)
        tab = self.tab_for(doc)
        if tab is not None:
            self._update_tab_title(tab)
        self.panels_follow_document()

    # -- crash recovery --------------------------------------------------------------------------
    def offer_recovery(self) -> list[Any]:
        """Offer edits left by a crashed session; returns the restored documents."""
        entries = self.recovery.leftovers()
        if not entries:
            return []
        restored: list[Any] = []
        if self.ask_restore(entries):
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
            self.show_error("Cannot restore flow", exc)
            return None
        original = Path(entry.original_path) if entry.original_path else None
        if original is not None and original.exists():
            doc = self.open_path(original)
        else:
            doc = FlowDocument.new(recovered.name or "recovered", self.workspace, path=original)
            self.add_document(doc)
        if doc is None:
            return None
        apply_flow(doc, recovered)
        return doc


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
