"""Output a node writes straight to the host process's fd 1/2 (C extensions, ``os.write``): log
records of the invocation running, counted toward the flood limit, still quoted when the host
crashes. Real host processes, like test_host.py."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from host_support import NODES as HOST_NODES
from host_support import call, greet_request, node, run, text_package

from axiom_ide.runtime.host import NodeCrashed, NodeOutputFlood
from axiom_ide.runtime.packages import Package

NODES = {
    "fd_writer": """
        import os
        from gen.messages_pb2 import GreetReply

        def fd_writer(ax, input):
            os.write(1, b"one " + input.name.encode() + b"\\n")
            os.write(2, b"two\\nunfinished")
            return GreetReply(greeting="wrote")
    """,
    "c_printf": """
        import ctypes
        from gen.messages_pb2 import GreetReply

        def c_printf(ax, input):
            ctypes.CDLL(None).printf(b"from C %s\\n", input.name.encode())
            return GreetReply(greeting="printed")
    """,
    "fd_flood": """
        import os
        from gen.messages_pb2 import GreetReply

        def fd_flood(ax, input):
            line = b"z" * 1023 + b"\\n"
            for _ in range(64 * 1024):  # 64 MiB
                os.write(1, line)
            return GreetReply(greeting="unreachable")
    """,
    "fd_crash": """
        import os, signal

        def fd_crash(ax, input):
            os.write(2, b"last words on fd 2\\n")
            os.kill(os.getpid(), signal.SIGKILL)
    """,
    "sleepy": HOST_NODES["sleepy"],
}


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return text_package(tmp_path_factory, "host-output", NODES)


@pytest.fixture(scope="module")
def messages(package):
    pkg = Package(package)
    return {name: pkg.message_class(name) for name in ("GreetRequest", "GreetReply")}


def test_fd_writes_become_log_records_of_the_running_invocation(package, messages):
    logs = []

    async def go(pool):
        return await pool.invoke(node(package, "fd_writer"), greet_request(messages, "Ada"), call("fdw"))

    out = run(go, log_sink=logs.append)
    assert messages["GreetReply"].FromString(out).greeting == "wrote"
    # both pipes are read as they fill; records from fd 1 and fd 2 may interleave either way
    assert sorted((r.canvas_id, r.level, r.message, r.attrs["stream"]) for r in logs) == [
        ("fdw", "error", "two", "stderr"),
        ("fdw", "error", "unfinished", "stderr"),  # a last line without newline: flushed at the end
        ("fdw", "info", "one Ada", "stdout"),
    ]
    assert all(r.execution_id == "exec-1" and r.attrs == {"stream": r.attrs["stream"]} for r in logs)


def test_c_printf_lines_arrive_while_the_invocation_runs(package, messages):
    logs = []
    run(lambda pool: pool.invoke(node(package, "c_printf"), greet_request(messages, "Bo"), call("cp")),
        log_sink=logs.append)
    assert [(r.canvas_id, r.message, r.attrs) for r in logs] == [("cp", "from C Bo", {"stream": "stdout"})]


def test_fd_flood_fails_the_invocation_and_the_host_restarts(package, messages):
    logs = []

    async def go(pool):
        with pytest.raises(NodeOutputFlood) as info:
            await pool.invoke(node(package, "fd_flood"), greet_request(messages, "x"), call("fdnoisy"))
        out = await pool.invoke(node(package, "fd_writer"), greet_request(messages, "Cy"), call("after"))
        return str(info.value), out

    message, out = run(go, log_sink=logs.append, log_limit_bytes=256 * 1024)
    assert message == 'node "fdnoisy" wrote more than 0.25 MiB of logs in one invocation'
    assert 0 < sum(1 for r in logs if r.canvas_id == "fdnoisy") <= 256
    assert messages["GreetReply"].FromString(out).greeting == "wrote"
    assert ("after", "one Cy") in [(r.canvas_id, r.message) for r in logs]


def test_fd_output_before_a_crash_is_logged_and_quoted(package, messages):
    logs = []

    async def go(pool):
        with pytest.raises(NodeCrashed) as info:
            await pool.invoke(node(package, "fd_crash"), greet_request(messages, "x"), call("dying"))
        return str(info.value)

    message = run(go, log_sink=logs.append)
    assert "last words on fd 2" in message
    assert [(r.canvas_id, r.message) for r in logs] == [("dying", "last words on fd 2")]


def test_fd_output_goes_to_every_invocation_running_on_the_host(package, messages):
    """fd writes name no thread: while two invocations run on one host, both get the line."""
    logs = []

    async def go(pool):
        await pool.invoke(node(package, "sleepy"), greet_request(messages, "0"), call("warm"))
        slow = asyncio.ensure_future(pool.invoke(node(package, "sleepy"), greet_request(messages, "0.5"), call("bystander")))
        while not any(inv.call.canvas_id == "bystander" for inv in pool._inflight):  # noqa: ASYNC110 — the pool signals nothing
            await asyncio.sleep(0.01)
        await pool.invoke(node(package, "fd_writer"), greet_request(messages, "Di"), call("writer"))
        await slow

    run(go, log_sink=logs.append)
    assert sorted((r.canvas_id, r.message) for r in logs if r.message == "one Di") == [("bystander", "one Di"), ("writer", "one Di")]
