"""The debug session page's canvas: each card is drawn in its state at the current step as `,` and
`.` move through a REPLAY session; a click on a card shows its checkpointed output in the
Inspector; the six detail tabs show the history up to the current step; Run to End reads Stop
while it runs and Stop stops it; Clear drops a pending override."""
from __future__ import annotations

import json
import os

import pytest
from engine_support import add_faults_package, chain, compile_file
from ide_support import click, click_at, on_card
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from axiom_ide.app.pages.debug_session import DebugSessionPage
from axiom_ide.app.pages.session_tabs import NO_OUTPUT, TAB_NAMES
from axiom_ide.backends.local import LocalBackend
from axiom_ide.runtime.packages import Workspace

#: Replay node statuses -> the card state drawn (pending is idle).
DRAWN = {"pending": None, "running": "running", "completed": "completed", "failed": "failed", "skipped": "skipped"}


@pytest.fixture
def session(qtbot, tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    chain(example_workspace, "three", ["Upper", "Upper", "Upper"])
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "three.flow.yaml", example_workspace, store=rt._artifacts)
    backend = LocalBackend(rt)
    parent = aio(rt.run(art, {"text": "a"}))
    replay = aio(backend.sessions.replay(parent.execution_id))
    page = DebugSessionPage(replay, session_id="s1", mode="REPLAY", on_fork=lambda cp, o: None,
                            workspace=Workspace(example_workspace))
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    qtbot.waitUntil(lambda: page.fitted)  # the page fits the flow to its canvas when first shown
    view = page.canvas
    assert all(view.viewport().rect().contains(view.mapFromScene(on_card(i))) for i in view.flow_scene.node_items())
    return page


def drawn(page) -> dict[str, str | None]:
    scene = page.canvas.flow_scene
    return {n: scene.item_for_node(n).run_state for n in page.replay.node_ids}


def expected(page) -> dict[str, str | None]:
    return {n: DRAWN[s.status] for n, s in page.replay.at(page.index).nodes.items()}


def test_stepping_redraws_every_card(qtbot, session):
    page = session
    assert page.index == -1 and drawn(page) == {"n1": None, "n2": None, "n3": None}
    seen: list[dict[str, str | None]] = []
    for _ in range(len(page.replay)):
        QTest.keyClick(page.canvas, Qt.Key.Key_Period)
        assert drawn(page) == expected(page)
        seen.append(drawn(page))
    assert page.index == len(page.replay) - 1
    assert drawn(page) == {"n1": "completed", "n2": "completed", "n3": "completed"}
    assert {"n1": "completed", "n2": "running", "n3": None} in seen  # a middle step, n2 executing
    assert not page.step_forward.isEnabled()
    middle = next(i for i in range(len(page.replay)) if page.replay.at(i).nodes["n2"].status == "running")
    while page.index > middle:
        QTest.keyClick(page.canvas, Qt.Key.Key_Comma)
    assert drawn(page) == {"n1": "completed", "n2": "running", "n3": None}
    click(qtbot, page.step_back)
    assert page.index == middle - 1 and drawn(page) == expected(page)
    click(qtbot, page.step_forward)
    assert page.index == middle and drawn(page) == expected(page)

    # the tabs: events up to the current step only; no output before the run ended
    assert page.tabs.tab_names() == list(TAB_NAMES)
    assert page.tabs.rows(page.tabs.timeline) == [e.type for e in page.replay.events[:middle + 1]]
    assert page.tabs.checkpoints_table.rowCount() == 1  # n1's
    assert page.tabs.output_view.toPlainText() == NO_OUTPUT


def test_a_card_click_shows_its_output_in_the_inspector(qtbot, session):
    page = session
    while page.index < len(page.replay) - 1:
        QTest.keyClick(page.canvas, Qt.Key.Key_Period)
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node("n3")))
    assert page.selected_node() == "n3"
    assert page.canvas.flow_scene.selected_node_ids() == ["n3"]
    assert page.node_label.text() == "n3 — completed"
    assert json.loads(page.output.toPlainText())["text"] == "A"
    assert page.modify.isEnabled()
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "debug_session_canvas.png"))
    QTest.keyClick(page.canvas, Qt.Key.Key_Comma)  # the selection stays while stepping
    assert page.canvas.flow_scene.selected_node_ids() == ["n3"]
    while page.index > -1:
        QTest.keyClick(page.canvas, Qt.Key.Key_Comma)
    assert page.output.toPlainText() == "No checkpoint yet at this point." and not page.modify.isEnabled()


def test_run_to_end_reads_stop_and_stop_stops(qtbot, session):
    page = session
    click(qtbot, page.run_to_end)
    assert page.run_to_end.text() == "Stop"
    click(qtbot, page.run_to_end)
    assert page.run_to_end.text() == "Run to End"
    stopped = page.index
    assert stopped < len(page.replay) - 1
    click(qtbot, page.run_to_end)
    qtbot.waitUntil(lambda: page.index == len(page.replay) - 1, timeout=10000)
    qtbot.waitUntil(lambda: page.run_to_end.text() == "Run to End")
    assert drawn(page) == {"n1": "completed", "n2": "completed", "n3": "completed"}
    assert json.loads(page.tabs.output_view.toPlainText())["text"] == "A"


def test_clear_drops_a_pending_override(qtbot, session):
    page = session
    while page.index < len(page.replay) - 1:
        QTest.keyClick(page.canvas, Qt.Key.Key_Period)
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node("n2")))
    click(qtbot, page.modify)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.key.setCurrentText("text")
    QTest.keyClicks(dialog.value, '"x"')
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert page.step_forward.text() == "Apply 1 override(s) and Fork" and page.step_forward.isEnabled()
    assert page.overrides_list.item(0).text() == 'n2.text = "x"'
    item = page.overrides_list.item(0)
    QTest.mouseClick(page.overrides_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.overrides_list.visualItemRect(item).center())
    click(qtbot, page.clear_button)
    assert page.overrides == {} and page.overrides_list.count() == 0
    assert page.step_forward.text() == "Step Forward"



def assert_compact_and_filling(table) -> None:
    """One-line rows (a style's default ~30 px row is twice a line), the columns filling the width."""
    assert table.rowCount() > 0
    assert all(table.rowHeight(r) <= table.fontMetrics().height() + 12 for r in range(table.rowCount()))
    header = table.horizontalHeader()
    assert header.stretchLastSection()
    assert sum(header.sectionSize(c) for c in range(header.count())) == table.viewport().width()


def test_the_timeline_rows_are_compact_and_its_columns_fill_the_width(qtbot, session):
    page = session
    for _ in range(len(page.replay)):
        QTest.keyClick(page.canvas, Qt.Key.Key_Period)
    timeline = page.tabs.timeline
    qtbot.waitUntil(timeline.isVisible)
    assert timeline.rowCount() == len(page.replay)
    assert_compact_and_filling(timeline)
    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "debug_session_timeline.png"))
