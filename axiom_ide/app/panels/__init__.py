"""Dock panels of the main window. Each has ``set_document(doc | None)`` and reads the active
document; edits go through the document's undoable methods only."""
