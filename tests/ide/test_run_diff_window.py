"""**Compare runs** (issue 18, run diff): two executions of a flow with different inputs selected
in the Executions view → a window with the first divergent node named, framed amber on the
read-only canvas and its row selected, its input/output differences side by side."""
from __future__ import annotations

from ide_support import click, click_item, open_flow, wait_done
from PySide6.QtCore import Qt

from axiom_ide.canvas.diff_render import diff_colors_in


def test_compare_two_runs_highlights_the_first_divergent_node(qtbot, window, example_workspace):
    tab = open_flow(window, example_workspace, "greeter")
    window.show()
    qtbot.waitExposed(window)
    ids = []
    for name in ("Ada", "Bob"):
        run = window.start_run(tab, {"name": name})
        wait_done(qtbot, tab)
        ids.append(run.state.execution_id)
    window.show_executions()
    panel = window.executions_page
    qtbot.waitUntil(lambda: len(panel.rows()) == 2)
    assert not panel.compare_button.isEnabled()
    click_item(qtbot, panel.table, panel.table.topLevelItem(0))
    rect = panel.table.visualItemRect(panel.table.topLevelItem(1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     rect.center())  # Ctrl+click: the second row joins the selection
    qtbot.waitUntil(lambda: len(panel.selected_ids()) == 2)
    click(qtbot, panel.compare_button)
    tools = window.flow_tools
    qtbot.waitUntil(lambda: any(w.objectName() == "runDiffWindow" for w in tools.windows), timeout=10000)
    win = tools.windows[-1]
    qtbot.waitExposed(win)
    assert win.first_label.text() == "First divergent node: greet"
    assert win.selected_node() == "greet"
    assert diff_colors_in(win.canvas.flow_scene) == {"greet": "changed"}
    assert win.canvas.flow_scene.item_for_node("greet").isSelected()
    assert win.diff["a"]["execution_id"] == ids[0]  # the older run is A
    rows = win.change_rows()
    assert ["input", "name", '"Ada"', '"Bob"'] in rows
    assert ["output", "greeting", '"Hello, Ada!"', '"Hello, Bob!"'] in rows
    # a click on the other node's row selects its card
    shout = win.nodes.topLevelItem(1)
    assert shout.text(0) == "shout"
    click_item(qtbot, win.nodes, shout)
    assert win.canvas.flow_scene.item_for_node("shout").isSelected()
    # the fitted flow stays on screen: selecting a card that is visible does not scroll the others out
    shown_rect = win.canvas.mapToScene(win.canvas.viewport().rect()).boundingRect()
    for card in win.canvas.flow_scene.node_items():
        assert shown_rect.contains(card.sceneBoundingRect()), card.node_id
    assert ["output", "text", '"HEY! HELLO, ADA!"', '"HEY! HELLO, BOB!"'] in win.change_rows()
