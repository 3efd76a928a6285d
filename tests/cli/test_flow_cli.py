"""The ``axiom-ide flow`` verbs, run as a real subprocess on a temp workspace."""
from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path


def axiom(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "axiom_ide", *args], cwd=cwd, capture_output=True, text=True, env=full_env, timeout=120)


def test_new_validate_layout_compile_round(tmp_path, example_workspace):
    ws = example_workspace
    out = axiom("flow", "new", "my-flow", cwd=ws)
    assert out.returncode == 0, out.stderr
    path = ws / "my-flow.flow.yaml"
    assert out.stdout.splitlines()[0] == f"created {path}"
    assert axiom("flow", "new", "my-flow", cwd=ws).returncode == 1  # never overwrites

    out = axiom("flow", "validate", "my-flow.flow.yaml", cwd=ws)
    assert (out.returncode, out.stdout) == (0, "my-flow.flow.yaml: valid\n")

    out = axiom("flow", "layout", "my-flow.flow.yaml", cwd=ws)
    assert (out.returncode, out.stdout) == (0, "my-flow.flow.yaml: laid out 2 node(s), 2 moved\n")
    text = path.read_text()
    assert "    col: 0\n    row: 0\n" in text and "    col: 1\n    row: 0\n" in text

    data = tmp_path / "data"
    out = axiom("flow", "compile", "my-flow.flow.yaml", "--data-dir", str(data), cwd=ws)
    assert out.returncode == 0, out.stderr
    graph_id = out.stdout.strip()
    assert re.fullmatch(r"[0-9A-Z]{26}", graph_id)
    with sqlite3.connect(data / "axiom.db") as conn:
        assert conn.execute("SELECT flow_name, mode FROM artifacts WHERE graph_id=?", (graph_id,)).fetchone() == ("my-flow", "unary")


def test_compile_json_reports_the_artifact(example_workspace):
    out = axiom("flow", "compile", "flows/branching.flow.yaml", "--json", cwd=example_workspace)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {k: result[k] for k in ("ok", "flow", "mode", "entry", "terminal", "input_type", "output_type", "warnings")} == {
        "ok": True, "flow": "branching", "mode": "unary", "entry": "score", "terminal": "both",
        "input_type": "examples.text.ScoreRequest", "output_type": "examples.text.Text", "warnings": [],
    }


def test_workspace_env_var_selects_the_packages(tmp_path, example_workspace):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    flow = example_workspace / "flows" / "square.flow.yaml"
    out = axiom("flow", "compile", str(flow), cwd=elsewhere)
    assert out.returncode == 1
    assert 'node "add": ' in out.stderr and "examples/math@0.1.0" in out.stderr
    out = axiom("flow", "compile", str(flow), cwd=elsewhere, env={"AXIOM_IDE_WORKSPACE": str(example_workspace)})
    assert out.returncode == 0, out.stderr


def test_validate_reports_file_line_column_and_json(example_workspace):
    bad = example_workspace / "bad.flow.yaml"
    bad.write_text("name: bad\nnodes:\n  - id: a\n    node: examples/text@0.1.0:Echo\n  - id: a\n    node: examples/text@0.1.0:Echo\nedges:\n  - from: a\n    to: b\n")
    out = axiom("flow", "validate", "bad.flow.yaml", cwd=example_workspace)
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        'bad.flow.yaml:5:9: error: duplicate node id "a" (first defined at line 3)',
        'bad.flow.yaml:9:9: error: edges[0]: "to" references unknown node "b"',
    ]
    out = axiom("flow", "validate", "bad.flow.yaml", "--json", cwd=example_workspace)
    report = json.loads(out.stdout)
    assert report["ok"] is False
    assert [(d["code"], d["location"]["line"], d["location"]["column"]) for d in report["diagnostics"]] == [
        ("duplicate_id", 5, 9), ("unknown_node", 9, 9),
    ]


def test_malformed_yaml_is_a_located_error_and_nothing_is_written(example_workspace):
    bad = example_workspace / "broken.flow.yaml"
    original = "name: broken\nnodes: [\n"
    bad.write_text(original)
    for verb in ("validate", "layout", "compile"):
        out = axiom("flow", verb, "broken.flow.yaml", cwd=example_workspace)
        assert out.returncode == 1, verb
        assert out.stderr.startswith("broken.flow.yaml:3:1: error: malformed YAML: "), out.stderr
    assert bad.read_text() == original


