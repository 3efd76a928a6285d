"""Failure texts through real node host processes: the catalog's words for a lost pipeline
connection, no error naming its node twice, an ``error_code`` on every failure, and
``sys.exit(n)`` read as an exit."""
from __future__ import annotations

import asyncio
import stat

import pytest
from engine_support import (
    add_faults_package,
    chain,
    compile_file,
    write_flow,
    write_package,
)

from axiom_ide.runtime.host import HostPool
from axiom_ide.runtime.runtime import Runtime

PIPES_MANIFEST = """\
name: tests/pipes
version: 0.1.0
language: python
description: Pipeline nodes that lose their connection, and a node that calls sys.exit.
nodes:
  - {name: Dies, input: Text, output: Text, type: pipeline}
  - {name: Stalls, input: Text, output: Text, type: pipeline}
  - {name: Exits, input: Text, output: Text}
"""
PIPES_PROTO = 'syntax = "proto3";\npackage tests.pipes;\nmessage Text { string text = 1; }\n'
PIPES_NODES = {
    # One frame out, then the process is gone: the runtime loses the connection mid-stream.
    "dies": ("import os\nfrom gen.messages_pb2 import Text\n"
             "def dies(ax, inputs):\n    for i in inputs:\n        yield Text(text=i.text)\n"
             "        os.write(2, b'going down\\n')\n        os._exit(5)\n"),
    "stalls": "import time\ndef stalls(ax, inputs):\n    for i in inputs:\n        time.sleep(60)\n        yield i\n",
    "exits": ("import sys\nfrom gen.messages_pb2 import Text\n"
              "def exits(ax, input):\n    if input.text == 'ok':\n        return Text(text='still here')\n"
              "    sys.exit(int(input.text) if input.text.isdigit() else input.text)\n"),
}
PIPE = "tests/pipes@0.1.0"


@pytest.fixture
def ws(example_workspace):
    add_faults_package(example_workspace)
    write_package(example_workspace, "pipes", PIPES_MANIFEST, PIPES_PROTO, PIPES_NODES)
    # One node: another node of the same package would share its host process and could be
    # the one to notice the loss first.
    write_flow(example_workspace, "pdies", f"""\
        mode: pipeline
        imports: [{PIPE}]
        nodes:
          - {{id: dies, node: "{PIPE}:Dies"}}
        edges: []
        """)
    write_flow(example_workspace, "pstalls", f"""\
        mode: pipeline
        imports: [{PIPE}]
        nodes:
          - {{id: stall, node: "{PIPE}:Stalls"}}
        edges: []
        """)
    write_flow(example_workspace, "exits", f"""\
        imports: [{PIPE}]
        nodes:
          - {{id: h, node: "{PIPE}:Exits"}}
        edges: []
        """)
    chain(example_workspace, "hang", ["Hang"])
    chain(example_workspace, "crash", ["Upper", "Crash"])
    return example_workspace


def _run(ws, data_dir, body, **runtime_kw):
    async def go():
        rt = Runtime(data_dir, **runtime_kw)
        try:
            return await body(rt, lambda name: compile_file(ws / "flows" / f"{name}.flow.yaml", ws, store=rt._artifacts))
        finally:
            await rt.close()
    return asyncio.run(go())


def _final(rt, frames):
    final = frames[-1]
    assert final["is_final"] and "success" not in final
    return final["error"], rt.find_execution(final["execution_id"]).error_code


def test_pipeline_connection_lost_mid_stream_reads_recv_from_node(ws, tmp_path):
    async def body(rt, art):
        frames = [f async for f in rt.stream(art("pdies"), {"text": "a"}, timeout=30)]
        return frames, _final(rt, frames)

    frames, (error, code) = _run(ws, tmp_path / "data", body)
    assert frames[0]["payload"] == {"text": "a"}  # the frame before the process died got through
    assert error.startswith("recv from node \"dies\": the node's process exited (code 5)"), error
    assert "going down" in error  # its last output says why
    assert error.count('"dies"') == 1 and "node host" not in error
    assert code == "NODE_FAILED"


def test_pipeline_stream_that_cannot_open_reads_open_pipeline_stream(ws, tmp_path):
    broken = tmp_path / "broken-python"
    broken.write_text("#!/bin/sh\necho 'no interpreter here' >&2\nexit 3\n")
    broken.chmod(broken.stat().st_mode | stat.S_IXUSR)

    async def body(rt, art):
        frames = [f async for f in rt.stream(art("pdies"), {"text": "a"}, timeout=30)]
        return _final(rt, frames)

    error, code = _run(ws, tmp_path / "data", body, invoker=HostPool(python=str(broken)))
    assert error.startswith('open pipeline stream for node "'), error
    assert error.count('node "') == 1
    assert code == "NODE_FAILED"


def test_timeouts_name_their_node_once_and_carry_node_timeout(ws, tmp_path):
    async def body(rt, art):
        rt.set_config("default", flow_name="pstalls", node_timeout_seconds=1)
        rt.set_config("default", flow_name="hang", node_timeout_seconds=1)
        frames = [f async for f in rt.stream(art("pstalls"), {"text": "a"}, timeout=30)]
        unary = await rt.run(art("hang"), {"text": "x"}, timeout=30)
        return _final(rt, frames), (unary.error, rt.find_execution(unary.execution_id).error_code)

    pipeline, unary = _run(ws, tmp_path / "data", body)
    assert pipeline == ('node "stall" timed out after 1s', "NODE_TIMEOUT")
    assert unary == ('node "n1" timed out after 1s', "NODE_TIMEOUT")


def test_a_crashed_unary_node_is_named_once(ws, tmp_path):
    async def body(rt, art):
        return await rt.run(art("crash"), {"text": "x"}, timeout=30)

    outcome = _run(ws, tmp_path / "data", body)
    assert outcome.status == "Failed" and outcome.code == "NODE_FAILED"
    assert outcome.error.count('"n2"') == 1 and "exited (code 3)" in outcome.error, outcome.error


def test_sys_exit_in_a_node_reads_as_an_exit_and_the_host_lives_on(ws, tmp_path):
    async def body(rt, art):
        graph = art("exits")
        return [await rt.run(graph, {"text": t}, timeout=30) for t in ("7", "bye", "ok")]

    seven, text, ok = _run(ws, tmp_path / "data", body)
    assert (seven.error, seven.code) == ('node "h": exited with status 7', "NODE_FAILED")
    assert text.error == 'node "h": exited with status 1: bye'
    assert ok.output == {"text": "still here"}


def test_sys_exit_in_a_node_run_inline_fails_the_call_not_the_process(ws, tmp_path):
    async def body(rt, art):
        return await rt.run(art("exits"), {"text": "7"}, timeout=30)

    outcome = _run(ws, tmp_path / "data", body, inline=True)
    assert (outcome.error, outcome.code) == ('node "h": exited with status 7', "NODE_FAILED")
