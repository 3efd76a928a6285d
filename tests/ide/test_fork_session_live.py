"""A FORK session page opens at once, while the fork still runs, and follows it live as the LIVE
page follows its run (#13 loose ends): its cards show where the fork is, Run to End reads Stop."""
from __future__ import annotations

from engine_support import add_picky_package, chain
from ide_support import click, run_then_open_details
from PySide6.QtTest import QTest
from test_debug_session_open import _click_card
from test_run_from_here_more import window  # noqa: F401 — the window with tests/picky


def test_fork_session_page_opens_at_once_and_follows_the_fork(qtbot, window, example_workspace):  # noqa: F811
    add_picky_package(example_workspace)
    chain(example_workspace, "fork-follow", ["Upper", "Gate"], pkg="tests/picky@0.1.0")
    execution_id, detail = run_then_open_details(qtbot, window, example_workspace, "fork-follow", {"text": "x"})
    click(qtbot, detail.debug_button)  # Replay in debugger
    sessions = window.execution_pages.sessions
    qtbot.waitUntil(lambda: execution_id in sessions)
    page = sessions[execution_id]
    qtbot.waitExposed(page)
    _click_card(qtbot, page, "n1")
    for _ in range(len(page.replay)):
        if page.selected_checkpoint() is not None:
            break
        click(qtbot, page.step_forward)
    assert page.selected_checkpoint() is not None
    click(qtbot, page.modify)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.key.setCurrentText("text")
    QTest.keyClicks(dialog.value, '"hang"')  # n2 (Gate) hangs on it: the fork keeps running
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    click(qtbot, page.step_forward)  # Apply 1 override(s) and Fork

    qtbot.waitUntil(lambda: len(sessions) == 2, timeout=30_000)
    child_id = next(e for e in sessions if e != execution_id)
    fork_page = sessions[child_id]
    assert fork_page.pill.text() == "FORK" and fork_page.live is not None
    # open while the fork runs, and following it: n2 shows running as its events arrive
    qtbot.waitUntil(lambda: fork_page.card_states().get("n2") == "running", timeout=30_000)
    assert fork_page.run_status not in ("Completed", "Failed", "Cancelled")
    assert fork_page.card_states().get("n1") == "completed"  # copied from the parent
    assert fork_page.run_to_end.text() == "Stop"
    window.bridge.call(lambda b: b.cancel(child_id))
    qtbot.waitUntil(lambda: fork_page.run_status == "Cancelled", timeout=30_000)
    assert fork_page.run_to_end.text() == "Run to End"
