"""``axiom-ide flow test`` on a pipeline flow: its cases run (the terminal frames in order as the
output), exit 0 when all pass and 1 with the frames diff when one fails."""
from __future__ import annotations

import json

from axiom_ide.cli.main import main

CASES = """\
cases:
  - name: shouts the words
    input: {text: "to be"}
    expect:
      output: {frames: [{word: TO, index: 0}, {word: BE, index: 1}]}
"""


def test_flow_test_runs_pipeline_cases(example_workspace, monkeypatch, capsys):
    monkeypatch.chdir(example_workspace)
    flows = example_workspace / "flows"
    (flows / "words.flow.test.yaml").write_text(CASES, encoding="utf-8")
    assert main(["flow", "test", str(flows / "words.flow.yaml")]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed, 0 error(s)"
    (flows / "words.flow.test.yaml").write_text(CASES.replace("word: BE", "word: OR"), encoding="utf-8")
    assert main(["flow", "test", str(flows / "words.flow.yaml"), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    (case,) = report["cases"]
    assert case["status"] == "failed" and case["mocked"] == []
    assert '-      "word": "OR"\n+      "word": "BE"' in case["messages"][0]
