"""``axiom-ide login | whoami | version`` and ``flow compile|run --remote``, run as real processes
against a real ``axiom-ide serve`` on 127.0.0.1; the credentials go to a temp config dir."""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import hitl_support
import live_server as server_live
import pytest
import server_support

from axiom_ide import __version__

ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")
NOT_LOGGED_IN = 'Not logged in. Run "axiom-ide login" to authenticate.\n'


live = server_live.live_fixture("remote-cli", setup=server_support.test_flows)


@pytest.fixture
def cli(live, tmp_path):
    """``cli(*argv, stdin=None, key=None)``: axiom-ide in a subprocess, its config dir in tmp_path."""
    config = tmp_path / "config"

    def run(*argv: str, stdin: str | None = None, key: str | None = None, **env: str):
        environ = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_API")}
        environ.update(AXIOM_IDE_CONFIG_DIR=str(config), AXIOM_API_URL=live.origin, **env)
        if key is not None:
            environ["AXIOM_API_KEY"] = key
        return subprocess.run([sys.executable, "-m", "axiom_ide", *argv], input=stdin or "", capture_output=True,
                              text=True, env=environ, timeout=120)

    run.config = config
    return run


def _flow(live, name: str) -> str:
    return str(live.workspace / "flows" / f"{name}.flow.yaml")


def test_version(cli):
    done = cli("version")
    assert (done.returncode, done.stdout) == (0, f"axiom-ide version {__version__}\n")


def test_whoami_before_login_says_so(cli):
    done = cli("whoami")
    assert (done.returncode, done.stdout, done.stderr) == (1, "", NOT_LOGGED_IN)


def test_login_reads_the_key_from_stdin_and_stores_it_owner_only(live, cli):
    done = cli("login", stdin=live.key + "\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "✓ Logged in as test (tenant: local)\n"
    path = cli.config / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == {"api_url": live.origin, "ingress_url": live.origin, "key": live.key}
    assert live.key not in done.stdout + done.stderr
    who = cli("whoami")
    assert (who.returncode, who.stdout, who.stderr) == (0, "Email: -\nTenant: local\n", "")


def test_login_in_ci_takes_axiom_api_key(live, cli):
    assert cli("login", key=live.other_key).returncode == 0
    assert json.loads((cli.config / "credentials.json").read_text())["key"] == live.other_key
    assert cli("whoami").stdout == "Email: -\nTenant: acme\n"


def test_whoami_json_is_the_routes_object_for_each_tenant(live, cli):
    assert cli("login", stdin=live.key).returncode == 0
    mine = cli("whoami", "--json")
    assert mine.returncode == 0, mine.stderr
    who = json.loads(mine.stdout)
    assert {k: who[k] for k in ("email", "tenant", "key", "masked")} == {
        "email": None, "tenant": "local", "key": "test", "masked": f"{live.key[:8]}…{live.key[-4:]}"}
    theirs = json.loads(cli("whoami", "--json", key=live.other_key).stdout)
    assert (theirs["tenant"], theirs["key"]) == ("acme", "other")
    assert live.key not in mine.stdout and live.other_key not in json.dumps(theirs)


def test_a_refused_key_is_not_stored(live, cli):
    done = cli("login", stdin="0" * 64)
    assert done.returncode == 1
    assert done.stderr == (f"error: unauthorized: {live.origin} refused the API key (missing, invalid or revoked); "
                           'run "axiom-ide login" with a valid key\n')
    assert not (cli.config / "credentials.json").exists()
    bad = cli("login", stdin="not-a-key")
    assert bad.returncode == 1
    assert bad.stderr == "error: an API key is 64 lowercase hex characters; this one has 9 characters\n"
    empty = cli("login")
    assert empty.returncode == 1 and empty.stderr.startswith("error: no API key given: ")


def test_whoami_with_a_revoked_key_is_the_401(live, cli):
    assert cli("login", stdin=live.key).returncode == 0
    done = cli("whoami", key="f" * 64)  # AXIOM_API_KEY wins over the stored key
    assert done.returncode == 1 and done.stderr.startswith("error: unauthorized: ")
    with live.client() as c:
        new = c.post("/api/keys", json={"name": "cli-revoked"}).json()["key"]
        assert cli("login", stdin=new).stdout == "✓ Logged in as cli-revoked (tenant: local)\n"
        assert cli("whoami").stdout == "Email: -\nTenant: local\n"
        assert c.delete("/api/keys/cli-revoked").status_code == 204
    done = cli("whoami")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"error: unauthorized: {live.origin} refused the API key (missing, invalid or revoked); "
                           'run "axiom-ide login" with a valid key\n')


