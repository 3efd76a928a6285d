"""What another tenant can do with a published flow, on a real ``axiom-ide serve`` with two
tenants' keys (``local``: the publisher, ``live.key``; ``acme``: another tenant, ``live.other_key``):
place it as a subflow (``node: flow:<artifact id>``) and run it in its own tenant, fork it (pull its
flow document, compile it to an artifact of its own), but not invoke the publisher's artifact.
Another tenant's unpublished artifact reads exactly like a missing one everywhere."""
from __future__ import annotations

import pytest

MISSING = "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD"


def parent_flow(graph_id: str) -> str:
    """A flow placing ``graph_id`` (hello: Greet) as a subflow, then shouting its greeting."""
    return f"""name: shout-hello
mode: unary
imports: [examples/text@0.1.0]
nodes:
  - id: hello
    node: flow:{graph_id}
  - id: shout
    node: examples/text@0.1.0:Upper
edges:
  - from: hello
    to: shout
    map:
      text: greeting
"""


@pytest.fixture(scope="module")
def published(live):
    """hello, compiled and published by tenant ``local``."""
    graph_id = live.compile("hello")
    with live.client() as mine:
        assert mine.post(f"/api/registry/flows/{graph_id}/publish").status_code == 200
    return graph_id


def _compile(client, source: str):
    return client.post("/api/compile", json={"source": source, "filename": "shout-hello.flow.yaml"})


def _executions(client) -> list[str]:
    return [e["execution_id"] for e in client.get("/invocations/v1/executions", params={"limit": 500}).json()["executions"]]


def test_another_tenant_runs_a_published_flow_as_a_subflow_in_its_own_tenant(live, published):
    with live.client() as mine, live.client(live.other_key) as theirs:
        before = _executions(mine)
        compiled = _compile(theirs, parent_flow(published))
        assert compiled.status_code == 201, compiled.text
        graph_id = compiled.json()["graph_id"]
        graph = theirs.get(f"/api/graphs/{graph_id}").json()
        assert [(n["id"], n["kind"]) for n in graph["nodes"]] == [("hello", "subflow"), ("shout", "unary")]
        run = theirs.post("/invocations/v1/flows/invoke", json={"graph_id": graph_id, "input": {"name": "Ada"},
                                                                "wait": True, "timeout_seconds": 120})
        assert run.status_code == 202, run.text
        assert run.json()["result"] == {"success": True, "output": {"text": "HELLO, ADA!"},
                                        "completed_at": run.json()["result"]["completed_at"]}
        execution_id = run.json()["execution_id"]
        # the run is the caller's: its history, events and checkpoints; the publisher sees none of it
        assert execution_id in _executions(theirs)
        events = theirs.get(f"/invocations/v1/executions/{execution_id}/events").json()["events"]
        assert {"hello/greet", "shout"} <= {e.get("node") for e in events if e["type"] == "NODE_COMPLETED"}
        assert theirs.get(f"/invocations/v1/executions/{execution_id}/checkpoints").status_code == 200
        assert _executions(mine) == before
        assert mine.get(f"/invocations/v1/executions/{execution_id}").status_code == 404
        assert mine.get(f"/api/graphs/{graph_id}").status_code == 404  # the parent is not published


def test_an_unpublished_artifact_of_another_tenant_reads_like_a_missing_one(live, published):
    private = live.compile("greeter")
    with live.client(live.other_key) as theirs:
        answers = []
        for graph_id in (private, MISSING):
            refused = _compile(theirs, parent_flow(graph_id))
            assert refused.status_code == 400
            answers.append(refused.json()["message"].replace(graph_id, "<id>"))
        assert answers[0] == answers[1] == 'shout-hello.flow.yaml:5:5: error: node "hello": unknown subflow "flow:<id>"'
        # while the owner places its own unpublished artifact
    with live.client() as mine:
        assert _compile(mine, parent_flow(live.compile("hello"))).status_code == 201


