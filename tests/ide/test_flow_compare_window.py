"""File → **Compare with…** (issue 18, flow diff in the IDE) on a real git repository made in the
test: ``HEAD~1:flows/greeter.flow.yaml`` against the flow as edited → the changed node framed amber
on the canvas, the semantic change listed, a layout-only move listed apart; a revision that does
not exist shows git's error in the dialog."""
from __future__ import annotations

import subprocess

from ide_support import click, click_menu_item, open_flow, type_over

from axiom_ide.canvas.diff_render import diff_colors_in

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]


def git(ws, *argv):
    subprocess.run([*GIT, *argv], cwd=ws, check=True, capture_output=True)


def repo_with_two_commits(ws):
    git(ws, "init", "-q")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "first")
    flow = ws / "flows" / "greeter.flow.yaml"
    text = flow.read_text(encoding="utf-8")
    text = text.replace("examples/text@0.1.0:Upper", "examples/text@0.1.0:Echo")
    text = text.replace("node: examples/text@0.1.0:Greet\n", "node: examples/text@0.1.0:Greet\n    col: 0\n    row: 3\n")
    flow.write_text(text, encoding="utf-8")
    git(ws, "commit", "-qam", "shout echoes")
    return flow


def open_compare_dialog(qtbot, window):
    click_menu_item(qtbot, window, "File", window.actions["compare-with-action"])
    qtbot.waitUntil(lambda: getattr(window.flow_tools, "compare_dialog", None) is not None)
    dialog = window.flow_tools.compare_dialog
    qtbot.waitExposed(dialog)
    return dialog


def test_compare_with_head_1_draws_the_changed_node_amber(qtbot, window, example_workspace):
    repo_with_two_commits(example_workspace)
    open_flow(window, example_workspace, "greeter")
    window.show()
    qtbot.waitExposed(window)
    dialog = open_compare_dialog(qtbot, window)
    assert dialog.side.text() == "HEAD:flows/greeter.flow.yaml"
    type_over(qtbot, dialog.side, "HEAD~1:flows/greeter.flow.yaml")
    click(qtbot, dialog.compare_button)
    qtbot.waitUntil(lambda: dialog.result_window is not None)
    win = dialog.result_window
    qtbot.waitExposed(win)
    assert diff_colors_in(win.canvas.flow_scene) == {"shout": "changed"}
    assert win.change_lines() == ["~ node shout node: examples/text@0.1.0:Upper → examples/text@0.1.0:Echo"]
    assert win.move_lines() == ["node greet: auto → col 0, row 3"]  # layout only: listed apart


def test_a_revision_that_does_not_exist_shows_the_git_error(qtbot, window, example_workspace):
    repo_with_two_commits(example_workspace)
    open_flow(window, example_workspace, "greeter")
    window.show()
    qtbot.waitExposed(window)
    dialog = open_compare_dialog(qtbot, window)
    type_over(qtbot, dialog.side, "nosuch~3:flows/greeter.flow.yaml")
    click(qtbot, dialog.compare_button)
    qtbot.waitUntil(dialog.error.isVisible)
    assert 'git revision "nosuch~3" does not exist' in dialog.error.text()
    assert dialog.result_window is None and dialog.isVisible()
