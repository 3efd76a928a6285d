"""The Console window (header **Console**, Ctrl+K page names): a sub-nav of pages over the active
Backend's ``console`` API. :mod:`.window` holds the window, one module per page."""
