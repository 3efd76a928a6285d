"""File → **Compare with…**: the current flow against a file or a git revision (issue 18, flow diff).

:class:`CompareWithDialog` asks for the other side as the CLI's ``axiom-ide flow diff`` takes it —
a flow file, or ``REV:path`` (``HEAD~1:flows/x.flow.yaml``, the path relative to the repository
root; ``./`` for the flow's folder) — prefilled with ``HEAD:<the flow's path>`` inside a git
repository. A side that cannot be read (a bad revision, a missing path, not a repository, a
malformed file) shows the error under the field and the dialog stays. Otherwise
:class:`FlowCompareWindow` opens: the other side (old) against the editor's flow as it is now
(new, unsaved edits included), drawn on a read-only canvas with the flow diff's colouring
(``canvas/diff_render.paint_diff``: added green, removed red, changed amber), the semantic change
list beside it and the layout-only moves listed apart.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.screen_fit import resize_to_fit

TITLE = "Compare with…"
SIDE_HINT = "a flow file, or REV:path (e.g. HEAD~1:flows/x.flow.yaml)"
COMPARE = "Compare"
CHANGES = "Changes"
LAYOUT_ONLY = "Layout only"
NO_CHANGES = "no differences"
SIZE = (1200, 680)


def default_side(flow_path: Path) -> str:
    """``HEAD:<path from the repository root>`` when the flow is in a git work tree, else ""."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=flow_path.parent, capture_output=True,
                             text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    if top.returncode != 0:
        return ""
    try:
        rel = flow_path.resolve().relative_to(Path(top.stdout.strip()).resolve())
    except ValueError:
        return ""
    return f"HEAD:{rel.as_posix()}"


def ask_and_compare(window: Any, flow_path: Path) -> CompareWithDialog:
    """Open the (non-modal) **Compare with…** dialog for the window's current flow."""
    dialog = CompareWithDialog(window, flow_path)
    dialog.show()
    return dialog


class CompareWithDialog(QDialog):
    def __init__(self, window: Any, flow_path: Path) -> None:
        super().__init__(window)
        self.setObjectName("compareWithDialog")
        self.setWindowTitle(TITLE)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.main = window
        self.flow_path = flow_path
        #: The comparison window opened (None until Compare succeeded).
        self.result_window: FlowCompareWindow | None = None
        self.side = QLineEdit(default_side(flow_path), objectName="compareWithSide")
        self.side.setPlaceholderText(SIDE_HINT)
        self.side.setMinimumWidth(420)
        browse = QPushButton("Browse…", objectName="compareWithBrowse")
        browse.clicked.connect(self._browse)
        self.error = QLabel(objectName="compareWithError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.compare_button = QPushButton(COMPARE, objectName="compareWithCompare")
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.compare)
        cancel = QPushButton("Cancel", objectName="compareWithCancel")
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.side, 1)
        row.addWidget(browse)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Compare {flow_path.name} (as edited now) with:"))
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, TITLE, str(self.flow_path.parent), "Flows (*.flow.yaml)")
        if path:
            self.side.setText(path)

    def compare(self) -> None:
        from axiom_ide.runtime.errors import AxiomError, render
        from axiom_ide.runtime.flowdiff import load_side

        spec = self.side.text().strip()
        if not spec:
            self._show_error("Name a flow file or a git REV:path to compare with.")
            return
        try:
            old = load_side(spec, self.flow_path.parent)
        except AxiomError as exc:
            self._show_error("\n".join(render(d) for d in exc.diagnostics))
            return
        doc = self.main.current_doc()
        new = doc.flow if doc is not None else old
        self.result_window = FlowCompareWindow(old, new, spec, self.flow_path.name,
                                               getattr(self.main, "workspace", None), self.main)
        self.main.flow_tools._keep(self.result_window)
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class FlowCompareWindow(QWidget):
    def __init__(self, old: Any, new: Any, old_label: str, new_label: str, workspace: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        from axiom_ide.canvas.diff_render import DIFF_COLORS, paint_diff
        from axiom_ide.canvas.readonly import readonly_canvas
        from axiom_ide.runtime.flowdiff import diff_flows, format_diff, merged_flow

        self.setObjectName("flowCompareWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{TITLE.rstrip('…')} — {old_label} → {new_label}")
        self.diff = d = diff_flows(old, new)
        self.canvas = readonly_canvas(merged_flow(old, new).to_plain(), workspace)
        scene = self.canvas.flow_scene
        scene.flush()
        self.painted = paint_diff(scene, d.node_states(), d.edge_states())
        legend = QLabel("  ".join(f'<span style="color:{c}">■ {s}</span>' for s, c in DIFF_COLORS.items()),
                        objectName="flowCompareLegend")
        heading = QLabel(f"{old_label}  →  {new_label} (as edited)", objectName="flowCompareHeading")
        heading.setProperty("heading", True)
        self.changes = QTreeWidget(objectName="flowCompareChanges")
        self.changes.setRootIsDecorated(False)
        self.changes.setHeaderLabels([CHANGES])
        self.changes.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)  # long lines scroll
        lines = [ln for ln in format_diff(d, ignore_layout=True).splitlines()
                 if not ln.startswith("(") and not ln.startswith(NO_CHANGES)]
        for line in lines or [NO_CHANGES]:
            item = QTreeWidgetItem([line])
            item.setToolTip(0, line)
            kind = {"+": "added", "-": "removed", "~": "changed"}.get(line[:1])
            if kind:
                item.setForeground(0, QBrush(QColor(DIFF_COLORS[kind])))
            self.changes.addTopLevelItem(item)
        self.moves = QTreeWidget(objectName="flowCompareMoves")
        self.moves.setRootIsDecorated(False)
        self.moves.setHeaderLabels([f"{LAYOUT_ONLY} ({len(d.moves)} moved)"])
        for m in d.moves:
            self.moves.addTopLevelItem(QTreeWidgetItem([f"node {m.id}: {_cell(m.old)} → {_cell(m.new)}"]))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.changes)
        right.addWidget(self.moves)
        right.setSizes([420, 180])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.canvas)
        split.addWidget(right)
        split.setSizes([760, 440])
        top = QHBoxLayout()
        top.addWidget(heading, 1)
        top.addWidget(legend)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        resize_to_fit(self, *SIZE)

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        self.canvas.fit_all()

    def change_lines(self) -> list[str]:
        return _lines(self.changes)

    def move_lines(self) -> list[str]:
        return _lines(self.moves)


def _lines(tree: QTreeWidget) -> list[str]:
    items = (tree.topLevelItem(i) for i in range(tree.topLevelItemCount()))
    return [item.text(0) for item in items if item is not None]


def _cell(cell: tuple[int, int] | None) -> str:
    return "auto" if cell is None else f"col {cell[0]}, row {cell[1]}"