def test_flow_compile_remote_prints_the_artifact_id_and_json(live, cli):
    assert cli("login", stdin=live.key).returncode == 0
    done = cli("flow", "compile", _flow(live, "hello"), "--remote")
    assert done.returncode == 0, done.stderr
    assert ULID.fullmatch(done.stdout.strip())
    js = cli("flow", "compile", _flow(live, "words"), "--remote", "--json")
    body = json.loads(js.stdout)
    assert (body["ok"], body["flow"], body["mode"]) == (True, "words", "pipeline")
    assert ULID.fullmatch(body["graph_id"])


def test_flow_compile_remote_reports_the_files_line_and_column(live, cli, tmp_path):
    bad = tmp_path / "broken.flow.yaml"
    bad.write_text("name: broken\nmode: unary\nnodes:\n  - id: a\n    node: nobody/nothing@1.0.0:Missing\nedges: []\n")
    done = cli("flow", "compile", str(bad), "--remote", key=live.key)
    assert done.returncode == 1
    assert re.match(rf"{re.escape(str(bad))}:\d+:\d+: error: .*nobody/nothing", done.stderr), done.stderr


def test_flow_run_remote_unary_pipeline_and_failure(live, cli):
    assert cli("login", stdin=live.key).returncode == 0
    graph_id = cli("flow", "compile", _flow(live, "hello"), "--remote").stdout.strip()
    done = cli("flow", "run", graph_id, "-d", '{"name": "Ada"}', "--remote")
    assert (done.returncode, json.loads(done.stdout)) == (0, {"greeting": "Hello, Ada!"}), done.stderr
    js = cli("flow", "run", graph_id, "-d", '{"name": "Ada"}', "--remote", "--json")
    body = json.loads(js.stdout)
    assert body["accepted"] is True and re.fullmatch(r"[0-9a-f]{32}", body["execution_id"])
    assert body["result"]["success"] is True and body["result"]["output"] == {"greeting": "Hello, Ada!"}
    by_name = cli("flow", "run", "hello", "-d", '{"name": "Bo"}', "--remote")
    assert json.loads(by_name.stdout) == {"greeting": "Hello, Bo!"}

    frames = cli("flow", "run", _flow(live, "words"), "-d", '{"text": "a b"}', "--remote")
    assert frames.returncode == 0, frames.stderr
    assert [json.loads(x) for x in frames.stdout.splitlines()] == [{"word": "A", "index": 0}, {"word": "B", "index": 1}]

    boom = cli("flow", "run", _flow(live, "faults-boom"), "-d", '{"text": "x"}', "--remote")
    assert boom.returncode == 1 and boom.stdout == ""
    assert boom.stderr.startswith('error: node "n1"') and "boom" in boom.stderr.lower()


def test_flow_run_remote_without_login_or_with_a_bad_target(live, cli):
    done = cli("flow", "run", "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD", "--remote", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout) == {"accepted": False, "error_message": NOT_LOGGED_IN.strip()}
    missing = cli("flow", "run", "nothing-here", "--remote", key=live.key)
    assert missing.returncode == 1
    assert missing.stderr == (f'error: {live.origin} has no compiled artifact or flow named "nothing-here"; '
                              "pass a graph_id, a compiled flow's name, or a .flow.yaml file\n")


def test_search_packages_nodes_and_messages(live, cli):
    listed = cli("search", key=live.key)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["NAME", "VERSION", "LANGUAGE", "NODES", "AUTHOR"]
    assert "examples/text  0.1.0    python    7      Axiom IDE" in lines  # the manifest's author
    assert [line.split()[0] for line in cli("search", "math", key=live.key).stdout.splitlines()] == [
        "NAME", "examples/math"]
    nodes = cli("search", "--type", "nodes", "GREET", key=live.key)
    assert nodes.stdout.splitlines()[1:] == ["Greet  examples/text  0.1.0    GreetRequest → GreetReply"]
    messages = json.loads(cli("search", "-t", "messages", "Number", "--json", key=live.key).stdout)
    assert messages == {"messages": [{"name": "Number", "package": "examples/math", "version": "0.1.0"}]}
    none = cli("search", "zzz-nothing", key=live.key)
    assert (none.returncode, none.stdout) == (0, 'no packages match "zzz-nothing"\n')
    assert cli("search", "--type", "flows", key=live.key).returncode == 2  # argparse names the choices


