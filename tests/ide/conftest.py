"""The IDE tests' windows: ``window`` over a fresh copy of the example workspace; ``run_window``
shown, with the misbehaving ``tests/faults`` package added (the run tests), once per invoker."""
from __future__ import annotations

import pytest
from engine_support import add_faults_package
from ide_support import close_window, make_window, visible_windows


@pytest.fixture(autouse=True)
def no_window_left_open(qapp):
    """A test closes what it opened: a top-level window still on screen after its teardown (the
    fixture's window is closed by then) would sit over the next tests. It is closed, and the test
    fails naming it."""
    before = set(visible_windows())
    yield
    left = [w for w in visible_windows() if w not in before]
    for w in left:
        w.close()
    if left:
        names = ", ".join(f"{type(w).__name__} {w.objectName() or w.windowTitle()!r}" for w in left)
        pytest.fail(f"left open after the test: {names}")


@pytest.fixture
def window(qtbot, example_workspace, tmp_path):
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    yield w
    close_window(w)


@pytest.fixture
def run_window(qtbot, example_workspace, tmp_path, invoker):
    add_faults_package(example_workspace)
    w = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini",
                    inline=invoker == "inline")
    w.show()
    qtbot.waitExposed(w)
    yield w
    close_window(w)
