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
    assert envelope["result"] == {"success": True, "output": {"text": "X"}}
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
