"""``axiom-ide flow run`` / ``executions`` / ``secrets`` / ``configs`` end to end (in-process main);
``flow run`` once with ``--inline`` and once through real node host processes (the default)."""
from __future__ import annotations

import json

import pytest

from axiom_ide.cli.main import main


@pytest.fixture
def how(invoker) -> list[str]:
    """``flow run``'s flag for the invoker under test: ``--inline``, or none (node host processes)."""
    return ["--inline"] if invoker == "inline" else []


def test_flow_run_file_prints_output_json(example_workspace, capsys, how):
    code = main(["flow", "run", str(example_workspace / "flows" / "greeter.flow.yaml"), "-d", '{"name": "Ada"}', *how])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {"text": "HEY! HELLO, ADA!"}


def test_flow_run_failure_exits_1_with_catalog_error(example_workspace, capsys, how):
    code = main(["flow", "run", str(example_workspace / "flows" / "hello.flow.yaml"), "-d", '{"nam": 1}', *how])
    assert code == 1
    assert capsys.readouterr().err.startswith("error: invalid JSON for GreetRequest: ")


def test_flow_run_pipeline_prints_frames_then_inspect_execution(example_workspace, capsys, how):
    code = main(["flow", "run", str(example_workspace / "flows" / "words.flow.yaml"), "-d", '{"text": "a b"}', *how])
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(x) for x in lines] == [{"word": "A", "index": 0}, {"word": "B", "index": 1}]
    assert main(["flow", "run", "greeter", "-d", "{}", *how]) == 1  # not compiled yet
    capsys.readouterr()
    assert main(["flow", "run", str(example_workspace / "flows" / "linear.flow.yaml"), "-d", '{"text": "x"}',
                 "--json", *how]) == 0
    envelope = json.loads(capsys.readouterr().out)
    assert envelope["result"]["output"] == {"text": "X"} and envelope["result"]["success"] is True
    eid = envelope["execution_id"]
    assert main(["executions", "ls", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["executions"]
    assert rows[0]["execution_id"] == eid and rows[0]["status"] == "Completed"
    assert main(["executions", "events", eid, "--json"]) == 0
    types = [e["type"] for e in json.loads(capsys.readouterr().out)["events"]]
    assert types[0] == "EXECUTION_STARTED" and types[-1] == "EXECUTION_COMPLETED"
    assert main(["executions", "checkpoints", eid, "--json"]) == 0
    cps = json.loads(capsys.readouterr().out)["checkpoints"]
    assert [(c["node"], c["output"]) for c in cps] == [("echo", {"text": "x"}), ("upper", {"text": "X"})]
    assert main(["executions", "show", "0" * 32]) == 1
    assert "execution not found" in capsys.readouterr().err


def test_secrets_and_configs_verbs_never_print_values(capsys):
    assert main(["secrets", "set", "API_KEY", "--value", "sk-123"]) == 0
    assert main(["secrets", "ls"]) == 0
    assert main(["configs", "set", "fast", "--flow", "greeter", "--timeout", "5", "--secret", "API_KEY=sk-456"]) == 0
    assert main(["configs", "ls", "--json"]) == 0
    out = capsys.readouterr().out
    assert "API_KEY" in out and "sk-123" not in out and "sk-456" not in out
    assert main(["secrets", "rm", "API_KEY"]) == 0
    assert main(["configs", "rm", "fast", "--flow", "greeter"]) == 0
    assert main(["secrets", "rm", "API_KEY"]) == 1


def _one_node_flow(ws, name, node, extra, body):
    """Package ``tests/<name>`` with one Text → Text node ``node`` (``body`` is its function body,
    with ``Text`` imported) and a flow ``<name>`` of just that node; returns the flow file."""
    pkg = ws / "packages" / name
    (pkg / "messages").mkdir(parents=True)
    (pkg / "nodes").mkdir()
    (pkg / "axiom.yaml").write_text(f"name: tests/{name}\nversion: 0.1.0\nlanguage: python\n"
                                    f"nodes:\n  - {{name: {node}, input: Text, output: Text, {extra}}}\n")
    (pkg / "messages" / "messages.proto").write_text(
        f'syntax = "proto3";\npackage tests.{name};\nmessage Text {{ string text = 1; }}\n')
    (pkg / "requirements.txt").write_text("")
    handler = node.lower()
    (pkg / "nodes" / f"{handler}.py").write_text(
        f"import time\nfrom gen.messages_pb2 import Text\ndef {handler}(ax, input):\n{body}")
    flow = ws / "flows" / f"{name}.flow.yaml"
    flow.write_text(f"name: {name}\nimports: [tests/{name}@0.1.0]\n"
                    f"nodes:\n  - {{id: {handler}, node: 'tests/{name}@0.1.0:{node}'}}\nedges: []\n")
    return flow


def test_flow_run_timeout_uses_the_apis_words(example_workspace, tmp_path, capsys):
    flow = _one_node_flow(example_workspace, "sleepy", "Sleep", "description: sleeps",
                          "    time.sleep(60)\n    return input\n")
    args = ["--data-dir", str(tmp_path / "data"), "flow", "run", str(flow), "-d", '{"text": "x"}', "--timeout", "0.5"]
    assert main(args) == 1
    assert capsys.readouterr().err == "error: timeout waiting for flow result (0.5s)\n"
    assert main([*args, "--json"]) == 1
    result = json.loads(capsys.readouterr().out)["result"]
    assert (result["success"], result["error"]) == (False, "timeout waiting for flow result (0.5s)")


def _ms(rt_dir, execution_id):
    import sqlite3

    with sqlite3.connect(rt_dir / "axiom.db") as conn:
        (completed,) = conn.execute("SELECT completed_at FROM executions WHERE id=?", (execution_id,)).fetchone()
    return int(completed * 1000)


def test_flow_run_json_is_the_invoke_response_on_success_and_failure(example_workspace, tmp_path, capsys):
    data = tmp_path / "data"
    flow = str(example_workspace / "flows" / "hello.flow.yaml")
    assert main(["--data-dir", str(data), "flow", "run", flow, "-d", '{"name": "Ada"}', "--json"]) == 0
    ok = json.loads(capsys.readouterr().out)
    assert set(ok) == {"accepted", "execution_id", "result"} and ok["accepted"] is True
    assert ok["result"] == {"success": True, "output": {"greeting": "Hello, Ada!"},
                            "completed_at": _ms(data, ok["execution_id"])}

    assert main(["--data-dir", str(data), "flow", "run", flow, "-d", '{"nam": 1}', "--json"]) == 1
    out, err = capsys.readouterr()
    failed = json.loads(out)
    assert set(failed) == {"accepted", "execution_id", "result"} and err == ""
    assert set(failed["result"]) == {"success", "error", "completed_at"}
    assert failed["result"]["success"] is False
    assert failed["result"]["error"].startswith("invalid JSON for GreetRequest: ")
    assert failed["result"]["completed_at"] == _ms(data, failed["execution_id"])

    # Nothing could run: the envelope of a request the API does not accept.
    assert main(["--data-dir", str(data), "flow", "run", "no-such-flow", "--json"]) == 1
    refused = json.loads(capsys.readouterr().out)
    assert refused == {"accepted": False, "error_message": 'no compiled artifact or flow named "no-such-flow"; '
                       "pass a graph_id, a compiled flow's name, or a .flow.yaml file"}


def test_flow_run_json_pipeline_prints_every_frame_and_the_failed_final_one(example_workspace, capsys):
    assert main(["flow", "run", str(example_workspace / "flows" / "words.flow.yaml"), "-d", '{"text": "a b"}',
                 "--json"]) == 0
    frames = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [f["frame_index"] for f in frames] == [0, 1, 2]
    assert frames[-1] == {"execution_id": frames[0]["execution_id"], "frame_index": 2, "is_final": True, "success": True}
    assert main(["flow", "run", str(example_workspace / "flows" / "words.flow.yaml"), "-d", '{"txt": 1}',
                 "--json"]) == 1
    (final,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert final["is_final"] and "success" not in final and final["error"].startswith("invalid JSON for Text: ")


def test_secrets_set_reads_stdin_and_warns_that_value_is_visible(example_workspace, tmp_path):
    import os
    import subprocess
    import sys

    flow = _one_node_flow(example_workspace, "secretive", "Reveal", "required_secrets: [TOKEN]",
                          "    value, ok = ax.secrets.get('TOKEN')\n    return Text(text=value if ok else 'missing')\n")
    data = ["--data-dir", str(tmp_path / "data")]

    def axiom(*args, stdin=""):
        return subprocess.run([sys.executable, "-m", "axiom_ide", *data, *args], input=stdin, capture_output=True,
                              text=True, timeout=120, cwd=example_workspace, env=dict(os.environ), check=False)

    def secret_seen_by_a_node():
        r = axiom("flow", "run", str(flow), "-d", '{"text": "x"}')
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["text"]

    r = axiom("secrets", "set", "TOKEN", stdin="sk-from-stdin\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, "saved secret TOKEN\n", "")
    assert secret_seen_by_a_node() == "sk-from-stdin"

    r = axiom("secrets", "set", "TOKEN", "--value", "sk-from-argv")
    assert r.returncode == 0 and r.stdout == "replaced secret TOKEN\n"
    assert r.stderr.startswith("warning: --value puts the secret in the command line, which other processes")
    assert "axiom-ide secrets set TOKEN < file" in r.stderr and "sk-from-argv" not in r.stderr
    assert secret_seen_by_a_node() == "sk-from-argv"

    r = axiom("secrets", "set", "TOKEN", stdin="")
    assert (r.returncode, r.stderr) == (
        1, 'error: secret "TOKEN": no value given; pipe it on stdin (axiom-ide secrets set TOKEN < file)\n')
    assert secret_seen_by_a_node() == "sk-from-argv"  # nothing was overwritten
