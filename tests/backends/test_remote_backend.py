"""RemoteBackend against a real ``axiom-ide serve`` on 127.0.0.1 (a subprocess with its own data dir),
and against tiny real servers on 127.0.0.1 that misbehave on purpose: 429 then 200, a quota that
resets at midnight, 503s that never stop, a server that accepts and never answers, one that hangs up."""
from __future__ import annotations

import asyncio
import json

import live_server as server_live
import pytest
import server_support
from aiohttp import web
from engine_support import chain
from protocol_support import protocol_gaps, protocol_methods

from axiom_ide.backends import Backend
from axiom_ide.backends.remote import CheckpointView, RemoteBackend
from axiom_ide.backends.remote_http import RetryPolicy, Timeouts
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.model.flow_yaml import load_flow

EXAMPLE_FLOWS = ("branching", "counter", "greeter", "hello", "linear", "square", "welcome", "words")


live = server_live.live_fixture("remote", setup=server_support.test_flows)
remote = server_live.remote_fixture()


def flow(live, name):
    return load_flow(live.workspace / "flows" / f"{name}.flow.yaml", fast=True).flow


def test_remote_backend_is_a_backend(live):
    backend = RemoteBackend(live.origin, live.key)
    assert isinstance(backend, Backend)
    assert protocol_gaps(Backend, backend) == {}
    assert "compile" in protocol_methods(Backend)


def test_every_example_flow_compiles_on_the_remote(live, remote, aio):
    backend = remote()

    async def go():
        return [await backend.compile(flow(live, name)) for name in EXAMPLE_FLOWS]

    compiled = aio(go())
    assert [c.flow_name for c in compiled] == list(EXAMPLE_FLOWS)
    assert all(len(c.graph_id) == 26 for c in compiled)
    assert len({c.graph_id for c in compiled}) == len(EXAMPLE_FLOWS)
    words = compiled[EXAMPLE_FLOWS.index("words")]
    assert words.mode == "pipeline"
    hello = compiled[EXAMPLE_FLOWS.index("hello")]
    assert (hello.mode, hello.input_type, hello.output_type) == ("unary", "examples.text.GreetRequest",
                                                                  "examples.text.GreetReply")


def test_a_flow_that_does_not_compile_gives_the_servers_diagnostics(remote, aio):
    text = "name: broken\nmode: unary\nnodes:\n  - id: a\n    node: nobody/nothing@1.0.0:Missing\nedges: []\n"
    with pytest.raises(AxiomError) as err:
        aio(remote().compile_source(text, "broken.flow.yaml"))
    diagnostics = err.value.diagnostics
    assert diagnostics and all(d.location.file == "broken.flow.yaml" for d in diagnostics)
    assert diagnostics[0].location.line is not None
    assert "nobody/nothing" in diagnostics[0].message


def test_invoke_wait_list_events_checkpoints(live, remote, aio):
    backend = remote()
    seen = []
    unsubscribe = backend.subscribe(seen.append)

    async def go():
        compiled = await backend.compile(flow(live, "hello"))
        execution_id = await backend.start(compiled.graph_id, {"name": "Ada"})
        result = await backend.wait(execution_id, 60)
        waited = await backend.invoke(compiled.graph_id, {"name": "Grace"}, wait=True, timeout=60)
        listed = await backend.list_executions(flow="hello")
        return (execution_id, result, waited, listed, await backend.get_execution(execution_id),
                await backend.events(execution_id), await backend.checkpoints(execution_id))

    execution_id, result, waited, listed, rec, events, checkpoints = aio(go())
    unsubscribe()
    assert result.success and result.output == {"greeting": "Hello, Ada!"} and result.failure is None
    assert waited["accepted"] is True and waited["result"]["success"] is True
    assert waited["result"]["output"] == {"greeting": "Hello, Grace!"}
    assert [r.id for r in listed][:2] == [waited["execution_id"], execution_id]  # newest first
    assert (rec.status, rec.flow_name, rec.input_json) == ("Completed", "hello", {"name": "Ada"})
    assert events[0].type == "EXECUTION_STARTED" and events[-1].type == "EXECUTION_COMPLETED"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [(e.seq, e.type) for e in seen] == [(e.seq, e.type) for e in events]
    assert checkpoints and all(isinstance(c, CheckpointView) for c in checkpoints)
    assert checkpoints[-1].output == {"greeting": "Hello, Ada!"}
    assert aio(backend.get_execution("0" * 32)) is None


