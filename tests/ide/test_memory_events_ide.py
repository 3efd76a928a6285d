"""The results panel's event list shows a run's memory events live, one line each (node code in real
node host processes: what the IDE uses by default)."""
from __future__ import annotations

import os

import pytest
from ide_support import close_window, make_window, open_flow, wait_done
from memory_support import add_chat_flow
from PySide6.QtWidgets import QTreeWidget
from test_run import event_rows, run_with


@pytest.fixture
def window(qtbot, example_workspace, tmp_path):
    add_chat_flow(example_workspace)  # before the workspace loads
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini", inline=False)
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_window(w)


def test_memory_events_are_listed_with_their_summary(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "chat")
    run = run_with(qtbot, window, tab, session_id="thread-1", text="I prefer JSON exports.")
    wait_done(qtbot, tab, timeout=60000)
    assert run.state.status == "Completed"
    memory = [r for r in event_rows(window) if r[1].startswith("MEMORY_")]
    assert [(r[1], r[2]) for r in memory] == [("MEMORY_WRITE", "agent"), ("MEMORY_READ", "agent"),
                                              ("MEMORY_WRITE", "agent"), ("MEMORY_WRITE", "agent"),
                                              ("MEMORY_SEARCH", "agent"), ("MEMORY_WRITE", "agent")]
    assert memory[0][4] == "history.append user in session thread-1: I prefer JSON exports."
    assert memory[1][4] == "history.last(20) in session thread-1 → 1 turn(s)"
    assert memory[3][4].endswith(" — refused: content is 40000 characters long; at most 32768 are allowed in "
                                 "one memory entry or turn")
    assert memory[4][4].startswith('search "what file types can I download" → ')
    assert memory[4][4].endswith(" result(s), hybrid")
    assert memory[5][4] == "session.end in session thread-1: consolidation enqueued"
    if os.environ.get("AXIOM_TEST_SCREENSHOT"):  # a look at the list (not part of the test)
        tabs = window.results.tabs
        tabs.setCurrentIndex(next(i for i in range(tabs.count()) if tabs.tabText(i) == "Execution"))
        window.grab().save(os.environ["AXIOM_TEST_SCREENSHOT"])


def test_the_node_popover_lists_the_nodes_memory_calls(qtbot, window, example_workspace):
    from test_payload_popover import click_card, popover_of

    tab = open_flow(window, example_workspace, "chat")
    run_with(qtbot, window, tab, session_id="thread-2", text="I use Postgres.")
    wait_done(qtbot, tab, timeout=60000)
    click_card(qtbot, window, tab, "agent")
    popover = popover_of(qtbot, window, "agent")
    tree = popover.findChild(QTreeWidget, "payloadMemory")
    lines = [(tree.topLevelItem(i).text(0), tree.topLevelItem(i).text(1)) for i in range(tree.topLevelItemCount())]
    assert [kind for kind, _ in lines] == ["write", "read", "write", "write", "search", "write"]
    assert lines[0][1] == "history.append user in session thread-2: I use Postgres."
    assert lines[5][1] == "session.end in session thread-2: consolidation enqueued"
    if os.environ.get("AXIOM_TEST_SCREENSHOT"):
        window.grab().save(os.environ["AXIOM_TEST_SCREENSHOT"].replace(".png", "-popover.png"))
