"""``axiom-ide serve`` starts, authenticates with bearer keys, and stops cleanly: running executions
get the grace period, waiting callers get their results, and what is cut off resumes on the next start."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from dataclasses import replace

import httpx
from engine_support import chain
from live_server import LiveServer, start_server, stop_server
from server_support import execution, sse_frames, test_flows, wait_for

INVOKE = "/invocations/v1/flows/invoke"


def test_missing_wrong_and_malformed_keys_get_401_unauthorized(live):
    url = f"{live.origin}/invocations/v1/executions"
    for headers in ({}, {"Authorization": "Bearer " + "0" * 64}, {"Authorization": "Bearer nope"},
                    {"Authorization": live.key}):
        r = httpx.get(url, headers=headers)
        assert (r.status_code, r.json()) == (401, {"error": "unauthorized"})


def test_serve_binds_loopback_and_exits_cleanly_on_sigterm(tmp_path):
    server = start_server(tmp_path)
    assert server.origin.startswith("http://127.0.0.1:")
    out = stop_server(server)
    assert server.process.returncode == 0
    assert out.strip().splitlines()[-1] == "Axiom API stopped"


def test_a_running_execution_finishes_within_the_grace_period(tmp_path):
    server = start_server(tmp_path)
    test_flows(server)
    graph_id = server.compile("faults-slow4")
    with server.client() as c:
        execution_id = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "g"}}).json()["execution_id"]
    out = stop_server(server)
    assert server.process.returncode == 0
    assert "Stopping: waiting up to 10s for 1 running execution(s)" in out
    assert out.strip().splitlines()[-1] == "Axiom API stopped"
    rec = execution(server, execution_id)
    assert rec.status == "Completed" and rec.output == {"text": "g++++", "big": "0"}


def test_a_caller_waiting_during_shutdown_still_gets_its_result(tmp_path):
    server = start_server(tmp_path)
    test_flows(server)
    graph_id = server.compile("faults-slow4")
    answers = []

    def call():
        with server.client() as c:
            answers.append(c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "w"}, "wait": True}))

    caller = threading.Thread(target=call)
    caller.start()
    assert wait_for(lambda: _running(server))
    stop_server(server)
    caller.join()
    [r] = answers
    assert r.status_code == 202 and r.json()["result"]["output"] == {"text": "w++++", "big": "0"}


def test_an_execution_cut_off_by_shutdown_resumes_on_the_next_start(tmp_path):
    server = start_server(tmp_path, "--grace", "0")
    test_flows(server)
    chain(server.workspace, "slow8", ["Slow"] * 8)
    graph_id = server.compile("slow8")
    with server.client() as c:
        execution_id = c.post(INVOKE, json={"graph_id": graph_id, "input": {"text": "r"}}).json()["execution_id"]
    assert wait_for(lambda: _checkpoints(server, execution_id) >= 1)
    out = stop_server(server)
    assert "1 execution(s) left checkpointed, resumed on the next start" in out
    assert execution(server, execution_id).status == "Running"
    assert 1 <= _checkpoints(server, execution_id) < 8

    again, banner = _spawn(server)
    try:
        assert "(resumed 1 incomplete execution(s))" in banner
        rec = wait_for(lambda: (x := execution(again, execution_id)) is not None and x.is_final and x)
        assert rec.status == "Completed" and rec.output == {"text": "r" + "+" * 8, "big": "0"}
        assert _checkpoints(again, execution_id) == 8  # completed nodes were not run twice
    finally:
        stop_server(again)


def test_a_debug_session_created_before_a_restart_is_found_by_invokes_after_it(tmp_path):
    server = start_server(tmp_path)
    test_flows(server)
    hello, words = server.compile("hello"), server.compile("streams-words")
    their_words = server.compile("streams-words", tenant_id="acme")
    with server.client() as c:
        r = c.post("/invocations/v1/debug/sessions", json={"mode": "LIVE"})
        assert r.status_code == 201
        session_id = r.json()["session_id"]
    stop_server(server)

    again, _ = _spawn(server)
    try:
        with again.client() as c:
            r = c.post(INVOKE, json={"graph_id": hello, "input": {"name": "Ada"}, "wait": True,
                                     "debug_session_id": session_id})
            assert r.status_code == 202 and r.json()["result"]["output"] == {"greeting": "Hello, Ada!"}
            assert execution(again, r.json()["execution_id"]).debug_session == session_id
            r = c.post(INVOKE + "/stream", json={"graph_id": words, "input": {"text": "a b"}},
                       headers={"X-Debug-Session-Id": session_id})
            assert r.status_code == 200
            assert [f.get("payload") for f in sse_frames(r.text)] == [{"text": "a"}, {"text": "b"}, None]
        with again.client(again.other_key) as c:  # another tenant's session: exactly like none
            r = c.post(INVOKE + "/stream", json={"graph_id": their_words, "input": {"text": "a"}},
                       headers={"X-Debug-Session-Id": session_id})
            assert (r.status_code, r.json()) == (500, {"accepted": False,
                                                       "error_message": f'debug session "{session_id}" not found'})
    finally:
        stop_server(again)


def test_a_non_loopback_bind_warns(tmp_path):
    server = start_server(tmp_path)
    stop_server(server)
    other, banner = _spawn(server, "--host", "0.0.0.0")
    stop_server(other)
    assert other.origin.startswith("http://0.0.0.0:")
    assert banner.startswith("warning: serving on 0.0.0.0, not loopback: anyone who can reach this port and "
                             "holds an API key can invoke flows\n")


def test_a_port_in_use_is_a_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "axiom_ide", "serve", "--port", str(port),
                              "--data-dir", str(tmp_path / "data"), "--workspace", str(tmp_path)],
                             capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}: ")


def _running(server: LiveServer) -> bool:
    from axiom_ide.runtime.store.db import open_database

    db = open_database(server.data_dir)
    try:
        with db.lock:
            return db.conn.execute("SELECT COUNT(*) FROM executions WHERE status = 'Running'").fetchone()[0] > 0
    finally:
        db.close()


def _checkpoints(server: LiveServer, execution_id: str) -> int:
    from axiom_ide.runtime.store.db import open_database

    db = open_database(server.data_dir)
    try:
        with db.lock:
            return db.conn.execute("SELECT COUNT(*) FROM checkpoints WHERE execution_id = ?",
                                   (execution_id,)).fetchone()[0]
    finally:
        db.close()


def _spawn(server: LiveServer, *extra: str) -> tuple[LiveServer, str]:
    """A new server process on ``server``'s data dir and workspace (so its keys work); returns it
    and everything it printed up to its "listening on" line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "axiom_ide", "serve", "--port", "0", "--data-dir", str(server.data_dir),
         "--workspace", str(server.workspace), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, AXIOM_IDE_DATA_DIR=str(server.data_dir), PYTHONUNBUFFERED="1"))
    banner = ""
    for line in process.stdout:
        banner += line
        if "listening on " in line:
            origin = line.split("listening on ", 1)[1].split()[0]
            return replace(server, origin=origin, process=process), banner
    process.kill()
    raise RuntimeError("server did not start:\n" + banner)
