"""Hosts per tenant: real host processes; one tenant's invocations share nothing with another's,
variables live only for their invocation, idle hosts are reaped and the host count is capped."""
from __future__ import annotations

import asyncio
import os
import time

import pytest
from host_support import greet_request, node, text_package

from axiom_ide.runtime.host import HostPool, NodeCall, NodeCrashed, NodeOutputFlood

NODES = {
    # A token drawn when the host imports the node: it names the host process.
    "whoami": """
        import uuid
        from gen.messages_pb2 import GreetReply

        TOKEN = uuid.uuid4().hex

        def whoami(ax, input):
            return GreetReply(greeting=TOKEN)
    """,
    # Counts the strings/bytes reachable from the objects of the host's heap that contain the
    # needle (given reversed, so the request itself does not count).
    "walker": """
        import gc
        from gen.messages_pb2 import GreetReply

        def walker(ax, input):
            needle = input.name[::-1]
            raw = needle.encode()
            hits, seen = 0, set()
            todo = [(o, 0) for o in gc.get_objects()]
            while todo:  # every object gc knows, and what they refer to (two levels down)
                obj, depth = todo.pop()
                if id(obj) in seen:
                    continue
                seen.add(id(obj))
                if isinstance(obj, str):
                    hits += needle in obj
                elif isinstance(obj, (bytes, bytearray, memoryview)):
                    hits += raw in bytes(obj)
                elif depth < 3:
                    todo += [(r, depth + 1) for r in gc.get_referents(obj)]
            return GreetReply(greeting=str(hits))
    """,
    "waiter": """
        import time
        from gen.messages_pb2 import GreetReply

        def waiter(ax, input):
            ax.log.info("started")
            time.sleep(float(input.name))
            return GreetReply(greeting="waited " + input.name)
    """,
    "crash": """
        import os, signal

        def crash(ax, input):
            os.write(2, b"tenant A dies\\n")
            os.kill(os.getpid(), signal.SIGKILL)
    """,
    "segfault": """
        import ctypes, os

        def segfault(ax, input):
            os.write(2, b"tenant A segfaults\\n")
            ctypes.string_at(0)
    """,
    "fdflood": """
        import os

        def fdflood(ax, input):
            line = b"tenant A fd line " + b"z" * 100 + b"\\n"
            while True:
                os.write(1, line)
                os.write(2, line)
    """,
}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    return text_package(tmp_path_factory, "tenants", NODES)


def call(tenant: str, canvas_id: str, **kw) -> NodeCall:
    return NodeCall(execution_id=kw.pop("execution_id", f"exec-{tenant}"), flow_id="flow-1", tenant_id=tenant,
                    canvas_id=canvas_id, **kw)


def reply(messages, data: bytes) -> str:
    return messages["GreetReply"].FromString(data).greeting


def alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[-1][0] != "Z"
    except FileNotFoundError:
        return False


