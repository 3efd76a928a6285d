"""The Execution tab tells the truth about a re-run: a node a SIGKILL cut short shows its
NODE_INTERRUPTED attempt, then the re-run as attempt 2 (real runtime, real kill, real window)."""
from __future__ import annotations

import asyncio

from engine_support import add_faults_package, chain
from ide_support import click_header, double_click_item
from PySide6.QtCore import QSettings
from resume_support import running

from axiom_ide.app.main_window import MainWindow, local_backend
from axiom_ide.app.run_state import RunState
from axiom_ide.app.settings import Preferences
from axiom_ide.runtime.runtime import Runtime


def test_execution_tab_shows_the_interrupted_attempt_and_the_rerun(qtbot, example_workspace, tmp_path):
    add_faults_package(example_workspace)
    flow = chain(example_workspace, "slow3", ["Slow"] * 3)
    data = tmp_path / "data"
    with running(flow, data, 1, inline=True):
        pass  # SIGKILLed while a node runs
    rt = Runtime(data, inline=True)
    try:
        (execution_id,) = asyncio.run(rt.resume_incomplete(wait=True))
        assert rt.find_execution(execution_id).status == "Completed"
    finally:
        rt._db.close()

    prefs = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(example_workspace, data, prefs, quiet=True, serve_api=False,
                        backend_factory=lambda w: local_backend(w, inline=True))
    qtbot.addWidget(window)
    window.ask_unsaved = lambda doc: "discard"
    window.ask_unsaved_many = lambda docs: "discard_all"
    window.load_workspace()
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    click_header(qtbot, window, "executions-action")
    page = window.executions_page
    qtbot.waitUntil(lambda: len(page.rows()) == 1)
    qtbot.waitUntil(page.table.isVisible)
    double_click_item(qtbot, page.table, page.table.topLevelItem(0))
    qtbot.waitUntil(lambda: window.results.state is not None)
    results = window.results
    assert results.title.text() == "Execution Completed"
    rows = [[results.events.topLevelItem(i).text(c) for c in (1, 2, 4)]
            for i in range(results.events.topLevelItemCount())]
    rows = [r for r in rows if r[0] != "LOG"]
    at = rows.index(["EXECUTION_RESUMED", "", ""])
    (cut,) = [r[1] for r in rows if r[0] == "NODE_INTERRUPTED"]
    assert rows[at + 1:at + 4] == [
        ["NODE_INTERRUPTED", cut, "attempt 1 interrupted: the runtime stopped while this attempt ran; the node runs again"],
        ["NODE_STARTED", cut, "attempt 2"],
        ["NODE_COMPLETED", cut, "attempt 2"]]
    assert results.state.node_states == {"n1": "completed", "n2": "completed", "n3": "completed"}
    # Scrubbed to the interruption, the cut node is pending again (no stale "running" tint).
    events = results.state.events
    upto = next(i for i, e in enumerate(events) if e.type == "NODE_INTERRUPTED")
    partial = RunState("slow3")
    partial.set_execution(execution_id)
    for e in events[:upto]:
        partial.accept(e)
    assert partial.node_states[cut] == "running" and partial.current_node == cut
    partial.accept(events[upto])
    assert cut not in partial.node_states and partial.current_node is None
