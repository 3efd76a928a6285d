"""Process logging (runtime/logs.py) and execution log records (runtime/telemetry.py): a real flow on a
real runtime writes JSON lines with trace and span ids to a private rotating file in the data dir."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import stat
import subprocess
import sys

import pytest
from engine_support import add_faults_package, chain, compile_file

from axiom_ide.runtime import logs
from axiom_ide.runtime.runtime import Runtime
from axiom_ide.runtime.telemetry import span_id


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def logging_reset():
    root = logging.getLogger()
    level = root.level
    yield
    logs.stop_logging()
    root.setLevel(level)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def run_flow(data_dir, ws, flow, data):
    rt = Runtime(data_dir, inline=True)
    artifact = compile_file(ws / "flows" / f"{flow}.flow.yaml", ws, store=rt._artifacts)

    async def go():
        try:
            return await rt.run(artifact, data, timeout=20)
        finally:
            await rt.close()

    return asyncio.run(go())


def test_a_flow_run_logs_its_execution_and_nodes_as_json_lines_with_trace_and_span_ids(
        tmp_path, example_workspace, logging_reset):
    stderr = io.StringIO()
    path = logs.setup_logging(tmp_path / "data", "gui", stream=stderr)
    assert path == tmp_path / "data" / "logs" / "axiom-ide-gui.log"
    outcome = run_flow(tmp_path / "data", example_workspace, "greeter", {"name": "Ada"})
    eid = outcome.execution_id

    assert mode(path.parent) == 0o700 and mode(path) == 0o600
    lines = records(path)
    assert [json.loads(line) for line in stderr.getvalue().splitlines()] == lines  # not a tty: JSON too
    mine = [r for r in lines if r.get("execution_id") == eid]
    assert [(r["logger"], r["msg"], r.get("node")) for r in mine] == [
        ("axiom_ide.executions", "execution started", None),
        ("axiom_ide.executions", "node started", "greet"),
        ("axiom_ide.nodes", "greeting requested", "greet"),  # the node's ax.log.info, with its attrs
        ("axiom_ide.executions", "node completed", "greet"),
        ("axiom_ide.executions", "node started", "shout"),
        ("axiom_ide.nodes", "uppercasing", "shout"),
        ("axiom_ide.executions", "node completed", "shout"),
        ("axiom_ide.executions", "execution completed", None)]
    assert all(r["trace_id"] == eid and r["level"] == "info" for r in mine)
    assert all(r["time"].endswith("Z") and r["time"][10] == "T" for r in mine)
    started, *_, completed = mine
    assert started["span_id"] == completed["span_id"] == span_id(eid)
    assert (started["flow"], completed["status"], completed["flow"]) == ("greeter", "Completed", "greeter")
    assert completed["duration_ms"] >= 0
    events = {e.type + (e.node or ""): e for e in Runtime(tmp_path / "data", inline=True).execution_events(eid)}
    greet = span_id(eid, "greet", events["NODE_STARTEDgreet"].seq)
    assert [r["span_id"] for r in mine if r.get("node") == "greet"] == [greet, greet, greet]
    assert mine[3]["duration_ms"] == events["NODE_COMPLETEDgreet"].duration_ms and mine[3]["attempt"] == 1
    assert mine[2]["attr.name"] == "Ada"  # `name` is taken by logging itself
    assert mine[5]["length"] == len("Hey! Hello, Ada!")


def test_a_failing_node_logs_its_error_and_the_execution_its_code(tmp_path, example_workspace, logging_reset):
    add_faults_package(example_workspace)
    chain(example_workspace, "boom", ["Upper", "Boom"])
    path = logs.setup_logging(tmp_path / "data", "serve", stream=io.StringIO())
    outcome = run_flow(tmp_path / "data", example_workspace, "boom", {"text": "x"})
    mine = [r for r in records(path) if r.get("execution_id") == outcome.execution_id]
    failed = [r for r in mine if r["msg"] == "node failed"]
    assert [(r["node"], r["status"], r["error"]) for r in failed] == [("n2", "Failed", "boom: X")]
    end = mine[-1]
    assert (end["msg"], end["status"], end["error_code"], end["node"]) == (
        "execution failed", "Failed", "NODE_FAILED", "n2")
    assert 'node "n2"' in end["error"] and "boom: X" in end["error"]


def test_a_terminal_gets_plain_text_while_the_file_stays_json(tmp_path, logging_reset):
    terminal = Terminal()
    path = logs.setup_logging(tmp_path, "gui", stream=terminal)
    logging.getLogger("axiom_ide.test").info("hello %s", "there", extra={"trace_id": "ab" * 16, "n": 3})
    [line] = terminal.getvalue().splitlines()
    assert line.endswith(f"INFO  axiom_ide.test: hello there  trace_id={'ab' * 16} n=3")
    [record] = records(path)
    assert (record["msg"], record["trace_id"], record["n"], record["level"]) == ("hello there", "ab" * 16, 3, "info")


def test_format_and_level_come_from_the_flags_else_the_environment(tmp_path, monkeypatch, logging_reset):
    terminal = Terminal()
    monkeypatch.setenv("AXIOM_IDE_LOG_FORMAT", "json")
    monkeypatch.setenv("AXIOM_IDE_LOG_LEVEL", "warning")
    path = logs.setup_logging(tmp_path, "serve", stream=terminal)
    log = logging.getLogger("axiom_ide.test")
    log.info("quiet")
    log.warning("loud")
    assert [json.loads(x)["msg"] for x in terminal.getvalue().splitlines()] == ["loud"]
    assert [r["msg"] for r in records(path)] == ["loud"]
    terminal = Terminal()
    logs.setup_logging(tmp_path, "serve", fmt="text", level="debug", stream=terminal)  # replaces the handlers
    log.debug("detail")
    assert terminal.getvalue().rstrip().endswith("DEBUG axiom_ide.test: detail")
    assert [r["msg"] for r in records(path)] == ["loud", "detail"]
    with pytest.raises(ValueError, match="log level must be one of debug, info, warning, error, critical, got 'loud'"):
        logs.resolve(None, "loud")


def test_bearer_tokens_and_raw_keys_never_reach_a_log_line(tmp_path, logging_reset):
    stderr = io.StringIO()
    path = logs.setup_logging(tmp_path, "serve", stream=stderr)
    key = "3f" * 32
    log = logging.getLogger("axiom_ide.test")
    log.warning("client sent Authorization: Bearer %s", key, extra={"header": f"Bearer {key}"})
    log.error("bad key %s", key)
    text = path.read_text() + stderr.getvalue()
    assert key not in text and text.count("[redacted]") == 6


def test_the_file_rotates_and_every_file_stays_private(tmp_path, monkeypatch, logging_reset):
    monkeypatch.setattr(logs, "MAX_BYTES", 4096)
    path = logs.setup_logging(tmp_path, "serve", stream=io.StringIO())
    for i in range(200):
        logging.getLogger("axiom_ide.test").info("line %d %s", i, "x" * 64)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated == ["axiom-ide-serve.log"] + [f"axiom-ide-serve.log.{i}" for i in range(1, logs.BACKUPS + 1)]
    assert all(mode(p) == 0o600 for p in path.parent.iterdir())
    assert records(path)[-1]["msg"].startswith("line 199 ")


def test_gui_refuses_a_bad_log_setting_before_opening_a_window(tmp_path):
    env = dict(os.environ, AXIOM_IDE_LOG_FORMAT="yaml", AXIOM_IDE_DATA_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "axiom_ide", "gui"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 2
    assert out.stderr == "error: log format must be one of auto, text, json, got 'yaml'\n"
    out = subprocess.run([sys.executable, "-m", "axiom_ide", "gui", "--log-level", "chatty"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 2 and "--log-level: invalid choice: 'chatty'" in out.stderr


def test_the_text_format_does_not_repeat_what_the_message_says(tmp_path, logging_reset):
    terminal = Terminal()
    logs.setup_logging(tmp_path, "serve", stream=terminal)
    logging.getLogger("axiom_ide.server.access").info(
        "GET /x 200 1.5 ms", extra={"method": "GET", "path": "/x", "status": 200, "latency_ms": 1.5,
                                    "_in_message": ("method", "path", "status")})
    assert terminal.getvalue().rstrip().endswith("axiom_ide.server.access: GET /x 200 1.5 ms  latency_ms=1.5")


def test_an_unwritable_log_folder_leaves_stderr_logging_and_says_so(tmp_path, logging_reset):
    (tmp_path / "logs").write_text("not a folder")
    stderr = io.StringIO()
    logs.setup_logging(tmp_path, "gui", stream=stderr)
    logging.getLogger("axiom_ide.test").info("still here")
    first, second = [json.loads(x) for x in stderr.getvalue().splitlines()]
    assert first["level"] == "warn" and first["msg"].startswith(
        f"cannot write the log file {tmp_path / 'logs' / 'axiom-ide-gui.log'}: ")
    assert second["msg"] == "still here"


def test_a_tracer_that_raises_is_logged_and_never_fails_the_run(tmp_path, example_workspace, logging_reset):
    class Broken:
        def __getattr__(self, name):
            raise RuntimeError(f"tracer bug in {name}")

    path = logs.setup_logging(tmp_path / "data", "serve", stream=io.StringIO())
    rt = Runtime(tmp_path / "data", inline=True)
    rt.telemetry.tracer = Broken()
    artifact = compile_file(example_workspace / "flows" / "hello.flow.yaml", example_workspace, store=rt._artifacts)

    async def go():
        try:
            return await rt.run(artifact, {"name": "Ada"}, timeout=20)
        finally:
            rt.telemetry.tracer = None
            await rt.close()

    outcome = asyncio.run(go())
    assert outcome.error is None and outcome.output == {"greeting": "Hello, Ada!"}
    errors = [r for r in records(path) if r["level"] == "error"]
    eid = outcome.execution_id
    assert errors and errors[0]["msg"] == f"could not log or trace EXECUTION_STARTED of execution {eid}"
    assert "tracer bug in start_execution" in errors[0]["exc"]


def test_a_record_logged_from_an_execution_s_task_carries_its_trace_id(tmp_path, example_workspace, logging_reset):
    add_faults_package(example_workspace)
    chain(example_workspace, "upper", ["Upper"])
    path = logs.setup_logging(tmp_path / "data", "serve", stream=io.StringIO())
    rt = Runtime(tmp_path / "data", inline=True)
    artifact = compile_file(example_workspace / "flows" / "upper.flow.yaml", example_workspace, store=rt._artifacts)

    def broken_update(*args, **kw):  # the store fails as the run ends: the runner logs it, inside the task
        raise OSError("disk full")

    async def go():
        try:
            execution_id = await rt.start(artifact, {"text": "x"})
            rt._executions.update = broken_update  # fault injection into the store
            return execution_id, await rt.wait(execution_id)
        finally:
            await rt.close()

    execution_id, _ = asyncio.run(go())
    [record] = [r for r in records(path) if r["logger"] == "axiom_ide.runtime.engine.runner"]
    assert record["msg"] == f"could not record the end of execution {execution_id}: disk full"
    assert record["trace_id"] == record["execution_id"] == execution_id
