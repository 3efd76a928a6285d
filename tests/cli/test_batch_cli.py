"""``axiom-ide flow batch``: a flow over a JSONL or CSV dataset through the real engine and node
hosts — a malformed row reported as FILE:LINE while the other rows run, --concurrency, --json,
--out, the saved batch reopened with --show and compared with --compare, and Ctrl+C mid-batch."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from engine_support import add_faults_package, chain

from axiom_ide.cli.main import main
from axiom_ide.runtime.batch import read_rows

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def ws(example_workspace, monkeypatch, tmp_path):
    add_faults_package(example_workspace)
    monkeypatch.chdir(example_workspace)
    monkeypatch.setenv("AXIOM_IDE_DATA_DIR", str(tmp_path / "data"))
    return example_workspace


def batch_json(capsys, *argv) -> tuple[int, dict]:
    code = main(["flow", "batch", *argv, "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) | {"_stderr": captured.err}


def test_jsonl_with_malformed_rows_runs_the_others_at_concurrency_4(ws, capsys, tmp_path):
    data = ws / "people.jsonl"
    data.write_text('{"name": "Ada"}\n{"name": 3}\nnot json\n\n{"name": "Bob"}\n[1]\n{"name": "Cy"}\n', encoding="utf-8")
    out = tmp_path / "results.jsonl"
    code, body = batch_json(capsys, "flows/greeter.flow.yaml", str(data), "--concurrency", "4", "--out", str(out))
    assert code == 1
    err = body.pop("_stderr")
    assert f"{data}:2: invalid JSON for GreetRequest: " in err
    assert f"{data}:3: not valid JSON: Expecting value (column 1)" in err
    assert f"{data}:6: a row must be a JSON object (the entry message), got list" in err
    assert "batch: " in err  # progress
    assert set(body) == {"ok", "batch_id", "flow", "data", "file", "rows", "completed", "failed", "invalid",
                         "cancelled", "duration_s"}
    assert (body["ok"], body["flow"], body["rows"], body["completed"], body["failed"], body["invalid"],
            body["cancelled"]) == (False, "greeter", 6, 3, 0, 3, False)
    saved = Path(body["file"])
    assert saved.parent == tmp_path / "data" / "batches" and stat.S_IMODE(saved.stat().st_mode) == 0o600
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [(r["line"], r["status"], r.get("output")) for r in rows] == [
        (1, "completed", {"text": "HEY! HELLO, ADA!"}), (2, "invalid", None), (3, "invalid", None),
        (5, "completed", {"text": "HEY! HELLO, BOB!"}), (6, "invalid", None), (7, "completed", {"text": "HEY! HELLO, CY!"})]
    assert all(r["execution_id"] for r in rows if r["status"] == "completed")

    shown = main(["flow", "batch", "--show", body["batch_id"], "--json"])
    view = json.loads(capsys.readouterr().out)
    assert shown == 0 and view["batch"]["flow"] == "greeter" and view["summary"]["rows"] == 6
    assert view["rows"] == rows
    assert main(["flow", "batch", "--show", body["batch_id"]]) == 0
    text = capsys.readouterr().out
    assert '     1  completed' in text and '{"name": "Ada"} → {"text": "HEY! HELLO, ADA!"}' in text
    assert f"     3  invalid        0.0ms  null → {data}:3: not valid JSON" in text
    assert main(["flow", "batch", "--show", "NOPE"]) == 1
    assert 'no batch "NOPE"' in capsys.readouterr().err


def test_csv_columns_take_the_entry_message_types(ws, capsys):
    chain(ws, "up", ["Upper"])
    data = ws / "texts.csv"
    data.write_text('text,big\nhi,5\n"multi\nline",7\nyo,x\nok,\n', encoding="utf-8")
    code, body = batch_json(capsys, "flows/up.flow.yaml", str(data))
    err = body.pop("_stderr")
    assert code == 1 and (body["completed"], body["invalid"]) == (3, 1)
    assert f'{data}:5: column `big`: "x" is not an integer' in err
    view = main(["flow", "batch", "--show", body["batch_id"], "--json"])
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert view == 0
    assert [(r["line"], r["input"], r.get("output")) for r in rows] == [
        (2, {"text": "hi", "big": "5"}, {"text": "HI", "big": "5"}),
        (3, {"text": "multi\nline", "big": "7"}, {"text": "MULTI\nLINE", "big": "7"}),
        (5, None, None),
        (6, {"text": "ok"}, {"text": "OK", "big": "0"})]
    (ws / "bad.csv").write_text("nam\nAda\n", encoding="utf-8")
    code, body = batch_json(capsys, "flows/greeter.flow.yaml", "bad.csv")
    assert code == 1 and "bad.csv:2: unknown column `nam`: GreetRequest has the fields name" in body["_stderr"]


def test_compare_two_batches_row_by_row(ws, capsys):
    data = ws / "people.jsonl"
    data.write_text('{"name": "Ada"}\n{"name": "Bob"}\n', encoding="utf-8")
    _, a = batch_json(capsys, "flows/greeter.flow.yaml", str(data))
    flow = ws / "flows" / "greeter.flow.yaml"
    flow.write_text(flow.read_text(encoding="utf-8").replace('prefix("Hey! ")', 'prefix("Yo! ")'), encoding="utf-8")
    data.write_text('{"name": "Ada"}\n{"name": "Bob"}\n{"name": "Cy"}\n', encoding="utf-8")
    _, b = batch_json(capsys, "flows/greeter.flow.yaml", str(data))
    assert main(["flow", "batch", "--compare", a["batch_id"], a["batch_id"]]) == 0
    assert capsys.readouterr().out == "2 same, 0 changed, 0 only in A, 0 only in B\n"
    assert main(["flow", "batch", "--compare", a["batch_id"], b["batch_id"]]) == 1
    text = capsys.readouterr().out
    assert text.startswith('~ line 1: output changed\n  - {"text": "HEY! HELLO, ADA!"}\n  + {"text": "YO! HELLO, ADA!"}\n')
    assert "+ line 3: only in " in text and text.endswith("0 same, 2 changed, 0 only in A, 1 only in B\n")
    assert main(["flow", "batch", "--compare", a["batch_id"], b["batch_id"], "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert (body["a"], body["b"], body["same"], body["changed"], body["only_b"]) == (a["batch_id"], b["batch_id"], 0, 2, 1)
    assert [(r["line"], r["change"]) for r in body["rows"]] == [(1, "changed"), (2, "changed"), (3, "only_b")]
    assert body["rows"][0]["a"]["output"] == {"text": "HEY! HELLO, ADA!"}
    assert body["rows"][0]["b"]["output"] == {"text": "YO! HELLO, ADA!"}


def test_ctrl_c_cancels_mid_batch_and_saves_the_rows_done(ws, tmp_path):
    chain(ws, "slow", ["Slow"])
    data = ws / "many.jsonl"
    data.write_text("".join(f'{{"text": "r{i}"}}\n' for i in range(400)), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), AXIOM_IDE_DATA_DIR=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, "-m", "axiom_ide", "flow", "batch", "flows/slow.flow.yaml", str(data),
                             "--concurrency", "2"], cwd=ws, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            # as at a terminal: a shell's background job would start with SIGINT ignored
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        first = proc.stderr.readline()  # the first progress line: a row is done, others are in flight
        assert first.startswith("batch: 1 row(s) done"), first
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl+C goes to the terminal's whole process group
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (out, err)
    assert "cancelled after " in err
    batch_id = err.split("; batch ", 1)[1].split()[0]
    path = tmp_path / "data" / "batches" / f"{batch_id}.jsonl"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    summary = lines[-1]["summary"]
    assert summary["cancelled"] is True and 1 <= summary["rows"] < 400
    from axiom_ide.runtime.store.db import open_database
    from axiom_ide.runtime.store.executions import ExecutionStore

    db = open_database(tmp_path / "data")
    try:
        statuses = {r.status for r in ExecutionStore(db).list(limit=1000)}
    finally:
        db.close()
    assert statuses <= {"Completed", "Cancelled"}, statuses  # none left Running


def test_a_100000_row_dataset_is_read_as_a_stream(tmp_path, example_workspace):
    from axiom_ide.runtime.packages import Workspace

    descriptor = Workspace(example_workspace).packages["examples/text@0.1.0"].message("examples.text.Text")
    data = tmp_path / "big.csv"
    with data.open("w", encoding="utf-8") as fh:
        fh.write("text\n")
        for i in range(100_000):
            fh.write(f"row {i} " + "x" * 40 + "\n")
    tracemalloc.start()
    try:
        count = 0
        for row in read_rows(data, descriptor):
            count += 1
            last = row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000 and last.line == 100_001 and last.input["text"].startswith("row 99999 ")
    assert peak < 2_000_000  # a few rows at a time, never the file (~5 MB)


def test_bad_arguments_are_refused_before_any_batch_is_saved(ws, capsys, tmp_path):
    assert main(["flow", "batch", "flows/greeter.flow.yaml", "nope.jsonl"]) == 1
    assert capsys.readouterr().err.strip() == "nope.jsonl: error: cannot read the dataset: No such file or directory"
    assert main(["flow", "batch", "flows/greeter.flow.yaml", "flows/greeter.flow.yaml"]) == 1
    assert "error: a dataset is a .jsonl or a .csv file (one case per row)" in capsys.readouterr().err
    (ws / "d.jsonl").write_text('{"text": "a"}\n', encoding="utf-8")
    assert main(["flow", "batch", "flows/words.flow.yaml", "d.jsonl"]) == 1
    assert "words.flow.yaml is a pipeline flow; a batch runs a unary flow once per row" in capsys.readouterr().err
    assert main(["flow", "batch", "flows/greeter.flow.yaml", "d.jsonl", "--concurrency", "0"]) == 1
    assert "--concurrency must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "data" / "batches").exists()


def git(cwd, *argv):
    subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *argv], cwd=cwd, check=True,
                   capture_output=True)


def test_two_git_revisions_of_a_flow_batch_and_compare(ws, capsys):
    """FLOW may be REV:path: the flow as committed, so two revisions give two comparable batches."""
    flow = ws / "flows" / "greeter.flow.yaml"
    git(ws, "init", "-q")
    git(ws, "add", "flows/greeter.flow.yaml")
    git(ws, "commit", "-qm", "hey")
    flow.write_text(flow.read_text(encoding="utf-8").replace('prefix("Hey! ")', 'prefix("Yo! ")'), encoding="utf-8")
    git(ws, "commit", "-qam", "yo")
    data = ws / "people.jsonl"
    data.write_text('{"name": "Ada"}\n', encoding="utf-8")
    _, a = batch_json(capsys, "HEAD~1:flows/greeter.flow.yaml", str(data))
    _, b = batch_json(capsys, "HEAD:flows/greeter.flow.yaml", str(data))
    assert (a["completed"], b["completed"]) == (1, 1)
    assert main(["flow", "batch", "--compare", a["batch_id"], b["batch_id"], "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["rows"][0]["a"]["output"] == {"text": "HEY! HELLO, ADA!"}
    assert body["rows"][0]["b"]["output"] == {"text": "YO! HELLO, ADA!"}
    assert main(["flow", "batch", "HEAD~9:flows/greeter.flow.yaml", str(data)]) == 1
    assert 'git revision "HEAD~9" does not exist' in capsys.readouterr().err


def test_two_config_profiles_batch_and_compare(ws, capsys, tmp_path):
    """--config runs every row with a flow config profile; the batch records it; an unknown profile
    is refused before any batch is saved."""
    from axiom_ide.runtime.batch import load_batch
    from axiom_ide.runtime.runtime import Runtime

    chain(ws, "hang", ["Upper", "Hang"])
    rt = Runtime(tmp_path / "data")
    rt.set_config("quick", flow_name="hang", node_timeout_seconds=1)
    rt.set_config("patient", flow_name="hang", node_timeout_seconds=2)
    data = ws / "rows.jsonl"
    data.write_text('{"text": "x"}\n', encoding="utf-8")
    _, a = batch_json(capsys, "flows/hang.flow.yaml", str(data), "--config", "quick", "--inline")
    _, b = batch_json(capsys, "flows/hang.flow.yaml", str(data), "--config", "patient", "--inline")
    assert load_batch(tmp_path / "data", a["batch_id"]).header["config"] == "quick"
    assert main(["flow", "batch", "--compare", a["batch_id"], b["batch_id"], "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert body["rows"][0]["a"]["error"] == 'node "n2" timed out after 1s'
    assert body["rows"][0]["b"]["error"] == 'node "n2" timed out after 2s'
    batches = sorted((tmp_path / "data" / "batches").glob("*.jsonl"))
    assert main(["flow", "batch", "flows/hang.flow.yaml", str(data), "--config", "nope"]) == 1
    assert 'config "nope" not found for flow "hang"' in capsys.readouterr().err
    assert sorted((tmp_path / "data" / "batches").glob("*.jsonl")) == batches
