"""Another tenant and a published flow, through ``axiom-ide`` processes against a real ``axiom-ide
serve``: tenant ``acme`` pulls tenant ``local``'s published hello, compiles the pulled flow.yaml on the
remote into an artifact it owns and runs it (a fork); places it as ``flow:<artifact id>`` in a flow of
its own, which compiles and runs on the remote; running the publisher's artifact directly is refused
in words; and a local compile of the marketplace reference says where it compiles."""
from __future__ import annotations

import json
import re

import pytest
from test_remote_cli import cli, live  # noqa: F401  (fixtures)

ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


@pytest.fixture(scope="module")
def published(live):  # noqa: F811
    graph_id = live.compile("hello")
    with live.client() as mine:
        assert mine.post(f"/api/registry/flows/{graph_id}/publish").status_code == 200
    return graph_id


def test_another_tenant_forks_and_places_a_published_flow_but_cannot_run_the_publishers(
        live, cli, published, tmp_path):  # noqa: F811
    assert cli("login", stdin=live.other_key).returncode == 0
    pulled = tmp_path / "hello.flow.yaml"
    done = cli("flow", "pull", published, "-o", str(pulled))
    assert (done.returncode, done.stdout) == (0, f"wrote {pulled} (flow hello, from {published})\n"), done.stderr
    pulled.write_text(pulled.read_text().replace("name: hello", "name: my-hello"))
    fork = cli("flow", "compile", str(pulled), "--remote")
    assert fork.returncode == 0 and ULID.fullmatch(fork.stdout.strip()), fork.stderr
    ran = cli("flow", "run", fork.stdout.strip(), "-d", '{"name": "Bo"}', "--remote")
    assert (ran.returncode, json.loads(ran.stdout)) == (0, {"greeting": "Hello, Bo!"}), ran.stderr

    parent = tmp_path / "uses-hello.flow.yaml"
    parent.write_text(f"name: uses-hello\nmode: unary\nimports: []\nnodes:\n  - id: hello\n    node: flow:{published}\n"
                      "edges: []\n")
    ran = cli("flow", "run", str(parent), "-d", '{"name": "Cy"}', "--remote")
    assert (ran.returncode, json.loads(ran.stdout)) == (0, {"greeting": "Hello, Cy!"}), ran.stderr

    refused = cli("flow", "run", published, "-d", '{"name": "Di"}', "--remote")
    assert refused.returncode == 1
    assert (f"graph {published} belongs to another tenant: fork it (axiom flow pull {published}, then axiom flow "
            f"compile) or place it as a subflow (node: flow:{published}) in a flow of your own") in refused.stderr

    local = cli("flow", "compile", str(parent), "--workspace", str(live.workspace), "--data-dir", str(tmp_path / "d"))
    assert local.returncode == 1
    assert local.stderr == (f'error: node "hello": flow:{published} is a marketplace flow this workspace has no '
                            "copy of: compile it on the remote (axiom-ide flow compile --remote), or place it from the "
                            "remote's Marketplace (Use as subflow)\n")
