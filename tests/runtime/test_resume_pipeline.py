"""Pipeline runs and a killed runtime: every frame is in the event log, and an interrupted pipeline
execution ends Failed saying how far it got (it is not resumed: its stream's caller is gone)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from engine_support import compile_file, write_flow

from axiom_ide.runtime import event_types as ev

TICKS_MANIFEST = """\
name: tests/ticks
version: 0.1.0
language: python
description: A slow frame stream.
nodes:
  - {name: Ticks, input: Text, output: Text, type: pipeline}
  - {name: Shout, input: Text, output: Text, type: pipeline}
"""
TICKS_NODES = {
    "ticks": ("import time\nfrom gen.messages_pb2 import Text\n"
              "def ticks(ax, inputs):\n    for inp in inputs:\n        for i in range(200):\n"
              "            time.sleep(0.05)\n            yield Text(text=inp.text + str(i))\n"),
    "shout": ("from gen.messages_pb2 import Text\ndef shout(ax, inputs):\n    for inp in inputs:\n"
              "        yield Text(text=inp.text.upper())\n"),
}


def _ticks_flow(workspace: Path) -> Path:
    root = workspace / "packages" / "ticks"
    (root / "messages").mkdir(parents=True)
    (root / "nodes").mkdir()
    (root / "axiom.yaml").write_text(TICKS_MANIFEST)
    (root / "messages" / "messages.proto").write_text(
        'syntax = "proto3";\npackage tests.ticks;\nmessage Text { string text = 1; }\n')
    (root / "requirements.txt").write_text("")
    for name, src in TICKS_NODES.items():
        (root / "nodes" / f"{name}.py").write_text(src)
    return write_flow(workspace, "ticks", """\
        mode: pipeline
        imports: [tests/ticks@0.1.0]
        nodes:
          - {id: tick, node: "tests/ticks@0.1.0:Ticks"}
          - {id: shout, node: "tests/ticks@0.1.0:Shout"}
        edges:
          - {from: tick, to: shout}
        """)


def _terminal_frames(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM events WHERE type = 'FRAME' AND node = 'shout'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_interrupted_pipeline_ends_failed_with_its_frame_counts(example_workspace, tmp_path, invoker, make_runtime,
                                                                aio):
    flow = _ticks_flow(example_workspace)
    data = tmp_path / "data"
    how = ["--inline"] if invoker == "inline" else []
    proc = subprocess.Popen([sys.executable, "-m", "axiom_ide", "flow", "run", str(flow), "-d", '{"text": "t"}',
                             "--timeout", "60", *how], env=dict(os.environ, AXIOM_IDE_DATA_DIR=str(data)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while _terminal_frames(data / "axiom.db") < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)

    rt = make_runtime(data)
    (rec,) = rt.list_executions()
    assert rec.status == "Running" and rec.mode == "pipeline"
    before = rt.execution_events(rec.id)
    shout = [e.data["frame_index"] for e in before if e.type == ev.FRAME and e.node == "shout"]
    tick = [e.data["frame_index"] for e in before if e.type == ev.FRAME and e.node == "tick"]
    n = len(shout)
    assert n >= 3 and shout == list(range(n)) and tick[:n] == list(range(n))
    assert aio(rt.resume_incomplete(wait=True)) == []
    rec = rt.find_execution(rec.id)
    assert rec.status == "Failed" and rec.error_code == "INTERRUPTED"
    assert rec.error == (f'the runtime stopped during this pipeline execution; its terminal node "shout" had '
                         f"produced {n} frame(s). A pipeline run is not resumed: its frames went to a stream "
                         "whose caller is gone — invoke the flow again")
    last = rt.execution_events(rec.id)[-1]
    assert last.seq == len(before) + 1 and last.type == ev.EXECUTION_FAILED
    assert last.data["frames"] == {"tick": len(tick), "shout": n}


def test_pipeline_events_record_every_frame_of_every_node(example_workspace, tmp_path, make_runtime, aio):
    rt = make_runtime(tmp_path / "data")
    art = compile_file(example_workspace / "flows" / "words.flow.yaml", example_workspace, store=rt._artifacts)

    async def go():
        return [f async for f in rt.stream(art, {"text": "to be or"})]

    frames = aio(go())
    events = rt.execution_events(frames[0]["execution_id"])
    for node in ("split", "shout"):  # frames of different nodes interleave as scheduled
        assert [(e.type, e.data.get("frame_index"), e.data.get("frames")) for e in events
                if e.node == node and e.type in (ev.FRAME, ev.NODE_COMPLETED)] == [
            (ev.FRAME, 0, None), (ev.FRAME, 1, None), (ev.FRAME, 2, None), (ev.NODE_COMPLETED, None, 3)]
    assert len(frames) == 4
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
