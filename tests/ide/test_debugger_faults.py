"""Faults around a Debug run in the IDE, on the real runtime: closing the tab of a paused run asks
first (Cancel keeps the tab and the paused run; Close cancels it for real, so the execution ends
Cancelled in the backend's history rather than staying paused); while paused the result header and
the status pill read the paused state (amber), not "Running · 0.3 s"."""
from __future__ import annotations

import pytest
from engine_support import chain
from ide_support import open_flow, press_shortcut
from PySide6.QtCore import Qt
from test_debugger_core import choose, open_dialog, right_click_menu


@pytest.fixture
def window(run_window):
    return run_window


def paused_debug_run(qtbot, window, workspace, name):
    """A saved three-node chain with a breakpoint on n2 (set by right-click), started with Debug and
    paused before n2."""
    chain(workspace, name, ["Upper"] * 3)
    tab = open_flow(window, workspace, name)
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    dialog = open_dialog(qtbot, window, tab, "a")
    qtbot.mouseClick(dialog.debug_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.run.state.status == "Debug paused", timeout=60_000)
    return tab


def history_status(window, execution_id):
    backend = window.bridge.wait_ready()
    record = backend.runtime.find_execution(execution_id, tenant_id=backend.tenant)
    return record.status if record is not None else None


def test_while_paused_the_header_and_pill_read_the_paused_state(qtbot, window, example_workspace):
    tab = paused_debug_run(qtbot, window, example_workspace, "dbg-header")
    panel = window.results
    qtbot.waitUntil(lambda: panel.title.text() == "Debug paused — n2")
    assert "Running" not in panel.title.text()
    assert panel.title.property("state") == "paused"
    assert tab.pill.text() == "Debug paused" and tab.pill.property("state") == "paused"
    qtbot.mouseClick(tab.debug_bar.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.run.state.is_running, timeout=60_000)
    assert tab.pill.property("state") == "completed" and panel.title.property("state") == "completed"


def test_closing_the_tab_of_a_paused_debug_run_asks_then_cancels_it(qtbot, window, example_workspace):
    tab = paused_debug_run(qtbot, window, example_workspace, "dbg-close")
    execution_id = tab.run.state.execution_id
    assert execution_id is not None
    asked: list[tuple[str, str]] = []

    def answer(value):
        def ask(doc, status):
            asked.append((doc.flow.name, status))
            return value
        return ask

    window.ask_stop_debug = answer(False)  # Cancel: the tab stays, the run stays paused
    press_shortcut(qtbot, window, "close-tab-action")
    assert asked == [("dbg-close", "Debug paused")]
    assert window.files.flow_tabs() == [tab] and tab.run.state.status == "Debug paused"
    # The stored status follows the DEBUG_PAUSED event the pill read (written just after it).
    qtbot.waitUntil(lambda: history_status(window, execution_id) == "Debug paused")

    window.ask_stop_debug = answer(True)  # Close: the tab goes and the run really ends
    press_shortcut(qtbot, window, "close-tab-action")
    assert len(asked) == 2 and window.files.flow_tabs() == []
    qtbot.waitUntil(lambda: history_status(window, execution_id) == "Cancelled", timeout=60_000)


def test_a_debug_run_left_paused_by_a_dead_runtime_is_paused_again_on_reopen(qtbot, example_workspace, tmp_path,
                                                                            invoker):
    """The runtime (and the app with it) was killed while a Debug run was paused before n2: opening
    the flow again resumes that run and shows it paused where it was; Continue finishes it."""
    from engine_support import add_faults_package
    from ide_support import close_window, make_window
    from test_debug_durable import _prepare, _run_until

    add_faults_package(example_workspace)
    path = chain(example_workspace, "dbg-crash", ["Upper"] * 3)
    data = tmp_path / "data"
    graph_id, session_id = _prepare((path, example_workspace), data, {"n2"})
    _run_until(data, graph_id, session_id, lambda r: r["control"] == "paused" and r["status"] == "Debug paused",
               inline=invoker == "inline")

    window = make_window(qtbot, example_workspace, data, tmp_path / "settings.ini", inline=invoker == "inline")
    window.show()
    qtbot.waitExposed(window)
    try:
        tab = open_flow(window, example_workspace, "dbg-crash")
        qtbot.waitUntil(lambda: tab.run is not None and tab.run.state.status == "Debug paused", timeout=60_000)
        run = tab.run
        assert run.state.paused_at == "n2" and run.debug_session_id == session_id
        assert tab.pill.text() == "Debug paused" and window.results.title.text() == "Debug paused — n2"
        assert tab.scene.item_for_node("n1").run_state == "completed"
        assert tab.scene.item_for_node("n2").run_state == "paused"
        assert tab.debug_bar.isVisible() and tab.debug_bar.continue_button.isVisible()
        qtbot.mouseClick(tab.debug_bar.continue_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not run.state.is_running, timeout=60_000)
        assert run.state.status == "Completed" and run.state.result.output["text"] == "A"
        assert history_status(window, run.state.execution_id) == "Completed"
    finally:
        close_window(window)


def test_quitting_with_a_paused_debug_run_asks_first(qtbot, window, example_workspace):
    tab = paused_debug_run(qtbot, window, example_workspace, "dbg-quit")
    execution_id = tab.run.state.execution_id
    asked: list[str] = []
    window.ask_stop_debug = lambda doc, status: asked.append(doc.flow.name) or False
    window.actions["quit-action"].trigger()  # File ▸ Quit; Cancel: the window and the run stay
    assert asked == ["dbg-quit"] and window.isVisible()
    assert window.files.flow_tabs() == [tab] and tab.run.state.status == "Debug paused"
    # The stored status follows the DEBUG_PAUSED event the pill read (written just after it).
    qtbot.waitUntil(lambda: history_status(window, execution_id) == "Debug paused")