def test_a_node_failure_is_a_failure_value_on_the_node(live, remote, aio):
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "faults-boom"))
        return await backend.wait(await backend.start(compiled.graph_id, {"text": "x"}), 60)

    result = aio(go())
    assert result.status == "Failed" and not result.success
    assert result.failure.kind == "NODE_FAILED" and result.failure.node == "n1"
    assert "boom" in result.failure.message.lower()


def test_stream_a_pipeline_flow(live, remote, aio):
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "streams-words"))
        return [f async for f in backend.stream(compiled.graph_id, {"text": "one two three"}, timeout=60)]

    frames = aio(go())
    assert [f["payload"] for f in frames if "payload" in f] == [{"text": "one"}, {"text": "two"}, {"text": "three"}]
    assert frames[-1]["is_final"] is True and frames[-1]["success"] is True
    assert len({f["execution_id"] for f in frames}) == 1


def test_cancel_a_hanging_run(live, remote, aio):
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "faults-hang"))
        execution_id = await backend.start(compiled.graph_id, {"text": "x"})
        for _ in range(1200):  # until the Hang node is running (a minute at most)
            if any(e.type == "NODE_STARTED" for e in await backend.events(execution_id)):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the Hang node never started")
        with pytest.raises(TimeoutError):
            await backend.wait(execution_id, 0.2)
        cancelled = await backend.cancel(execution_id)
        return cancelled, await backend.wait(execution_id, 60), await backend.cancel("f" * 32)

    cancelled, result, unknown = aio(go())
    assert cancelled is True
    assert result.status == "Cancelled" and result.failure.kind == "CANCELLED"
    assert unknown is False


def test_flow_configs_and_a_run_under_a_named_profile(live, remote, aio):
    backend = remote(live.other_key)  # tenant acme: its configs touch no other test's runs

    def post(body):
        with live.client(live.other_key) as client:
            response = client.post("/api/configs", json=body)
            assert response.status_code == 201, response.text

    before = aio(backend.flow_configs("hello"))
    post({"name": "default", "flow": None, "node_timeout_seconds": 120})
    tenant_only = aio(backend.flow_configs("hello"))
    post({"name": "default", "flow": "hello", "node_timeout_seconds": 45})
    post({"name": "fast", "flow": "hello", "max_attempts": 2, "secret_overrides": {"TOKEN": "x"}})

    async def go():
        view = await backend.flow_configs("hello")
        compiled = await backend.compile(flow(live, "hello"))
        result = await backend.wait(await backend.start(compiled.graph_id, {"name": "Cy"}, config_id="fast"), 60)
        return view, result, await backend.get_execution(result.execution_id)

    view, result, rec = aio(go())
    assert (before.profiles, before.node_timeout_seconds, before.timeout_source) == ((), 300.0, "platform default")
    assert (tenant_only.node_timeout_seconds, tenant_only.timeout_source) == (120, "tenant default")
    assert [(c.flow_name, c.name) for c in view.profiles] == [("", "default"), ("hello", "default"), ("hello", "fast")]
    assert (view.node_timeout_seconds, view.timeout_source) == (45, "flow default")
    assert view.profiles[2].secret_overrides == ("TOKEN",) and view.profiles[2].max_attempts == 2
    assert result.output == {"greeting": "Hello, Cy!"} and rec.config_id == "fast"
    assert rec.tenant_id == "acme"


def test_single_node_calls_and_the_flows_openapi(live, remote, aio):
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "hello"))
        out = await backend.call_node("examples/text", "0.1.0", "Greet", {"name": "Di"})
        spec = await backend.openapi(compiled.graph_id)
        errors = []
        for args in (("examples/text", "0.1.0", "Nope", {}), ("tests/faults", "0.1.0", "Boom", {"text": "x"})):
            try:
                await backend.call_node(*args)
            except AxiomError as exc:
                errors.append((exc.diagnostics[0].code, exc.message))
        return compiled, out, spec, errors

    compiled, out, spec, errors = aio(go())
    assert out == {"greeting": "Hello, Di!"}
    assert spec["openapi"].startswith("3.0") and spec["info"]["version"] == compiled.graph_id
    assert errors[0] == ("not_found", "node not found: examples/text/0.1.0/Nope")
    assert errors[1][0] == "node_error" and "boom" in errors[1][1].lower()


