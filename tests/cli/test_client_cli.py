"""``axiom-ide client`` end to end (in-process main over a copy of the example workspace): bad input
is a precise message with nothing saved, a missing toolchain fails only its own language, versions
are immutable snapshots, ``add-lang`` builds from the frozen snapshot."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from axiom_ide.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"
GREET = "examples/text@0.1.0:Greet"


@pytest.fixture
def cli(tmp_path, capsys):
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLES, ws, ignore=shutil.ignore_patterns("gen", "__pycache__"))
    loc = ["--data-dir", str(tmp_path / "d"), "--workspace", str(ws)]

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["client", *argv, *loc])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def _members(cli) -> list[dict]:
    code, out, _ = cli("show", "billing", "--json")
    assert code == 0
    return json.loads(out)["members"]


def test_empty_and_duplicate_names_are_refused(cli):
    assert cli("new", "  ")[2] == "error: a client name is required\n"
    assert cli("new", "billing")[0] == 0
    assert cli("new", "billing")[2] == 'error: a client named "billing" already exists\n'
    _code, out, _ = cli("ls", "--json")
    assert [c["name"] for c in json.loads(out)] == ["billing"]


def test_alias_clash_and_unknown_members_save_nothing(cli):
    cli("new", "billing")
    assert cli("add", "billing", "--node", GREET)[0] == 0
    code, _, err = cli("add", "billing", "--flow", "hello", "--alias", "greet")
    assert code == 1
    assert err == ('error: alias "greet" of flow "hello" is already used by node "examples/text@0.1.0:Greet"; '
                   "aliases must be unique within the client\n")
    code, _, err = cli("add", "billing", "--flow", "hello", "--alias", "Greet")
    assert 'alias "Greet" of flow "hello" makes the same method as "greet"' in err
    assert cli("add", "billing", "--node", "examples/text@0.1.0:Nope")[2].endswith(
        'error: node "Nope" not found in package examples/text@0.1.0 (nodes: Greet, Upper, Echo, Concat, Score, '
        "WordStream, WordUpper)\n")
    assert cli("add", "billing", "--flow", "nope")[2] == (
        'error: flow "nope" not found: no flows/nope.flow.yaml in the workspace and no compiled flow of that name\n')
    assert cli("add", "billing", "--node", GREET, "--alias", "again")[2] == (
        'error: node "examples/text@0.1.0:Greet" is already in the client\n')
    assert cli("add", "nobody", "--node", GREET)[2] == 'error: no client named "nobody"\n'
    assert [m["alias"] for m in _members(cli)] == ["greet"]
    assert cli("rm", "billing", "ghost")[2] == "error: client \"billing\" has no member aliased 'ghost'\n"


def test_a_missing_toolchain_fails_its_language_and_python_still_builds(cli, tmp_path, monkeypatch):
    cli("new", "billing")
    cli("add", "billing", "--package", "examples/math@0.1.0")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, out, _ = cli("build", "billing", "--lang", "python,go,csharp", "--json")
    assert code == 1
    builds = {b["language"]: (b["status"], b["error"]) for b in json.loads(out)["builds"]}
    assert builds == {"python": ("succeeded", None), "go": ("failed", "go not found on PATH"),
                      "csharp": ("failed", "dotnet not found on PATH")}
    assert cli("download", "billing", "1", "go", "--out", str(tmp_path))[2] == (
        'error: the go build of "billing" version 1 is failed: go not found on PATH\n')
    assert cli("download", "billing", "1", "python", "--out", str(tmp_path))[0] == 0
    with zipfile.ZipFile(tmp_path / "billing-sdk-py.zip") as z:
        assert {"billing-sdk-py/README.md", "billing-sdk-py/manifest.json"} <= set(z.namelist())


def test_a_version_is_frozen_and_add_lang_builds_from_its_snapshot(cli, tmp_path):
    cli("new", "billing")
    cli("add", "billing", "--node", GREET)
    assert cli("build", "billing", "--lang", "python")[0] == 0
    cli("add", "billing", "--flow", "hello")
    cli("rm", "billing", "greet")
    assert cli("add-lang", "billing", "1", "typescript")[0] == 0
    assert cli("add-lang", "billing", "1", "ts")[2] == 'error: version 1 of "billing" already has typescript (succeeded)\n'
    _code, out, _ = cli("versions", "billing", "--json")
    (v1,) = json.loads(out)
    assert [m["alias"] for m in v1["members"]] == ["greet"]
    assert [(b["language"], b["status"]) for b in v1["builds"]] == [("python", "succeeded"), ("typescript", "succeeded")]
    assert cli("download", "billing", "1", "ts", "--out", str(tmp_path))[0] == 0
    with zipfile.ZipFile(tmp_path / "billing-sdk-ts.zip") as z:
        manifest = json.loads(z.read("billing-sdk-ts/manifest.json"))
    assert [m["alias"] for m in manifest["members"]] == ["greet"]
    assert cli("build", "billing", "--lang", "python")[0] == 0
    _code, out, _ = cli("versions", "billing", "--json")
    assert [(v["version"], [m["alias"] for m in v["members"]]) for v in json.loads(out)] == [(2, ["hello"]), (1, ["greet"])]
    assert cli("build", "billing", "--lang", "cobol")[2] == (
        'error: unknown language "cobol" (choose from python, go, typescript, java, csharp, rust)\n')


@pytest.mark.requires_tool("javac", why="apt-get install default-jdk-headless")
@pytest.mark.requires_tool("rustfmt", why="apt-get install rustfmt")
def test_java_compiles_with_javac_and_rust_parses_with_rustfmt(cli, tmp_path):
    cli("new", "billing")
    cli("add", "billing", "--package", "examples/text@0.1.0")
    cli("add", "billing", "--flow", "hello", "--alias", "hello_flow")
    code, out, _ = cli("build", "billing", "--lang", "java,rust", "--json")
    assert [(b["language"], b["status"], b["error"]) for b in json.loads(out)["builds"]] == [
        ("java", "succeeded", None), ("rust", "succeeded", None)]
    assert code == 0
    assert cli("download", "billing", "1", "java", "--out", str(tmp_path))[0] == 0
    with zipfile.ZipFile(tmp_path / "billing-sdk-java.zip") as z:
        client = z.read("billing-sdk-java/src/main/java/ai/axiom/sdk/billing/Client.java").decode()
    assert "public GreetReply helloFlow(GreetRequest request)" in client
    assert "public List<Word> wordStream(Text request)" in client


@pytest.mark.requires_tool("mcs", why="apt-get install mono-mcs")
def test_without_dotnet_the_csharp_sdk_is_syntax_checked_by_mono(cli, tmp_path, monkeypatch):
    import shutil as sh

    mcs = sh.which("mcs")
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "mcs").symlink_to(mcs)  # mcs, and no dotnet, on PATH
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    if sh.which("dotnet"):
        pytest.skip("dotnet is on /usr/bin here: the .NET build runs instead")
    cli("new", "billing")
    cli("add", "billing", "--package", "examples/text@0.1.0")
    cli("add", "billing", "--flow", "hello", "--alias", "hello_flow")
    code, out, _ = cli("build", "billing", "--lang", "csharp", "--json")
    builds = {b["language"]: (b["status"], b["error"]) for b in json.loads(out)["builds"]}
    assert builds == {"csharp": ("succeeded", None)}, builds
    assert code == 0
