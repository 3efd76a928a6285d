"""The flow document layer: FlowDocument = flow model + QUndoStack + live analysis.

Public API::

    from axiom_ide.document import FlowDocument
    doc = FlowDocument.open(path, workspace)     # or FlowDocument.new(name, workspace, path=None)

May import ``axiom_ide.runtime`` and PySide6 (QtCore/QtGui); never ``axiom_ide.canvas`` or ``app``.
"""
from axiom_ide.document.analysis import PIPELINE_EDGE_ERROR
from axiom_ide.document.clipboard import MIME_TYPE as CLIPBOARD_MIME_TYPE
from axiom_ide.document.document import FlowDocument

__all__ = ["FlowDocument", "PIPELINE_EDGE_ERROR", "CLIPBOARD_MIME_TYPE"]
