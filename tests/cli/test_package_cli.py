"""The package verbs end to end: the real ``axiom-ide`` in a subprocess on a temp dir."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PATTERN = "^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$"


def axiom(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "axiom_ide", *args], cwd=cwd, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


GREET_IMPL = '''\
from gen.messages_pb2 import GreetRequest, GreetReply
from gen.axiom_context import AxiomContext


def greet(ax: AxiomContext, input: GreetRequest) -> GreetReply:
    """Returns a personalized greeting."""
    ax.log.info("greeting requested", name=input.name)
    return GreetReply(greeting=f"Hello, {input.name}!")
'''


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """init → create message ×2 → create node, once for the module; tests copy it."""
    base = tmp_path_factory.mktemp("cli")
    assert axiom(base, "init", "my-org/greeter", "--description", "Greets people").returncode == 0
    root = base / "greeter"
    r = axiom(root, "create", "message", "GreetRequest", "--fields", "name:string")
    assert (r.returncode, r.stdout) == (0, "Added message GreetRequest to messages/messages.proto\nGenerated 3 files in gen/\n")
    assert axiom(root, "create", "message", "GreetReply", "--fields", "string greeting = 1", "--no-generate").returncode == 0
    r = axiom(root / "nodes", "create", "node", "Greet", "--input", "GreetRequest", "--output", "GreetReply")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("Created nodes/greet.py and nodes/greet_test.py\nAdded node Greet to axiom.yaml\n"
                        "Generated 3 files in gen/\n")
    return root


@pytest.fixture
def pkg(built, tmp_path) -> Path:
    target = tmp_path / "greeter"
    shutil.copytree(built, target, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return target


def test_init_writes_the_documented_layout(tmp_path):
    r = axiom(tmp_path, "init", "my-org/text-tools", "--version", "v1.2.0")
    assert r.returncode == 0, r.stderr
    root = tmp_path / "text-tools"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        ".gitignore", "CLAUDE.md", "axiom.yaml", "gen", "messages", "messages/messages.proto", "nodes",
        "nodes/conftest.py", "requirements.txt"]
    assert r.stdout.splitlines()[-2] == "  text-tools/CLAUDE.md"
    guide = (root / "CLAUDE.md").read_text()
    assert guide.startswith("# Authoring my-org/text-tools (an Axiom package)")
    for step in ("axiom-ide create message", "axiom-ide create node", "axiom-ide validate --json", "axiom-ide test"):
        assert step in guide
    manifest = (root / "axiom.yaml").read_text()
    assert manifest.startswith("name: my-org/text-tools\nversion: v1.2.0\nlanguage: python\n\n# Example node declarations")
    assert "#     required_secrets:" in manifest
    assert (root / "messages/messages.proto").read_text() == 'syntax = "proto3";\n\npackage my_org.text_tools;\n'
    assert ".axiom/" in (root / ".gitignore").read_text().splitlines()
    assert (root / "requirements.txt").read_text() == ""


def test_init_options_and_refusals(tmp_path):
    r = axiom(tmp_path, "init", "a/b", "--language", "go", "--description", "D", "--no-example-comment")
    assert r.returncode == 0
    assert (tmp_path / "b" / "axiom.yaml").read_text() == "name: a/b\nversion: 0.1.0\nlanguage: go\ndescription: D\n"
    r = axiom(tmp_path, "init", "a/b")
    assert r.returncode == 1
    assert r.stderr == f"error: directory {tmp_path / 'b'} already exists; refusing to overwrite it\n"
    r = axiom(tmp_path, "init", "greeter")
    assert (r.returncode, r.stderr) == (
        1, f'error: package name "greeter" must be scoped: your-handle/package-name (pattern: {PATTERN})\n')
    r = axiom(tmp_path, "init", "a/c", "--version", "1.0")
    assert r.returncode == 1 and r.stderr.startswith('error: invalid version "1.0": must be semantic versioning')
    r = axiom(tmp_path, "init", "a/d", "--language", "cobol")
    assert r.stderr == 'error: unsupported language "cobol": must be one of go, python, rust, java, typescript, csharp\n'
    assert not (tmp_path / "c").exists() and not (tmp_path / "d").exists()


def test_scaffolded_package_validates_and_tests(pkg):
    manifest = (pkg / "axiom.yaml").read_text()
    assert manifest == ("name: my-org/greeter\nversion: 0.1.0\nlanguage: python\ndescription: Greets people\n"
                        "nodes:\n  - name: Greet\n    input: GreetRequest\n    output: GreetReply\n")
    assert "def greet(ax: AxiomContext, input: GreetRequest) -> GreetReply:" in (pkg / "nodes/greet.py").read_text()
    assert "class _TestContext(AxiomContext):" in (pkg / "nodes/greet_test.py").read_text()
    r = axiom(pkg, "validate")
    assert r.returncode == 0
    assert r.stdout == ("Validating my-org/greeter@0.1.0\n  ✓ axiom.yaml schema\n  ✓ Proto definitions\n"
                        "  ✓ Node signatures\n  ✓ Node tests\n  ✓ Language files\n✓ package is valid\n")
    r = axiom(pkg, "test")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 passed" in r.stdout


def test_real_implementation_and_test_pass_and_failures_mirror_pytest(pkg):
    (pkg / "nodes/greet.py").write_text(GREET_IMPL)
    test = pkg / "nodes/greet_test.py"
    test.write_text(test.read_text() + (
        "\n\ndef test_greet_says_hello():\n"
        '    assert greet(_TestContext(), GreetRequest(name="Ada")).greeting == "Hello, Ada!"\n'
        "\n\ndef test_greet_fails_on_purpose():\n"
        '    assert greet(_TestContext(), GreetRequest(name="Ada")).greeting == "Bye"\n'))
    r = axiom(pkg, "test", "--", "-k", "says_hello")
    assert r.returncode == 0, r.stdout
    assert "1 passed, 2 deselected" in r.stdout
    r = axiom(pkg, "test")
    assert r.returncode == 1
    assert "1 failed, 2 passed" in r.stdout


def test_validate_json(pkg):
    (pkg / "nodes/greet_test.py").unlink()
    r = axiom(pkg, "validate", "--json")
    assert r.returncode == 0
    data = json.loads(r.stdout)
    assert data["ok"] is True and data["package"] == "my-org/greeter@0.1.0"
    assert data["layers"][3] == {"name": "Node tests", "ok": True}
    assert data["diagnostics"] == [{
        "code": "missing_tests", "severity": "warning",
        "message": 'node "Greet" has no test file (nodes/greet_test.py); a node with zero tests passes silently',
        "location": {"file": "nodes/greet_test.py"}}]


def test_broken_proto_reports_protocs_text(pkg):
    proto = pkg / "messages/messages.proto"
    proto.write_text(proto.read_text().replace("string name = 1;", "string name = 1"))
    r = axiom(pkg, "generate")
    assert (r.returncode, r.stderr) == (1, 'error: messages/messages.proto:7:1: Expected ";".\n')
    r = axiom(pkg, "validate")
    assert r.returncode == 1
    assert "  ✗ Proto definitions\n      error: messages/messages.proto:7:1: Expected \";\".\n" in r.stdout
    assert r.stdout.endswith("✗ validation failed: 1 error, 0 warnings\n")
    r = axiom(pkg, "validate", "--json")  # protoc's words; the place once, relative to the package
    assert json.loads(r.stdout)["diagnostics"] == [{"code": "proto_error", "severity": "error", "message": 'Expected ";".',
                                                   "location": {"file": "messages/messages.proto", "line": 7, "column": 1}}]
    r = axiom(pkg, "test")
    assert r.returncode == 1 and "passed" not in r.stdout


def test_generate_with_one_good_and_one_broken_proto_leaves_gen_as_it_was(pkg):
    """generate is atomic across proto units: the good local unit's output never lands alone."""
    assert axiom(pkg, "generate").returncode == 0
    (pkg / "axiom.yaml").write_text((pkg / "axiom.yaml").read_text() + (
        "imports:\n  - package: other/ops\n    version: 1.0.0\n    messages: [Ops]\n"))
    imported = pkg / "imports" / "other-ops" / "1.0.0"
    imported.mkdir(parents=True)
    (imported / "ops.proto").write_text('syntax = "proto3";\npackage other.ops;\nmessage Ops {\n  string = 1;\n}\n')
    proto = pkg / "messages/messages.proto"
    proto.write_text(proto.read_text() + "\nmessage Extra { int32 n = 1; }\n")
    before = {p.relative_to(pkg).as_posix(): p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()}
    r = axiom(pkg, "generate")
    assert (r.returncode, r.stderr) == (1, "error: imports/other-ops/1.0.0/ops.proto:4:10: Expected field name.\n")
    after = {p.relative_to(pkg).as_posix(): p.read_bytes() for p in sorted(pkg.rglob("*")) if p.is_file()}
    assert after == before
    assert sorted(p.name for p in pkg.iterdir() if p.name.startswith(".gen")) == []


