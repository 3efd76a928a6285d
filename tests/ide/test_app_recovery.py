"""Crash recovery: a dirty document is autosaved to <data>/recovery and offered on restart."""
from __future__ import annotations

from ide_support import make_window, press_shortcut


def test_dirty_doc_is_autosaved_and_restored_after_a_crash(qtbot, example_workspace, tmp_path):
    data, settings = tmp_path / "data", tmp_path / "s.ini"
    path = example_workspace / "flows" / "hello.flow.yaml"
    first = make_window(qtbot, example_workspace, data, settings)
    first.start([path])
    doc = first.current_doc()
    doc.set_flow_attr("description", "unsaved edit")
    doc.add_node("examples/text@0.1.0:Upper")
    recovery = data / "recovery"
    qtbot.waitUntil(lambda: any("unsaved edit" in p.read_text() for p in recovery.glob("*.flow.yaml")), timeout=3000)
    first.recovery.stop()  # "crash": the window never closes cleanly, the files stay

    second = make_window(qtbot, example_workspace, data, tmp_path / "other.ini")
    offered = []
    second.ask_restore = lambda entries: offered.extend(entries) or True
    second.start([])
    assert [e.original_path for e in offered] == [str(path)]
    restored = second.current_doc()
    assert restored.path == path
    assert restored.flow.description == "unsaved edit"
    assert [n.id for n in restored.flow.nodes] == ["greet", "upper"]
    assert restored.is_dirty and second.tabs.tabText(0) == "• hello"
    assert "unsaved edit" not in path.read_text()  # the file on disk is untouched until Save
    assert not list(recovery.glob("*"))
    restored.undo_stack.undo()  # the restore is one undoable step
    assert restored.flow.description == "Greets the caller by name."


def test_declined_recovery_is_discarded(qtbot, example_workspace, tmp_path):
    data = tmp_path / "data"
    first = make_window(qtbot, example_workspace, data, tmp_path / "a.ini")
    first.start([example_workspace / "flows" / "hello.flow.yaml"])
    first.current_doc().set_flow_attr("description", "x")
    first.recovery.autosave()
    first.recovery.stop()
    assert list((data / "recovery").glob("*.json"))
    second = make_window(qtbot, example_workspace, data, tmp_path / "b.ini")
    second.ask_restore = lambda entries: False
    second.start([])
    assert not list((data / "recovery").glob("*"))


def test_saving_removes_the_recovery_file(qtbot, example_workspace, tmp_path):
    data = tmp_path / "data"
    window = make_window(qtbot, example_workspace, data, tmp_path / "a.ini")
    window.start([example_workspace / "flows" / "hello.flow.yaml"])
    window.current_doc().set_flow_attr("description", "x")
    window.recovery.autosave()
    assert list((data / "recovery").glob("*.flow.yaml"))
    press_shortcut(qtbot, window, "save-action")
    assert not list((data / "recovery").glob("*"))


def test_recovery_files_are_owner_only(qtbot, example_workspace, tmp_path):
    """They hold the user's unsaved flow text: 0600 in a 0700 folder, like the rest of the data dir."""
    import os
    import stat

    data = tmp_path / "data"
    window = make_window(qtbot, example_workspace, data, tmp_path / "a.ini")
    window.start([example_workspace / "flows" / "hello.flow.yaml"])
    window.current_doc().set_flow_attr("description", "x")
    old = os.umask(0o022)
    try:
        window.recovery.autosave()
    finally:
        os.umask(old)
    recovery = data / "recovery"
    files = sorted(p.name.split(".", 1)[1] for p in recovery.iterdir())
    assert files == ["flow.yaml", "json"]
    assert stat.S_IMODE(recovery.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in recovery.iterdir()} == {0o600}
