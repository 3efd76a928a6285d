"""``axiom-ide flow batch --remote`` as a real process against a real ``axiom-ide serve``: the rows
run on the remote, progress and per-row errors on stderr as for a local batch, the batch saved in the
local data dir (``--show`` reopens it), and Ctrl+C cancels the remote runs and keeps the rows done."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import live_server as server_live
import pytest
import server_support

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    server = server_live.start_server(tmp_path_factory.mktemp("remote-batch-cli"))
    server_support.test_flows(server)
    yield server
    server_live.stop_server(server)


@pytest.fixture
def env(live, tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_")}
    environ.update(PYTHONPATH=str(REPO), AXIOM_IDE_CONFIG_DIR=str(tmp_path / "config"), AXIOM_API_URL=live.origin,
                   AXIOM_API_KEY=live.key, AXIOM_IDE_DATA_DIR=str(tmp_path / "data"))
    return environ


def axiom(env, *argv, cwd=None):
    return subprocess.run([sys.executable, "-m", "axiom_ide", *argv], capture_output=True, text=True, env=env,
                          timeout=120, cwd=cwd)


def test_a_remote_batch_reports_each_bad_row_and_saves_the_batch_here(live, env, tmp_path):
    data = tmp_path / "rows.jsonl"
    data.write_text('{"text": "a"}\n{"text": 3}\n{"text": "b"}\n', encoding="utf-8")
    flow = str(live.workspace / "flows" / "faults-upper.flow.yaml")
    done = axiom(env, "flow", "batch", flow, str(data), "--remote", "--concurrency", "2", "--json")
    assert done.returncode == 1, done.stderr
    body = json.loads(done.stdout)
    assert (body["ok"], body["rows"], body["completed"], body["invalid"]) == (False, 3, 2, 1)
    assert f"{data}:2: invalid JSON for Text: " in done.stderr and "batch: " in done.stderr
    assert Path(body["file"]).parent == tmp_path / "data" / "batches"
    shown = axiom(env, "flow", "batch", "--show", body["batch_id"], "--json")
    saved = json.loads(shown.stdout)
    assert saved["batch"]["remote"] == live.origin
    assert [r["output"]["text"] for r in saved["rows"] if r["status"] == "completed"] == ["A", "B"]
    with live.client() as client:  # the rows ran on the remote
        for row in saved["rows"]:
            if row["execution_id"]:
                assert client.get(f"/invocations/v1/executions/{row['execution_id']}").json()["status"] == "Completed"
    # a compiled flow's name runs its latest artifact there, as flow run --remote takes it
    by_name = axiom(env, "flow", "batch", "faults-upper", str(data), "--remote")
    assert by_name.returncode == 1 and "3 row(s), 2 completed, 0 failed, 1 invalid" in by_name.stdout


def test_ctrl_c_cancels_a_remote_batch_and_saves_the_rows_done(live, env, tmp_path):
    data = tmp_path / "many.jsonl"
    data.write_text("".join(f'{{"text": "r{i}"}}\n' for i in range(200)), encoding="utf-8")
    flow = str(live.workspace / "flows" / "faults-slow.flow.yaml")
    proc = subprocess.Popen([sys.executable, "-m", "axiom_ide", "flow", "batch", flow, str(data), "--remote",
                             "--concurrency", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stderr.readline()  # the first progress line: a row is done, others are in flight
        assert first.startswith("batch: 1 row(s) done"), first
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "cancelled after " in err and "saved with the rows done" in err
    saved = next((tmp_path / "data" / "batches").glob("*.jsonl"))
    summary = json.loads(saved.read_text(encoding="utf-8").splitlines()[-1])["summary"]
    assert summary["cancelled"] is True and 1 <= summary["rows"] < 200
    with live.client() as client:  # nothing of it left running on the remote
        running = client.get("/invocations/v1/executions", params={"status": "Running", "flow": "faults-slow"}).json()
    assert running["executions"] == []
