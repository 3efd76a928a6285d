"""The debug session page: step with , and ., Modify… a key, Apply 1 override(s) and Fork."""
from __future__ import annotations

from engine_support import add_faults_package, chain, compile_file
from ide_support import click, click_at, on_card
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from axiom_ide.app.pages.debug_session import EXPIRED, MAX_OVERRIDE_BYTES, NULL_REFUSED, TOO_LARGE, DebugSessionPage
from axiom_ide.backends.local import LocalBackend
from axiom_ide.runtime.packages import Workspace


def test_step_modify_and_fork_with_override(qtbot, tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    chain(example_workspace, "four", ["Upper", "Upper", "Upper", "Upper"])
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "four.flow.yaml", example_workspace, store=rt._artifacts)
    backend = LocalBackend(rt)
    parent = aio(rt.run(art, {"text": "a"}))
    replay = aio(backend.sessions.replay(parent.execution_id))
    forks: list[tuple[str, dict]] = []
    page = DebugSessionPage(replay, session_id="s1", mode="REPLAY", on_fork=lambda cp, o: forks.append((cp, o)),
                            workspace=Workspace(example_workspace))
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)  # , and . are shortcuts of the active window
    assert page.pill.text() == "REPLAY"

    # click n2 on the canvas, then step forward with "." until it has a checkpoint; "," steps back once
    page.canvas.fit_all()
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node("n2")))
    assert page.selected_node() == "n2"
    for _ in range(len(replay)):
        if page.selected_checkpoint() is not None:
            break
        QTest.keyClick(page, Qt.Key.Key_Period)
    at = page.index
    QTest.keyClick(page, Qt.Key.Key_Comma)
    assert page.index == at - 1 and page.selected_checkpoint() is None
    QTest.keyClick(page, Qt.Key.Key_Period)
    checkpoint = page.selected_checkpoint()
    assert checkpoint == replay.checkpoints[1].id
    assert '"text": "A"' in page.output.toPlainText()

    click(qtbot, page.modify)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    dialog.key.setCurrentText("text")
    QTest.keyClicks(dialog.value, "null")
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert dialog.error.text() == NULL_REFUSED and dialog.isVisible()
    dialog.value.selectAll()
    QTest.keyClicks(dialog.value, '"forked"')
    click(qtbot, dialog.buttons.button(dialog.buttons.StandardButton.Ok))
    assert not dialog.isVisible()
    assert page.step_forward.text() == "Apply 1 override(s) and Fork"
    click(qtbot, page.step_forward)
    assert forks == [(checkpoint, {"text": "forked"})]
    assert page.step_forward.text() == "Step Forward"

    session = aio(backend.sessions.fork(parent.execution_id, *forks[0]))
    child = aio(rt.wait(session["execution_id"], 30))
    assert child.output == {"text": "FORKED", "big": "0"}
    assert rt.find_execution(session["execution_id"]).parent_id == parent.execution_id


def _page_at_end(qtbot, tmp_path, example_workspace, make_runtime, aio):
    add_faults_package(example_workspace)
    chain(example_workspace, "two", ["Upper", "Upper"])
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "two.flow.yaml", example_workspace, store=rt._artifacts)
    parent = aio(rt.run(art, {"text": "a"}))
    return rt, parent, LocalBackend(rt)


def _open(qtbot, replay, example_workspace):
    page = DebugSessionPage(replay, session_id="s1", mode="REPLAY", on_fork=lambda cp, o: None,
                            workspace=Workspace(example_workspace))
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    qtbot.waitExposed(page)
    page.canvas.fit_all()
    while page.index < len(replay) - 1:
        click(qtbot, page.step_forward)
    click_at(page.canvas, on_card(page.canvas.flow_scene.item_for_node("n1")))
    return page


def test_modify_refuses_bad_json_and_values_over_1_mb(qtbot, tmp_path, example_workspace, make_runtime, aio):
    _rt, parent, backend = _page_at_end(qtbot, tmp_path, example_workspace, make_runtime, aio)
    page = _open(qtbot, aio(backend.sessions.replay(parent.execution_id)), example_workspace)
    click(qtbot, page.modify)
    dialog = page.dialog
    qtbot.waitExposed(dialog)
    assert [dialog.key.itemText(i) for i in range(dialog.key.count())] == ["big", "text"]
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    QTest.keyClicks(dialog.value, '{"a": ')
    click(qtbot, ok)
    assert dialog.error.text().startswith("Not JSON: ") and "line 1" in dialog.error.text()
    assert dialog.isVisible() and page.overrides == {}
    # a value over 1 MB, pasted as a user would
    dialog.value.selectAll()
    line = '"' + "x" * 62 + '",\n'  # many short lines: the editor lays them out fast
    QApplication.clipboard().setText("[\n" + line * (MAX_OVERRIDE_BYTES // len(line) + 1) + '"x"]')
    QTest.keyClick(dialog.value, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(dialog.value.toPlainText()) > MAX_OVERRIDE_BYTES
    click(qtbot, ok)
    assert dialog.error.text() == TOO_LARGE and dialog.isVisible() and page.overrides == {}
    dialog.value.selectAll()
    QTest.keyClicks(dialog.value, '{"nested": [1, 2]}')
    dialog.key.setCurrentText("big")
    click(qtbot, ok)
    assert not dialog.isVisible()
    assert page.overrides == {"big": {"nested": [1, 2]}}  # one top-level key, replaced whole
    assert page.overrides_list.item(0).text() == 'n1.big = {"nested": [1, 2]}'


def test_an_expired_checkpoint_disables_modify_and_fork(qtbot, tmp_path, example_workspace, make_runtime, aio):
    import time

    rt, parent, backend = _page_at_end(qtbot, tmp_path, example_workspace, make_runtime, aio)
    assert rt._checkpoints.expire(now=time.time() + 31 * 24 * 3600) > 0
    page = _open(qtbot, aio(backend.sessions.replay(parent.execution_id)), example_workspace)
    assert page.output.toPlainText() == "Snapshot expired"
    assert not page.modify.isEnabled() and page.modify.toolTip() == EXPIRED
    assert not page.fork_button.isEnabled() and page.fork_button.toolTip() == EXPIRED
