"""Breakpoints (node and edge) follow a node's rename and its undo, like pins (#13 loose ends):
stored under the new id, drawn on the renamed card, and honoured by the next Debug run."""
from __future__ import annotations

import json

from engine_support import chain
from ide_support import click, click_header, open_flow, type_and_enter, wait_done
from test_breakpoint_conditions import debug_run
from test_debugger_core import choose, right_click_menu
from test_edge_breakpoints import right_click_edge
from test_node_identity import _select as select_card


def stored(tmp_path, example_workspace, name):
    data = json.loads((tmp_path / "data" / "breakpoints.json").read_text())
    key = str((example_workspace / "flows" / f"{name}.flow.yaml").resolve())
    return {n if isinstance(n, str) else n["node"] for n in data.get(key, [])}


def test_breakpoints_follow_a_rename_and_its_undo_and_a_debug_run_uses_them(qtbot, run_window,
                                                                           example_workspace, tmp_path):
    window = run_window
    chain(example_workspace, "bp-rename", ["Upper"] * 3)
    tab = open_flow(window, example_workspace, "bp-rename")
    choose(qtbot, right_click_menu(qtbot, tab, "n2"), "Set breakpoint")
    choose(qtbot, right_click_edge(qtbot, tab, ("n2", "n3")), "Set breakpoint")
    assert tab.breakpoints == {"n2", "n2->n3"}
    page = select_card(qtbot, window, tab, "n2")
    type_and_enter(qtbot, page.id_field, "mid")  # the inspector's canvas id field
    assert tab.breakpoints == {"mid", "mid->n3"}
    assert stored(tmp_path, example_workspace, "bp-rename") == {"mid", "mid->n3"}
    qtbot.waitUntil(lambda: tab.scene.item_for_node("mid").breakpoint
                    and tab.scene.item_for_edge(("mid", "n3")).breakpoint)
    rows = window.breakpoints_panel.tree
    assert sorted(rows.topLevelItem(i).text(0) for i in range(rows.topLevelItemCount())) == ["mid", "mid → n3"]

    run = debug_run(qtbot, window, tab, "a")
    qtbot.waitUntil(lambda: run.state.status == "Debug paused", timeout=60_000)
    assert run.state.paused_at == "mid" and run.state.pause_edge is None  # the renamed node's breakpoint
    click(qtbot, tab.debug_bar.continue_button)
    qtbot.waitUntil(lambda: run.state.status == "Debug paused" and run.state.pause_edge is not None, timeout=60_000)
    assert run.state.pause_edge == ("mid", "n3")  # the renamed edge's breakpoint
    click(qtbot, tab.debug_bar.continue_button)
    wait_done(qtbot, tab)
    assert run.state.status == "Completed"

    click_header(qtbot, window, "undo-action")
    assert tab.breakpoints == {"n2", "n2->n3"}
    assert stored(tmp_path, example_workspace, "bp-rename") == {"n2", "n2->n3"}
    qtbot.waitUntil(lambda: tab.scene.item_for_node("n2").breakpoint
                    and tab.scene.item_for_edge(("n2", "n3")).breakpoint)
    assert not tab.scene.item_for_node("n3").breakpoint
