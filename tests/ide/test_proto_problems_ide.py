"""A flow using a package whose .proto does not compile: the Problems list and the Library say
protoc's words and where in the workspace/package once (compiler/analyze.py, panels/library.py)."""
from __future__ import annotations

import os

from engine_support import write_flow, write_package
from ide_support import flush

MANIFEST = "name: demo/broken\nversion: 0.1.0\nlanguage: python\nnodes:\n  - name: Echo\n    input: Msg\n    output: Msg\n"
PROTO = 'syntax = "proto3";\npackage demo.broken;\n\nmessage Msg {\n  string text = 1\n}\n'


def test_problems_and_library_name_the_broken_proto_once(qtbot, example_workspace, tmp_path):
    from ide_support import close_window, make_window

    write_package(example_workspace, "broken", MANIFEST, PROTO, {"echo": "def echo(ax, input):\n    return input\n"})
    path = write_flow(example_workspace, "uses-broken",
                      "imports: [demo/broken@0.1.0]\nnodes:\n  - id: echo\n    node: demo/broken@0.1.0:Echo\n")
    window = make_window(qtbot, example_workspace, tmp_path / "data", tmp_path / "settings.ini")
    try:
        window.show()
        qtbot.waitExposed(window)
        doc = window.open_path(path)
        flush(qtbot, doc)
        text = 'node "echo": packages/broken/messages/messages.proto:6:1: Expected ";".'
        qtbot.waitUntil(lambda: text in window.problems.messages())
        row = window.problems.tree.topLevelItem(window.problems.messages().index(text))
        assert row.text(1) == "echo"  # the Where column: the node; the proto's place is in the message
        tree = window.library.tree
        top = tree.topLevelItem(0)
        assert top.text(0) == "demo/broken@0.1.0"
        assert [top.child(i).text(0) for i in range(top.childCount())] == [
            'messages/messages.proto:6:1: error: Expected ";".']
        assert top.child(0).toolTip(0) == top.child(0).text(0)  # the narrow dock elides the row
        shot = os.environ.get("AXIOM_SHOT_DIR")
        if shot:
            window.problems_dock.raise_()
            qtbot.waitUntil(lambda: window.problems.tree.isVisible())
            window.grab().save(os.path.join(shot, "proto-problems.png"))
    finally:
        close_window(window)