def test_proto_problems_say_their_place_once(pkg):
    """The location names the file; the message does not repeat it."""
    (pkg / "axiom.yaml").write_text((pkg / "axiom.yaml").read_text() + (
        "imports:\n  - package: other/ops\n    version: 1.0.0\n    messages: [Ops]\n"))
    imported = pkg / "imports" / "other-ops" / "1.0.0"
    imported.mkdir(parents=True)
    (imported / "messages.proto").write_text('syntax = "proto3";\npackage other.ops;\nmessage Ops { string a = 1; }\n')
    r = axiom(pkg, "validate", "--json")
    assert [d for d in json.loads(r.stdout)["diagnostics"] if d["severity"] == "error"] == [
        {"code": "proto_error", "severity": "error", "location": {"file": "imports/other-ops/1.0.0/messages.proto"},
         "message": 'imported package "other/ops@1.0.0": clashes with the file of the same name from local messages/'}]
    shutil.rmtree(imported.parent)
    shutil.rmtree(pkg / "messages")
    r = axiom(pkg, "generate")
    assert (r.returncode, r.stderr) == (1, "messages: error: directory not found\n")


def test_create_message_without_fields_adds_hints_and_placeholders(pkg):
    r = axiom(pkg, "create", "message", "OrderRequest", "--no-generate")
    assert r.returncode == 0
    text = (pkg / "messages/messages.proto").read_text()
    assert "// HINTS" in text
    assert text.endswith("\n\n// OrderRequest — describe what this message carries.\nmessage OrderRequest {\n"
                         "  // An example string field — replace or remove.\n  string id = 1;\n"
                         "  // An example number field — replace or remove.\n  int32 count = 2;\n}\n")
    r = axiom(pkg, "create", "message", "OrderRequest")
    line = text.splitlines().index("message OrderRequest {") + 1  # the place is said once: by the location
    assert (r.returncode, r.stderr) == (1, f'messages/messages.proto:{line}: error: message "OrderRequest" already exists\n')
    r = axiom(pkg, "create", "message", "order_request")
    assert r.stderr == ('error: message name "order_request" must be PascalCase: the first character must be '
                        "uppercase, and only letters and digits are allowed\n")


