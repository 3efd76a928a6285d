"""CliBackend running the project's own CLI (``python -m axiom_ide``: the same verbs, flags and JSON
shapes as ``axiom``) as a real subprocess, against a real ``axiom-ide serve`` on 127.0.0.1; and
its precise messages for a missing CLI, a non-zero exit and output that is not JSON."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import live_server
import pytest

from axiom_ide.backends.cli_backend import CliBackend
from axiom_ide.runtime.errors import AxiomError

AXIOM_IDE = (sys.executable, "-m", "axiom_ide")


live = live_server.live_fixture("cli-remote")


@pytest.fixture
def cli(live, tmp_path, monkeypatch):
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(tmp_path / "config"))
    return CliBackend(AXIOM_IDE, remote={"api_url": live.origin, "key": live.key}, cwd=tmp_path, timeout=120)


def test_version_whoami_and_login(cli, live, aio, tmp_path):
    from axiom_ide import __version__

    assert aio(cli.version()) == f"axiom-ide version {__version__}"
    who = aio(cli.whoami())
    assert who["tenant"] == "local" and who["key"] == "test"
    assert aio(cli.login(live.key)) == "✓ Logged in as test (tenant: local)"
    stored = json.loads((tmp_path / "config" / "credentials.json").read_text())
    assert stored["api_url"] == live.origin and stored["key"] == live.key


def test_a_refused_key_is_the_clis_own_message(live, aio, tmp_path, monkeypatch):
    monkeypatch.setenv("AXIOM_IDE_CONFIG_DIR", str(tmp_path / "config"))
    cli = CliBackend(AXIOM_IDE, remote={"api_url": live.origin}, timeout=120)
    with pytest.raises(AxiomError) as err:
        aio(cli.login("0" * 64))
    assert err.value.diagnostics[0].code == "cli_failed"
    assert err.value.message.startswith(f'"{Path(sys.executable).name} -m axiom_ide login" exited with status 1: ')
    assert f"unauthorized: {live.origin} refused the API key" in err.value.message
    assert not (tmp_path / "config" / "credentials.json").exists()


def test_search_and_info(cli, aio):
    found = aio(cli.search())
    names = [p["name"] for p in found["packages"]]
    assert "examples/text" in names
    nodes = aio(cli.search("greet", "nodes"))["nodes"]
    assert any(n["package"] == "examples/text" for n in nodes)
    info = aio(cli.info("examples/text"))
    assert info["name"] == "examples/text" and info["endpoint"].endswith("/{node}")


def test_flow_compile_run_and_pull(cli, live, aio, tmp_path):
    hello = live.workspace / "flows" / "hello.flow.yaml"
    compiled = aio(cli.flow_compile(hello))
    assert len(compiled["graph_id"]) == 26 and compiled["flow"] == "hello"
    answer = aio(cli.flow_run(compiled["graph_id"], {"name": "Ada"}))
    assert answer["result"]["success"] is True and answer["result"]["output"] == {"greeting": "Hello, Ada!"}
    frames = aio(cli.flow_run(str(live.workspace / "flows" / "words.flow.yaml"), {"text": "a b"}))
    assert isinstance(frames, list) and frames[-1]["is_final"] is True
    pulled = aio(cli.flow_pull(compiled["graph_id"], tmp_path / "pulled.flow.yaml"))
    assert pulled.is_file() and "name: hello" in pulled.read_text()
    with pytest.raises(AxiomError) as err:  # pull never overwrites: the CLI's non-zero exit, in its words
        aio(cli.flow_pull(compiled["graph_id"], pulled))
    assert err.value.diagnostics[0].code == "cli_failed" and "already exists; not overwriting it" in err.value.message


def test_a_missing_cli_says_where_to_set_it(aio, tmp_path):
    cli = CliBackend(str(tmp_path / "no-such-axiom"))
    with pytest.raises(AxiomError) as err:
        aio(cli.whoami())
    assert err.value.diagnostics[0].code == "cli_not_found"
    assert err.value.message == (f'the axiom CLI "{tmp_path / "no-such-axiom"}" was not found; install it or set '
                                 "its path in Settings → Connections")


def test_output_that_is_not_json_is_named(aio):
    cli = CliBackend((sys.executable, "-c", "print('Email: you@example.com')"))
    with pytest.raises(AxiomError) as err:
        aio(cli.whoami())
    assert err.value.diagnostics[0].code == "cli_bad_output"
    assert err.value.message.endswith("did not print a JSON object: Email: you@example.com")


def test_push_streams_its_build_log_and_a_failed_publish_says_its_status(aio, tmp_path):
    script = ("import json, sys\n"
              "if '--json' in sys.argv:\n"
              "    print(json.dumps({'key': 'me/pkg@0.1.0', 'package_url': 'http://x/me/pkg'}))\n"
              "    sys.exit(0)\n"
              "print('1. Validate package', flush=True)\n"
              "print('2. Build image', file=sys.stderr, flush=True)\n"
              "print('✓ pushed me/pkg@0.1.0 (private to your tenant)', flush=True)\n")
    cli = CliBackend((sys.executable, "-c", script, "--"))
    lines: list[str] = []
    result = aio(cli.push(tmp_path, lines.append))
    assert sorted(lines) == sorted(["1. Validate package", "2. Build image", "✓ pushed me/pkg@0.1.0 (private to your tenant)"])
    assert result == {"key": "me/pkg@0.1.0",
                      "log": ["1. Validate package", "✓ pushed me/pkg@0.1.0 (private to your tenant)"]}
    assert aio(cli.push(tmp_path)) == {"key": "me/pkg@0.1.0", "package_url": "http://x/me/pkg"}
    with pytest.raises(AxiomError) as err:
        aio(CliBackend((sys.executable, "-c", "import sys; sys.exit(3)")).publish("me/pkg@0.1.0"))
    assert err.value.diagnostics[0].code == "cli_failed"
    assert err.value.message.endswith("exited with status 3 and printed nothing")


def test_a_failed_json_verb_is_said_in_its_own_words(aio, tmp_path):
    script = ("import json, sys\n"
              "print(json.dumps({'ok': False, 'errors': [{'message': 'axiom.yaml: version is required'}]}))\n"
              "sys.exit(1)\n")
    with pytest.raises(AxiomError) as err:
        aio(CliBackend((sys.executable, "-c", script)).push(tmp_path))
    assert err.value.diagnostics[0].code == "cli_failed"
    assert err.value.message.endswith("push --json\" exited with status 1: axiom.yaml: version is required")
