"""``axiom-ide search`` and ``info`` as the docs describe them, in the details, against a real
``axiom-ide serve`` and the CLI as a real process: ``search`` without a query lists the most
recently published packages first (publish time, not version or name order), with a query the best
match first; ``info`` shows the deploy status the server derives from what its node routes really
serve (a node whose handler is missing does not answer, and ``info`` says so), the visibility with
its publish or push time, the live endpoint and the openapi.json and docs links, which answer.

The server's workspace (prepared below): ``examples/calc`` (healthy), ``examples/calculator`` (its
Multiply names a message it does not define, its Increment handler file is missing) and
``examples/shapes`` (proto-only), beside the examples. The registry: ``tester/mycalc`` 0.1.0, 0.2.0
and 0.3.0 pushed in that order by tenant ``local``; 0.3.0 published, then 0.1.0; 0.2.0 stays private.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import live_server
import pytest
import registry_support

MATH = live_server.EXAMPLES / "packages" / "math"
WHEN = r"\d{4}-\d\d-\d\d \d\d:\d\d UTC"


def _package(workspace: Path, short: str, *, description: str | None = None) -> Path:
    """A copy of examples/math as examples/<short>, its proto package renamed (one descriptor pool)."""
    root = workspace / "packages" / short
    shutil.copytree(MATH, root, ignore=shutil.ignore_patterns("gen", "__pycache__", ".pytest_cache"))
    manifest = (root / "axiom.yaml").read_text().replace("name: examples/math", f"name: examples/{short}")
    if description is not None:
        manifest = manifest.replace("Example arithmetic nodes — add, multiply and increment numbers.", description)
    (root / "axiom.yaml").write_text(manifest)
    proto = root / "messages" / "messages.proto"
    proto.write_text(proto.read_text().replace("package examples.math;", f"package examples.{short};"))
    return root


def prepare(workspace: Path) -> None:
    _package(workspace, "calc")
    broken = _package(workspace, "calculator")
    manifest = (broken / "axiom.yaml").read_text()
    (broken / "axiom.yaml").write_text(manifest.replace("    output: MathResult\n  - name: Increment",
                                                        "    output: Missing\n  - name: Increment"))
    (broken / "nodes" / "increment.py").unlink()
    shapes = _package(workspace, "shapes", description="Message types for calc results.")
    text = (shapes / "axiom.yaml").read_text()
    (shapes / "axiom.yaml").write_text(text[:text.index("nodes:")])
    shutil.rmtree(shapes / "nodes")


def setup(server: live_server.LiveServer) -> None:
    root = server.data_dir.parent / "pkgs"
    with server.client(timeout=600) as client:
        for version in ("0.1.0", "0.2.0", "0.3.0"):
            repo = registry_support.package_repo(root / version, "tester/mycalc", version)
            pushed = client.post("/api/registry/packages", json=registry_support.archive(repo))
            assert pushed.status_code == 201, pushed.text
        for version in ("0.3.0", "0.1.0"):  # the older version published last
            published = client.post(f"/api/registry/packages/tester/mycalc/{version}/publish")
            assert published.status_code == 200, published.text


live = live_server.live_fixture("search-info", prepare=prepare, setup=setup)


@pytest.fixture
def cli(live, tmp_path):
    """``cli(*argv, key=None, cwd=None)``: axiom-ide in a subprocess, logged out unless ``key``."""

    def run(*argv: str, key: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("AXIOM_API")}
        environ.update(AXIOM_IDE_CONFIG_DIR=str(tmp_path / "config"), AXIOM_API_URL=live.origin,
                       PYTHONPATH=str(live_server.REPO))
        if key:
            environ["AXIOM_API_KEY"] = key
        done = subprocess.run([sys.executable, "-m", "axiom_ide", *argv], capture_output=True, text=True,
                              env=environ, timeout=300, cwd=str(cwd or tmp_path))
        assert done.returncode == 0, done.stderr
        return done
    return run


def _rows(done: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    return [tuple(line.split()[:2]) for line in done.stdout.splitlines()[1:]]  # type: ignore[misc]


def test_search_without_a_query_lists_the_most_recently_published_first(live, cli):
    workspace = [("examples/calc", "0.1.0"), ("examples/calculator", "0.1.0"), ("examples/math", "0.1.0"),
                 ("examples/shapes", "0.1.0"), ("examples/text", "0.1.0")]
    # 0.1.0 was published after 0.3.0: newest publish first, not the highest version; the workspace last
    assert _rows(cli("search")) == [("tester/mycalc", "0.1.0"), ("tester/mycalc", "0.3.0"), *workspace]
    # logged in, the tenant's own push by its push time (before either publish)
    assert _rows(cli("search", key=live.key)) == [("tester/mycalc", "0.1.0"), ("tester/mycalc", "0.3.0"),
                                                  ("tester/mycalc", "0.2.0"), *workspace]
    rows = json.loads(cli("search", "--json", key=live.key).stdout)["packages"]
    by_key = {p["key"]: p for p in rows}
    first, second, pushed = by_key["tester/mycalc@0.1.0"], by_key["tester/mycalc@0.3.0"], by_key["tester/mycalc@0.2.0"]
    assert first["published_at"] > second["published_at"] > pushed["pushed_at"] > first["pushed_at"]
    assert (first["visibility"], pushed["visibility"], pushed["published_at"]) == ("public", "private", None)
    calc = by_key["examples/calc@0.1.0"]
    assert (calc["visibility"], calc["pushed_at"], calc["published_at"]) == ("workspace", None, None)


def test_search_with_a_query_lists_the_best_match_first(live, cli):
    # the short name itself, a name starting with it, a name containing it, then a description
    assert _rows(cli("search", "CALC")) == [("examples/calc", "0.1.0"), ("examples/calculator", "0.1.0"),
                                           ("tester/mycalc", "0.1.0"), ("tester/mycalc", "0.3.0"),
                                           ("examples/shapes", "0.1.0")]
    nodes = json.loads(cli("search", "-t", "nodes", "add", "--json").stdout)["nodes"]
    assert [(n["name"], n["package"], n["version"]) for n in nodes][:3] == [
        ("Add", "tester/mycalc", "0.1.0"), ("Add", "tester/mycalc", "0.3.0"), ("Add", "examples/calc", "0.1.0")]
    assert {n["name"] for n in nodes[3:]} == {"Add", "Increment"}  # "Adds one to the value.": a description
    assert nodes[-1]["name"] == "Increment"


def test_info_shows_the_deploy_status_the_node_routes_bear_out(live, cli):
    healthy = cli("info", "examples/calc").stdout.splitlines()
    assert "Status:   deployed" in healthy
    assert "Visible:  this server's workspace (not published)" in healthy

    broken = cli("info", "examples/calculator").stdout.splitlines()
    status = next(line for line in broken if line.startswith("Status:"))
    assert status == ('Status:   failed — 1 of 3 nodes answer: message "Missing" (output of node "Multiply") not '
                      "found in package examples/calculator@0.1.0: define it in messages/messages.proto or import "
                      'it; node "Increment": its handler nodes/increment.py is missing')
    detail = json.loads(cli("info", "examples/calculator", "--json").stdout)
    assert detail["deploy_status"] == "failed" and status.endswith(detail["deploy_detail"])
    base = detail["endpoint"].removesuffix("{node}")
    with live.client() as client:  # what the status says is what the node routes do
        assert client.post(base + "Add", json={"a": 1, "b": 2}).json() == {"result": 3}
        for node in ("Multiply", "Increment"):
            answer = client.post(base + node, json={"a": 1, "b": 2})
            assert answer.status_code != 200, (node, answer.text)

    shapes = cli("info", "examples/shapes").stdout.splitlines()
    assert "Status:   not deployed — proto-only: no nodes to deploy, its messages are for importing" in shapes
    assert "Nodes: none (proto-only)" in shapes and "Endpoint: none (proto-only: nothing to invoke)" in shapes


def test_info_picks_the_most_recently_published_version_with_its_links(live, cli):
    out = cli("info", "tester/mycalc").stdout.splitlines()
    assert out[0] == "tester/mycalc@0.1.0"  # published after 0.3.0
    assert out[3:6] == ["License:  MIT", "Status:   deployed", out[5]]
    assert re.fullmatch(f"Visible:  public, published {WHEN}", out[5]), out[5]
    assert f"Endpoint: {live.origin}/invocations/v1/nodes/tester/mycalc/0.1.0/{{node}}" in out
    assert f"OpenAPI:  {live.origin}/api/packages/tester/mycalc@0.1.0/openapi.json" in out
    assert f"Docs:     {live.origin}/api/packages/tester/mycalc@0.1.0/docs" in out

    private = cli("info", "tester/mycalc@0.2.0", key=live.key).stdout.splitlines()
    visible = next(line for line in private if line.startswith("Visible:"))
    assert re.fullmatch(f"Visible:  private to your tenant \\(not published\\), pushed {WHEN}", visible), visible

    detail = json.loads(cli("info", "tester/mycalc", "--json").stdout)
    assert (detail["version"], detail["visibility"], detail["deploy_status"], detail["deploy_detail"]) == (
        "0.1.0", "public", "deployed", None)
    assert isinstance(detail["published_at"], int) and detail["published_at"] >= detail["pushed_at"]
    spec = httpx.get(detail["openapi_url"], timeout=30)  # public, no key: the links answer
    assert spec.status_code == 200 and spec.json()["info"]["version"] == "0.1.0"
    docs = httpx.get(detail["docs_url"], timeout=30)
    assert docs.status_code == 200 and "tester/mycalc@0.1.0 — Interactive Docs" in docs.text
    with live.client() as client:
        call = client.post(detail["endpoint"].replace("{node}", "Multiply"), json={"a": 2, "b": 3})
    assert call.json() == {"result": 6}


def test_import_resolves_the_version_info_shows(live, cli, tmp_path):
    """guides/import-package-types: both take "the most recently published version" when @version is
    omitted — 0.1.0 here, not the highest (0.3.0) nor the tenant's newer push (0.2.0)."""
    shown = json.loads(cli("info", "tester/mycalc", "--json", key=live.key).stdout)["version"]
    consumer = registry_support.package_repo(tmp_path, "tester/consumer", push=False)
    manifest = (consumer / "axiom.yaml").read_text()  # proto-only, its own message: no collision
    (consumer / "axiom.yaml").write_text(manifest[:manifest.index("nodes:")])
    shutil.rmtree(consumer / "nodes")
    (consumer / "messages" / "messages.proto").write_text(
        'syntax = "proto3";\n\npackage tester.consumer;\n\nmessage Order {\n  string id = 1;\n}\n')
    done = cli("import", "tester/mycalc", key=live.key, cwd=consumer)
    assert shown == "0.1.0"
    assert done.stdout.startswith(f"✓ imported tester/mycalc@{shown} into imports/tester-mycalc/{shown}/: "), done.stdout
    assert (consumer / "imports" / "tester-mycalc" / shown).is_dir()


def test_registry_listing_orders_and_deploy_status_as_packages_listing(live):
    """``GET /api/registry/packages`` (what the IDE Marketplace reads) lists in ``GET /api/packages``'
    order — most recently published first, a push by its push time — with the same deploy status."""
    with live.client() as client:
        registry = client.get("/api/registry/packages").json()["packages"]
        listing = [p for p in client.get("/api/packages").json()["packages"] if p["visibility"] != "workspace"]
    mine = [p["key"] for p in registry if p["name"] == "tester/mycalc"]
    assert mine == ["tester/mycalc@0.1.0", "tester/mycalc@0.3.0", "tester/mycalc@0.2.0"]
    assert [p["key"] for p in registry] == [p["key"] for p in listing]
    assert [(p["deploy_status"], p["deploy_detail"]) for p in registry] == [
        (p["deploy_status"], p["deploy_detail"]) for p in listing]
    assert {p["deploy_status"] for p in registry if p["name"] == "tester/mycalc"} == {"deployed"}