def test_remote_debugging_breakpoint_step_continue(live, remote, aio):
    chain(live.workspace, "dbg-upper3", ["Upper"] * 3)
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "dbg-upper3"))
        session = await backend.create_debug_session(breakpoints=["n2"])
        sid = session["session_id"]
        execution_id = await backend.start(compiled.graph_id, {"text": "a"}, debug_session_id=sid)
        at_breakpoint = await backend.debug_wait(sid, 60)
        assert await backend.set_breakpoints(sid, []) == []
        await backend.debug_control(sid, "step")
        stepped = await backend.debug_wait(sid, 60, not_at="n2")
        await backend.debug_control(sid, "continue")
        result = await backend.wait(execution_id, 60)
        with pytest.raises(AxiomError) as late:  # the run is over: stepping no longer applies
            await backend.debug_control(sid, "step")
        return execution_id, at_breakpoint, stepped, result, late.value

    execution_id, at_breakpoint, stepped, result, late = aio(go())
    assert (at_breakpoint["execution_id"], at_breakpoint["paused_at"], at_breakpoint["pause_reason"]) == (
        execution_id, "n2", "breakpoint")
    assert (stepped["paused_at"], stepped["pause_reason"]) == ("n3", "step")
    assert result.success and result.output["text"] == "A"
    assert late.diagnostics[0].code == "debug_not_paused"
    assert late.message == "step is available only while the run is paused"


def test_remote_debugging_hit_count_and_condition_pass_through(live, remote, aio):
    chain(live.workspace, "dbg-hits3", ["Upper"] * 3)
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "dbg-hits3"))
        sid = (await backend.create_debug_session())["session_id"]
        await backend.set_breakpoints(sid, ["n2"], {"n2": {"condition": 'input.text == "A"', "hit_count": None}})
        plain = await backend.start(compiled.graph_id, {"text": "b"}, debug_session_id=sid)
        ended = await backend.debug_wait(sid, 60)
        assert (await backend.wait(plain, 60)).success
        fired = await backend.start(compiled.graph_id, {"text": "a"}, debug_session_id=sid)
        paused = await backend.debug_wait(sid, 60)
        await backend.debug_control(sid, "continue")
        assert (await backend.wait(fired, 60)).success
        return ended, paused

    ended, paused = aio(go())
    assert ended["paused_at"] is None and ended["execution_status"] == "Completed"
    assert paused["paused_at"] == "n2"
    assert paused["breakpoint_options"] == {"n2": {"condition": 'input.text == "A"', "hit_count": None}}


def test_remote_run_from_here_reruns_the_node_and_downstream_only(live, remote, aio):
    chain(live.workspace, "fork-upper3", ["Upper"] * 3)
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "fork-upper3"))
        parent = await backend.start(compiled.graph_id, {"text": "a"})
        await backend.wait(parent, 60)
        child = await backend.fork(parent, node="n2", input_override={"text": "edited"})
        result = await backend.wait(child, 60)
        payload = await backend.node_payload(child, "n2")
        return parent, result, await backend.events(child), await backend.get_execution(child), payload

    parent, result, events, rec, payload = aio(go())
    assert (payload.status, payload.input["text"], payload.output["text"]) == ("completed", "edited", "EDITED")
    assert result.output["text"] == "EDITED"
    assert [e.node for e in events if e.type == "NODE_STARTED"] == ["n2", "n3"]  # n1 reused, not re-run
    assert rec.parent_id == parent


def test_a_wrong_key_gives_the_documented_401(remote, aio):
    with pytest.raises(AxiomError) as err:
        aio(remote("0" * 64).list_executions())
    assert err.value.diagnostics[0].code == "unauthorized"
    assert err.value.message.startswith("unauthorized: ")
    assert "API key" in err.value.message


def test_an_unknown_graph_is_the_servers_error_message(remote, aio):
    with pytest.raises(AxiomError) as err:
        aio(remote().start("01JX3F8Q4ZJ4M9W4Y0B8T2K7RD", {}))
    assert err.value.diagnostics[0].code == "server_error"
    assert err.value.message == 'compiled artifact "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD" not found'


