"""``axiom-ide search`` and ``info`` logged out (no credentials file, no AXIOM_API_KEY) against a real
``axiom-ide serve``: the marketplace needs no login (guides/import-package-types), so they answer
with the published packages (and the server's workspace, whose specs are public) in the same shapes
as logged in, most recently published first; ``import`` logged out says "Not logged
in". The CLI runs as a real process; CliBackend runs it the same way."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import live_server
import pytest
import registry_support

from axiom_ide.backends.cli_backend import CliBackend
from axiom_ide.runtime.errors import AxiomError

NOT_LOGGED_IN = 'Not logged in. Run "axiom-ide login" to authenticate.\n'
REPO = Path(__file__).resolve().parents[2]


def _environ(tmp_path: Path, origin: str) -> dict[str, str]:
    """No key anywhere: AXIOM_API_* dropped, an empty config dir."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_API")}
    environ.update(AXIOM_IDE_CONFIG_DIR=str(tmp_path / "config"), AXIOM_API_URL=origin, PYTHONPATH=str(REPO))
    return environ


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """tester/open@0.1.0 published, tester/open@0.2.0 pushed (private to tenant ``local``)."""
    root = tmp_path_factory.mktemp("public-cli")
    server = live_server.start_server(root)
    registry_support.published_and_pushed(server, root / "pkgs", "tester/open")
    yield server
    live_server.stop_server(server)


@pytest.fixture
def cli(live, tmp_path):
    """``cli(*argv, key=None, cwd=None)``: axiom-ide in a subprocess, logged out unless ``key``."""
    import subprocess

    def run(*argv: str, key: str | None = None, cwd: Path | None = None):
        environ = _environ(tmp_path, live.origin)
        if key:
            environ["AXIOM_API_KEY"] = key
        return subprocess.run([sys.executable, "-m", "axiom_ide", *argv], capture_output=True, text=True,
                              env=environ, timeout=300, cwd=str(cwd or tmp_path))
    return run


def test_search_works_logged_out_with_the_published_packages(live, cli, tmp_path):
    assert not (tmp_path / "config").exists()
    listed = cli("search")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["NAME           VERSION  LANGUAGE  NODES  AUTHOR",  # newest first
                                          "tester/open    0.1.0    python    3      Axiom IDE",
                                          "examples/math  0.1.0    python    3      Axiom IDE",  # the workspace
                                          "examples/text  0.1.0    python    7      Axiom IDE"]
    anonymous = json.loads(cli("search", "open", "--json").stdout)["packages"]
    mine = json.loads(cli("search", "open", "--json", key=live.key).stdout)["packages"]
    assert [p["version"] for p in anonymous] == ["0.1.0"]
    assert [p["version"] for p in mine] == ["0.1.0", "0.2.0"]  # logged in: the tenant's own push too
    assert anonymous[0] == mine[0]  # the same shape and values either way

    nodes = cli("search", "--type", "nodes", "increment")
    assert nodes.stdout.splitlines()[1:] == ["Increment  tester/open    0.1.0    Number → Number",
                                             "Increment  examples/math  0.1.0    Number → Number"]
    messages = json.loads(cli("search", "-t", "messages", "MathResult", "--json").stdout)
    assert messages == {"messages": [{"name": "MathResult", "package": "tester/open", "version": "0.1.0"},
                                     {"name": "MathResult", "package": "examples/math", "version": "0.1.0"}]}
    logged_in = json.loads(cli("search", "-t", "messages", "MathResult", "--json", key=live.key).stdout)
    assert [(m["package"], m["version"]) for m in logged_in["messages"]] == [  # + its push (published later)
        ("tester/open", "0.1.0"), ("tester/open", "0.2.0"), ("examples/math", "0.1.0")]
    none = cli("search", "zzz-nothing")
    assert (none.returncode, none.stdout) == (0, 'no packages match "zzz-nothing"\n')


def test_info_works_logged_out_for_published_versions_only(live, cli):
    done = cli("info", "tester/open")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[:4] == ["tester/open@0.1.0", "  Example arithmetic nodes — add, multiply and increment numbers.",
                       "Author:   Axiom IDE", "License:  MIT"]
    assert f"Endpoint: {live.origin}/invocations/v1/nodes/tester/open/0.1.0/{{node}}" in out
    assert f"OpenAPI:  {live.origin}/api/packages/tester/open@0.1.0/openapi.json" in out
    assert out[out.index("Nodes:") + 1:out.index("Messages:")] == [
        "  Add: AddInput → MathResult", "  Multiply: AddInput → MathResult", "  Increment: Number → Number"]
    assert out[out.index("Messages:") + 1:] == ["  AddInput", "  MathResult", "  Number"]

    anonymous = json.loads(cli("info", "tester/open@0.1.0", "--json").stdout)
    mine = json.loads(cli("info", "tester/open@0.1.0", "--json", key=live.key).stdout)
    assert anonymous == mine
    # the most recently published version: 0.1.0 was published after 0.2.0 was pushed
    assert json.loads(cli("info", "tester/open", "--json", key=live.key).stdout)["version"] == "0.1.0"

    private = cli("info", "tester/open@0.2.0")  # a push is its tenant's: not described logged out
    assert (private.returncode, private.stdout) == (1, "")
    assert private.stderr == (f'error: package "tester/open@0.2.0" not found on {live.origin} (not logged in: only '
                              'published packages are listed; "axiom-ide login" shows your own pushes too)\n')


def test_import_logged_out_says_not_logged_in_and_writes_nothing(cli, tmp_path):
    consumer = registry_support.package_repo(tmp_path, "tester/consumer", push=False)
    before = (consumer / "axiom.yaml").read_text()
    done = cli("import", "tester/open@0.1.0", cwd=consumer)
    assert (done.returncode, done.stdout, done.stderr) == (1, "", NOT_LOGGED_IN)
    assert (consumer / "axiom.yaml").read_text() == before and not (consumer / "imports").exists()


def test_cli_backend_search_and_info_logged_out(live, aio, tmp_path):
    backend = CliBackend((sys.executable, "-m", "axiom_ide"), remote={"api_url": live.origin},
                         env=_environ(tmp_path, live.origin), cwd=tmp_path, timeout=300)
    found = aio(backend.search("open"))
    assert [(p["name"], p["version"]) for p in found["packages"]] == [("tester/open", "0.1.0")]
    assert [(n["name"], n["package"]) for n in aio(backend.search("multipl", "nodes"))["nodes"]] == [
        ("Multiply", "tester/open"), ("Multiply", "examples/math")]
    info = aio(backend.info("tester/open"))
    assert (info["version"], info["messages"]) == ("0.1.0", ["AddInput", "MathResult", "Number"])
    with pytest.raises(AxiomError) as err:
        aio(backend.info("tester/open@0.2.0"))
    assert 'package "tester/open@0.2.0" not found' in err.value.message
    with pytest.raises(AxiomError) as err:
        aio(backend.import_package("tester/open", registry_support.package_repo(tmp_path, "tester/c2", push=False)))
    assert NOT_LOGGED_IN.strip() in err.value.message
