"""Node hosting: real host processes, real sockets, the example text package plus misbehaving nodes."""
from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from host_support import REPO, TEXT, call, greet_request, node, run

from axiom_ide.runtime.compiler.artifact import ArtifactNode
from axiom_ide.runtime.host import (
    NodeCancelled,
    NodeCrashed,
    NodeFailure,
    NodeOutputFlood,
    NodeTimeout,
)


def test_invoke_greet_returns_reply_and_delivers_logs_with_ids(package, messages):
    logs = []

    async def go(pool):
        out = await pool.invoke(node(package, "greet"), greet_request(messages, "Ada"), call("greet-1"))
        again = await pool.invoke(node(package, "greet"), greet_request(messages, "Bob"), call("greet-2", execution_id="exec-2"))
        return out, again

    out, again = run(go, log_sink=logs.append)
    assert messages["GreetReply"].FromString(out).greeting == "Hello, Ada!"
    assert messages["GreetReply"].FromString(again).greeting == "Hello, Bob!"
    assert [(r.execution_id, r.canvas_id, r.level, r.message, r.attrs) for r in logs] == [
        ("exec-1", "greet-1", "info", "greeting requested", {"name": "Ada"}),
        ("exec-2", "greet-2", "info", "greeting requested", {"name": "Bob"}),
    ]
    assert abs(logs[0].time - time.time()) < 60


def test_async_handler_is_awaited(package, messages):
    logs = []
    out = run(lambda pool: pool.invoke(node(package, "async_greet"), greet_request(messages, "Cy"), call("ag")), log_sink=logs.append)
    assert messages["GreetReply"].FromString(out).greeting == "Hi Cy"
    assert [(r.level, r.message, r.attrs) for r in logs] == [("warn", "awaited", {"who": "Cy"})]


async def _frames(*items: bytes):
    for item in items:
        await asyncio.sleep(0)
        yield item


@pytest.mark.parametrize("handler, expected", [
    ("word_stream", [("hello", 0), ("big", 1), ("world", 2), ("again", 0)]),
    ("async_words", [("olleh", 0), ("gib", 1), ("dlrow", 2), ("niaga", 3)]),
])
def test_pipeline_yields_output_frames_for_input_frames(package, messages, handler, expected):
    Text, Word = messages["Text"], messages["Word"]  # noqa: N806 — message classes keep their proto names

    async def go(pool):
        n = node(package, handler, kind="pipeline", input="Text", output="Word")
        inputs = _frames(Text(text="hello big world").SerializeToString(), Text(text="again").SerializeToString())
        first = [Word.FromString(f) async for f in pool.stream(n, inputs, call(handler))]
        # the connection is reused cleanly for a second stream
        second = [Word.FromString(f) async for f in pool.stream(n, _frames(Text(text="x").SerializeToString()), call(handler))]
        return first, second

    first, second = run(go)
    assert [(w.word, w.index) for w in first] == expected
    assert [(w.word, w.index) for w in second] == [("x", 0)]


def test_handler_exception_message_is_verbatim_and_host_keeps_serving(package, messages):
    async def go(pool):
        with pytest.raises(NodeFailure) as info:
            await pool.invoke(node(package, "boom"), greet_request(messages, ""), call("bad-node"))
        out = await pool.invoke(node(package, "greet"), greet_request(messages, "Dee"), call("greet"))
        return info.value, out

    exc, out = run(go)
    assert str(exc) == "name must not be empty: got ''"
    assert exc.canvas_id == "bad-node"
    assert exc.diagnostic().code == "node_failed"
    assert "ValueError" in exc.traceback and "boom.py" in exc.traceback
    assert messages["GreetReply"].FromString(out).greeting == "Hello, Dee!"


def test_wrong_return_type_names_expected_and_actual_messages(package, messages):
    async def go(pool):
        with pytest.raises(NodeFailure) as info:
            await pool.invoke(node(package, "wrong_type"), greet_request(messages, "x"), call("w"))
        return str(info.value)

    assert run(go) == "handler wrong_type returned message examples.text.Text, expected examples.text.GreetReply"