def test_the_real_servers_rate_limit_is_waited_out(tmp_path, aio):
    server = server_live.start_server(tmp_path, "--limits", "invoke_rate=2,invoke_burst=1")
    waits = []
    backend = RemoteBackend(server.origin, server.key, on_retry=lambda status, seconds: waits.append((status, seconds)))

    async def go():
        compiled = await backend.compile(flow(server, "hello"))
        started = [await backend.start(compiled.graph_id, {"name": str(i)}) for i in range(3)]
        return started, await backend.list_executions()

    try:
        started, listed = aio(go())
    finally:
        aio(backend.close())
        server_live.stop_server(server)
    assert len(set(started)) == 3 and {r.id for r in listed} == set(started)
    assert waits and set(waits) == {(429, 1.0)}  # the server's Retry-After: 1, each time


# -- misbehaving servers ---------------------------------------------------------------------------


EMPTY_PAGE = {"executions": [], "next_cursor": None}


def test_429_with_retry_after_is_retried_then_succeeds(aio):
    hits, waits = [], []

    async def handler(request):
        hits.append(request.path)
        if len(hits) < 3:
            return web.json_response({"error": "rate limit exceeded"}, status=429, headers={"Retry-After": "1"})
        return web.json_response(EMPTY_PAGE)

    async def go():
        runner, origin = await server_live.serve_handler(handler)
        backend = RemoteBackend(origin, "k", retry=RetryPolicy(attempts=5, base=0.01, cap=5),
                                on_retry=lambda status, seconds: waits.append((status, seconds)))
        try:
            return await backend.list_executions()
        finally:
            await backend.close()
            await runner.cleanup()

    assert aio(go()) == []
    assert hits == ["/invocations/v1/executions"] * 3
    assert waits == [(429, 1.0), (429, 1.0)]  # Retry-After wins over the smaller backoff


def test_backoff_grows_when_the_server_gives_no_retry_after_and_503s_end_in_its_message(aio):
    waits = []

    async def handler(request):
        return web.json_response({"error": "upstream_unavailable", "message": "the flow could not be queued"},
                                 status=503)

    async def go():
        runner, origin = await server_live.serve_handler(handler)
        backend = RemoteBackend(origin, "k", retry=RetryPolicy(attempts=4, base=0.01, cap=0.03),
                                on_retry=lambda status, seconds: waits.append((status, seconds)))
        try:
            await backend.start("g", {})
        finally:
            await backend.close()
            await runner.cleanup()

    with pytest.raises(AxiomError) as err:
        aio(go())
    assert waits == [(503, 0.01), (503, 0.02), (503, 0.03)]  # doubling, capped
    assert err.value.diagnostics[0].code == "upstream_unavailable"
    assert err.value.message == "the flow could not be queued"


def test_a_daily_quota_is_not_waited_for(aio):
    hits = []
    body = {"error": "quota_exceeded", "message": "daily invocations quota exceeded (cap 2000)",
            "retry_after_seconds": 74380}

    async def handler(request):
        hits.append(1)
        return web.json_response(body, status=429, headers={"Retry-After": "74380"})

    async def go():
        runner, origin = await server_live.serve_handler(handler)
        backend = RemoteBackend(origin, "k")
        try:
            await backend.start("g", {})
        finally:
            await backend.close()
            await runner.cleanup()

    with pytest.raises(AxiomError) as err:
        aio(go())
    assert hits == [1]
    assert err.value.diagnostics[0].code == "quota_exceeded"
    assert err.value.message == "daily invocations quota exceeded (cap 2000) (retry after 74380s)"


async def _raw_server(on_connect) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


def test_a_server_that_never_answers_times_out_with_a_clear_error(aio):
    async def silent(reader, writer):
        await reader.read(65536)  # take the request, say nothing
        await asyncio.Event().wait()

    async def go():
        server, origin = await _raw_server(silent)
        backend = RemoteBackend(origin, "k", timeouts=Timeouts(read=0.3))
        try:
            await backend.list_executions()
        finally:
            await backend.close()
            server.close()

    with pytest.raises(AxiomError) as err:
        aio(go())
    assert err.value.diagnostics[0].code == "timeout"
    assert err.value.message.endswith("did not answer GET /invocations/v1/executions within 0.3s")


