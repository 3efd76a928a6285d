"""validate: the five layers and the axiom.yaml reference's severity table."""
from __future__ import annotations

from pathlib import Path

import pytest

from axiom_ide.runtime.errors import Severity
from axiom_ide.runtime.packages.validate import LAYERS, validate_package


@pytest.fixture
def text_pkg(example_workspace) -> Path:
    return example_workspace / "packages" / "text"


def found(report) -> list[tuple[str, str, str | None, int | None]]:
    return [(d.severity.value, d.message, d.location.file, d.location.line) for d in report.diagnostics]


def test_example_packages_are_valid(example_workspace):
    for name in ("text", "math"):
        report = validate_package(example_workspace / "packages" / name)
        assert report.ok and report.diagnostics == []
        assert [(layer.name, layer.ok) for layer in report.layers] == [(n, True) for n in LAYERS]
        assert report.package == f"examples/{name}@0.1.0"


def test_json_shape(text_pkg):
    data = validate_package(text_pkg).to_json()
    assert data == {"ok": True, "package": "examples/text@0.1.0",
                    "layers": [{"name": n, "ok": True} for n in LAYERS], "diagnostics": []}


def test_unknown_message_reference_is_an_error(text_pkg):
    manifest = text_pkg / "axiom.yaml"
    manifest.write_text(manifest.read_text().replace("output: GreetReply", "output: GreetResponse"))
    report = validate_package(text_pkg)
    assert not report.ok
    assert found(report) == [("error", 'node "Greet": output message "GreetResponse" not found in messages/ or imported packages',
                              "axiom.yaml", 11)]
    assert [layer.ok for layer in report.layers] == [False, True, True, True, True]


def test_broken_proto_fails_the_proto_layer(text_pkg):
    proto = text_pkg / "messages" / "messages.proto"
    proto.write_text(proto.read_text().replace("string name = 1;", "strin name = 1;"))
    report = validate_package(text_pkg)
    assert [layer.ok for layer in report.layers] == [True, False, True, True, True]
    assert found(report) == [("error", '"strin" is not defined.',
                              "messages/messages.proto", 8)]


def test_signature_layer_checks_function_name_and_params_without_importing(text_pkg):
    (text_pkg / "nodes" / "greet.py").write_text("import does_not_exist\n\ndef greet(ax):\n    pass\n")
    (text_pkg / "nodes" / "upper.py").write_text("def shout(ax, input):\n    pass\n")
    (text_pkg / "nodes" / "echo.py").unlink()
    (text_pkg / "nodes" / "concat.py").write_text("def concat(ax, input:\n")
    report = validate_package(text_pkg)
    assert found(report) == [
        ("error", 'node "Greet": function greet must take (ax, input): found 1 positional parameter', "nodes/greet.py", 3),
        ("error", 'node "Upper": function upper(ax, input) not found', "nodes/upper.py", None),
        ("error", 'node "Echo": nodes/echo.py not found', "nodes/echo.py", None),
        ("error", 'node "Concat": nodes/concat.py is not valid Python', "nodes/concat.py", None),
    ]
    assert [layer.ok for layer in report.layers] == [True, True, False, True, True]


def test_missing_tests_are_warnings_and_missing_requirements_an_error(text_pkg):
    (text_pkg / "nodes" / "echo_test.py").unlink()
    (text_pkg / "nodes" / "upper_test.py").write_text("def helper():\n    pass\n")
    (text_pkg / "requirements.txt").unlink()
    report = validate_package(text_pkg)
    assert found(report) == [
        ("warning", 'node "Upper" declares no tests (nodes/upper_test.py); a node with zero tests passes silently',
         "nodes/upper_test.py", None),
        ("warning", 'node "Echo" has no test file (nodes/echo_test.py); a node with zero tests passes silently',
         "nodes/echo_test.py", None),
        ("error", "requirements.txt not found: Python packages must have one (it may be empty)", "requirements.txt", None),
    ]
    assert [layer.ok for layer in report.layers] == [True, True, True, True, False]


def test_secrets_and_subprocess_tools_are_warnings(text_pkg):
    manifest = text_pkg / "axiom.yaml"
    manifest.write_text(manifest.read_text().replace(
        "    output: Text\n  - name: Echo",
        "    output: Text\n    required_secrets: [DECLARED]\n  - name: Echo") + "build:\n  system_deps: [curl]\n")
    (text_pkg / "nodes" / "upper.py").write_text(
        "import subprocess\nfrom subprocess import check_output as co\n\n"
        "def upper(ax, input):\n"
        '    ax.secrets.get("DECLARED")\n'
        '    key, ok = ax.secrets.get("OPENAI_KEY")\n'
        '    subprocess.run(["git", "status"])\n'
        '    subprocess.run(["curl", "-s", "x"])\n'
        '    co("jq .a file.json", shell=True)\n'
        '    subprocess.run(["ffmpeg", "-i", "x"])\n'
        "    return input\n")
    report = validate_package(text_pkg)
    assert report.ok
    assert found(report) == [
        ("warning", 'node "Upper" reads secret "OPENAI_KEY" but it is not listed in its required_secrets', "nodes/upper.py", 6),
        ("warning", ('node "Upper" runs "git" through subprocess but "git" is not listed in build.system_deps; '
                     "it would be missing from the runtime image"), "nodes/upper.py", 7),
        ("warning", ('node "Upper" runs "jq" through subprocess but "jq" is not listed in build.system_deps; '
                     "it would be missing from the runtime image"), "nodes/upper.py", 9),
    ]
    assert all(d.severity is Severity.WARNING for d in report.diagnostics)


def test_import_rules(text_pkg):
    manifest = text_pkg / "axiom.yaml"
    manifest.write_text(manifest.read_text() + (
        "imports:\n"
        "  - package: a/empty\n    version: 1.0.0\n    messages: []\n"
        "  - package: a/gone\n    version: 1.0.0\n    messages: [Gone]\n"
        "  - package: a/stale\n    version: 2.0.0\n    messages: [Kept, Dropped]\n"))
    d = text_pkg / "imports" / "a-stale" / "2.0.0"
    d.mkdir(parents=True)
    (d / "kept.proto").write_text('syntax = "proto3";\npackage a.stale;\nmessage Kept { string k = 1; }\n')
    report = validate_package(text_pkg)
    assert not report.ok
    assert found(report) == [
        ("error", 'import "a/empty@1.0.0" has an empty messages list; re-run `axiom import a/empty@1.0.0` to populate it',
         "axiom.yaml", 42),
        ("warning", ("message Gone is listed in axiom.yaml imports but its proto definition is not downloaded; "
                     "run `axiom import a/gone@1.0.0`"), "axiom.yaml", 45),
        ("warning", ("message Dropped is listed in axiom.yaml imports but not found in the downloaded proto files "
                     "of a/stale@2.0.0"), "axiom.yaml", 48),
    ]


def test_malformed_manifest_fails_the_first_layer(tmp_path):
    (tmp_path / "axiom.yaml").write_text("name: a/b\n  version: 1\n")
    report = validate_package(tmp_path)
    assert not report.ok
    assert report.layers[0].ok is False and all(not layer.checked for layer in report.layers[1:])
    assert report.diagnostics[0].location.file == "axiom.yaml"
    assert report.diagnostics[0].location.line == 2
