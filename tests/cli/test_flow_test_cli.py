"""``axiom-ide flow test``: cases from ``*.flow.test.yaml`` through the real engine and node host
processes; exit codes, the report's expected-vs-actual diff, JUnit XML, mocks, CEL assertions,
failure expectations, and precise errors for a malformed case, an unknown canvas id and a CEL
assertion that does not compile (the other cases still run)."""
from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from axiom_ide.cli.main import main

PASSING = """\
cases:
  - name: greets Ada
    input: {name: Ada}
    expect:
      output: {text: "HEY! HELLO, ADA!"}
      assert: ["output.text.size() > 5", "input.name == 'Ada'"]
      nodes:
        greet: {partial: {greeting: "Hello, Ada!"}}
  - name: mocked greet never calls the node
    input: {name: Zed}
    mocks:
      greet: {greeting: "  yo  "}
    expect:
      output: {text: "HEY! YO"}
      nodes:
        greet: {output: {greeting: "  yo  "}}
  - name: bad input fails
    input: {nam: 1}
    timeout: 20
    expect:
      failure: INVALID_INPUT
      error: invalid JSON for GreetRequest
"""

FAILING = """\
cases:
  - name: greets Bob
    input: {name: Bob}
    expect:
      partial: {text: "HEY! HELLO, ADA!"}
  - name: still runs after a bad case
    input: {name: Ada}
    expect:
      partial: {text: "HEY! HELLO, ADA!"}
  - name: unknown mock
    input: {name: A}
    mocks:
      nope: {greeting: x}
  - name: bad cel
    input: {name: A}
    expect:
      assert:
        - "output.text >"
  - 42
"""


@pytest.fixture
def flows(example_workspace, monkeypatch) -> Path:
    monkeypatch.chdir(example_workspace)
    return example_workspace / "flows"


