"""``axiom-ide push | publish | import | build`` and ``flow publish`` as real processes against a real
``axiom-ide serve`` on 127.0.0.1 ("the remote", its own data dir), from packages in real git
repositories whose ``origin`` is a local bare repository."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import live_server as server_live
import pytest
import registry_support

NOT_LOGGED_IN = 'Not logged in. Run "axiom-ide login" to authenticate.\n'
ALREADY = ("{key} is already published: making a version public is immutable — you cannot unpublish or overwrite "
           "it. Bump the version in axiom.yaml, push, then publish the new version")


live = server_live.live_fixture("registry-cli")


@pytest.fixture
def cli(live, tmp_path):
    """``cli(*argv, cwd=..., stdin=None, key=live.key, **env)``: axiom-ide in a subprocess."""

    def run(*argv: str, cwd: Path | None = None, stdin: str | None = None, key: str | None = "", **env: str):
        environ = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_API")}
        environ.update({"AXIOM_IDE_CONFIG_DIR": str(tmp_path / "config"), "AXIOM_API_URL": live.origin,
                        "PYTHONPATH": str(Path(__file__).resolve().parents[2]), **env})
        if key is not None:
            environ["AXIOM_API_KEY"] = key or live.key
        return subprocess.run([sys.executable, "-m", "axiom_ide", *argv], input=stdin or "", capture_output=True,
                              text=True, env=environ, timeout=600, cwd=str(cwd or tmp_path))
    return run


def _keys(live, key=None) -> list[str]:
    with live.client(key) as c:
        return [p["key"] for p in c.get("/api/registry/packages").json()["packages"]]


def test_push_refuses_a_dirty_tree_and_an_unpushed_head_and_sends_nothing(live, cli, tmp_path):
    repo = registry_support.package_repo(tmp_path, "tester/dirty")
    add = repo / "nodes" / "add.py"
    add.write_text(add.read_text() + "\n# changed\n")
    done = cli("push", cwd=repo)
    assert done.returncode == 1
    assert ("error: the package has uncommitted changes (nodes/add.py): axiom-ide push builds your package from "
            "your git remote's HEAD commit, not your working tree. Commit them and git push first") in done.stderr
    sha = registry_support.commit_all(repo)
    (repo / "gen").mkdir()
    (repo / "gen" / "stale_pb2.py").write_text("# generated\n")  # generated files never count as changes
    done = cli("push", cwd=repo)
    assert done.returncode == 1
    assert (f"error: HEAD {sha[:12]} is not pushed to origin ({tmp_path / 'tester-dirty-origin.git'}): axiom-ide push "
            "builds your package from your git remote's HEAD commit, not your working tree. Run git push first") \
        in done.stderr
    assert "tester/dirty@0.1.0" not in _keys(live)
    manifest = repo / "axiom.yaml"
    manifest.write_text(manifest.read_text().replace("output: MathResult", "output: Nope", 1))
    registry_support.commit_all(repo)
    registry_support.git(repo, "push", "-q", "origin", "main")
    done = cli("push", cwd=repo)  # local validation fails: nothing is sent
    assert done.returncode == 1 and "✗ validation failed: 1 error" in done.stdout and "Nope" in done.stdout
    assert "tester/dirty@0.1.0" not in _keys(live)
    assert cli("push", cwd=repo, key=None).stderr == NOT_LOGGED_IN


def test_push_invoke_publish_search_info_and_import(live, cli, tmp_path):
    repo = registry_support.package_repo(tmp_path, "tester/cli-calc")
    done = cli("push", cwd=repo)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "✓ tester/cli-calc@0.1.0 is valid (local checks)"
    assert lines[1].startswith(f"Pushing tester/cli-calc@0.1.0 from {tmp_path / 'tester-cli-calc-origin.git'} at ")
    assert "  Validating package" in lines and "  Deploying tester/cli-calc@0.1.0" in lines
    assert ("✓ pushed tester/cli-calc@0.1.0 (private to your tenant; publish it with: axiom-ide publish "
            "tester/cli-calc@0.1.0)") in lines
    assert f"  Add: POST {live.origin}/invocations/v1/nodes/tester/cli-calc/0.1.0/Add" in lines

    add = "/invocations/v1/nodes/tester/cli-calc/0.1.0/Add"
    with live.client() as mine, live.client(live.other_key) as theirs:
        assert mine.post(add, json={"a": 1.5, "b": 2}).json() == {"result": 3.5}
        assert theirs.post(add, json={"a": 1.5, "b": 2}).status_code == 404
    found = json.loads(cli("search", "cli-calc", "--json").stdout)["packages"]
    assert [p["name"] for p in found] == ["tester/cli-calc"]
    assert json.loads(cli("search", "cli-calc", "--json", key=live.other_key).stdout) == {"packages": []}
    assert cli("info", "tester/cli-calc").stdout.startswith("tester/cli-calc@0.1.0\n")

    assert cli("push", "--json", cwd=repo).returncode == 0  # the same version again: overwritten

    done = cli("import", "tester/cli-calc", cwd=repo, key=live.other_key)  # a private push: not theirs to import
    assert (done.returncode, done.stderr) == (1, f'error: package "tester/cli-calc" not found on {live.origin}\n')

    done = cli("publish", "tester/cli-calc@0.1.0", stdin="n\n")
    assert (done.returncode, done.stdout) == (1, (
        "Publishing tester/cli-calc@0.1.0 makes it publicly visible to every Axiom tenant. This cannot be undone — a "
        "published version is immutable: you cannot unpublish or overwrite it. Publish? [y/N] Aborted.\n"))
    done = cli("publish", "tester/cli-calc@0.1.0", "--yes")
    assert (done.returncode, done.stdout) == (0, (
        "✓ published tester/cli-calc@0.1.0\n  visibility: public — listed in the marketplace, importable by every "
        "tenant\n  this version is immutable; push a new version to iterate further\n"))
    done = cli("publish", "tester/cli-calc@0.1.0", "-y")
    assert done.returncode == 1
    assert done.stderr == "error: " + ALREADY.format(key="tester/cli-calc@0.1.0") + "\n"
    assert "tester/cli-calc@0.1.0" in _keys(live, live.other_key)

    # another tenant imports the now public message types into its own package
    consumer = registry_support.package_repo(tmp_path, "tester/consumer", push=False)
    proto = consumer / "messages" / "messages.proto"
    proto.write_text(proto.read_text().replace("AddInput", "SumInput").replace("MathResult", "SumResult")
                     .replace("message Number", "message Value"))
    manifest = consumer / "axiom.yaml"
    manifest.write_text(manifest.read_text().replace("AddInput", "SumInput").replace("MathResult", "SumResult")
                        .replace("Number", "Value"))
    done = cli("import", "tester/cli-calc", cwd=consumer, key=live.other_key)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("✓ imported tester/cli-calc@0.1.0 into imports/tester-cli-calc/0.1.0/: "
                                  "AddInput, MathResult, Number\n")
    assert (consumer / "imports" / "tester-cli-calc" / "0.1.0" / "add_input.proto").is_file()
    assert "  - package: tester/cli-calc\n    version: 0.1.0\n    messages:\n      - AddInput\n" in manifest.read_text()
    assert (consumer / "gen" / "tester_cli_calc_messages_pb2.py").is_file()
    again = cli("import", "tester/cli-calc@0.1.0", cwd=consumer, key=live.other_key)  # safe to re-run: one entry
    assert again.returncode == 0, again.stderr
    assert manifest.read_text().count("- package: tester/cli-calc") == 1
    assert cli("validate", cwd=consumer).returncode == 0

    # a package whose own messages collide: refused before anything is written
    clash = registry_support.package_repo(tmp_path, "tester/clash", push=False)
    before = (clash / "axiom.yaml").read_text()
    done = cli("import", "tester/cli-calc@0.1.0", cwd=clash)
    assert done.returncode == 1
    assert done.stderr == ('error: import collision: message AddInput exists in both your local messages/ and the '
                           'imported package "tester/cli-calc@0.1.0"; rename one of the two first\n')
    assert (clash / "axiom.yaml").read_text() == before and not (clash / "imports").exists()
    # generate fails (a broken local proto): axiom.yaml and imports/ are put back as they were
    broken = registry_support.package_repo(tmp_path, "tester/broken-proto", push=False)
    proto = broken / "messages" / "messages.proto"
    proto.write_text(proto.read_text().replace("AddInput", "SumInput").replace("MathResult", "SumResult")
                     .replace("message Number", "message Value") + "\nmessage Oops { int32 = 1; }\n")
    before = (broken / "axiom.yaml").read_text()
    done = cli("import", "tester/cli-calc@0.1.0", cwd=broken)
    assert done.returncode == 1 and done.stderr.startswith("error: messages/messages.proto:"), done.stderr
    assert done.stderr.count("messages.proto") == 1 and done.stderr.endswith(": Expected field name.\n"), done.stderr
    assert (broken / "axiom.yaml").read_text() == before
    assert not (broken / "imports").exists()
    done = cli("import", "tester/nothing", cwd=clash)
    assert (done.returncode, done.stderr) == (1, f'error: package "tester/nothing" not found on {live.origin}\n')


def test_a_package_failing_validation_on_the_server_shows_its_message(live, cli, tmp_path):
    repo = registry_support.package_repo(tmp_path, "tester/failing")
    test = repo / "nodes" / "add_test.py"
    test.write_text(test.read_text().replace("== 6.5", "== 7.5"))
    registry_support.commit_all(repo)
    registry_support.git(repo, "push", "-q", "origin", "main")
    done = cli("push", cwd=repo)
    assert done.returncode == 1
    assert "error: the package's tests failed:\n" in done.stderr and "1 failed" in done.stderr
    assert "tester/failing@0.1.0" not in _keys(live)


def test_flow_publish_confirms_then_is_immutable_and_pull_round_trips(live, cli, tmp_path):
    graph_id = live.compile("hello")
    done = cli("flow", "publish", graph_id, stdin="y\n")
    assert (done.returncode, done.stdout) == (0, (
        f"Publishing flow {graph_id} makes it publicly visible to every Axiom tenant. This cannot be undone — "
        f"published flows are immutable. Publish? [y/N] ✓ published flow {graph_id}\n"
        "  visibility: public — marketplace-visible, forkable, importable as a subflow\n"
        "  this version is immutable; compile a new flow to iterate further\n"))
    done = cli("flow", "publish", graph_id, "--yes", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout)["errors"][0]["message"].startswith(f"flow {graph_id} is already published")
    out = tmp_path / "pulled.flow.yaml"
    assert cli("flow", "pull", graph_id, "-o", str(out)).returncode == 0
    # published: another tenant can pull (fork) it too; an unpublished artifact stays private
    theirs = tmp_path / "theirs.flow.yaml"
    assert cli("flow", "pull", graph_id, "-o", str(theirs), key=live.other_key).returncode == 0
    assert theirs.read_text() == out.read_text()
    private = live.compile("square")
    done = cli("flow", "pull", private, "-o", str(tmp_path / "no.flow.yaml"), key=live.other_key)
    assert done.returncode == 1 and "has no compiled flow" in done.stderr
    again = json.loads(cli("flow", "compile", str(out), "--remote", "--json").stdout)
    with live.client() as c:
        first = c.get(f"/api/graphs/{graph_id}").json()
        second = c.get(f"/api/graphs/{again['graph_id']}").json()
    assert [n["node"] for n in second["nodes"]] == [n["node"] for n in first["nodes"]]
    fresh = cli("flow", "publish", again["graph_id"], "--yes", "--json")
    assert json.loads(fresh.stdout) == {"artifact_id": again["graph_id"], "visibility": "public"}


def test_unreachable_remote_and_revoked_key(live, cli, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    done = cli("publish", "tester/x@1.0.0", "--yes", AXIOM_API_URL=f"http://127.0.0.1:{port}")
    assert done.returncode == 1 and done.stderr.startswith(f"error: cannot reach http://127.0.0.1:{port}: ")
    with live.client() as c:
        key = c.post("/api/keys", json={"name": "to-revoke"}).json()["key"]
        assert c.delete("/api/keys/to-revoke").status_code == 204
    done = cli("flow", "publish", "01J8Z6K3W9XQ4M7C2YB5N0A1RT", "--yes", key=key)
    assert done.returncode == 1
    assert done.stderr == (f"error: unauthorized: {live.origin} refused the API key (missing, invalid or revoked); "
                           'run "axiom-ide login" with a valid key\n')


def test_build_writes_the_axiom_artifacts_and_says_when_docker_is_missing(cli, tmp_path):
    repo = registry_support.package_repo(tmp_path, "tester/image", push=False)
    done = cli("build", cwd=repo, key=None, PATH="/usr/bin:/bin")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        "docker not found on PATH: skipped the image build (step 6). The build context is in .axiom/image; "
        "build it with: docker build -t tester-image:0.1.0 .axiom/image")
    image = repo / ".axiom" / "image"
    assert (repo / ".axiom" / "service.py").is_file() and (repo / ".axiom" / "Dockerfile").is_file()
    assert "FROM python:3.11-slim" in (image / "Dockerfile").read_text()
    assert {p.name for p in image.iterdir()} >= {"axiom.yaml", "messages", "nodes", "gen", "service.py", "Dockerfile"}
    # the generated service serves the nodes
    service = subprocess.Popen([sys.executable, "service.py"], cwd=str(image), text=True,
                               env={**os.environ, "HOST": "127.0.0.1", "PORT": "0"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        line = service.stdout.readline()
        assert line.startswith("listening on port "), line + service.stdout.read()
        port = int(line.split()[-1])
        r = httpx.post(f"http://127.0.0.1:{port}/Add", json={"a": 2, "b": 5}, timeout=30)
        assert r.json() == {"result": 7.0}
        assert httpx.post(f"http://127.0.0.1:{port}/Nope", json={}, timeout=30).status_code == 404
    finally:
        service.kill()
        service.wait()


def test_push_then_compile_run_and_publish_a_flow_of_the_pushed_nodes_remotely(live, cli, tmp_path):
    repo = registry_support.package_repo(tmp_path, "tester/flowcalc")
    assert cli("push", cwd=repo).returncode == 0
    flow = tmp_path / "sum.flow.yaml"
    flow.write_text("name: sum\nmode: unary\nimports: [tester/flowcalc@0.1.0]\nnodes:\n"
                    "  - id: add\n    node: tester/flowcalc@0.1.0:Add\n")
    compiled = cli("flow", "compile", str(flow), "--remote", "--json")
    assert compiled.returncode == 0, compiled.stderr
    graph_id = json.loads(compiled.stdout)["graph_id"]
    ran = cli("flow", "run", graph_id, "--remote", "-d", '{"a": 40, "b": 2}')
    assert (ran.returncode, json.loads(ran.stdout)) == (0, {"result": 42.0}), ran.stderr
    published = cli("flow", "publish", graph_id, "-y", "--json")
    assert json.loads(published.stdout) == {"artifact_id": graph_id, "visibility": "public"}
    refused = cli("flow", "compile", str(flow), "--remote", key=live.other_key)  # the push is not theirs
    assert refused.returncode == 1
    assert 'imported package "tester/flowcalc@0.1.0" is not in the workspace' in refused.stderr
