"""Pins are editor-local (app/pins.py): on a RemoteBackend, whose invoke has no pins field, a pinned
flow runs as it is — unary or pipeline — and the status bar says "Pins apply to local runs only"
once as the run starts (and again as it ends), naming how many pins were ignored."""
from __future__ import annotations

from ide_support import open_flow, wait_done
from PySide6.QtCore import Qt
from test_connections import config_dir, fill_remote, live, open_connections, save_and_wait  # noqa: F401 — fixtures
from test_run import run_with

from axiom_ide.app.pins import LOCAL_ONLY
from axiom_ide.runtime.pins import Pin, save_pins


def test_a_remote_run_ignores_the_pins_and_says_so(qtbot, window, live, config_dir, example_workspace):  # noqa: F811
    flows = example_workspace / "flows"
    save_pins(flows / "hello.flow.yaml", {"greet": Pin({"greeting": "pinned"})})
    save_pins(flows / "words.flow.yaml", {"shout": Pin({"word": "PINNED", "index": 0}),
                                          "split": Pin({"word": "pinned", "index": 0})})
    dialog = open_connections(qtbot, window)
    fill_remote(qtbot, dialog, live.origin, live.key)
    save_and_wait(qtbot, dialog, "ok")
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    said: list[str] = []
    window.statusBar().messageChanged.connect(said.append)

    tab = open_flow(window, example_workspace, "hello")
    assert set(tab.pins) == {"greet"}
    run = run_with(qtbot, window, tab, name="Ada")
    wait_done(qtbot, tab, timeout=60000)
    assert run.state.status == "Completed" and run.state.result.output == {"greeting": "Hello, Ada!"}
    text = LOCAL_ONLY.format(n=1)
    assert text == "Pins apply to local runs only; 1 pin(s) ignored" and run.pins_ignored == 1
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == text)
    assert said.count(text) == 2  # once as it starts, once as it ends

    tab = open_flow(window, example_workspace, "words")
    run = run_with(qtbot, window, tab, text="to be")
    wait_done(qtbot, tab, timeout=60000)
    assert run.state.status == "Completed" and run.pins_ignored == 2
    lines = window.results.output.toPlainText().splitlines()  # the remote's real nodes ran
    assert lines[:2] == ['[0] {"word": "TO", "index": 0}', '[1] {"word": "BE", "index": 1}']
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == LOCAL_ONLY.format(n=2))
