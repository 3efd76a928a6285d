"""Dialogs of the main window. Each is small and returns plain values; the window decides."""