def test_a_direct_invoke_of_another_tenants_published_flow_says_what_to_do_instead(live, published):
    private = live.compile("greeter")
    with live.client(live.other_key) as theirs:
        body = {"graph_id": published, "input": {"name": "Ada"}, "wait": True}
        refused = theirs.post("/invocations/v1/flows/invoke", json=body)
        assert (refused.status_code, refused.json()) == (500, {"accepted": False, "error_message": (
            f"graph {published} belongs to another tenant: fork it (axiom flow pull {published}, then axiom flow "
            f"compile) or place it as a subflow (node: flow:{published}) in a flow of your own")})
        hidden = [theirs.post("/invocations/v1/flows/invoke", json={**body, "graph_id": g}).json() for g in (private, MISSING)]
        assert [h["error_message"] for h in hidden] == [f'compiled artifact "{g}" not found' for g in (private, MISSING)]
    with live.client() as mine:  # the owner still runs it
        assert mine.post("/invocations/v1/flows/invoke", json=body).json()["result"]["output"] == {"greeting": "Hello, Ada!"}


def test_another_tenant_forks_a_published_flow_into_an_artifact_it_owns(live, published):
    from axiom_ide.runtime.model.flow_yaml import dumps_flow, flow_from_tree, new_flow_file

    with live.client(live.other_key) as theirs:
        pulled = theirs.get(f"/api/graphs/{published}")  # what `flow pull` reads
        assert pulled.status_code == 200
        text = dumps_flow(new_flow_file(flow_from_tree(pulled.json()["source"])))
        compiled = _compile(theirs, text.replace("name: hello", "name: my-hello"))
        assert compiled.status_code == 201, compiled.text
        fork = compiled.json()["graph_id"]
        run = theirs.post("/invocations/v1/flows/invoke", json={"graph_id": fork, "input": {"name": "Bo"}, "wait": True})
        assert run.json()["result"]["output"] == {"greeting": "Hello, Bo!"}
        assert theirs.get(f"/api/graphs/{fork}").json()["flow"] == "my-hello"
    with live.client() as mine:  # the fork is the forker's alone
        assert mine.get(f"/api/graphs/{fork}").status_code == 404


def test_a_public_flow_on_its_publishers_private_push_compiles_for_nobody_else(live, tmp_path):
    from registry_support import archive, package_repo

    repo = package_repo(tmp_path, "tester/privcalc")
    source = ("name: privcalc\nmode: unary\nimports: [tester/privcalc@0.1.0]\nnodes:\n  - id: add\n"
              "    node: tester/privcalc@0.1.0:Add\nedges: []\n")
    with live.client(timeout=600) as mine, live.client(live.other_key) as theirs:
        assert mine.post("/api/registry/packages", json=archive(repo)).status_code == 201
        graph_id = _compile(mine, source).json()["graph_id"]
        assert mine.post(f"/api/registry/flows/{graph_id}/publish").status_code == 200
        uses = (f"name: uses-privcalc\nmode: unary\nimports: []\nnodes:\n  - id: calc\n    node: flow:{graph_id}\n"
                "edges: []\n")
        assert _compile(mine, uses).status_code == 201  # the publisher has the package
        refused = _compile(theirs, uses)
        assert refused.status_code == 400
        assert refused.json()["message"] == (
            f'shout-hello.flow.yaml:5:5: error: node "calc": subflow "{graph_id}" does not compile: imported package '
            '"tester/privcalc@0.1.0" is not in the workspace')


def test_the_run_counts_against_the_callers_daily_quotas_not_the_publishers(tmp_path):
    from live_server import start_server, stop_server

    server = start_server(tmp_path, "--limits", "platform")
    try:
        hello = server.compile("hello")
        with server.client() as mine, server.client(server.other_key) as theirs:
            assert mine.post(f"/api/registry/flows/{hello}/publish").status_code == 200
            graph_id = _compile(theirs, parent_flow(hello)).json()["graph_id"]
            run = theirs.post("/invocations/v1/flows/invoke", json={"graph_id": graph_id, "input": {"name": "Ada"},
                                                                    "wait": True, "timeout_seconds": 120})
            assert run.json()["result"]["success"] is True, run.text
            quotas = {who: c.get("/api/usage").json()["quotas"] for who, c in (("mine", mine), ("theirs", theirs))}
        assert {k: v["used"] for k, v in quotas["theirs"].items()} == {"invocations": 1, "executions": 1}
        assert {k: v["used"] for k, v in quotas["mine"].items()} == {"invocations": 0, "executions": 0}
    finally:
        stop_server(server)
