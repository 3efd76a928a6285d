"""``axiom-ide serve`` logs what an operator needs: a line per request (method, path, status, latency),
the executions it runs with their trace ids — as JSON lines on a non-terminal stderr and in a private
rotating file in the data dir — and never an API key, an Authorization header or a query string."""
from __future__ import annotations

import json
import os
import stat

import httpx
from live_server import start_server, stop_server

INVOKE = "/invocations/v1/flows/invoke"


def test_serve_logs_requests_and_executions_as_json_lines_and_never_a_key(tmp_path):
    server = start_server(tmp_path)
    graph_id = server.compile("hello")
    wrong_key = "ab" * 32
    with server.client() as c:
        r = c.post(INVOKE, json={"graph_id": graph_id, "input": {"name": "Ada"}, "wait": True})
        assert r.status_code == 202
        execution_id = r.json()["execution_id"]
        assert c.get("/invocations/v1/executions", params={"token": "query-secret-4711"}).status_code == 200
    assert httpx.get(server.origin + "/invocations/v1/executions",
                     headers={"Authorization": f"Bearer {wrong_key}"}).status_code == 401
    out = stop_server(server)

    lines = out.splitlines()
    printed = [x for x in lines if not x.startswith("{")]
    assert printed == ["Axiom API stopped"]  # everything else on stderr is a JSON line
    logged = [json.loads(x) for x in lines if x.startswith("{")]
    requests = [r for r in logged if r["logger"] == "axiom_ide.server.access"]
    by_path = {(r["method"], r["path"], r["status"]): r for r in requests}
    invoke = by_path["POST", INVOKE, 202]
    assert invoke["msg"].startswith(f"POST {INVOKE} 202 ") and invoke["msg"].endswith(" ms")
    assert invoke["latency_ms"] >= 0 and invoke["tenant"] == "local" and invoke["level"] == "info"
    assert by_path["GET", "/invocations/v1/executions", 200]["tenant"] == "local"
    refused = by_path["GET", "/invocations/v1/executions", 401]
    assert "tenant" not in refused and refused["remote"] == "127.0.0.1"

    mine = [r for r in logged if r.get("execution_id") == execution_id]
    assert [(r["msg"], r.get("node")) for r in mine] == [
        ("execution started", None), ("node started", "greet"), ("greeting requested", "greet"),
        ("node completed", "greet"), ("execution completed", None)]
    assert all(r["trace_id"] == execution_id and len(r["span_id"]) == 16 for r in mine)
    assert mine[-1]["status"] == "Completed" and mine[-1]["duration_ms"] >= 0

    path = server.data_dir / "logs" / "axiom-ide-serve.log"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    in_file = [json.loads(x) for x in path.read_text().splitlines()]
    assert invoke in in_file and mine[-1] in in_file
    for text in (out, path.read_text()):
        for secret in (server.key, server.other_key, wrong_key, "query-secret-4711", "Authorization", "Bearer"):
            assert secret not in text


def test_serve_refuses_a_bad_log_level_or_otlp_endpoint(tmp_path):
    import subprocess
    import sys

    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(tmp_path), AXIOM_IDE_LOG_LEVEL="loud")
    out = subprocess.run([sys.executable, "-m", "axiom_ide", "serve", "--port", "0"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert (out.returncode, out.stderr) == (
        2, "error: log level must be one of debug, info, warning, error, critical, got 'loud'\n")
    env.pop("AXIOM_IDE_LOG_LEVEL")
    out = subprocess.run([sys.executable, "-m", "axiom_ide", "serve", "--port", "0",
                          "--otlp-endpoint", "127.0.0.1:4318"], capture_output=True, text=True, env=env, timeout=60)
    assert (out.returncode, out.stderr) == (
        2, "error: --otlp-endpoint must be an http:// or https:// URL, got '127.0.0.1:4318'\n")