def test_compile_errors_exit_nonzero_with_the_docs_wording(example_workspace):
    two = example_workspace / "two.flow.yaml"
    two.write_text(
        "name: two\nimports: [examples/text@0.1.0]\nnodes:\n"
        "  - id: a\n    node: examples/text@0.1.0:Echo\n  - id: b\n    node: examples/text@0.1.0:Echo\nedges: []\n"
    )
    out = axiom("flow", "compile", "two.flow.yaml", cwd=example_workspace)
    assert out.returncode == 1
    # errors.render's one order: position, severity, canvas element, the docs' message
    assert out.stderr.splitlines() == ['error: node "b": graph must have exactly one start node',
                                       'error: node "b": graph must have exactly one terminal node']
    out = axiom("flow", "compile", "two.flow.yaml", "--json", cwd=example_workspace)
    assert json.loads(out.stdout)["errors"][0]["code"] == "start_nodes"


def test_newer_database_schema_is_refused_not_altered(tmp_path, example_workspace):
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "axiom.db") as conn:
        conn.execute("PRAGMA user_version=999")
    out = axiom("flow", "compile", "flows/hello.flow.yaml", "--data-dir", str(data), cwd=example_workspace)
    assert out.returncode == 1
    assert "was written by a newer Axiom IDE (schema version 999" in out.stderr
    with sqlite3.connect(data / "axiom.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 999
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0


def test_invalid_flow_name_for_new(example_workspace):
    out = axiom("flow", "new", "My Flow", cwd=example_workspace)
    assert out.returncode == 1
    assert out.stderr == 'error: flow name "My Flow" must be lowercase letters, digits, "-" or "_", starting with a letter or digit\n'


MISMATCHED = (
    "name: mismatch\nimports: [examples/text@0.1.0, examples/math@0.1.0]\nnodes:\n"
    "  - id: score\n    node: examples/text@0.1.0:Score\n  - id: inc\n    node: examples/math@0.1.0:Increment\n"
    "edges:\n  - from: score\n    to: inc\n    map:\n      value: text\n"
)
MISMATCH_TEXT = ('edge "score" → "inc" field `value`: Type mismatch: `string` → `double`. '
                 "Add a transform to convert the value.")


def test_compile_and_run_refuse_a_type_mismatch_as_the_run_button_does(tmp_path, example_workspace):
    (example_workspace / "flows" / "mismatch.flow.yaml").write_text(MISMATCHED)
    data = ["--data-dir", str(tmp_path / "data")]
    out = axiom("flow", "compile", "flows/mismatch.flow.yaml", *data, cwd=example_workspace)
    assert (out.returncode, out.stdout, out.stderr) == (1, "", f"error: {MISMATCH_TEXT}\n")
    out = axiom("flow", "compile", "flows/mismatch.flow.yaml", "--json", *data, cwd=example_workspace)
    report = json.loads(out.stdout)
    assert out.returncode == 1 and report["ok"] is False
    assert [(e["code"], e["message"]) for e in report["errors"]] == [("type_mismatch", MISMATCH_TEXT)]

    out = axiom("flow", "run", "flows/mismatch.flow.yaml", "-d", '{"text": "x"}', *data, cwd=example_workspace)
    assert (out.returncode, out.stdout, out.stderr) == (1, "", f"error: {MISMATCH_TEXT}\n")
    with sqlite3.connect(tmp_path / "data" / "axiom.db") as conn:  # nothing compiled, nothing ran
        assert conn.execute("SELECT count(*) FROM artifacts").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM executions").fetchone() == (0,)


def test_compile_refuses_a_required_field_left_unmapped(example_workspace):
    text = MISMATCHED.replace("examples/math@0.1.0:Increment", "examples/text@0.1.0:Concat").replace("value: text", "left: text")
    (example_workspace / "flows" / "unmapped.flow.yaml").write_text(text)
    out = axiom("flow", "compile", "flows/unmapped.flow.yaml", cwd=example_workspace)
    assert (out.returncode, out.stderr) == (
        1, 'error: edge "score" → "inc" field `right`: Required field `right` is not mapped.\n')
