"""Under bubblewrap, a read-only package's generated code in the data dir is readable by its node
and nothing else of the data dir is: the gen/ home is bound read-only, alone."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from engine_support import write_flow, write_package

from axiom_ide.cli.main import main
from axiom_ide.runtime.host.sandbox import Sandbox

MANIFEST = """\
name: tests/peek
version: 0.1.0
language: python
nodes:
  - {name: Peek, input: Text, output: Text}
"""
PROTO = 'syntax = "proto3";\npackage tests.peek;\nmessage Text { string text = 1; }\n'
PEEK = '''\
import json
import os
from pathlib import Path

import gen
from gen.messages_pb2 import Text


def peek(ax, input):
    home = Path(gen.__file__).parent
    seen = {"gen_is_in": str(home.parent.parent), "db": os.path.exists(input.text)}
    try:
        (home / "planted.py").write_text("x = 1")
        seen["write"] = "written"
    except OSError as exc:
        seen["write"] = exc.strerror
    return Text(text=json.dumps(seen))
'''


@pytest.mark.skipif(Sandbox().tool() is None or not sys.platform.startswith("linux"),
                    reason="needs a working bubblewrap")
def test_a_read_only_packages_node_reads_its_gen_home_and_cannot_write_it(tmp_path, capsys):
    data = Path(os.environ["AXIOM_IDE_DATA_DIR"])
    ws = tmp_path / "ws"
    root = write_package(ws, "peek", MANIFEST, PROTO, {"peek": PEEK})
    (ws / "flows").mkdir()
    flow = write_flow(ws, "peek", "mode: unary\nimports: [tests/peek@0.1.0]\nnodes:\n"
                                  "  - id: n1\n    node: tests/peek@0.1.0:Peek\nedges: []\n")
    for p in [root, *root.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        code = main(["--workspace", str(ws), "flow", "run", str(flow), "-d", json.dumps({"text": str(data / "axiom.db")})])
        out = capsys.readouterr()
        assert (code, out.err) == (0, "")
        seen = json.loads(json.loads(out.out)["text"])
    finally:
        for p in [root, *root.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)
    assert seen == {"gen_is_in": str((data / "gen").resolve()), "db": False, "write": "Read-only file system"}