def test_create_node_refusals(pkg):
    r = axiom(pkg, "create", "node", "Greet", "--input", "GreetRequest", "--output", "GreetReply")
    assert r.returncode == 1
    assert r.stderr.startswith("axiom.yaml:") and r.stderr.endswith(': error: node "Greet" already exists\n')
    r = axiom(pkg, "create", "node", "Other")
    assert r.stderr == ("error: --input and --output are required when stdin is not a terminal "
                        "(e.g. axiom-ide create node Other --input InMessage --output OutMessage)\n")
    r = axiom(pkg, "create", "node", "Other", "--input", "Nope", "--output", "GreetReply")
    assert r.stderr == ('error: input message "Nope" not found: define it in messages/messages.proto '
                        "(axiom-ide create message Nope) or import it from another package\n")
    r = axiom(pkg, "create", "node", "Other", "--input", "GreetRequest", "--output", "GreetReply", "--type", "batch")
    assert r.stderr == 'error: invalid --type "batch": must be unary or pipeline\n'
    assert not (pkg / "nodes/other.py").exists()


def test_pipeline_node_scaffold_passes_its_generated_test(pkg):
    r = axiom(pkg, "create", "node", "StreamGreetings", "--input", "GreetRequest", "--output", "GreetReply",
              "--type", "pipeline", "--description", "Streams greetings.")
    assert r.returncode == 0, r.stderr
    assert ("  - name: StreamGreetings\n    description: Streams greetings.\n    input: GreetRequest\n"
            "    output: GreetReply\n    type: pipeline\n") in (pkg / "axiom.yaml").read_text()
    src = (pkg / "nodes/stream_greetings.py").read_text()
    assert "def stream_greetings(ax: AxiomContext, inputs: Iterator[GreetRequest]) -> Iterator[GreetReply]:" in src
    r = axiom(pkg, "test", "--", "-q")
    assert r.returncode == 0, r.stdout
    assert "2 passed" in r.stdout


def test_remove_node(pkg):
    r = axiom(pkg, "remove", "node", "Greet")
    assert (r.returncode, r.stderr) == (
        1, "error: refusing to remove node Greet without confirmation: stdin is not a terminal; pass --force\n")
    assert (pkg / "nodes/greet.py").exists()
    (pkg / "nodes/greet_test.py").unlink()
    r = axiom(pkg, "remove", "node", "Greet", "--force")
    assert r.returncode == 0
    assert r.stderr == "warning: nodes/greet_test.py not found; continuing\n"
    assert r.stdout == "Removed nodes/greet.py\nRemoved node Greet from axiom.yaml\n"
    assert not (pkg / "nodes/greet.py").exists()
    assert "nodes" not in (pkg / "axiom.yaml").read_text()
    r = axiom(pkg, "remove", "node", "Greet", "--force")
    assert (r.returncode, r.stderr) == (1, 'error: node "Greet" not found in axiom.yaml\n')


