"""Use via API texts (curl / httpx / fetch) and messages as OpenAPI schemas (proto3 JSON mapping)."""
from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

import pytest
from google.protobuf import json_format, message_factory
from jsonschema.exceptions import ValidationError
from kinds_support import kinds_proto
from openapi_schema_validator import OAS30Validator

from axiom_ide.runtime import api_snippets as snippets
from axiom_ide.runtime.message_schema import SchemaSet, example_message
from axiom_ide.runtime.packages import Workspace
from axiom_ide.runtime.packages.messages import MessageSet

GID = "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD"
ORIGIN = "https://flows.example-axiom-host.com"
EXAMPLES = Path(__file__).resolve().parents[2] / "axiom_ide" / "resources" / "examples" / "workspace"


def test_unary_curl_is_the_docs_example_verbatim():
    assert snippets.curl_command("unary", {"text": "hello"}, GID, ORIGIN) == (
        "curl -X POST 'https://flows.example-axiom-host.com/invocations/v1/flows/invoke' \\\n"
        '  -H "Authorization: Bearer $AXIOM_API_KEY" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        "  -d '{\n"
        '  "graph_id": "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD",\n'
        '  "input": { "text": "hello" },\n'
        '  "wait": true\n'
        "}'"
    )


def test_pipeline_curl_streams_with_dash_n_and_no_wait():
    assert snippets.curl_command("pipeline", {"text": "hello"}, GID, ORIGIN) == (
        "curl -N -X POST 'https://flows.example-axiom-host.com/invocations/v1/flows/invoke/stream' \\\n"
        '  -H "Authorization: Bearer $AXIOM_API_KEY" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        "  -d '{\n"
        '  "graph_id": "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD",\n'
        '  "input": { "text": "hello" }\n'
        "}'"
    )


@pytest.mark.parametrize("text", ["O'Neil", "it's 'quoted'", "$HOME `id` \\ \"x\"", "multi\nline", "é ☃ '\\''"])
def test_curl_body_survives_the_shell_exactly(text):
    value = {"name": text, "nested": {"list": [1, 2.5, True, None], "empty": {}}}
    command = snippets.curl_command("unary", value, GID, "http://127.0.0.1:1")
    argv = shlex.split(command.replace("\\\n", " "))
    body = json.loads(argv[argv.index("-d") + 1])
    assert body == {"graph_id": GID, "input": value, "wait": True}
    assert argv[:4] == ["curl", "-X", "POST", "http://127.0.0.1:1/invocations/v1/flows/invoke"]
    assert argv[argv.index("-H") + 1] == "Authorization: Bearer $AXIOM_API_KEY"  # expanded by a real shell


def test_nested_input_renders_inline_like_the_docs():
    body = snippets.body_json(snippets.request_body("unary", {"a": {"b": [1, "x"]}, "c": []}, GID))
    assert body == '{\n  "graph_id": "' + GID + '",\n  "input": { "a": { "b": [1, "x"] }, "c": [] },\n  "wait": true\n}'


def test_defaults_match_the_inspector_placeholder_and_local_origin():
    assert snippets.request_body("unary") == {"graph_id": "<compile first>", "input": {}, "wait": True}
    assert snippets.endpoint("unary") == "http://127.0.0.1:8765/invocations/v1/flows/invoke"
    assert snippets.endpoint("pipeline", "http://h:1/") == "http://h:1/invocations/v1/flows/invoke/stream"


def test_example_input_has_one_placeholder_per_entry_field():
    ws = Workspace(EXAMPLES)
    text = ws.packages["examples/text@0.1.0"]
    assert snippets.example_input(text.message("ScoreResult")) == {"text": "", "score": 0.0, "length": 0}
    assert snippets.example_input(text.message("GreetRequest")) == {"name": ""}
    assert snippets.example_input(None) == {}
    # A descriptor given as the input means "an example of this message".
    assert snippets.request_body("pipeline", text.message("Text"), GID) == {"graph_id": GID, "input": {"text": ""}}


def test_python_and_js_snippets_carry_the_same_call():
    value = {"name": "O'Neil", "ok": True, "n": None}
    py = snippets.python_snippet("unary", value, GID, "http://h:1")
    compile(py, "<snippet>", "exec")
    assert '"input": {"name": "O\'Neil", "ok": True, "n": None},' in py
    assert '"http://h:1/invocations/v1/flows/invoke"' in py and '"wait": True,' in py
    stream = snippets.python_snippet("pipeline", value, GID, "http://h:1")
    compile(stream, "<snippet>", "exec")
    assert "httpx.stream(" in stream and '"wait"' not in stream
    js = snippets.javascript_snippet("unary", value, GID, "http://h:1")
    assert 'fetch("http://h:1/invocations/v1/flows/invoke"' in js
    assert '"input": { "name": "O\'Neil", "ok": true, "n": null },' in js
    assert snippets.snippet("js", "pipeline", value, GID, "http://h:1") == snippets.javascript_snippet(
        "pipeline", value, GID, "http://h:1")
    with pytest.raises(ValueError, match="unknown language 'ruby'"):
        snippets.snippet("ruby", "unary")


@pytest.mark.requires_tool("node", why="the JS syntax check needs it")
@pytest.mark.parametrize("mode", ["unary", "pipeline"])
def test_js_snippets_are_valid_module_syntax(mode, tmp_path):
    script = tmp_path / "call.mjs"
    script.write_text(snippets.javascript_snippet(mode, {"text": "a'b"}, GID), encoding="utf-8")
    proc = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


# -- messages as schemas --------------------------------------------------------------------------
PROTO = kinds_proto("acme.kinds")


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    root = tmp_path_factory.mktemp("kinds")
    (root / "messages").mkdir()
    (root / "messages" / "messages.proto").write_text(PROTO, encoding="utf-8")
    ms = MessageSet(root, [])
    return ms, ms.descriptor("Kinds")


def test_message_schema_follows_the_proto3_json_mapping(kinds):
    ms, desc = kinds
    schemas = SchemaSet(lambda d: ms.doc(d.full_name))
    assert schemas.ref(desc) == {"$ref": "#/components/schemas/acme.kinds.Kinds"}
    kinds_schema = schemas.schemas["acme.kinds.Kinds"]
    props = kinds_schema["properties"]
    assert kinds_schema["description"] == "Every kind of field."
    assert kinds_schema["additionalProperties"] is False
    assert props["big"] == {"type": "string", "format": "int64", "pattern": "^-?[0-9]+$",
                            "description": "A 64-bit count."}
    assert props["ubig"]["format"] == "uint64" and props["ubig"]["type"] == "string"
    assert props["small"] == {"type": "integer", "format": "int32"}
    assert props["usmall"] == {"type": "integer", "format": "int32", "minimum": 0}
    assert props["ratio"] == {"type": "number", "format": "double"}
    assert props["flag"] == {"type": "boolean"}
    assert props["blob"] == {"type": "string", "format": "byte"}
    assert props["priority"] == {"type": "string", "enum": ["PRIORITY_UNSPECIFIED", "HIGH"]}
    assert props["tags"] == {"type": "array", "items": {"type": "string"}}
    assert props["counts"] == {"type": "object", "additionalProperties": {
        "type": "string", "format": "int64", "pattern": "^-?[0-9]+$"}}
    assert props["parent"] == {"allOf": [{"$ref": "#/components/schemas/acme.kinds.Kinds"}],
                               "description": "The parent, if any."}  # recursion through $ref
    assert props["at"]["type"] == "string" and props["at"]["format"] == "date-time"
    assert props["extra"]["type"] == "object" and props["extra"]["additionalProperties"] is True
    assert props["maybe"]["type"] == "string" and props["maybe"]["nullable"] is True
    assert props["took"]["type"] == "string"
    assert props["items"] == {"type": "array", "items": {"$ref": "#/components/schemas/acme.kinds.Kinds.Item"}}
    item = schemas.schemas["acme.kinds.Kinds.Item"]
    assert item["description"] == "A nested message."
    assert item["properties"]["sku"] == {"type": "string", "description": "Stock keeping unit."}
    assert list(schemas.schemas) == ["acme.kinds.Kinds", "acme.kinds.Kinds.Item"]


def test_message_example_validates_and_parses(kinds):
    _ms, desc = kinds
    schemas = SchemaSet()
    schemas.ref(desc)
    example = example_message(desc)
    assert example["big"] == "0" and example["priority"] == "PRIORITY_UNSPECIFIED" and example["counts"] == {}
    assert example["at"] == "1970-01-01T00:00:00Z" and example["took"] == "0s"
    spec = {"components": {"schemas": schemas.schemas}}
    validator = OAS30Validator({"$ref": "#/components/schemas/acme.kinds.Kinds", **spec})
    validator.validate(example)
    assert schemas.schemas["acme.kinds.Kinds"]["example"] == example
    json_format.ParseDict(example, message_factory.GetMessageClass(desc)())  # the parser accepts it too
    with pytest.raises(ValidationError, match="unknown_field"):
        validator.validate({**example, "unknown_field": 1})
