"""The canvas: a Qt scene/view mirroring a FlowDocument; it emits intents, the document edits.

Public API::

    from axiom_ide.canvas import FlowScene, FlowView
    scene = FlowScene(doc); view = FlowView(scene)

May import ``axiom_ide.document`` and ``axiom_ide.runtime``; never ``axiom_ide.app``.
"""
from axiom_ide.canvas.scene import FlowScene
from axiom_ide.canvas.view import NODE_REF_MIME, FlowView

__all__ = ["FlowScene", "FlowView", "NODE_REF_MIME"]