def test_crash_fails_the_invocation_and_next_invoke_restarts_the_host(package, messages):
    async def go(pool):
        with pytest.raises(NodeCrashed) as info:
            await pool.invoke(node(package, "crash"), greet_request(messages, "x"), call("crasher"))
        out = await pool.invoke(node(package, "greet"), greet_request(messages, "Eve"), call("greet"))
        return str(info.value), out

    message, out = run(go)
    assert message.startswith('node host for examples/text@0.1.0 exited (signal 9) while running node "crasher"')
    assert "about to die" in message
    assert messages["GreetReply"].FromString(out).greeting == "Hello, Eve!"


def test_timeout_kills_the_host_and_next_invoke_works(package, messages):
    async def go(pool):
        # The node would sleep 600 s — past the suite's per-test timeout, so a timeout that waited fails
        with pytest.raises(NodeTimeout) as info:
            await pool.invoke(node(package, "sleepy"), greet_request(messages, "600"), call("slow", timeout_s=0.5))
        out = await pool.invoke(node(package, "sleepy"), greet_request(messages, "0"), call("slow"))
        return str(info.value), out

    message, out = run(go)
    assert message == 'node "slow" timed out after 0.5s'
    assert messages["GreetReply"].FromString(out).greeting == "slept 0"


def test_huge_output_is_an_output_flood(package, messages):
    async def go(pool):
        with pytest.raises(NodeOutputFlood) as info:
            await pool.invoke(node(package, "huge"), greet_request(messages, "x"), call("big"))
        out = await pool.invoke(node(package, "greet"), greet_request(messages, "Fay"), call("greet"))
        return str(info.value), out

    message, out = run(go)
    assert message.startswith('node "big" produced 1782')
    assert message.endswith("bytes of output, over the 16 MiB limit")
    assert messages["GreetReply"].FromString(out).greeting == "Hello, Fay!"


def test_log_flood_fails_the_invocation_and_host_restarts(package, messages):
    logs = []

    async def go(pool):
        with pytest.raises(NodeOutputFlood) as info:
            await pool.invoke(node(package, "chatty"), greet_request(messages, "x"), call("noisy"))
        out = await pool.invoke(node(package, "greet"), greet_request(messages, "Gus"), call("greet"))
        return str(info.value), out

    message, out = run(go, log_sink=logs.append, log_limit_bytes=256 * 1024)
    assert message == 'node "noisy" wrote more than 0.25 MiB of logs in one invocation'
    assert 0 < sum(1 for r in logs if r.canvas_id == "noisy") < 2000
    assert messages["GreetReply"].FromString(out).greeting == "Hello, Gus!"


def test_secrets_and_ids_come_from_the_call(package, messages):
    c = call("s", variables={"API_KEY": "sk-123", "region": "eu"})
    out = run(lambda pool: pool.invoke(node(package, "secret"), greet_request(messages, ""), c))
    assert messages["GreetReply"].FromString(out).greeting == "sk-123|True|('', False)|exec-1|flow-1|tenant-1"


class RecordingMemory:
    def __init__(self):
        self.calls = []

    async def call(self, tenant_id, flow_id, op, args):
        self.calls.append((tenant_id, flow_id, op, args))
        if op == "write":
            return "mem-1"
        if op == "search":
            return [{"id": "mem-1", "content": "likes tea", "score": 0.75, "extra": "ignored"}]
        if op == "history_last":
            return [{"id": "t1", "session_id": "s-1", "role": "user", "content": "Hal"}]
        return None


class BrokenMemory:
    async def call(self, tenant_id, flow_id, op, args):
        raise ConnectionError("memory service down")


def test_memory_calls_round_trip_to_the_backend(package, messages):
    memory = RecordingMemory()
    out = run(lambda pool: pool.invoke(node(package, "remember"), greet_request(messages, "Hal"), call("m")), memory=memory)
    assert messages["GreetReply"].FromString(out).greeting == "mem-1|likes tea:0.75|user:Hal|MemoryEntry"
    assert memory.calls == [
        ("tenant-1", "flow-1", "write", {"content": "likes tea", "importance": 0.9}),
        ("tenant-1", "flow-1", "search", {"query": "tea", "limit": 3}),
        ("tenant-1", "flow-1", "history_append", {"session_id": "s-1", "role": "user", "content": "Hal"}),
        ("tenant-1", "flow-1", "history_last", {"session_id": "s-1", "n": 5}),
        ("tenant-1", "flow-1", "session_end", {"session_id": "s-1"}),
    ]


