"""A package whose error names another node first (reading the text would blame the wrong node),
for the error-value tests of the runtime and the IDE."""
from __future__ import annotations

from pathlib import Path

from engine_support import write_flow, write_package

BLAME_MANIFEST = """\
name: tests/blame
version: 0.1.0
language: python
description: A node whose error names another node first.
nodes:
  - {name: Upper, input: Text, output: Text}
  - {name: Blame, input: Text, output: Text}
"""
BLAME_PROTO = 'syntax = "proto3";\npackage tests.blame;\nmessage Text { string text = 1; int64 big = 2; }\n'
BLAME_NODES = {
    "upper": "def upper(ax, input):\n    from gen.messages_pb2 import Text\n    return Text(text=input.text.upper())\n",
    "blame": "def blame(ax, input):\n    raise RuntimeError('node \"n1\" sent nothing to node \"n2\"')\n",
}
#: The error text of n2 (Blame): it names its own node, so the engine adds no prefix.
BLAME_TEXT = 'node "n1" sent nothing to node "n2"'


def blame_flow(workspace: Path) -> Path:
    """``flows/blames.flow.yaml``: n1 (Upper) → n2 (Blame), with the package added."""
    write_package(workspace, "blame", BLAME_MANIFEST, BLAME_PROTO, BLAME_NODES)
    return write_flow(workspace, "blames", """\
        imports: [tests/blame@0.1.0]
        nodes:
          - {id: n1, node: "tests/blame@0.1.0:Upper"}
          - {id: n2, node: "tests/blame@0.1.0:Blame"}
        edges:
          - {from: n1, to: n2}
        """)
