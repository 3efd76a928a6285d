"""``axiom-ide executions diff A B`` over real executions (real node host processes): node by
node input/output diffs, status, durations and the first divergent node."""
from __future__ import annotations

import json

from axiom_ide.cli.main import main


def _run(capsys, workspace, flow: str, data: dict) -> str:
    main(["flow", "run", str(workspace / "flows" / f"{flow}.flow.yaml"), "-d", json.dumps(data), "--json"])
    return json.loads(capsys.readouterr().out)["execution_id"]


def test_diff_of_two_runs_names_the_first_divergent_node(example_workspace, capsys):
    a = _run(capsys, example_workspace, "branching", {"text": "Hi"})
    b = _run(capsys, example_workspace, "branching", {"text": "Yo there"})
    assert main(["executions", "diff", a, b, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["a"]["execution_id"] == a and d["b"]["execution_id"] == b and d["same_flow"] is True
    assert d["input"] == [{"path": "text", "a": "Hi", "b": "Yo there"}]
    assert d["first_divergent_node"] == "score"
    by_node = {row["node"]: row for row in d["nodes"]}
    assert list(by_node) == ["score", "loud", "quiet", "both"]
    assert by_node["loud"]["output"] == [{"path": "text", "a": "HI", "b": "YO THERE"}]
    assert by_node["both"]["input"] == [{"path": "left", "a": "HI", "b": "YO THERE"},
                                        {"path": "right", "a": "hi", "b": "yo there"}]
    assert all(row["status"] == ["completed", "completed"] for row in d["nodes"])
    assert all(isinstance(x, float) for row in d["nodes"] for x in row["duration_ms"])
    assert main(["executions", "diff", a, b]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "first divergent node: score"
    assert any(line.startswith("* score: completed  (") for line in out)
    assert '    output text: "HI" → "YO THERE"' in out


def test_same_input_has_no_divergent_node_and_a_failed_run_is_only_in_a(example_workspace, capsys):
    a = _run(capsys, example_workspace, "linear", {"text": "x"})
    b = _run(capsys, example_workspace, "linear", {"text": "x"})
    assert main(["executions", "diff", a, b, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["first_divergent_node"] is None and not any(row["diverges"] for row in d["nodes"])
    c = _run(capsys, example_workspace, "hello", {"nam": 1})  # rejected: no node ran
    assert main(["executions", "diff", a, c, "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["same_flow"] is False and d["b"]["status"] == "Failed"
    assert d["first_divergent_node"] == "echo" and d["nodes"][0]["only_in"] == "a"


def test_unknown_execution_is_a_precise_error(example_workspace, capsys):
    a = _run(capsys, example_workspace, "linear", {"text": "x"})
    assert main(["executions", "diff", a, "nope"]) == 1
    assert capsys.readouterr().err == 'error: execution "nope" not found\n'