@pytest.mark.parametrize("memory", [None, BrokenMemory()])
def test_memory_degrades_to_empty_without_raising(package, messages, memory):
    out = run(lambda pool: pool.invoke(node(package, "remember"), greet_request(messages, "Ian"), call("m")), memory=memory)
    assert messages["GreetReply"].FromString(out).greeting == "|||-"


def test_reflection_view_is_built_from_the_call(package, messages):
    reflection = {
        "graph_id": "01HZX",
        "nodes": [{"instance_id": 1, "canvas_node_id": "a"}, {"instance_id": 2, "canvas_node_id": "b"}],
        "edges": [{"src_instance": 1, "dst_instance": 2, "has_condition": True,
                   "condition_summary": {"field": "tools", "op": "EQ", "operands": ["ToolX"]}}],
        "loop_edges": [],
        "position": {"current_instance": 1, "loop_iterations": {"2": 3}},
    }
    out = run(lambda pool: pool.invoke(node(package, "reflect"), greet_request(messages, ""), call("r", reflection=reflection)))
    assert messages["GreetReply"].FromString(out).greeting == "01HZX|['a', 'b']|[2]|{2: 3}|['ToolX']"


def test_reflection_graph_crosses_once_per_connection_and_positions_stay_per_call(package, messages):
    base = {
        "graph_id": "01HZY",
        "nodes": [{"instance_id": 1, "canvas_node_id": "a"}, {"instance_id": 2, "canvas_node_id": "b"}],
        "edges": [{"src_instance": 1, "dst_instance": 2}],
        "loop_edges": [],
    }

    async def three_calls(pool):
        outs = []
        for current in (1, 2, 1):
            view = dict(base, position={"current_instance": current, "loop_iterations": {}})
            outs.append(await pool.invoke(node(package, "reflect"), greet_request(messages, ""), call("r", reflection=view)))
        return outs

    outs = run(three_calls)
    assert [messages["GreetReply"].FromString(o).greeting for o in outs] == [
        "01HZY|['a', 'b']|[2]|{}|None", "01HZY|['a', 'b']|[]|{}|None", "01HZY|['a', 'b']|[2]|{}|None",
    ]


def test_print_in_a_handler_becomes_a_log_record(package, messages):
    logs = []
    run(lambda pool: pool.invoke(node(package, "printer"), greet_request(messages, "Jo"), call("p")), log_sink=logs.append)
    assert [(r.canvas_id, r.level, r.message, r.attrs) for r in logs] == [("p", "info", "hello from print Jo", {"stream": "stdout"})]


def test_concurrent_invocations_run_in_parallel_on_one_host(package, messages):
    """Three invocations that each wait for the other two to arrive: they finish only if they run at once."""
    folder = f"/tmp/barrier-{uuid.uuid4().hex}"

    async def go(pool):
        outs = await asyncio.gather(*(
            pool.invoke(node(package, "barrier"), greet_request(messages, f"{folder}|3|s{i}"), call(f"s{i}"))
            for i in range(3)
        ))
        return outs

    outs = run(go)
    assert [messages["GreetReply"].FromString(o).greeting for o in outs] == ["met 3"] * 3


def test_cancel_fails_in_flight_invocations_of_that_execution_only(package, messages):
    async def go(pool):
        doomed = asyncio.ensure_future(
            pool.invoke(node(package, "sleepy"), greet_request(messages, "600"), call("long", execution_id="exec-x")))
        while not any(inv.call.execution_id == "exec-x" for inv in pool._inflight):  # noqa: ASYNC110 — reached its host (maybe starting); the pool signals nothing
            await asyncio.sleep(0.01)
        await pool.cancel("exec-x")
        with pytest.raises(NodeCancelled) as info:  # the node sleeps 600 s: waiting for it would hit the test timeout
            await doomed
        out = await pool.invoke(node(package, "greet"), greet_request(messages, "Kim"), call("g", execution_id="exec-y"))
        return str(info.value), out

    message, out = run(go)
    assert message == 'node "long" was cancelled'
    assert messages["GreetReply"].FromString(out).greeting == "Hello, Kim!"


