"""Problems panel: the active flow's diagnostics, live from ``doc.analysis``.

Double-clicking a row asks the window to select the node or edge the diagnostic points at.
Messages show their code spans (`Text`) as code, in the row and its tooltip; with nothing to
report the panel says "No problems" instead of showing an empty table.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from axiom_ide.app.panels import follow_analysis
from axiom_ide.canvas.diagnostics import code_html

DIAG_ROLE = Qt.ItemDataRole.UserRole
NO_PROBLEMS = "No problems"
#: What the analysis of a flow without nodes says of its topology; not listed for such a Draft.
DRAFT_CODES = frozenset({"start_nodes", "terminal_nodes"})


class CodeSpanDelegate(QStyledItemDelegate):
    """Paints a cell's text as :func:`code_html` rich text (one line, clipped to the cell); the
    icon, selection and background are the style's own."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, opt.text = opt.text, ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(opt.font)
        doc.setHtml(code_html(text.replace("\n", " ")))
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        context = QAbstractTextDocumentLayout.PaintContext()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))
        painter.save()
        painter.setClipRect(rect)
        painter.translate(QPointF(rect.left() + 2, rect.top() + (rect.height() - doc.size().height()) / 2))
        doc.documentLayout().draw(painter, context)
        painter.restore()


def location_text(location: Any) -> str:
    if location.edge:
        return f"{location.edge[0]} → {location.edge[1]}"
    if location.node:
        return location.node
    if location.file:
        where = location.file.rsplit("/", 1)[-1]
        return f"{where}:{location.line}" if location.line else where
    return ""


class ProblemsPanel(QWidget):
    """A two-column list: message, where."""

    #: ("node", id) or ("edge", (src, dst)) — a row was activated.
    locate = Signal(str, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("problemsPanel")
        self.doc: Any = None
        self.tree = QTreeWidget(objectName="problemsList")
        self.tree.setHeaderLabels(["Problem", "Where"])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 520)
        self.tree.setAlternatingRowColors(True)
        self.tree.setItemDelegateForColumn(0, CodeSpanDelegate(self.tree))
        self.empty = QLabel(NO_PROBLEMS, objectName="noProblems")
        self.empty.setProperty("hint", True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addWidget(self.empty)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemDoubleClicked.connect(self._activated)

    def set_document(self, doc: Any) -> None:
        follow_analysis(self.doc, doc, self.refresh)
        self.doc = doc
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        analysis = getattr(self.doc, "analysis", None) if self.doc is not None else None
        diagnostics = list(getattr(analysis, "diagnostics", []) or [])
        if self.doc is not None and not self.doc.flow.nodes:
            # A flow with no nodes yet is a Draft (the pill says so), not "no start node".
            diagnostics = [d for d in diagnostics if d.code not in DRAFT_CODES]
        style = self.style()
        for d in diagnostics:
            item = QTreeWidgetItem([d.message, location_text(d.location)])
            icon = QStyle.StandardPixmap.SP_MessageBoxCritical if d.is_error else QStyle.StandardPixmap.SP_MessageBoxWarning
            item.setIcon(0, style.standardIcon(icon))
            item.setToolTip(0, f"<p>{code_html(d.message)}</p>")
            item.setData(0, DIAG_ROLE, d)
            self.tree.addTopLevelItem(item)
        self.setWindowTitle(f"Problems ({len(diagnostics)})" if diagnostics else "Problems")
        self.tree.setVisible(bool(diagnostics))
        self.empty.setVisible(not diagnostics)

    def messages(self) -> list[str]:
        items = (self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount()))
        return [item.text(0) for item in items if item is not None]

    def _activated(self, item: QTreeWidgetItem, _col: int = 0) -> None:
        d = item.data(0, DIAG_ROLE)
        if d is None:
            return
        if d.location.edge:
            self.locate.emit("edge", tuple(d.location.edge))
        elif d.location.node:
            self.locate.emit("node", d.location.node)
