"""Library panel: the open flow's imported packages and their nodes.

The library is per flow (``flow.imports``). A node card drags onto the canvas with mime type
``application/x-axiom-node`` carrying ``pkg@ver:Node``; double-clicking a card places the node too.
A package the workspace lacks reads "(not found)", or "(not fetched)" with the reason in its tooltip
when a remote's types for it could not be fetched (``Workspace.unresolved``).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.flow_tab import NODE_MIME
from axiom_ide.app.panels import follow_analysis
from axiom_ide.runtime.errors import render

#: The canvas's own name for the same payload (FlowView accepts either, or plain text).
CANVAS_MIME = "application/x-axiom-node-ref"

REF_ROLE = Qt.ItemDataRole.UserRole
IMPORT_ROLE = Qt.ItemDataRole.UserRole + 1
EMPTY_TEXT = "No packages imported yet.\nClick + Import in the Marketplace to add one to this flow."


class NodeTree(QTreeWidget):
    """Tree whose node items drag out as ``application/x-axiom-node``."""

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt API)
        return [NODE_MIME, CANVAS_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:  # noqa: N802 (Qt API)
        mime = QMimeData()
        refs = [i.data(0, REF_ROLE) for i in items if i.data(0, REF_ROLE)]
        if refs:
            mime.setData(NODE_MIME, refs[0].encode("utf-8"))
            mime.setData(CANVAS_MIME, refs[0].encode("utf-8"))
            mime.setText(refs[0])
        return mime


class LibraryPanel(QWidget):
    """Imported packages → node cards."""

    #: (ref) a node card was double-clicked: place it on the canvas.
    placeRequested = Signal(str)

    def __init__(self, workspace_getter: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("libraryPanel")
        self._workspace = workspace_getter
        self.doc: Any = None
        self.search = QLineEdit(placeholderText="Search nodes", objectName="librarySearch")
        self.search.setClearButtonEnabled(True)
        self.tree = NodeTree(objectName="libraryTree")
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setWordWrap(True)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.empty = QLabel(EMPTY_TEXT, objectName="libraryEmpty")
        self.empty.setWordWrap(True)
        self.empty.setProperty("hint", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty, 1)
        self.search.textChanged.connect(lambda _t: self.refresh())
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.refresh()

    def set_document(self, doc: Any) -> None:
        follow_analysis(self.doc, doc, self.refresh)
        self.doc = doc
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        imports = list(self.doc.flow.imports) if self.doc is not None else []
        needle = self.search.text().strip().lower()
        workspace = self._workspace()
        for key in imports:
            pkg = workspace.packages.get(key) if workspace is not None else None
            top = QTreeWidgetItem([key])
            top.setData(0, IMPORT_ROLE, key)
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            if pkg is None:
                why = getattr(workspace, "unresolved", {}).get(key)  # a remote's that could not be reached
                top.setToolTip(0, why or f'package "{key}" not found in the workspace')
                top.setText(0, f"{key}  ({'not fetched' if why else 'not found'})")
                self.tree.addTopLevelItem(top)
                continue
            top.setToolTip(0, pkg.manifest.description or key)
            specs, problems = pkg.try_nodes()
            for spec in specs:
                text = f"{spec.name}\n{spec.description}" if spec.description else spec.name
                if needle and needle not in text.lower():
                    continue
                child = QTreeWidgetItem([text])
                child.setData(0, REF_ROLE, spec.ref)
                child.setToolTip(0, f"{spec.ref}\n{spec.input_type.name} → {spec.output_type.name}"
                                    + ("\npipeline node" if spec.kind == "pipeline" else "")
                                    + "\nDrag onto the canvas or double-click to place it.")
                top.addChild(child)
            for problem in problems:
                said = render(problem.relative_to(pkg.root))  # its file:line once, in the package
                bad = QTreeWidgetItem([said])
                bad.setToolTip(0, said)  # the narrow dock elides it
                bad.setFlags(Qt.ItemFlag.NoItemFlags)
                top.addChild(bad)
            if needle and top.childCount() == 0:
                continue
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
        has_imports = bool(imports)
        self.tree.setVisible(has_imports)
        self.empty.setVisible(not has_imports)
        self.empty.setText(EMPTY_TEXT if self.doc is not None else "Open a flow to see its library.")

    def _leaves(self) -> list[QTreeWidgetItem]:
        """The node items: the children of the package items at the top."""
        tops = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        children = (top.child(j) for top in tops if top is not None for j in range(top.childCount()))
        return [leaf for leaf in children if leaf is not None]

    def node_refs(self) -> list[str]:
        return [leaf.data(0, REF_ROLE) for leaf in self._leaves() if leaf.data(0, REF_ROLE)]

    def item_for(self, ref: str) -> QTreeWidgetItem | None:
        return next((leaf for leaf in self._leaves() if leaf.data(0, REF_ROLE) == ref), None)

    def _double_clicked(self, item: QTreeWidgetItem, _col: int) -> None:
        ref = item.data(0, REF_ROLE)
        if ref:
            self.placeRequested.emit(ref)

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        key = item.data(0, IMPORT_ROLE) if item is not None else None
        if not key or self.doc is None:
            return
        menu = QMenu(self)
        menu.addAction(f"Remove {key} from this flow", lambda: self.doc.remove_import(key))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
