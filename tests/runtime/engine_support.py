"""Shared helpers for the engine/store/resume/debug tests: a misbehaving package and flow builders."""
from __future__ import annotations

import asyncio
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axiom_ide.runtime.compiler.compile import compile_flow
from axiom_ide.runtime.model.flow_yaml import load_flow
from axiom_ide.runtime.packages import Workspace

FAULTS_MANIFEST = """\
name: tests/faults
version: 0.1.0
language: python
description: Nodes that misbehave on purpose.
nodes:
  - {name: Upper, input: Text, output: Text}
  - {name: Boom, input: Text, output: Text}
  - {name: Hang, input: Text, output: Text}
  - {name: Slow, input: Text, output: Text}
  - {name: Flaky, input: Text, output: Text}
  - {name: Crash, input: Text, output: Text}
  - {name: Secret, input: Text, output: Text}
  - {name: Count, input: Num, output: Num}
"""

FAULTS_PROTO = """\
syntax = "proto3";
package tests.faults;
message Text { string text = 1; int64 big = 2; }
message Num { double value = 1; }
"""

FAULTS_NODES = {
    "upper": "def upper(ax, input):\n    from gen.messages_pb2 import Text\n    return Text(text=input.text.upper(), big=input.big)\n",
    "boom": "def boom(ax, input):\n    raise ValueError('boom: ' + input.text)\n",
    "hang": "import time\ndef hang(ax, input):\n    time.sleep(60)\n",
    "slow": ("import time\nfrom gen.messages_pb2 import Text\n"
             "def slow(ax, input):\n    time.sleep(0.3)\n    return Text(text=input.text + '+')\n"),
    "flaky": ("import os\nfrom gen.messages_pb2 import Text\n"
              "def flaky(ax, input):\n"
              "    marker = input.text\n"
              "    if not os.path.exists(marker):\n"
              "        open(marker, 'w').close()\n"
              "        raise RuntimeError('first attempt fails')\n"
              "    return Text(text='ok')\n"),
    "crash": "import os\ndef crash(ax, input):\n    os._exit(3)\n",
    "secret": ("from gen.messages_pb2 import Text\n"
               "def secret(ax, input):\n    value, ok = ax.secrets.get('TOKEN')\n"
               "    return Text(text=value if ok else 'missing')\n"),
    "count": ("from gen.messages_pb2 import Num\n"
              "def count(ax, input):\n    return Num(value=input.value + 1)\n"),
}


def write_package(workspace: Path, dirname: str, manifest: str, proto: str, nodes: dict[str, str]) -> Path:
    """``packages/<dirname>`` with its axiom.yaml, messages.proto and ``nodes/<name>.py`` files."""
    root = workspace / "packages" / dirname
    (root / "messages").mkdir(parents=True, exist_ok=True)
    (root / "nodes").mkdir(parents=True, exist_ok=True)
    (root / "axiom.yaml").write_text(manifest)
    (root / "messages" / "messages.proto").write_text(proto)
    (root / "requirements.txt").write_text("")
    for name, src in nodes.items():
        (root / "nodes" / f"{name}.py").write_text(src)
    return root


def add_faults_package(workspace: Path) -> Path:
    return write_package(workspace, "faults", FAULTS_MANIFEST, FAULTS_PROTO, FAULTS_NODES)


def write_flow(workspace: Path, name: str, body: str) -> Path:
    path = workspace / "flows" / f"{name}.flow.yaml"
    path.write_text(f"name: {name}\n" + textwrap.dedent(body))
    return path


def chain(workspace: Path, name: str, nodes: list[str], *, pkg: str = "tests/faults@0.1.0") -> Path:
    """A linear flow n1 → n2 → … of the given node names (Text → Text)."""
    lines = ["mode: unary", f"imports: [{pkg}]", "nodes:"]
    for i, node in enumerate(nodes):
        lines += [f"  - id: n{i + 1}", f"    node: {pkg}:{node}"]
    lines.append("edges:" if len(nodes) > 1 else "edges: []")
    for i in range(1, len(nodes)):
        lines += [f"  - from: n{i}", f"    to: n{i + 1}"]
    return write_flow(workspace, name, "\n".join(lines) + "\n")


def compile_file(path: Path, workspace: Path, store=None):
    artifact, _ = compile_flow(load_flow(str(path)).flow, Workspace(workspace), store=store)
    return artifact


def wait_for(predicate: Callable[[], Any], *, timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll until ``predicate()`` is truthy and return it (a readiness wait across processes, not a
    timing check: ``timeout`` only bounds a failure, then the last falsy value is returned)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


async def until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait until ``predicate()`` holds, checking every few ms. The engine writes what tests look
    for (statuses, stored events) after it announces it, so this polls; ``timeout`` only bounds a
    failure ("condition not reached"), it is never what the test waits for."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "condition not reached"
        await asyncio.sleep(0.005)


PICKY_MANIFEST = """\
name: tests/picky
version: 0.1.0
language: python
description: Picky fails unless its input text is "fixed" (Run from here on a failed node).
nodes:
  - {name: Upper, input: Text, output: Text}
  - {name: Picky, input: Text, output: Text}
  - {name: Gate, input: Text, output: Text}
"""

PICKY_NODES = {
    "upper": FAULTS_NODES["upper"],
    "picky": ("from gen.messages_pb2 import Text\n"
              "def picky(ax, input):\n    if input.text != 'fixed':\n"
              "        raise ValueError('not fixed: ' + input.text)\n    return Text(text='ok')\n"),
    "gate": ("import time\nfrom gen.messages_pb2 import Text\n"
             "def gate(ax, input):\n    if input.text == 'hang':\n        time.sleep(60)\n"
             "    return Text(text=input.text)\n"),
}


def add_picky_package(workspace: Path) -> Path:
    """``tests/picky``: Upper; Picky, which fails unless its input text is "fixed"; Gate, which
    passes its input on, or hangs when the text is "hang"."""
    return write_package(workspace, "picky", PICKY_MANIFEST, FAULTS_PROTO.replace("tests.faults", "tests.picky"),
                         PICKY_NODES)
