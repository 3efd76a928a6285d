"""The IDE tests' windows: ``window`` over a fresh copy of the example workspace; ``run_window``
shown, with the misbehaving ``tests/faults`` package added (the run tests), once per invoker."""
from __future__ import annotations

import pytest
from engine_support import add_faults_package
from ide_support import close_window, make_window


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