def test_info_shows_nodes_messages_and_a_live_spec(live, cli):
    import httpx

    done = cli("info", "examples/text", key=live.key)
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert out[0] == "examples/text@0.1.0"
    assert f"Endpoint: {live.origin}/invocations/v1/nodes/examples/text/0.1.0/{{node}}" in out
    assert "  Greet: GreetRequest → GreetReply" in out and "  WordStream: Text → Word (pipeline)" in out
    assert out[out.index("Messages:") + 1:] == ["  GreetReply", "  GreetRequest", "  ScoreRequest", "  ScoreResult",
                                               "  Text", "  TextPair", "  Word"]
    detail = json.loads(cli("info", "examples/math@0.1.0", "--json", key=live.key).stdout)
    assert (detail["name"], detail["version"], [n["name"] for n in detail["nodes"]]) == (
        "examples/math", "0.1.0", ["Add", "Multiply", "Increment"])
    spec = httpx.get(detail["openapi_url"], timeout=30)  # public: no key
    assert spec.status_code == 200 and spec.json()["info"]["version"] == "0.1.0"
    missing = cli("info", "examples/text@9.9.9", key=live.key)
    assert (missing.returncode, missing.stderr) == (
        1, f'error: package "examples/text@9.9.9" not found on {live.origin}\n')


def test_flow_pull_writes_an_editable_flow_that_compiles_to_the_same_graph(live, cli, tmp_path):
    from axiom_ide.runtime.model.flow_yaml import load_flow

    assert cli("login", stdin=live.key).returncode == 0
    graph_id = cli("flow", "compile", _flow(live, "branching"), "--remote").stdout.strip()
    out = tmp_path / "pulled.flow.yaml"
    done = cli("flow", "pull", graph_id, "-o", str(out))
    assert (done.returncode, done.stdout) == (0, f"wrote {out} (flow branching, from {graph_id})\n"), done.stderr
    assert load_flow(out).flow == load_flow(_flow(live, "branching")).flow
    again = cli("flow", "compile", str(out), "--remote").stdout.strip()
    assert ULID.fullmatch(again) and again != graph_id
    with live.client() as client:
        first, second = (client.get(f"/api/graphs/{g}").json() for g in (graph_id, again))
    assert first["nodes"] == second["nodes"] and first["source"] == second["source"]
    refused = cli("flow", "pull", graph_id, "-o", str(out))  # never overwrites
    assert (refused.returncode, refused.stderr) == (
        1, f"{out}: error: {out} already exists; not overwriting it (choose another with -o)\n")
    unknown = cli("flow", "pull", "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD", "-o", str(tmp_path / "x.yaml"))
    assert unknown.returncode == 1 and not (tmp_path / "x.yaml").exists()
    assert unknown.stderr == (f'error: {live.origin} has no compiled flow "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD" '
                              "for this key's tenant\n")


def test_flow_run_remote_of_a_flow_that_pauses_for_approval_returns_at_the_pause(live, cli):
    hitl_support.approval_flow(live.workspace)
    assert cli("login", stdin=live.key).returncode == 0
    done = cli("flow", "run", _flow(live, "gated"), "-d", '{"text": "a"}', "--remote", "--timeout", "600")
    assert done.returncode == 3 and done.stdout == "", done.stderr
    eid = re.match(r"execution ([0-9a-f]{32}) is paused for approval; answer it with: POST "
                   r"/invocations/v1/executions/\1/resume \{\"action\": \"approve\"\} \(or \"reject\"\)\n\Z", done.stderr)
    assert eid, done.stderr
    js = cli("flow", "run", _flow(live, "gated"), "-d", '{"text": "b"}', "--remote", "--json")
    body = json.loads(js.stdout)
    assert js.returncode == 3 and body == {"accepted": True, "execution_id": body["execution_id"],
                                           "status": "Paused (HITL)"}
