"""The registry routes of a real ``axiom-ide serve``: push (built, tested, deployed, tenant-private),
publish (public, immutable), protos for import, flow publish. Tenant ``local`` is ``live.key``,
tenant ``acme`` ``live.other_key``."""
from __future__ import annotations

import httpx
import pytest
from registry_support import archive, commit_all, package_repo

ALREADY = ("tester/calc@0.1.0 is already published: making a version public is immutable — you cannot "
           "unpublish or overwrite it. Bump the version in axiom.yaml, push, then publish the new version")

FLOW = """name: calc
mode: unary
imports: [tester/calc@0.1.0]
nodes:
  - id: add
    node: tester/calc@0.1.0:Add
  - id: square
    node: tester/calc@0.1.0:Multiply
edges:
  - from: add
    to: square
    map:
      a: result
      b: result
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return package_repo(tmp_path_factory.mktemp("registry"))


def _keys(client, route="/api/registry/packages"):
    return [p["key"] for p in client.get(route).json()["packages"]]


def test_push_deploys_privately_then_publish_makes_it_public_once(live, repo):
    with live.client() as mine, live.client(live.other_key) as theirs:
        r = mine.post("/api/registry/packages", json=archive(repo), timeout=300)
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["key"], body["visibility"]) == ("tester/calc@0.1.0", "private")
        assert body["log"][0].startswith("Unpacking ")
        assert "Validating package" in body["log"] and any(line.startswith("Testing: ") for line in body["log"])
        assert body["log"][-1] == "  ✓ tester/calc@0.1.0 deployed (private to your tenant)"
        assert [n["name"] for n in body["nodes"]] == ["Add", "Multiply", "Increment"]
        assert body["nodes"][0]["endpoint"] == f"{live.origin}/invocations/v1/nodes/tester/calc/0.1.0/Add"

        add = "/invocations/v1/nodes/tester/calc/0.1.0/Add"
        assert mine.post(add, json={"a": 2, "b": 3}).json() == {"result": 5.0}
        assert mine.post(f"/invocations/v1/nodes/{body['nodes'][0]['node_id']}", json={"a": 1, "b": 1}).json() == {
            "result": 2.0}
        # another tenant never sees a private push
        assert theirs.post(add, json={"a": 2, "b": 3}).status_code == 404
        assert "tester/calc@0.1.0" not in _keys(theirs) + _keys(theirs, "/api/packages")
        assert "tester/calc@0.1.0" in _keys(mine) and "tester/calc@0.1.0" in _keys(mine, "/api/packages")

        # a flow of the pushing tenant compiles against the push and runs it; another tenant's does not
        source = {"source": FLOW, "filename": "calc.flow.yaml"}
        compiled = mine.post("/api/compile", json=source)
        assert compiled.status_code == 201, compiled.text
        graph = {"graph_id": compiled.json()["graph_id"], "input": {"a": 1, "b": 2}, "wait": True}
        run = mine.post("/invocations/v1/flows/invoke", json=graph)
        assert run.json()["result"]["output"] == {"result": 9.0}, run.text
        refused = theirs.post("/api/compile", json=source)
        assert (refused.status_code, refused.json()["error"]) == (400, "compile_failed")
        assert refused.json()["message"] == 'calc.flow.yaml:4:1: error: imported package "tester/calc@0.1.0" is not in the workspace'

        # pushing the same version again overwrites it
        (repo / "nodes" / "add.py").write_text((repo / "nodes" / "add.py").read_text().replace(
            "result=input.a + input.b", "result=input.a + input.b + 100"))
        (repo / "nodes" / "add_test.py").write_text((repo / "nodes" / "add_test.py").read_text()
                                                   .replace("== 6.5", "== 106.5").replace("== -2.0", "== 98.0"))
        commit_all(repo)
        r = mine.post("/api/registry/packages", json=archive(repo), timeout=300)
        assert r.status_code == 201, r.text
        assert mine.post(add, json={"a": 2, "b": 3}).json() == {"result": 105.0}

        spec = "/api/packages/tester/calc@0.1.0/openapi.json"
        assert mine.get(spec).json()["paths"]  # the owner's key reads its private push's spec
        assert theirs.get(spec).status_code == 404 and httpx.get(live.origin + spec).status_code == 404
        r = mine.post("/api/registry/packages/tester/calc/0.1.0/publish")
        assert r.status_code == 200, r.text
        assert r.json()["visibility"] == "public"
        # public: the other tenant sees and calls it now
        assert theirs.post(add, json={"a": 2, "b": 3}).json() == {"result": 105.0}
        assert "tester/calc@0.1.0" in _keys(theirs, "/api/packages")
        assert httpx.get(live.origin + spec).json()["paths"] and httpx.get(body["docs_url"]).status_code == 200
        # the flow compiled against the push still runs (now with the overwritten Add: (1+2+100)²)
        assert mine.post("/invocations/v1/flows/invoke", json=graph).json()["result"]["output"] == {"result": 10609.0}
        listed = {p["key"]: p["visibility"] for p in mine.get("/api/registry/packages").json()["packages"]}
        assert listed["tester/calc@0.1.0"] == "public"

        for who in (mine, theirs):
            again = who.post("/api/registry/packages/tester/calc/0.1.0/publish")
            assert (again.status_code, again.json()) == (409, {"error": "already_published", "message": ALREADY})
        over = mine.post("/api/registry/packages", json=archive(repo), timeout=300)
        assert (over.status_code, over.json()["message"]) == (409, ALREADY)

        protos = theirs.get("/api/registry/packages/tester/calc/protos")
        assert protos.status_code == 200, protos.text
        protos = protos.json()
        assert (protos["version"], [f["path"] for f in protos["files"]]) == ("0.1.0", ["add_input.proto"])
        assert protos["files"][0]["messages"] == ["AddInput", "MathResult", "Number"]


def test_a_package_that_fails_validation_is_refused_with_its_message_and_nothing_kept(live, tmp_path):
    repo = package_repo(tmp_path, "tester/broken")
    (repo / "axiom.yaml").write_text((repo / "axiom.yaml").read_text().replace("output: MathResult", "output: Nope", 1))
    commit_all(repo)
    with live.client() as c:
        r = c.post("/api/registry/packages", json=archive(repo), timeout=300)
        assert r.status_code == 400, r.text
        body = r.json()
        assert body["error"] == "push_failed"
        assert body["message"].startswith("package tester/broken@0.1.0 failed validation:\naxiom.yaml:")
        assert "Nope" in body["message"]
        assert "tester/broken@0.1.0" not in _keys(c)
    assert list((live.data_dir / "registry" / "staging").iterdir()) == []


def test_bad_archives_and_unknown_publishes(live):
    with live.client() as c:
        r = c.post("/api/registry/packages", json={"repository": "x", "commit": "a" * 40, "archive": "bm90IGEgdGFy"})
        assert (r.status_code, r.json()["error"]) == (400, "invalid_archive")
        assert r.json()["message"].startswith("the pushed archive is not a gzip'd tar file")
        r = c.post("/api/registry/packages", json={"repository": "x", "commit": "nothex", "archive": "AA=="})
        assert r.status_code == 400
        r = c.post("/api/registry/packages/tester/nothing/1.0.0/publish")
        assert r.status_code == 404
        assert r.json()["message"].startswith("package tester/nothing@1.0.0 is not pushed by your tenant")
        assert c.get("/api/registry/packages/tester/nothing/protos").status_code == 404


def test_flow_publish_is_once_and_only_for_the_owner(live):
    graph_id = live.compile("hello")
    with live.client() as mine, live.client(live.other_key) as theirs:
        assert theirs.post(f"/api/registry/flows/{graph_id}/publish").status_code == 404
        r = mine.post(f"/api/registry/flows/{graph_id}/publish")
        assert (r.status_code, r.json()) == (200, {"artifact_id": graph_id, "visibility": "public"})
        again = mine.post(f"/api/registry/flows/{graph_id}/publish")
        assert again.status_code == 409
        assert again.json()["message"] == (
            f"flow {graph_id} is already published: published flows are immutable. Compile the flow again "
            "to get a new artifact id, then publish that")
        assert [f["graph_id"] for f in theirs.get("/api/registry/flows").json()["flows"]] == [graph_id]


def test_a_streamed_push_reports_each_step_then_its_result_or_refusal(live, tmp_path):
    import json

    repo = package_repo(tmp_path, "tester/streamed")
    with live.client() as c:
        with c.stream("POST", "/api/registry/packages", json=archive(repo), timeout=300,
                      headers={"Accept": "text/event-stream"}) as r:
            assert (r.status_code, r.headers["Content-Type"]) == (200, "text/event-stream")
            frames = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
        logs = [f["log"] for f in frames[:-1]]
        assert logs[0].startswith("Unpacking ") and "Validating package" in logs and "Deploying tester/streamed@0.1.0" in logs
        assert frames[-1]["result"]["key"] == "tester/streamed@0.1.0"
        assert frames[-1]["result"]["log"] == logs
        assert c.post("/api/registry/packages/tester/streamed/0.1.0/publish").status_code == 200
        with c.stream("POST", "/api/registry/packages", json=archive(repo), timeout=300,
                      headers={"Accept": "text/event-stream"}) as r:
            frames = [json.loads(line[6:]) for line in r.iter_lines() if line.startswith("data: ")]
        assert frames[-1]["status"] == 409 and frames[-1]["error"]["error"] == "already_published"


def test_a_workspace_package_name_and_unsafe_archives_are_refused(live, tmp_path):
    import base64
    import io
    import tarfile

    repo = package_repo(tmp_path, "examples/math")  # the server's own workspace has examples/math@0.1.0
    with live.client() as c:
        r = c.post("/api/registry/packages", json=archive(repo), timeout=300)
        assert (r.status_code, r.json()) == (409, {"error": "conflict", "message": (
            "examples/math@0.1.0 is a package of this server's own workspace; push it under another name or version")})
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            link = tarfile.TarInfo("axiom.yaml")
            link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(link)
        body = {"repository": "x", "commit": "a" * 40, "archive": base64.b64encode(buf.getvalue()).decode()}
        r = c.post("/api/registry/packages", json=body)
        assert (r.status_code, r.json()["message"]) == (
            400, 'the pushed archive holds "axiom.yaml", which is not a plain file or directory inside the package')
    assert list((live.data_dir / "registry" / "staging").iterdir()) == []


@pytest.mark.requires_tool("curl")
def test_the_pushed_nodes_curl_commands_run_as_printed(live, tmp_path):
    import json
    import os
    import subprocess

    repo = package_repo(tmp_path, "tester/curled")
    with live.client() as c:
        body = c.post("/api/registry/packages", json=archive(repo), timeout=300).json()
    add = body["nodes"][0]
    assert add["curl"] == (f"curl -X POST '{live.origin}/invocations/v1/nodes/tester/curled/0.1.0/Add' "
                           "-H \"Authorization: Bearer $AXIOM_API_KEY\" -H 'Content-Type: application/json' "
                           "-d '{\"a\": 0.0, \"b\": 0.0}'")
    done = subprocess.run(["sh", "-c", add["curl"] + " -sS"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "AXIOM_API_KEY": live.key})
    assert json.loads(done.stdout) == {"result": 0.0}, done.stderr
