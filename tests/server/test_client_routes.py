"""The Client Builder's routes on a real ``axiom-ide serve``: a client is created, given members that
resolve against what the tenant sees on the server (a workspace node, a flow the tenant compiled
there, its private push and a published package), built into a version asynchronously (202, pending, then succeeded), given another language
from its frozen snapshot, and downloaded as ``<name>-sdk-py.zip``; refusals carry the runtime's code
and words; another tenant's client reads exactly like a missing one."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

from engine_support import wait_for

BASE = "/api/clients"
SHOUT = """name: shout-only
mode: unary
imports: [examples/text@0.1.0]
nodes:
  - id: up
    node: examples/text@0.1.0:Upper
edges: []
"""


def _statuses(c, name: str, number: int) -> dict[str, str]:
    body = c.get(f"{BASE}/{name}/versions/{number}").json()
    return {b["language"]: b["status"] for b in body["builds"]}


def test_create_add_build_and_download_a_python_sdk(live):
    with live.client() as c:
        created = c.post(BASE, json={"name": "billing"})
        assert created.status_code == 201 and created.json()["members"] == []
        again = c.post(BASE, json={"name": "billing"})
        assert again.status_code == 409
        assert again.json() == {"error": "client_exists", "message": 'a client named "billing" already exists'}
        bad = c.post(BASE, json={"name": "9lives"})
        assert bad.status_code == 400 and bad.json()["error"] == "invalid_client_name"
        assert bad.json()["message"].startswith('client name "9lives" must start with a letter')
        # A flow compiled on the server by this tenant (not a workspace file) is a member too.
        assert c.post("/api/compile", json={"source": SHOUT, "filename": "shout.flow.yaml"}).status_code == 201
        added = c.post(f"{BASE}/billing/members", json={"members": [
            {"kind": "node", "target": "examples/text@0.1.0:Greet", "alias": "greet"},
            {"kind": "flow", "target": "hello", "alias": "helloFlow"},
            {"kind": "flow", "target": "shout-only", "alias": "shout"}]})
        assert added.status_code == 200, added.text
        assert [m["alias"] for m in added.json()["members"]] == ["greet", "helloFlow", "shout"]
        # Refusals: all or none, in the runtime's words.
        clash = c.post(f"{BASE}/billing/members", json={"members": [
            {"kind": "node", "target": "examples/text@0.1.0:Upper", "alias": "hello_flow"}]})
        assert clash.status_code == 409 and clash.json()["error"] == "alias_clash"
        assert 'makes the same method as "helloFlow"' in clash.json()["message"]
        unknown = c.post(f"{BASE}/billing/members", json={"members": [
            {"kind": "node", "target": "examples/text@0.1.0:Upper", "alias": "upper"},
            {"kind": "flow", "target": "nowhere", "alias": "nowhere"}]})
        assert unknown.status_code == 400 and unknown.json()["error"] == "unknown_flow"
        assert len(c.get(f"{BASE}/billing").json()["members"]) == 3
        removed = c.request("DELETE", f"{BASE}/billing/members", params={"alias": "shout"})
        assert removed.status_code == 200 and [m["alias"] for m in removed.json()["members"]] == ["greet", "helloFlow"]
        gone = c.request("DELETE", f"{BASE}/billing/members", params={"alias": "shout"})
        assert gone.status_code == 404 and gone.json()["error"] == "unknown_member"
        # Build: 202 at once with every language pending, then the statuses move on by themselves.
        no_lang = c.post(f"{BASE}/billing/versions", json={"languages": []})
        assert no_lang.status_code == 400 and no_lang.json()["message"] == "choose at least one language to build"
        built = c.post(f"{BASE}/billing/versions", json={"languages": ["python"]})
        assert built.status_code == 202, built.text
        body = built.json()
        assert body["version"] == 1 and [(b["language"], b["status"]) for b in body["builds"]] == [("python", "pending")]
        assert [m["alias"] for m in body["members"]] == ["greet", "helloFlow"]
        assert wait_for(lambda: _statuses(c, "billing", 1) == {"python": "succeeded"}, timeout=120)
        # + language… from the frozen snapshot (the members changed since: the version did not).
        c.post(f"{BASE}/billing/members", json={"members": [
            {"kind": "node", "target": "examples/text@0.1.0:Upper", "alias": "upper"}]})
        more = c.post(f"{BASE}/billing/versions/1/languages", json={"language": "typescript"})
        assert more.status_code == 202 and [m["alias"] for m in more.json()["members"]] == ["greet", "helloFlow"]
        dup = c.post(f"{BASE}/billing/versions/1/languages", json={"language": "python"})
        assert dup.status_code == 409 and dup.json()["error"] == "build_exists"
        assert wait_for(lambda: _statuses(c, "billing", 1)["typescript"] in ("succeeded", "failed"), timeout=120)
        # Download.
        zipped = c.get(f"{BASE}/billing/versions/1/sdk/python")
        assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"
        assert zipped.headers["content-disposition"] == 'attachment; filename="billing-sdk-py.zip"'
        with zipfile.ZipFile(io.BytesIO(zipped.content)) as z:
            manifest = json.loads(z.read("billing-sdk-py/manifest.json"))
            client_py = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".py"))
        assert [m["alias"] for m in manifest["members"]] == ["greet", "helloFlow"]
        assert live.origin in client_py  # the SDK calls the deployment it was downloaded from
        missing = c.get(f"{BASE}/billing/versions/1/sdk/go")
        assert missing.status_code == 404 and missing.json()["error"] == "build_not_found"
        versions = c.get(f"{BASE}/billing/versions").json()
        assert [v["version"] for v in versions["versions"]] == [1]


def test_another_tenants_client_reads_like_a_missing_one(live):
    with live.client() as mine:
        mine.post(BASE, json={"name": "private"})
        mine.post(f"{BASE}/private/members", json={"members": [
            {"kind": "node", "target": "examples/text@0.1.0:Greet", "alias": "greet"}]})
        built = mine.post(f"{BASE}/private/versions", json={"languages": ["python"]})
        assert built.status_code == 202
        assert wait_for(lambda: _statuses(mine, "private", 1) == {"python": "succeeded"}, timeout=120)
        assert mine.post("/api/compile", json={"source": SHOUT.replace("shout-only", "mine-only")}).status_code == 201
    with live.client(live.other_key) as other, live.client() as mine:
        assert "private" not in [x["name"] for x in other.get(BASE).json()["clients"]]
        for method, path in (("GET", f"{BASE}/private"), ("GET", f"{BASE}/private/versions"),
                             ("GET", f"{BASE}/private/versions/1"), ("GET", f"{BASE}/private/versions/1/sdk/python"),
                             ("DELETE", f"{BASE}/private")):
            foreign = other.request(method, path)
            absent = other.request(method, path.replace("private", "never-made"))
            assert foreign.status_code == absent.status_code == 404, (method, path)
            assert foreign.json() == json.loads(absent.text.replace("never-made", "private")), (method, path)
        # The other tenant's flows are not members here either; its own client of the same name is its own.
        assert other.post(BASE, json={"name": "private"}).status_code == 201
        refused = other.post(f"{BASE}/private/members", json={"members": [
            {"kind": "flow", "target": "mine-only", "alias": "mine"}]})
        assert refused.status_code == 400 and refused.json()["error"] == "unknown_flow"
        assert mine.get(f"{BASE}/private").json()["members"][0]["alias"] == "greet"
        assert other.get(f"{BASE}/private/versions").json()["versions"] == []


def test_a_build_cut_off_by_a_stop_is_failed_with_the_reason_at_the_next_start(make_runtime, aio, tmp_path,
                                                                               example_workspace):
    from axiom_ide.runtime.clients.store import INTERRUPTED
    from axiom_ide.server.app import create_app

    rt = make_runtime(tmp_path / "data")
    store = rt.client_store()
    store.create("cut")
    number = store.new_version("cut", {"client": "cut", "members": [], "descriptor_sets": {}}, ["python", "go"])
    store.set_status("cut", number, "go", "succeeded", archive=b"zip")
    aio(rt.close())  # the server stops with python still pending
    rt = make_runtime(tmp_path / "data")
    create_app(rt, workspace=example_workspace)  # what `serve` does when it starts
    builds = rt.client_store().version("cut", number).builds
    assert [(b.language, b.status, b.error) for b in builds] == [("python", "failed", INTERRUPTED),
                                                                 ("go", "succeeded", "")]
    rt.client_store().add_build("cut", number, "python")  # + language… queues it again
    assert rt.client_store().version("cut", number).build("python").status == "pending"


def test_members_resolve_against_the_tenants_pushes_and_the_published_packages(live, tmp_path):
    from registry_support import published_and_pushed

    published_and_pushed(live, tmp_path)  # tester/market@0.1.0 public, @0.2.0 this tenant's only
    private = {"kind": "node", "target": "tester/market@0.2.0:Add", "alias": "add_private"}
    public = {"kind": "node", "target": "tester/market@0.1.0:Add", "alias": "add_public"}
    with live.client() as mine, live.client(live.other_key) as other:
        for c in (mine, other):
            assert c.post(BASE, json={"name": "market"}).status_code == 201
        assert other.post(f"{BASE}/market/members", json={"members": [public]}).status_code == 200
        refused = other.post(f"{BASE}/market/members", json={"members": [private]})
        assert refused.status_code == 400 and "tester/market@0.2.0" in refused.json()["message"], refused.text
        added = mine.post(f"{BASE}/market/members", json={"members": [private, public]})
        assert added.status_code == 200, added.text
        assert mine.post(f"{BASE}/market/versions", json={"languages": ["python"]}).status_code == 202
        assert wait_for(lambda: _statuses(mine, "market", 1) == {"python": "succeeded"}, timeout=120), \
            mine.get(f"{BASE}/market/versions/1").text
        data = mine.get(f"{BASE}/market/versions/1/sdk/python").content
    sdk = tmp_path / "sdk"
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        z.extractall(sdk)
    script = ("import json\nfrom market_sdk import Client\nimport market_sdk as m\n"
              "c = Client()\nreq = next(getattr(m, n) for n in dir(m) if n.endswith('AddInput'))\n"
              "print(json.dumps([c.add_private(req(a=2, b=3)).result, c.add_public(req(a=1, b=1)).result]))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AXIOM_BASE_URL")}
    env.update(AXIOM_API_KEY=live.key, PYTHONPATH=str(sdk / "market-sdk-py"))
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [5.0, 2.0]