def test_a_dropped_connection_and_an_unreachable_server_are_clear_errors(aio):
    async def hang_up(reader, writer):
        await reader.read(65536)
        writer.close()

    async def go():
        server, origin = await _raw_server(hang_up)
        dropped = RemoteBackend(origin, "k")
        server2, gone = await _raw_server(hang_up)
        server2.close()
        await server2.wait_closed()
        unreachable = RemoteBackend(gone, "k")
        errors = []
        for backend in (dropped, unreachable):
            try:
                await backend.get_execution("e" * 32)
            except AxiomError as exc:
                errors.append(exc)
            finally:
                await backend.close()
        server.close()
        return errors

    dropped, unreachable = aio(go())
    assert dropped.diagnostics[0].code == "connection_lost"
    assert "was lost during GET /invocations/v1/executions/" in dropped.message
    assert unreachable.diagnostics[0].code == "unreachable"
    assert unreachable.message.startswith("cannot reach http://127.0.0.1:")


def test_a_stream_cut_before_its_final_frame_names_the_execution(aio):
    frame = {"execution_id": "a" * 32, "frame_index": 0, "payload": {"text": "x"}, "is_final": False}

    async def handler(request):
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"data: " + json.dumps(frame).encode() + b"\n\n")
        return response  # ends the body without a final frame

    async def go():
        runner, origin = await server_live.serve_handler(handler)
        backend = RemoteBackend(origin, "k")
        got = []
        try:
            async for f in backend.stream("g", {}):
                got.append(f)
        finally:
            await backend.close()
            await runner.cleanup()
        return got

    with pytest.raises(AxiomError) as err:
        aio(go())
    assert err.value.diagnostics[0].code == "connection_lost"
    assert f"(execution {'a' * 32}; look it up by that id)" in err.value.message


def test_whoami_names_each_tenants_key(live, remote, aio):
    mine, theirs = aio(remote().whoami()), aio(remote(live.other_key).whoami())
    assert {k: mine[k] for k in ("email", "tenant", "key", "masked")} == {
        "email": None, "tenant": "local", "key": "test", "masked": f"{live.key[:8]}…{live.key[-4:]}"}
    assert (theirs["tenant"], theirs["key"]) == ("acme", "other")
    with pytest.raises(AxiomError) as err:
        aio(remote("0" * 64).whoami())
    assert err.value.diagnostics[0].code == "unauthorized"


def test_whoami_on_a_server_without_the_route_names_the_key_from_its_list(aio):
    key = "ab" * 32

    async def handler(request):
        if request.path == "/api/keys":
            return web.json_response({"keys": [{"name": "ci", "key": f"{key[:8]}…{key[-4:]}", "created_at": 1,
                                                "last_used": None}]})
        return web.json_response({"error": "not found"}, status=404)

    async def go():
        runner, origin = await server_live.serve_handler(handler)
        backend = RemoteBackend(origin, key)
        try:
            return await backend.whoami()
        finally:
            await backend.close()
            await runner.cleanup()

    assert aio(go()) == {"email": None, "tenant": None, "key": "ci", "masked": f"{key[:8]}…{key[-4:]}"}


def test_remote_debugging_edge_breakpoint_pauses_where_the_edge_fires(live, remote, aio):
    chain(live.workspace, "dbg-edge3", ["Upper"] * 3)
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "dbg-edge3"))
        sid = (await backend.create_debug_session(breakpoints=["n2->n3"]))["session_id"]
        await backend.set_breakpoints(sid, ["n2->n3"], {"n2->n3": {"condition": 'input.text == "A"', "hit_count": None}})
        execution_id = await backend.start(compiled.graph_id, {"text": "a"}, debug_session_id=sid)
        paused = await backend.debug_wait(sid, 60)
        await backend.debug_control(sid, "continue")
        result = await backend.wait(execution_id, 60)
        return paused, result, await backend.events(execution_id)

    paused, result, events = aio(go())
    assert (paused["paused_at"], paused["breakpoints"]) == ("n3", ["n2->n3"])
    [event] = [e for e in events if e.type == "DEBUG_PAUSED"]
    assert (event.data["edge"], event.data["input"]["text"]) == ("n2->n3", "A")
    assert result.success


def test_a_pipeline_executions_checkpoints_carry_their_frames(live, remote, aio):
    backend = remote()

    async def go():
        compiled = await backend.compile(flow(live, "words"))
        frames = [f async for f in backend.stream(compiled.graph_id, {"text": "to be"})]
        execution_id = frames[-1]["execution_id"]
        return compiled, await backend.checkpoints(execution_id)

    compiled, checkpoints = aio(go())
    terminal = next(c for c in checkpoints if c.node == compiled.terminal)
    assert terminal.frames["output"] == [{"word": "TO", "index": 0}, {"word": "BE", "index": 1}]