async def until(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


def test_each_tenant_gets_its_own_host_process(package, messages):
    async def go():
        pool = HostPool()
        try:
            req = greet_request(messages, "x")
            a1 = reply(messages, await pool.invoke(node(package, "whoami"), req, call("A", "w")))
            b1 = reply(messages, await pool.invoke(node(package, "whoami"), req, call("B", "w")))
            a2 = reply(messages, await pool.invoke(node(package, "whoami"), req, call("A", "w", execution_id="e2")))
            return a1, b1, a2
        finally:
            await pool.close()

    a1, b1, a2 = asyncio.run(go())
    assert a1 == a2 and a1 != b1


def test_variables_live_only_for_their_invocation(package, messages):
    """While it runs, an invocation's secret is in the host's heap; once it is over, no later
    invocation — same tenant, same connection — can find it, and another tenant's host never had it."""
    secret = "s3cr3t-of-tenant-A-" + os.urandom(6).hex()
    backwards = greet_request(messages, secret[::-1])

    async def go():
        pool = HostPool()
        walker = node(package, "walker")
        try:
            during = await pool.invoke(walker, backwards, call("A", "w", variables={"API_KEY": secret}))
            after = await pool.invoke(walker, backwards, call("A", "w", execution_id="e2"))
            other = await pool.invoke(walker, backwards, call("B", "w"))
            return [int(reply(messages, d)) for d in (during, after, other)]
        finally:
            await pool.close()

    during, after, other = asyncio.run(go())
    assert during >= 1  # the walker does see a live secret: its zeros below mean something
    assert after == 0 and other == 0


@pytest.mark.parametrize("attack", ["crash", "segfault", "fdflood"])
def test_one_tenants_failing_node_does_not_touch_anothers_invocation(package, messages, attack):
    """Tenant A's node crashes, segfaults or floods fd 1/2 while tenant B's invocation is in
    flight: B completes, and none of A's output reaches B's log records or B's result."""
    records = []
    b_started = None

    def sink(rec):
        records.append(rec)
        if rec.execution_id == "exec-B" and rec.message == "started":
            b_started.set()

    async def go():
        nonlocal b_started
        b_started = asyncio.Event()
        pool = HostPool(log_sink=sink, log_limit_bytes=256 * 1024)
        try:
            b = asyncio.ensure_future(pool.invoke(node(package, "waiter"), greet_request(messages, "1.5"), call("B", "b")))
            await b_started.wait()
            with pytest.raises((NodeCrashed, NodeOutputFlood)) as info:
                await pool.invoke(node(package, attack), greet_request(messages, "x"), call("A", "a"))
            return reply(messages, await b), str(info.value)
        finally:
            await pool.close()

    b_out, a_error = asyncio.run(go())
    assert b_out == "waited 1.5"
    assert "tenant A" in a_error or attack == "fdflood"
    b_lines = [r.message for r in records if r.execution_id == "exec-B"]
    assert b_lines == ["started"]
    assert not any("tenant A" in r.message for r in records if r.execution_id != "exec-A")


def test_idle_hosts_are_reaped(package, messages):
    async def go():
        pool = HostPool(idle_timeout_s=0.3)
        try:
            await pool.invoke(node(package, "whoami"), greet_request(messages, "x"), call("A", "w"))
            (host,) = pool._all
            pid = host.pid
            assert alive(pid)
            await until(lambda: not alive(pid))
            # the next invocation simply starts a new host
            await pool.invoke(node(package, "whoami"), greet_request(messages, "x"), call("A", "w"))
            return [h.pid for h in pool._all]
        finally:
            await pool.close()

    pids = asyncio.run(go())
    assert len(pids) == 1


def test_host_count_is_capped_by_evicting_the_least_recently_used(package, messages):
    async def go():
        pool = HostPool(max_hosts=2)
        req = greet_request(messages, "x")
        whoami = node(package, "whoami")
        try:
            tokens = {}
            pids = {}
            for tenant in ("A", "B", "A", "C"):  # C makes room by evicting B (A was used after B)
                tokens.setdefault(tenant, reply(messages, await pool.invoke(whoami, req, call(tenant, "w"))))
                pids[tenant] = next(h.pid for h in pool._all if h.tenant == tenant)
            await until(lambda: not alive(pids["B"]))
            assert alive(pids["A"]) and alive(pids["C"])
            again_a = reply(messages, await pool.invoke(whoami, req, call("A", "w")))
            again_b = reply(messages, await pool.invoke(whoami, req, call("B", "w")))
            return tokens, again_a, again_b
        finally:
            await pool.close()

    tokens, again_a, again_b = asyncio.run(go())
    assert again_a == tokens["A"]  # A's host survived
    assert again_b != tokens["B"]  # B's was evicted: a new host


def test_a_host_refuses_a_call_for_another_tenant(package, messages):
    """Defence in depth: even a well-formed call naming another tenant (the runtime never sends
    one) is refused — the host hangs up instead of running it."""
    import socket

    from axiom_ide.runtime.host import wire

    async def go():
        pool = HostPool()
        try:
            await pool.invoke(node(package, "whoami"), greet_request(messages, "x"), call("A", "w"))
            (host,) = pool._all
            path = host._address[len("unix:"):]

            def exchange(tenant: str) -> bytes:
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(10)
                    s.connect(path)
                    site = {"handler": "whoami", "input_type": "examples.text.GreetRequest",
                            "output_type": "examples.text.GreetReply", "canvas_id": "w", "position": None}
                    run = {"execution_id": "e", "flow_id": "f", "tenant_id": tenant}
                    s.sendall(wire.encode(wire.DEFINE, (0).to_bytes(4, "little"), wire.dumps(site))
                              + wire.encode(wire.DEFINE, (1).to_bytes(4, "little"), wire.dumps(run))
                              + wire.encode(wire.CALL, wire.CALL_META.pack(0, 1, wire.NO_PART, 1, 0),
                                            greet_request(messages, "x")))
                    return s.recv(65536)

            return await asyncio.to_thread(exchange, "A"), await asyncio.to_thread(exchange, "B")
        finally:
            await pool.close()


    own, other = asyncio.run(go())
    assert own[4:5] == bytes([wire.RESULT])  # its own tenant's call runs
    assert other == b""
