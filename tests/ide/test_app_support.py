"""The IDE tests' own window fixture (``conftest.py``): a main window with nothing open."""
from __future__ import annotations


def test_support_window_starts_empty(window):
    assert window.tabs.count() == 0
    assert window.current_doc() is None
