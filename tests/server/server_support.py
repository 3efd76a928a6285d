"""Helpers for the invocation tests: extra packages in the live server's workspace, SSE parsing,
reading the server's own records, and a real HTTP receiver for webhooks."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from engine_support import add_faults_package, chain, wait_for, write_flow, write_package  # noqa: F401 - wait_for: re-exported

STREAMS_MANIFEST = """\
name: tests/streams
version: 0.1.0
language: python
description: Pipeline nodes for the SSE tests.
nodes:
  - {name: Words, input: Text, output: Text, type: pipeline}
  - {name: Trickle, input: Text, output: Text, type: pipeline}
  - {name: Endless, input: Text, output: Text, type: pipeline}
  - {name: Breaks, input: Text, output: Text, type: pipeline}
"""
STREAMS_PROTO = 'syntax = "proto3";\npackage tests.streams;\nmessage Text { string text = 1; }\n'
STREAMS_NODES = {
    "words": ("from gen.messages_pb2 import Text\n"
              "def words(ax, inputs):\n    for inp in inputs:\n"
              "        for w in inp.text.split():\n            yield Text(text=w)\n"),
    # Six frames, 0.2 s apart: long enough for a client to leave in the middle.
    "trickle": ("import time\nfrom gen.messages_pb2 import Text\n"
                "def trickle(ax, inputs):\n    for inp in inputs:\n"
                "        for i in range(6):\n            time.sleep(0.2)\n"
                "            yield Text(text=f'{inp.text}{i}')\n"),
    "endless": ("import time\nfrom gen.messages_pb2 import Text\n"
                "def endless(ax, inputs):\n    for inp in inputs:\n"
                "        while True:\n            time.sleep(0.3)\n            yield Text(text=inp.text)\n"),
    "breaks": ("from gen.messages_pb2 import Text\n"
               "def breaks(ax, inputs):\n    for inp in inputs:\n"
               "        yield Text(text=inp.text)\n        raise ValueError('stream broke: ' + inp.text)\n"),
}

_ready: set[str] = set()


def add_streams_package(workspace: Path) -> Path:
    return write_package(workspace, "streams", STREAMS_MANIFEST, STREAMS_PROTO, STREAMS_NODES)


def test_flows(live) -> None:
    """Add tests/faults and tests/streams to the live server's workspace, with one flow per node:
    ``faults-<node>`` (unary, Text → Text) and ``streams-<node>`` (pipeline)."""
    if str(live.workspace) in _ready:
        return
    add_faults_package(live.workspace)
    add_streams_package(live.workspace)
    for node in ("Upper", "Boom", "Hang", "Slow", "Crash", "Secret"):
        chain(live.workspace, f"faults-{node.lower()}", [node])
    chain(live.workspace, "faults-slow4", ["Slow"] * 4)
    for node in ("Words", "Trickle", "Endless", "Breaks"):
        write_flow(live.workspace, f"streams-{node.lower()}",
                   f"mode: pipeline\nimports: [tests/streams@0.1.0]\nnodes:\n"
                   f"  - id: s\n    node: tests/streams@0.1.0:{node}\nedges: []\n")
    _ready.add(str(live.workspace))


test_flows.__test__ = False  # a helper, not a test


def sse_frames(text: str) -> list[dict]:
    """The JSON of every ``data:`` event in an SSE body (events end with a blank line)."""
    frames = []
    for event in text.split("\n\n"):
        if event.strip():
            assert event.startswith("data: ") and "\n" not in event, repr(event)
            frames.append(json.loads(event[len("data: "):]))
    return frames


def execution(live, execution_id: str):
    """The server's record of an execution (read from its database), or None."""
    from axiom_ide.runtime.store.db import open_database
    from axiom_ide.runtime.store.executions import ExecutionStore

    db = open_database(live.data_dir)
    try:
        return ExecutionStore(db).get(execution_id)
    finally:
        db.close()


def count_executions(live) -> int:
    from axiom_ide.runtime.store.db import open_database

    db = open_database(live.data_dir)
    try:
        with db.lock:
            return db.conn.execute("SELECT COUNT(*) FROM executions").fetchone()[0]
    finally:
        db.close()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 recording POSTs; answers ``statuses`` in turn, then 200."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                  json.loads(body)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()
