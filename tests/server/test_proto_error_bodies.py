"""The server's error bodies for a flow whose node's package has a .proto that does not compile:
protoc's words, where in the workspace once (compiler/analyze.py), never the server's absolute path."""
from __future__ import annotations

from pathlib import Path

import live_server as server_live
from engine_support import write_package

MANIFEST = "name: demo/broken\nversion: 0.1.0\nlanguage: python\nnodes:\n  - name: Echo\n    input: Msg\n    output: Msg\n"
PROTO = 'syntax = "proto3";\npackage demo.broken;\n\nmessage Msg {\n  string text = 1\n}\n'
FLOW = "name: uses-broken\nimports: [demo/broken@0.1.0]\nnodes:\n  - id: echo\n    node: demo/broken@0.1.0:Echo\n"


def _prepare(workspace: Path) -> None:
    write_package(workspace, "broken", MANIFEST, PROTO, {"echo": "def echo(ax, input):\n    return input\n"})
    write_package(workspace, "badyaml", "name: demo/badyaml\nversion: [0.1.0\n", PROTO, {})


live = server_live.live_fixture("proto-errors", prepare=_prepare)


def test_compile_names_the_broken_proto_once_relative_to_the_workspace(live):
    with live.client() as c:
        r = c.post("/api/compile", json={"source": FLOW, "filename": "flows/uses-broken.flow.yaml"})
    assert r.status_code == 400, r.text
    body = r.json()
    text = 'node "echo": packages/broken/messages/messages.proto:6:1: Expected ";".'
    assert body["message"] == f"flows/uses-broken.flow.yaml:4:5: error: {text}"
    (d,) = [d for d in body["diagnostics"] if d["code"] == "proto_error"]
    assert (d["message"], d["text"]) == (text, body["message"])
    assert str(live.workspace) not in r.text  # the server's own paths stay its own


def test_the_package_listing_names_unreadable_manifests_relative_to_the_workspace(live):
    with live.client() as c:
        body = c.get("/api/packages").json()
    (problem,) = body["problems"]
    assert problem.startswith("packages/badyaml/axiom.yaml:3:1: error: axiom.yaml is not valid YAML: "), problem
