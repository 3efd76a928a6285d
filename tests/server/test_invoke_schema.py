"""What the invocation API returns validates against the OpenAPI document generated for the same
flow: invoke results, stream frames and the checkpoint payloads of the history routes all use the
proto3 JSON mapping (64-bit integers as strings, enums by name, well-known types in their JSON
forms) that ``runtime/message_schema.py`` documents."""
from __future__ import annotations

import pytest
from engine_support import write_package
from kinds_support import kinds_proto
from openapi_schema_validator import OAS30Validator
from server_support import sse_frames

INVOKE = "/invocations/v1/flows/invoke"

PROTO = kinds_proto("tests.rich")
MANIFEST = """\
name: tests/rich
version: 0.1.0
language: python
description: Every kind of field, echoed.
nodes:
  - {name: Echo, input: Kinds, output: Kinds}
  - {name: Twice, input: Kinds, output: Kinds, type: pipeline}
"""
NODES = {
    "echo": "def echo(ax, input):\n    return input\n",
    "twice": "def twice(ax, inputs):\n    for inp in inputs:\n        yield inp\n        yield inp\n",
}

RICH = {"big": "9000000001", "ubig": "18446744073709551615", "small": -3, "usmall": 7, "ratio": 0.5, "f": 1.5,
        "flag": True, "blob": "AAE=", "priority": "HIGH", "tags": ["a", "b"], "counts": {"x": "7"},
        "parent": {"big": "-1"}, "at": "2024-01-02T03:04:05Z", "extra": {"k": [1, "v", None]},
        "maybe": "hi", "took": "1.500s", "items": [{"sku": "s1"}], "note": "n", "bigs": ["1", "2"]}
INPUTS = [RICH, {}, {"big": 5, "counts": {"y": 3}}]  # numbers are accepted for 64-bit integers too


@pytest.fixture(scope="module")
def rich(live):
    write_package(live.workspace, "rich", MANIFEST, PROTO, NODES)
    for flow, node, mode in (("rich-echo", "Echo", "unary"), ("rich-twice", "Twice", "pipeline")):
        (live.workspace / "flows" / f"{flow}.flow.yaml").write_text(
            f"name: {flow}\nmode: {mode}\nimports: [tests/rich@0.1.0]\nnodes:\n"
            f"  - id: r\n    node: tests/rich@0.1.0:{node}\nedges: []\n")
    return live


def _validator(spec: dict, schema: dict) -> OAS30Validator:
    """A validator for ``schema`` whose ``#/components/...`` references resolve in ``spec``."""
    return OAS30Validator({**schema, "components": spec["components"]})


def _check(validator: OAS30Validator, instance) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]
    assert not errors, errors


def test_invoke_results_and_checkpoints_validate_against_the_flows_openapi_schema(rich):
    graph_id = rich.compile("rich-echo")
    with rich.client() as c:
        spec = c.get(f"/api/graphs/{graph_id}/openapi.json").json()
        op = spec["paths"]["/v1/flows/invoke"]["post"]
        accepted = _validator(spec, op["responses"]["202"]["content"]["application/json"]["schema"])
        message = _validator(spec, {"$ref": "#/components/schemas/tests.rich.Kinds"})
        for data in INPUTS:
            body = c.post(INVOKE, json={"graph_id": graph_id, "input": data, "wait": True}).json()
            assert body["result"]["success"] is True, body
            _check(accepted, body)
            _check(message, body["result"]["output"])
            listed = c.get(f"/invocations/v1/executions/{body['execution_id']}/checkpoints").json()["checkpoints"]
            [cp] = listed
            one = c.get(f"/invocations/v1/executions/{body['execution_id']}/checkpoints/{cp['checkpoint_id']}").json()
            for payload in (cp["input"], cp["output"], one["input"], one["output"]):
                _check(message, payload)
            detail = c.get(f"/invocations/v1/executions/{body['execution_id']}").json()
            _check(message, detail["output"])
    out = body["result"]["output"]  # the last input: {"big": 5, "counts": {"y": 3}}
    assert (out["big"], out["counts"], out["ubig"], out["priority"], out["tags"]) == (
        "5", {"y": "3"}, "0", "PRIORITY_UNSPECIFIED", [])


def test_the_rich_output_is_the_proto3_json_of_its_input(rich):
    graph_id = rich.compile("rich-echo")
    with rich.client() as c:
        out = c.post(INVOKE, json={"graph_id": graph_id, "input": RICH, "wait": True}).json()["result"]["output"]
    assert {k: v for k, v in out.items() if k != "parent"} == {k: v for k, v in RICH.items() if k != "parent"}
    assert out["parent"]["big"] == "-1" and out["parent"]["tags"] == []  # fields without presence: defaults
    assert isinstance(out["big"], str) and out["at"] == "2024-01-02T03:04:05Z" and out["maybe"] == "hi"


def test_stream_frames_validate_against_the_flows_openapi_schema(rich):
    graph_id = rich.compile("rich-twice")
    with rich.client() as c:
        spec = c.get(f"/api/graphs/{graph_id}/openapi.json").json()
        op = spec["paths"]["/v1/flows/invoke/stream"]["post"]
        frame = _validator(spec, op["responses"]["200"]["content"]["text/event-stream"]["schema"])
        r = c.post(INVOKE + "/stream", json={"graph_id": graph_id, "input": RICH})
    frames = sse_frames(r.text)
    assert [f["is_final"] for f in frames] == [False, False, True] and frames[-1]["success"] is True
    for f in frames:
        _check(frame, f)
    assert frames[0]["payload"]["big"] == "9000000001" and frames[1]["payload"] == frames[0]["payload"]
