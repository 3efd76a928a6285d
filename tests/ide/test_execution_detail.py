"""The execution detail page: scrub the replay, read checkpoints, fork and follow Forked from."""
from __future__ import annotations

import dataclasses
import json
import os

from engine_support import add_faults_package, chain, compile_file
from ide_support import click
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from axiom_ide.app.pages.execution_detail import ExecutionDetailPage
from axiom_ide.backends.local import LocalBackend
from axiom_ide.backends.remote import CheckpointView
from axiom_ide.backends.replay_view import ReplayView


def _rows(rt) -> tuple[int, int, int]:
    ex = rt.list_executions(limit=1000)
    return len(ex), sum(len(rt.execution_events(e.id)) for e in ex), sum(len(rt.execution_checkpoints(e.id)) for e in ex)


def test_scrub_checkpoint_payload_and_fork_link(qtbot, tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    chain(example_workspace, "four", ["Upper", "Upper", "Upper", "Upper"])
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "four.flow.yaml", example_workspace, store=rt._artifacts)
    backend = LocalBackend(rt)
    parent = aio(rt.run(art, {"text": "a"}))
    before = _rows(rt)
    replay = aio(backend.sessions.replay(parent.execution_id))
    # backend value types, not the runtime's Replay: frozen records the app only reads
    assert isinstance(replay, ReplayView) and isinstance(replay.checkpoints[0], CheckpointView)
    assert all(type(p).__module__ == "axiom_ide.backends.replay_view" for p in (replay.at(-1), replay.at(len(replay) - 1)))
    forks: list[str] = []
    page = ExecutionDetailPage(replay, on_fork=forks.append)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    qtbot.waitExposed(page)
    assert page.status_label.text() == "Completed"
    assert set(page.node_states().values()) == {"completed"}

    # scrub to a middle event with the keyboard: each card's drawn state matches the history there
    page.scrubber.setFocus()
    QTest.keyClick(page.scrubber, Qt.Key.Key_Home)
    assert set(page.node_states().values()) == {None}  # pending: drawn idle
    middle = len(replay) // 2
    for _ in range(middle + 1):
        QTest.keyClick(page.scrubber, Qt.Key.Key_Right)
    assert page.scrubber.value() == middle
    expected = {n: s.status for n, s in replay.at(middle).nodes.items()}
    assert page.node_states() == {n: None if s == "pending" else s for n, s in expected.items()}
    assert "completed" in expected.values() and "pending" in expected.values()

    # Checkpoints: a row click opens its payload popover; Fork from here names that checkpoint
    page.tabs.setCurrentIndex(2)
    table = page.checkpoints_table
    rect = table.visualItemRect(table.item(1, 1))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.popover is not None and page.popover.isVisible()
    assert json.loads(page.popover.texts["Input"]) == {"text": "A", "big": "0"}
    assert json.loads(page.popover.texts["Output"]) == {"text": "A", "big": "0"}
    click(qtbot, table.cellWidget(1, 4))
    assert forks == [replay.checkpoints[1].id]
    assert _rows(rt) == before  # replay only read history

    # fork with an override: the new execution's output changed and links to its parent
    session = aio(backend.sessions.fork(parent.execution_id, forks[0], {"text": "forked"}))
    assert session["mode"] == "FORK"
    child = aio(rt.wait(session["execution_id"], 30))
    assert child.output == {"text": "FORKED", "big": "0"}
    opened: list[str] = []
    child_page = ExecutionDetailPage(aio(backend.sessions.replay(session["execution_id"])), on_open=opened.append)
    qtbot.addWidget(child_page)
    child_page.show()
    assert child_page.forked_from is not None
    click(qtbot, child_page.forked_from)
    assert opened == [parent.execution_id]
    assert json.loads(child_page.output_view.toPlainText()) == {"text": "FORKED", "big": "0"}


def test_without_the_compiled_flow_each_node_is_still_a_card(qtbot, tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    chain(example_workspace, "two", ["Upper", "Upper"])
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "two.flow.yaml", example_workspace, store=rt._artifacts)
    run = aio(rt.run(art, {"text": "a"}))
    replay = dataclasses.replace(aio(LocalBackend(rt).sessions.replay(run.execution_id)), flow={})
    page = ExecutionDetailPage(replay)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    qtbot.waitExposed(page)
    assert page.node_states() == {"n1": "completed", "n2": "completed"}
    page.scrubber.setFocus()
    QTest.keyClick(page.scrubber, Qt.Key.Key_Home)
    assert page.node_states() == {"n1": None, "n2": None}
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_detail_bare.png"))