def test_passing_cases_exit_0_and_junit_has_no_failures(flows, tmp_path, capsys):
    (flows / "greeter.flow.test.yaml").write_text(PASSING, encoding="utf-8")
    junit = tmp_path / "report.xml"
    assert main(["flow", "test", str(flows / "greeter.flow.yaml"), "--junit", str(junit)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "3 passed, 0 failed, 0 error(s)"
    assert [line.split(" :: ")[1].split("  (")[0] for line in out if line.startswith("PASS")] == [
        "greets Ada", "mocked greet never calls the node", "bad input fails"]
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "0", "0")
    assert [tc.get("name") for tc in root.iter("testcase")] == [
        "greets Ada", "mocked greet never calls the node", "bad input fails"]
    assert not list(root.iter("failure")) and not list(root.iter("error"))


def test_failing_and_malformed_cases_exit_1_with_diff_and_locations(flows, tmp_path, capsys):
    test_file = flows / "greeter.flow.test.yaml"
    test_file.write_text(FAILING, encoding="utf-8")
    junit = tmp_path / "report.xml"
    assert main(["flow", "test", str(flows), "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert "FAIL  " in out and '-  "text": "HEY! HELLO, ADA!"\n    +  "text": "HEY! HELLO, BOB!"' in out
    assert "PASS  " in out and ":: still runs after a bad case" in out
    assert (f'{test_file}:13: error: case "unknown mock": mock "nope": no node with canvas id "nope" in greeter '
            "(its nodes: greet, shout)") in out
    assert f'{test_file}:18: error: case "bad cel": expect: assertion `output.text >` does not compile: CEL parse error' in out
    assert f"{test_file}:19: error: case 5 must be a mapping" in out
    assert out.rstrip().endswith("1 passed, 1 failed, 3 error(s)")
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("5", "1", "3")
    failure = next(root.iter("failure"))
    assert failure.get("message") == "flow: output does not contain the expected fields"
    assert '+  "text": "HEY! HELLO, BOB!"' in (failure.text or "")


def test_json_and_k_pattern(flows, capsys):
    (flows / "greeter.flow.test.yaml").write_text(PASSING + FAILING.replace("cases:\n", ""), encoding="utf-8")
    assert main(["flow", "test", str(flows / "greeter.flow.test.yaml"), "-k", "greets", "--json"]) == 1
    body = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["status"]) for c in body["cases"]] == [("greets Ada", "passed"), ("greets Bob", "failed")]
    assert body["ok"] is False and body["passed"] == 1 and body["total"] == 2
    assert main(["flow", "test", str(flows), "-k", "no such case"]) == 2
    assert capsys.readouterr().out.strip() == "no test cases selected"


def test_expectation_mismatch_on_failure_and_unreadable_file(flows, capsys):
    (flows / "greeter.flow.test.yaml").write_text(
        "cases:\n  - name: expects a failure\n    input: {name: Ada}\n    expect: {failure: NODE_FAILED}\n", encoding="utf-8")
    (flows / "linear.flow.test.yaml").write_text("cases: [\n", encoding="utf-8")
    assert main(["flow", "test", str(flows)]) == 1
    out = capsys.readouterr().out
    assert 'expected the run to fail with NODE_FAILED, but it succeeded with output {"text": "HEY! HELLO, ADA!"}' in out
    assert "linear.flow.test.yaml:2: error: malformed YAML" in out


def test_flow_without_test_file_is_a_precise_error(flows, capsys):
    assert main(["flow", "test", str(flows / "hello.flow.yaml")]) == 1
    assert "no test file for" in capsys.readouterr().err


def test_flow_key_names_another_flow_and_a_bad_mock_value_is_precise(flows, capsys):
    (flows / "checks.flow.test.yaml").write_text(
        "flow: linear.flow.yaml\ncases:\n  - name: echo mocked\n    input: {text: a}\n    mocks:\n      echo: {text: b}\n"
        "    expect: {output: {text: B}, nodes: {echo: {output: {text: b}}}}\n"
        "  - name: bad mock\n    input: {text: a}\n    mocks:\n      echo: {nope: 1}\n", encoding="utf-8")
    assert main(["flow", "test", str(flows / "checks.flow.test.yaml")]) == 1
    out = capsys.readouterr().out
    assert ":: echo mocked  (" in out and out.startswith("PASS  ")
    assert 'checks.flow.test.yaml:11: error: case "bad mock": mock "echo": not a valid examples.text.Text' in out


def test_mock_stands_in_for_a_hanging_node_timeout_and_node_failure(tmp_path, monkeypatch, capsys):
    """A mocked node is never called (the real one would hang); an unmocked hang hits the case's
    timeout; a node that raises is a NODE_FAILED failure with its error text."""
    from engine_support import add_faults_package, chain

    workspace = tmp_path / "ws"
    (workspace / "flows").mkdir(parents=True)
    add_faults_package(workspace)
    flow = chain(workspace, "hangs", ["Upper", "Hang", "Upper"])
    chain(workspace, "booms", ["Boom"])
    flow.with_name("hangs.flow.test.yaml").write_text(
        "cases:\n"
        "  - name: mocked hang\n    input: {text: a}\n    timeout: 30\n    mocks: {n2: {text: mocked}}\n"
        "    expect: {partial: {text: MOCKED}, nodes: {n1: {output: {text: A, big: '0'}}}}\n"
        "  - name: real hang times out\n    input: {text: a}\n    timeout: 1\n    expect: {failure: TIMEOUT}\n",
        encoding="utf-8")
    flow.with_name("booms.flow.test.yaml").write_text(
        "cases:\n  - name: boom\n    input: {text: x}\n    expect: {failure: NODE_FAILED, error: 'boom: x'}\n", encoding="utf-8")
    monkeypatch.chdir(workspace)
    assert main(["flow", "test", "flows", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["status"]) for c in body["cases"]] == [
        ("boom", "passed"), ("mocked hang", "passed"), ("real hang times out", "passed")]


def test_json_names_the_nodes_a_mock_answered(flows, capsys):
    """A case's mocks are its run's pins: ``mocked`` comes from the run's ``pinned`` events."""
    (flows / "greeter.flow.test.yaml").write_text(PASSING, encoding="utf-8")
    assert main(["flow", "test", str(flows / "greeter.flow.yaml"), "--json", "--inline"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert [(c["name"], c["mocked"]) for c in body["cases"]] == [
        ("greets Ada", []), ("mocked greet never calls the node", ["greet"]), ("bad input fails", [])]
