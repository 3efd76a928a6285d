"""A client's flow member that uses ``flow:`` subflows: snapshotted with the compile route's flow
resolver, so its generated Python SDK call runs the whole flow on a real ``axiom-ide serve``.

On the server (``/api/clients`` routes): a subflow by name (``welcome`` places ``flow:greeter``) and
by artifact id (``flow:<graph id>`` of a flow the tenant compiled there, and of another tenant's
published flow). Locally (the ``axiom-ide client`` verbs over the server's data dir and a workspace,
the same ``Clients`` the IDE's Client Builder uses): by name, and ``flow:<graph id>`` from the
workspace's marketplace copy."""
from __future__ import annotations

import io
import shutil
import zipfile

from engine_support import wait_for
from live_server import live_fixture
from sdk_support import install_python_sdk, run_sdk_script

from axiom_ide.cli.main import main
from axiom_ide.runtime.compiler.marketplace import cached_flow_path

BASE = "/api/clients"
MARKET = """name: market-welcome
mode: unary
imports: [examples/text@0.1.0]
nodes:
  - id: greeter
    node: flow:{graph_id}
  - id: echo
    node: examples/text@0.1.0:Echo
edges:
  - from: greeter
    to: echo
"""
SCRIPT = """
import json
from {package} import Client, GreetRequest
c = Client()
print(json.dumps({{"welcome": c.welcome(GreetRequest(name="Bob")).text,
                  "market": c.market(GreetRequest(name="Ada")).text}}))
"""
#: greeter (Greet, then Upper over `greeting | trim | prefix("Hey! ")`), then Echo.
EXPECTED = {"welcome": "HEY! HELLO, BOB!", "market": "HEY! HELLO, ADA!"}

live = live_fixture("client-subflows")


def _greeter_id(live, key: str | None = None) -> str:
    with live.client(key) as c:
        compiled = c.post("/api/compile", json={"flow": "greeter"})
    assert compiled.status_code == 201, compiled.text
    return str(compiled.json()["graph_id"])


def test_a_server_client_of_flows_with_subflows_by_name_and_by_artifact_id(live, tmp_path):
    graph_id = _greeter_id(live)
    (live.workspace / "flows" / "market-welcome.flow.yaml").write_text(MARKET.format(graph_id=graph_id))
    published = _greeter_id(live, live.other_key)  # another tenant's flow, on the public marketplace
    with live.client(live.other_key) as other:
        assert other.post(f"/api/registry/flows/{published}/publish").status_code == 200
    (live.workspace / "flows" / "public-welcome.flow.yaml").write_text(
        MARKET.format(graph_id=published).replace("market-welcome", "public-welcome"))
    with live.client() as c:
        assert c.post(BASE, json={"name": "subs"}).status_code == 201
        added = c.post(f"{BASE}/subs/members", json={"members": [
            {"kind": "flow", "target": "welcome", "alias": "welcome"},
            {"kind": "flow", "target": "market-welcome", "alias": "market"},
            {"kind": "flow", "target": "public-welcome", "alias": "public"}]})
        assert added.status_code == 200, added.text
        built = c.post(f"{BASE}/subs/versions", json={"languages": ["python"]})
        assert built.status_code == 202, built.text
        assert [m["alias"] for m in built.json()["members"]] == ["welcome", "market", "public"]

        def status() -> str:
            return str(c.get(f"{BASE}/subs/versions/1").json()["builds"][0]["status"])
        assert wait_for(lambda: status() in ("succeeded", "failed"), timeout=120)
        version = c.get(f"{BASE}/subs/versions/1").json()
        assert version["builds"][0]["status"] == "succeeded", version
        zipped = c.get(f"{BASE}/subs/versions/1/sdk/python")
        assert zipped.status_code == 200
    (tmp_path / "subs-sdk-py.zip").write_bytes(zipped.content)
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as z:
        assert "flow:" not in z.read("subs-sdk-py/manifest.json").decode()  # the SDK calls whole flows
    py = install_python_sdk(tmp_path / "subs-sdk-py.zip", tmp_path / "sdk")
    script = SCRIPT.format(package="subs_sdk").replace('}))', ', "public": c.public(GreetRequest(name="Cy")).text}))')
    assert run_sdk_script(py, script, live.key, tmp_path) == EXPECTED | {"public": "HEY! HELLO, CY!"}


def test_a_local_client_of_flows_with_subflows_by_name_and_from_the_marketplace_copy(live, tmp_path, capsys):
    graph_id = _greeter_id(live)
    workspace = tmp_path / "workspace"  # the local workspace: a copy of the server's (its packages, flows)
    shutil.copytree(live.workspace, workspace, ignore=shutil.ignore_patterns("gen", "__pycache__", ".axiom"))
    (workspace / "flows" / "market-welcome.flow.yaml").write_text(MARKET.format(graph_id=graph_id))
    loc = ["--data-dir", str(live.data_dir), "--workspace", str(workspace)]
    assert main(["client", "new", "localsubs", *loc]) == 0
    assert main(["client", "add", "localsubs", "--flow", "welcome", *loc]) == 0
    assert main(["client", "add", "localsubs", "--flow", "market-welcome", "--alias", "market", *loc]) == 0
    capsys.readouterr()
    # No copy of the marketplace flow in this workspace: the snapshot says which member and what to do.
    assert main(["client", "build", "localsubs", "--lang", "python", "--origin", live.origin, *loc]) != 0
    err = capsys.readouterr().err
    assert (f'member "market" (flow market-welcome): node "greeter": flow:{graph_id} is a marketplace flow this '
            "workspace has no copy of") in err, err
    # Use as subflow keeps a copy of the published flow document: now it compiles from that.
    copy = cached_flow_path(workspace, graph_id)
    copy.parent.mkdir(parents=True)
    shutil.copy(workspace / "flows" / "greeter.flow.yaml", copy)
    assert main(["client", "build", "localsubs", "--lang", "python", "--origin", live.origin, *loc]) == 0
    out = tmp_path / "zips"
    out.mkdir()
    assert main(["client", "download", "localsubs", "1", "py", "--out", str(out), *loc]) == 0
    py = install_python_sdk(out / "localsubs-sdk-py.zip", tmp_path / "sdk")
    assert run_sdk_script(py, SCRIPT.format(package="localsubs_sdk"), live.key, tmp_path) == EXPECTED