def test_host_reloads_after_a_node_file_changes(package, messages, tmp_path):
    root = tmp_path / "text"
    shutil.copytree(package, root, ignore=shutil.ignore_patterns("__pycache__"))
    greet = root / "nodes" / "greet.py"

    async def go(pool):
        first = await pool.invoke(node(root, "greet"), greet_request(messages, "Lu"), call("g"))
        greet.write_text(greet.read_text().replace('f"Hello, {input.name}!"', 'f"Howdy, {input.name}!"'))
        second = await pool.invoke(node(root, "greet"), greet_request(messages, "Lu"), call("g"))
        return first, second

    first, second = run(go, freshness_ttl_s=0)
    assert messages["GreetReply"].FromString(first).greeting == "Hello, Lu!"
    assert messages["GreetReply"].FromString(second).greeting == "Howdy, Lu!"


def test_missing_gen_is_generated_before_the_host_starts(messages, tmp_path):
    root = tmp_path / "text"
    shutil.copytree(TEXT, root, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    out = run(lambda pool: pool.invoke(node(root, "greet"), greet_request(messages, "Mo"), call("g")))
    assert messages["GreetReply"].FromString(out).greeting == "Hello, Mo!"
    assert (root / "gen" / "messages_pb2.py").is_file()


def test_worker_module_imports_neither_grpc_nor_qt():
    probe = "import sys, axiom_ide.runtime.host.worker; print(sorted({m.split('.')[0] for m in sys.modules} & {'grpc', 'PySide6', 'shiboken6'}))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_context_parts_decode_to_each_calls_plain_context():
    """A call's context crosses as DEFINEd parts referenced by slot; whatever changes between calls
    (run, variables — even mutated in place —, node, attempt, position, graph), the worker must see
    exactly the plain context, and a part already on the connection is not sent again."""
    import json

    from axiom_ide.runtime.host import wire
    from axiom_ide.runtime.host.invocation import ContextParts
    from axiom_ide.runtime.host.records import NodeCall

    def node(handler):
        return ArtifactNode(id=handler, instance=1, ref=f"p@1:{handler}", kind="unary", package="p", version="1",
                            name=handler, input_type="p.In", output_type="p.Out", handler=handler, package_root="/")

    view = {"graph_id": "G", "nodes": [{"instance_id": 1}], "position": {"current_instance": 1, "depth": 0}}
    variables = {"A": "1"}
    calls = [(node("a"), NodeCall("e1", "f", "t", "n1", attempt=1, variables=variables, reflection=view)),
             (node("a"), NodeCall("e1", "f", "t", "n1", attempt=2, variables=variables, reflection=view)),
             (node("b"), NodeCall("e1", "f", "t", "n2", attempt=1, variables=variables,
                                  reflection=dict(view, position={"current_instance": 2, "depth": 0}))),
             (node("b"), NodeCall("e2", "f", "t", "n2", attempt=1, variables={"A": "2"}, reflection=view)),
             (node("b"), NodeCall("e2", "f", "t", "n2", attempt=1, variables={"A": "2", "B": "x"}, reflection={})),
             (node("a"), NodeCall("e1", "f", "t", "n1", attempt=1, variables=variables,
                                  reflection={"nodes": [], "position": view["position"]})),  # no graph_id
             (node("a"), NodeCall("e1", "f", "t", "n1", attempt=1, variables=variables, reflection=view))]
    parts, held = ContextParts(), {}

    def worker_side(data: bytes) -> tuple[dict, int]:
        """What the worker's serve loop sees (DEFINEs stored, then the CALL), and how many DEFINEs came."""
        reader, defined = wire.FrameReader(), 0
        space = reader.space()
        space[: len(data)] = data
        reader.filled(len(data))
        while (frame := reader.next()) is not None:
            kind, meta, payload = frame
            if kind == wire.DEFINE:
                held[int.from_bytes(meta, "little")] = json.loads(payload)
                defined += 1
                continue
            site, run, graph, attempt, nvars = wire.CALL_META.unpack(meta)
            assert kind == wire.CALL and payload[nvars:] == b"input"
            variables = json.loads(payload[:nvars]) if nvars else {}
            graph_part = None if graph == wire.NO_PART else held[graph]
            assert "variables" not in held[run]  # no variables in a part the worker keeps
            return dict(held[site], **held[run], variables=variables, attempt=attempt, graph=graph_part), defined
        raise AssertionError("no CALL frame")

    sent = []
    for n, c in calls:
        seen, defined = worker_side(parts.request(wire.CALL, n, c, b"input"))
        view_ = c.reflection
        assert seen == {"handler": n.handler, "input_type": "p.In", "output_type": "p.Out", "canvas_id": c.canvas_id,
                        "position": view_.get("position"), "execution_id": c.execution_id, "flow_id": "f",
                        "tenant_id": "t", "variables": dict(c.variables), "attempt": c.attempt,
                        "graph": {k: v for k, v in view_.items() if k != "position"} if view_ else None}
        sent.append(defined)
    # call 2 repeats call 1 but for the attempt; the last call's parts are all still on the connection
    assert sent[0] == 3 and sent[1] == 0 and sent[-1] == 0
    assert sent[5] == 1  # a graph without graph_id is sent with every call; site and run are held
    variables["A"] = "changed"  # the same mapping, mutated: its new content goes with the c
    seen, defined = worker_side(parts.request(wire.CALL, node("a"), calls[0][1], b"input"))
    assert seen["variables"] == {"A": "changed"} and defined == 0


def test_context_part_slots_are_reused_without_breaking_a_call():
    """With more distinct parts than slots, slots are reused round-robin; a call never references
    a slot that one of its own definitions took over."""
    import json

    from axiom_ide.runtime.host import wire
    from axiom_ide.runtime.host.invocation import ContextParts
    from axiom_ide.runtime.host.records import NodeCall

    n = ArtifactNode(id="a", instance=1, ref="p@1:a", kind="unary", package="p", version="1", name="a",
                     input_type="p.In", output_type="p.Out", handler="a", package_root="/")
    parts, held = ContextParts(), {}
    for i in range(3 * wire.PART_SLOTS + 7):
        call = NodeCall(f"e{i % 5}", "f", "t", f"n{i % (wire.PART_SLOTS + 3)}", variables={"i": "x"},
                        reflection={"graph_id": f"G{i % 3}", "position": {"current_instance": i}})
        reader = wire.FrameReader()
        data = parts.request(wire.CALL, n, call, b"")
        while data:
            space = reader.space()
            k = min(len(space), len(data))
            space[:k] = data[:k]
            reader.filled(k)
            data = data[k:]
        while (frame := reader.next()) is not None:
            kind, meta, payload = frame
            if kind == wire.DEFINE:
                held[int.from_bytes(meta, "little")] = json.loads(payload)
            else:
                site, run, graph, _, _ = wire.CALL_META.unpack(meta)
                assert held[site]["canvas_id"] == call.canvas_id
                assert held[site]["position"] == {"current_instance": i}
                assert held[run]["execution_id"] == call.execution_id
                assert held[graph]["graph_id"] == f"G{i % 3}"
        assert len(held) <= wire.PART_SLOTS


def test_log_frames_round_trip_level_message_attrs_and_stream():
    from axiom_ide.runtime.host import wire

    cases = [
        (("debug", "plain", {}, 1.5, 0), ("debug", "plain", {}, 1.5)),
        (("warn", "ünïcode \ud800 lone surrogate", {"n": 1, "obj": object}, 2.0, 0),
         ("warn", "ünïcode \ud800 lone surrogate", {"n": 1, "obj": repr(object)}, 2.0)),
        (("info", "from print", None, 3.0, 1), ("info", "from print", {"stream": "stdout"}, 3.0)),
        (("error", "", None, 4.0, 2), ("error", "", {"stream": "stderr"}, 4.0)),
        (("fatal?", "unknown level", {}, 5.0, 0), ("info", "unknown level", {}, 5.0)),
    ]
    for args, expected in cases:
        reader = wire.FrameReader()
        frame = wire.log_frame(*args)
        space = reader.space()
        space[: len(frame)] = frame
        reader.filled(len(frame))
        kind, meta, payload = reader.next()
        assert (kind, payload) == (wire.LOG, b"")
        assert wire.parse_log(meta) == expected
