"""server/input_routes.py against a real ``axiom-ide serve``: a failed node's input rebuilt from the
execution's checkpoints, a flow's entry message descriptors; each answer matches the schema the
server's own OpenAPI document gives it, and another tenant's ids answer like unknown ones."""
from __future__ import annotations

import base64

import pytest
import server_support
from google.protobuf import descriptor_pb2
from openapi_schema_validator import OAS30Validator

INVOKE = "/invocations/v1/flows/invoke"
NODE_INPUT = "/invocations/v1/executions/{execution_id}/nodes/{node}/input"
DESCRIPTOR = "/api/graphs/{graph_id}/input-descriptor"


@pytest.fixture(scope="module")
def spec(live):
    server_support.test_flows(live)
    with live.client() as c:
        return c.get("/api/openapi.json").json()


def checked(spec, r, template):
    op = spec["paths"][template]["get"]
    documented = op["responses"].get(str(r.status_code))
    assert documented is not None, f"{template} answered undocumented {r.status_code}: {r.text}"
    body = r.json()
    OAS30Validator(documented["content"]["application/json"]["schema"]).validate(body)
    return body


def test_a_failed_nodes_input_is_rebuilt_and_a_completed_ones_is_null(live, spec):
    boom, linear = live.compile("faults-boom"), live.compile("linear")
    with live.client() as c:
        failed = c.post(INVOKE, json={"graph_id": boom, "input": {"text": "x"}, "wait": True}).json()
        done = c.post(INVOKE, json={"graph_id": linear, "input": {"text": "a"}, "wait": True}).json()
        assert failed["result"]["success"] is False and done["result"]["success"] is True
        body = checked(spec, c.get(f"/invocations/v1/executions/{failed['execution_id']}/nodes/n1/input"), NODE_INPUT)
        assert body == {"execution_id": failed["execution_id"], "node": "n1", "input": {"text": "x", "big": "0"}}
        entry = c.get(f"/api/graphs/{linear}").json()["entry"]
        body = checked(spec, c.get(f"/invocations/v1/executions/{done['execution_id']}/nodes/{entry}/input"),
                       NODE_INPUT)
        assert body["input"] is None  # it completed: its checkpoint has its input
        unknown = checked(spec, c.get(f"/invocations/v1/executions/{'0' * 32}/nodes/n1/input"), NODE_INPUT)
        assert unknown == {"error": "execution not found"}
    with live.client(live.other_key) as other:
        r = other.get(f"/invocations/v1/executions/{failed['execution_id']}/nodes/n1/input")
        assert (r.status_code, r.json()) == (404, {"error": "execution not found"})


def test_the_entry_message_descriptors_build_the_entry_message(live, spec):
    graph_id = live.compile("faults-upper")
    with live.client() as c:
        body = checked(spec, c.get(f"/api/graphs/{graph_id}/input-descriptor"), DESCRIPTOR)
        assert (body["graph_id"], body["input_type"], body["package"]) == (graph_id, "tests.faults.Text",
                                                                            "tests/faults@0.1.0")
        files = descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(body["descriptor_set"])).file
        text = next(m for f in files for m in f.message_type if m.name == "Text")
        assert [f.name for f in text.field] == ["text", "big"]
        assert checked(spec, c.get(f"/api/graphs/{'0' * 26}/input-descriptor"), DESCRIPTOR) == {"error": "graph not found"}
    with live.client(live.other_key) as other:
        assert other.get(f"/api/graphs/{graph_id}/input-descriptor").status_code == 404
