"""Quit and closing the window never lose work: one question about every unsaved flow comes before
any tab closes; Cancel keeps every tab (clean ones too); Save All writes each file."""
from __future__ import annotations

import pytest
from ide_support import press_shortcut
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox


def _open(window, ws, name, *, edit: str | None = None):
    doc = window.open_path(ws / "flows" / f"{name}.flow.yaml")
    if edit is not None:
        doc.set_flow_attr("description", edit)
    return doc


def _never(*_args):
    raise AssertionError("asked per flow")


def test_cancel_on_quit_keeps_every_tab(qtbot, window, example_workspace):
    dirty = _open(window, example_workspace, "greeter", edit="changed")
    _open(window, example_workspace, "hello")  # clean, and the current tab: it used to close first
    asked = []
    window.ask_unsaved = lambda d: asked.append(d) or "cancel"
    press_shortcut(qtbot, window, "quit-action")
    assert asked == [dirty]
    assert window.isVisible() and window.tabs.count() == 2
    assert [d.flow.name for d in window.documents()] == ["greeter", "hello"] and dirty.is_dirty
    assert "changed" not in (example_workspace / "flows" / "greeter.flow.yaml").read_text()


def test_quit_with_several_dirty_tabs_asks_once_and_save_all_writes_each(qtbot, window, example_workspace):
    docs = [_open(window, example_workspace, n, edit=f"edited {n}") for n in ("hello", "greeter", "linear")]
    _open(window, example_workspace, "square")
    asked = []
    window.ask_unsaved = _never
    window.ask_unsaved_many = lambda ds: asked.append(list(ds)) or "save_all"
    press_shortcut(qtbot, window, "quit-action")
    assert asked == [docs]
    assert not window.isVisible() and window.tabs.count() == 0
    for n in ("hello", "greeter", "linear"):
        assert f"description: edited {n}" in (example_workspace / "flows" / f"{n}.flow.yaml").read_text()


@pytest.mark.parametrize("answer", ["cancel", "discard_all"])
def test_several_dirty_tabs_cancel_keeps_all_discard_writes_none(qtbot, window, example_workspace, answer):
    before = {n: (example_workspace / "flows" / f"{n}.flow.yaml").read_text() for n in ("hello", "greeter")}
    _open(window, example_workspace, "square")
    docs = [_open(window, example_workspace, n, edit="lost?") for n in ("hello", "greeter")]
    window.ask_unsaved = _never
    window.ask_unsaved_many = lambda ds: answer
    press_shortcut(qtbot, window, "quit-action")
    if answer == "cancel":
        assert window.isVisible() and window.tabs.count() == 3 and all(d.is_dirty for d in docs)
    else:
        assert not window.isVisible() and window.tabs.count() == 0
    assert {n: (example_workspace / "flows" / f"{n}.flow.yaml").read_text() for n in before} == before


def test_a_failed_save_all_keeps_every_tab(qtbot, window, example_workspace):
    docs = [_open(window, example_workspace, n, edit="kept") for n in ("hello", "greeter")]
    untitled = window.files.add_document(type(docs[0]).new("scratch", window.workspace)).doc
    untitled.set_flow_attr("description", "never saved")
    window.ask_unsaved_many = lambda ds: "save_all"
    window.ask_save_path = lambda d: None  # the user cancels Save As for the untitled flow
    press_shortcut(qtbot, window, "quit-action")
    assert window.isVisible() and window.tabs.count() == 3 and untitled.is_dirty
    assert window.current_doc() is untitled  # the Save As question was about the tab on screen


def test_the_real_question_offers_save_all_discard_all_cancel(qtbot, window, example_workspace):
    docs = [_open(window, example_workspace, n, edit="x") for n in ("hello", "greeter")]
    del window.ask_unsaved_many  # the window's own dialog, answered by clicking its button
    seen = {}

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)
            return
        seen["buttons"] = sorted(b.text() for b in box.buttons())
        seen["text"] = box.text()
        box.grab().save("/tmp/e2shots/unsaved_many.png")
        next(b for b in box.buttons() if b.text() == "Cancel").click()

    QTimer.singleShot(0, answer)
    try:
        press_shortcut(qtbot, window, "quit-action")
    finally:  # pytest-qt closes the window before the fixture's teardown: never leave a real dialog
        window.ask_unsaved_many = lambda ds: "discard_all"
    assert seen["buttons"] == ["Cancel", "Discard All", "Save All"]
    assert "2 flows have unsaved changes" in seen["text"] and "• greeter" in seen["text"]
    assert window.isVisible() and window.tabs.count() == 2 and all(d.is_dirty for d in docs)


def test_closing_the_window_with_several_dirty_tabs_asks_once(qtbot, window, example_workspace):
    docs = [_open(window, example_workspace, n, edit="x") for n in ("hello", "greeter")]
    _open(window, example_workspace, "square")
    asked = []
    window.ask_unsaved = _never
    window.ask_unsaved_many = lambda ds: asked.append(ds) or "cancel"
    window.show()
    qtbot.waitExposed(window)
    assert not window.close()  # the title bar's close button sends the same QCloseEvent
    assert asked == [docs] and window.isVisible() and window.tabs.count() == 3
