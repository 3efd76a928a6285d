"""The execution detail page's read-only canvas replay (#13 item 6): the scrubber redraws each
card's state at an event index, a click on an executed card opens its payload at that point, and
the Checkpoints tab opens the same popover; an expired checkpoint reads "Snapshot expired"."""
from __future__ import annotations

import os

import pytest
from ide_support import run_then_open_details
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

STATE = {"pending": None, "running": "running", "completed": "completed", "failed": "failed",
         "skipped": "skipped"}


@pytest.fixture
def window(run_window):
    return run_window


def _scrub_to(page, index: int) -> None:
    """Home, then Right arrow presses on the focused scrubber, up to event ``index``."""
    page.scrubber.setFocus()
    QTest.keyClick(page.scrubber, Qt.Key.Key_Home)
    for _ in range(index + 1):
        QTest.keyClick(page.scrubber, Qt.Key.Key_Right)
    assert page.scrubber.value() == index


def _drawn(page) -> dict:
    scene = page.canvas.flow_scene
    return {n: scene.item_for_node(n).run_state for n in page.replay.node_ids}


def test_scrubbing_redraws_each_card(qtbot, window, example_workspace):
    _, page = run_then_open_details(qtbot, window, example_workspace, "linear", {"text": "ab"})
    page.resize(1280, 720)
    replay = page.replay
    scene = page.canvas.flow_scene
    assert sorted(i.node_id for i in scene.node_items()) == ["echo", "upper"]
    assert _drawn(page) == {"echo": "completed", "upper": "completed"}  # opened at the end

    _scrub_to(page, -1)
    assert _drawn(page) == {"echo": None, "upper": None}

    # a middle event: echo done, upper not yet (or running) — each card as the history says there
    middle = next(i for i in range(len(replay))
                  if replay.at(i).nodes["echo"].status == "completed" and replay.at(i).nodes["upper"].status != "completed")
    _scrub_to(page, middle)
    expected = {n: STATE[s.status] for n, s in replay.at(middle).nodes.items()}
    assert _drawn(page) == expected
    assert expected["echo"] == "completed" and expected["upper"] != "completed"

    # Step advances one event; Play runs to the end and stops there
    QTest.mouseClick(page.step_button, Qt.MouseButton.LeftButton)
    assert page.scrubber.value() == middle + 1
    page.speed.setCurrentIndex(page.speed.count() - 1)
    QTest.mouseClick(page.play_button, Qt.MouseButton.LeftButton)
    assert page.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: page.play_button.text() == "Play", timeout=10000)
    assert page.scrubber.value() == len(replay) - 1
    assert _drawn(page) == {"echo": "completed", "upper": "completed"}

    if os.environ.get("AXIOM_SCREENSHOT_DIR"):
        _scrub_to(page, middle)
        page.grab().save(os.path.join(os.environ["AXIOM_SCREENSHOT_DIR"], "execution_replay_canvas.png"))
