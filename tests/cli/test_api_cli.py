"""``axiom-ide flow api``: the printed curl / Python / JavaScript calls run verbatim against a live server."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import live_server as server_live
import pytest

from axiom_ide.cli.main import main

ULID = r"[0-9A-HJKMNP-TV-Z]{26}"
EXECUTION_ID = r"[0-9a-f]{32}"


live = server_live.live_fixture("api-cli")


def _api(live, capsys, flow: str, *args: str) -> str:
    """``flow api FILE`` compiled into the live server's own data dir (tenant ``local``, its key's)."""
    code = main(["flow", "api", str(live.workspace / "flows" / f"{flow}.flow.yaml"), "--origin", live.origin,
                 "--data-dir", str(live.data_dir), *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def _run(live, argv: list[str], **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, AXIOM_API_KEY=live.key)
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, **kw)


def _graph_id(text: str) -> str:
    import re

    return re.search(rf'"graph_id": "({ULID})"', text).group(1)


def _frames(sse: str) -> list[dict]:
    return [json.loads(line[len("data: "):]) for line in sse.splitlines() if line.startswith("data: ")]


def test_without_data_the_input_is_an_example_of_the_entry_message(live, capsys):
    out = _api(live, capsys, "hello")
    graph_id = _graph_id(out)
    assert out == (
        f"curl -X POST '{live.origin}/invocations/v1/flows/invoke' \\\n"
        '  -H "Authorization: Bearer $AXIOM_API_KEY" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        "  -d '{\n"
        f'  "graph_id": "{graph_id}",\n'
        '  "input": { "name": "" },\n'
        '  "wait": true\n'
        "}'\n")


needs_curl = pytest.mark.requires_tool("curl", why="apt-get install curl")


@needs_curl
def test_unary_curl_command_runs_verbatim_and_returns_the_documented_body(live, capsys):
    command = _api(live, capsys, "hello", "-d", """{"name": "Ada O'Neil"}""")
    proc = _run(live, ["bash", "-c", command])
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert set(body) == {"accepted", "execution_id", "result"}
    assert body["accepted"] is True
    assert len(body["execution_id"]) == 32 and int(body["execution_id"], 16) >= 0
    assert set(body["result"]) == {"success", "output", "completed_at"}
    assert body["result"]["success"] is True
    assert body["result"]["output"] == {"greeting": "Hello, Ada O'Neil!"}
    assert isinstance(body["result"]["completed_at"], int)


@needs_curl
def test_pipeline_curl_command_streams_the_documented_frames(live, capsys):
    command = _api(live, capsys, "words", "-d", '{"text": "axiom makes it"}')
    assert command.startswith("curl -N -X POST ") and '"wait"' not in command
    proc = _run(live, ["bash", "-c", command])
    assert proc.returncode == 0, proc.stderr
    frames = _frames(proc.stdout)
    eid = frames[0]["execution_id"]
    assert frames == [
        {"execution_id": eid, "frame_index": 0, "payload": {"word": "AXIOM", "index": 0}, "is_final": False},
        {"execution_id": eid, "frame_index": 1, "payload": {"word": "MAKES", "index": 1}, "is_final": False},
        {"execution_id": eid, "frame_index": 2, "payload": {"word": "IT", "index": 2}, "is_final": False},
        {"execution_id": eid, "frame_index": 3, "is_final": True, "success": True},
    ]


@needs_curl
def test_curl_without_the_key_gets_401_unauthorized(live, capsys):
    command = _api(live, capsys, "hello", "-d", '{"name": "x"}')
    env = {k: v for k, v in os.environ.items() if k != "AXIOM_API_KEY"}
    proc = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(proc.stdout) == {"error": "unauthorized"}


def test_python_snippets_run_with_the_venv_python(live, capsys, tmp_path):
    script = tmp_path / "unary.py"
    script.write_text(_api(live, capsys, "greeter", "--lang", "python", "-d", '{"name": "Ada"}'), encoding="utf-8")
    proc = _run(live, [sys.executable, str(script)])
    assert proc.returncode == 0, proc.stderr
    body = eval(proc.stdout, {})  # the snippet prints the parsed JSON (a Python dict)
    assert body["accepted"] is True and body["result"]["output"] == {"text": "HEY! HELLO, ADA!"}
    script = tmp_path / "stream.py"
    script.write_text(_api(live, capsys, "words", "--lang", "python", "-d", '{"text": "a b"}'), encoding="utf-8")
    proc = _run(live, [sys.executable, str(script)])
    assert proc.returncode == 0, proc.stderr
    frames = [eval(line, {}) for line in proc.stdout.splitlines()]
    assert [f.get("payload") for f in frames] == [{"word": "A", "index": 0}, {"word": "B", "index": 1}, None]
    assert frames[-1]["is_final"] is True and frames[-1]["success"] is True


@pytest.mark.requires_tool("node", why="the fetch snippet needs Node 18+")
def test_js_snippets_run_with_node(live, capsys, tmp_path):
    script = tmp_path / "unary.mjs"
    script.write_text(_api(live, capsys, "hello", "--lang", "js", "-d", '{"name": "Ada"}'), encoding="utf-8")
    proc = _run(live, ["node", str(script)])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("202 {") and "greeting: 'Hello, Ada!'" in proc.stdout
    script = tmp_path / "stream.mjs"
    script.write_text(_api(live, capsys, "words", "--lang", "js", "-d", '{"text": "a b"}'), encoding="utf-8")
    proc = _run(live, ["node", str(script)])
    assert proc.returncode == 0, proc.stderr
    assert "payload: { word: 'A', index: 0 }" in proc.stdout and "success: true" in proc.stdout


def test_graph_id_target_and_unknown_target(live, capsys):
    graph_id = live.compile("square")
    assert main(["flow", "api", graph_id, "--data-dir", str(live.data_dir), "--origin", "http://h:1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("curl -X POST 'http://h:1/invocations/v1/flows/invoke' \\\n")
    assert f'"graph_id": "{graph_id}"' in out and '"input": { "a": 0.0, "b": 0.0 }' in out
    assert main(["flow", "api", "no-such-flow", "--data-dir", str(live.data_dir)]) == 1
    assert 'no compiled artifact or flow named "no-such-flow"' in capsys.readouterr().err