def test_outside_a_package_is_a_clear_error(tmp_path):
    for verb in (["validate"], ["generate"], ["create", "message", "A"], ["test"]):
        r = axiom(tmp_path, *verb)
        assert (r.returncode, r.stderr) == (
            1, "error: axiom.yaml not found — run this command from an Axiom package directory\n")


def test_malformed_manifest_points_at_line_and_column(pkg):
    (pkg / "axiom.yaml").write_text("name: my-org/greeter\nversion: [0.1.0\n")
    r = axiom(pkg, "generate")
    assert r.returncode == 1
    assert r.stderr.startswith("axiom.yaml:3:1: error: axiom.yaml is not valid YAML: ")  # relative to the package


@pytest.mark.parametrize("name, passed", [("text", "13 passed"), ("math", "6 passed")])
def test_example_packages_pass_validate_and_test(example_workspace, name, passed):
    root = example_workspace / "packages" / name
    r = axiom(root, "test")
    assert r.returncode == 0, r.stdout + r.stderr
    assert passed in r.stdout


def _run_on_tty(cwd: Path, args: list[str], answers: str) -> tuple[int, str]:
    """Run with stdin on a pseudo-terminal (so the verb may prompt) and feed it ``answers``."""
    import os
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "axiom_ide", *args], cwd=cwd, stdin=slave,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    os.close(slave)
    os.write(master, answers.encode())
    out, _ = proc.communicate(timeout=120)
    os.close(master)
    return proc.returncode, out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_create_node_prompts_with_a_numbered_list_on_a_terminal(pkg):
    code, out = _run_on_tty(pkg, ["create", "node", "Reply", "--no-generate"], "2\n1\npipeline\n")
    assert code == 0, out
    assert "Available messages for input:\n  1. GreetRequest\n  2. GreetReply\n" in out
    assert "  - name: Reply\n    input: GreetReply\n    output: GreetRequest\n    type: pipeline\n" in (
        pkg / "axiom.yaml").read_text()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_remove_node_asks_for_confirmation_on_a_terminal(pkg):
    code, out = _run_on_tty(pkg, ["remove", "node", "Greet"], "n\n")
    assert code == 1 and "Aborted; nothing was removed." in out
    assert (pkg / "nodes/greet.py").exists()
    code, out = _run_on_tty(pkg, ["remove", "node", "Greet"], "y\n")
    assert code == 0 and "Removed node Greet from axiom.yaml" in out
    assert not (pkg / "nodes/greet.py").exists()


def test_init_no_agent_guide_and_install_into_a_project_local_venv(tmp_path):
    r = axiom(tmp_path, "init", "a/quiet", "--no-agent-guide")
    assert r.returncode == 0 and "CLAUDE.md" not in r.stdout
    assert not (tmp_path / "quiet" / "CLAUDE.md").exists()

    r = axiom(tmp_path, "init", "a/go-pkg", "--language", "go", "--install")
    assert (r.returncode, r.stderr) == (
        1, "error: --install: axiom-ide installs dependencies for python packages only, not go\n")
    assert not (tmp_path / "go-pkg").exists()  # refused before anything was written

    r = axiom(tmp_path, "init", "a/installed", "--install")
    assert r.returncode == 0, r.stderr
    root = tmp_path / "installed"
    venv_python = root / ".venv" / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    assert venv_python.is_file()
    assert "Installed: installed/.venv/ (requirements.txt is empty: nothing to install)" in r.stdout
    # The venv is the package's own: its prefix is inside the package, not the system's.
    prefix = subprocess.run([str(venv_python), "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True,
                            check=True)
    assert Path(prefix.stdout.strip()).resolve() == (root / ".venv").resolve()
    assert ".venv/" in (root / ".gitignore").read_text().splitlines()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_create_node_at_end_of_input_says_aborted(pkg):
    before = (pkg / "axiom.yaml").read_text()
    code, out = _run_on_tty(pkg, ["create", "node", "Reply", "--no-generate"], "\x04")
    assert code == 1, out
    assert "aborted: end of input; nothing was created" in out and "Traceback" not in out
    assert (pkg / "axiom.yaml").read_text() == before and not (pkg / "nodes" / "reply.py").exists()
    code, out = _run_on_tty(pkg, ["remove", "node", "Greet"], "\x04")
    assert code == 1 and "Aborted; nothing was removed." in out and "Traceback" not in out
