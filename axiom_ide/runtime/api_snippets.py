""""Use via API": the documented call of a compiled flow as curl, Python (httpx) and JavaScript (fetch).

One place builds these texts for the CLI (``axiom-ide flow api``) and the IDE's "Use via API"
dialog. The curl command is formatted exactly like the docs' examples (getting-started
"Invoke a flow via API")::

    curl -X POST '<origin>/invocations/v1/flows/invoke' \\
      -H "Authorization: Bearer $AXIOM_API_KEY" \\
      -H 'Content-Type: application/json' \\
      -d '{
      "graph_id": "01JX3F8Q4ZJ4M9W4Y0B8T2K7RD",
      "input": { "text": "hello" },
      "wait": true
    }'

Unary flows call ``/invoke`` with ``"wait": true``; pipeline flows call ``/invoke/stream`` with
``curl -N`` and no ``wait``. Single quotes in the JSON are shell-escaped (``'\\''``), so the command
runs verbatim in a POSIX shell with ``AXIOM_API_KEY`` exported.

``input`` may be a JSON object (sent as given) or the entry message's descriptor (an example with
one placeholder per field, the conventions of the IDE's inspector: ``""``, ``0``, ``0.0``,
``false``, ``[]``, ``{}``). No Qt, no server imports.
"""
from __future__ import annotations

import json
import math
from typing import Any

DEFAULT_PORT = 8765
LOCAL_ORIGIN = f"http://127.0.0.1:{DEFAULT_PORT}"
GRAPH_ID_PLACEHOLDER = "<compile first>"
INVOKE_PATH = "/invocations/v1/flows/invoke"
STREAM_PATH = "/invocations/v1/flows/invoke/stream"
#: ``--lang`` values, in the order the IDE shows them.
LANGUAGES = ("curl", "python", "js")


def endpoint(mode: str, origin: str = LOCAL_ORIGIN) -> str:
    """The invoke URL for a flow of ``mode`` ("unary" | "pipeline") on ``origin``."""
    return origin.rstrip("/") + (STREAM_PATH if mode == "pipeline" else INVOKE_PATH)


# -- example input ---------------------------------------------------------------------------------
def example_value(kind: str) -> Any:
    """A placeholder for a field of ``kind`` (``typecheck.field_kind``'s spelling)."""
    if kind.startswith("repeated:"):
        return []
    if kind.startswith(("map:", "message:")):
        return {}
    if kind in ("string", "bytes"):
        return ""
    if kind == "bool":
        return False
    if kind in ("float", "double"):
        return 0.0
    return 0


def example_input(descriptor: Any) -> dict[str, Any]:
    """A JSON input with one placeholder per field of the entry node's input message."""
    if descriptor is None:
        return {}
    from axiom_ide.runtime.typecheck import describe_fields

    return {name: example_value(kind) for name, kind, _required in describe_fields(descriptor)}


def artifact_input_descriptor(artifact: Any) -> Any:
    """The entry node's input message descriptor of a compiled artifact (None if unresolvable)."""
    from axiom_ide.runtime.engine.codec import Codec

    try:
        key = artifact.node(artifact.entry).package_key
    except KeyError:
        key = ""
    try:
        return Codec(artifact).message_class(artifact.input_type, key).DESCRIPTOR
    except KeyError:
        return None


def _input_json(input: Any) -> Any:
    if input is None:
        return {}
    if hasattr(input, "fields_by_name"):  # a message Descriptor
        return example_input(input)
    return input


def request_body(mode: str, input: Any = None, graph_id: str = GRAPH_ID_PLACEHOLDER) -> dict[str, Any]:
    """The JSON body of the call: graph_id, input and (unary only) ``wait: true``."""
    body: dict[str, Any] = {"graph_id": graph_id, "input": _input_json(input)}
    if mode != "pipeline":
        body["wait"] = True
    return body


# -- rendering -------------------------------------------------------------------------------------
def _inline_json(value: Any) -> str:
    """JSON on one line, spaced like the docs: ``{ "text": "hello" }``, ``[1, 2]``, ``{}``."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_inline_json(v)}"
                                for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_inline_json(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _python_literal(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)}: {_python_literal(v)}"
                               for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_python_literal(v) for v in value) + "]"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if value is None:
        return "None"
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    return json.dumps(value, ensure_ascii=False)


def body_json(body: dict[str, Any]) -> str:
    """The body as the docs print it: one top-level key a line, values inline."""
    lines = [f"  {json.dumps(k)}: {_inline_json(v)}" for k, v in body.items()]
    return "{\n" + ",\n".join(lines) + "\n}"


def shell_quote(text: str) -> str:
    """``text`` in single quotes for a POSIX shell (``'`` becomes ``'\\''``)."""
    return "'" + text.replace("'", "'\\''") + "'"


def curl_command(mode: str, input: Any = None, graph_id: str = GRAPH_ID_PLACEHOLDER,
                 origin: str = LOCAL_ORIGIN) -> str:
    """The documented curl command invoking ``graph_id`` with ``input`` (JSON object or descriptor)."""
    flag = "-N " if mode == "pipeline" else ""
    return (
        f"curl {flag}-X POST {shell_quote(endpoint(mode, origin))} \\\n"
        f"  -H \"Authorization: Bearer $AXIOM_API_KEY\" \\\n"
        f"  -H 'Content-Type: application/json' \\\n"
        f"  -d {shell_quote(body_json(request_body(mode, input, graph_id)))}"
    )


def python_snippet(mode: str, input: Any = None, graph_id: str = GRAPH_ID_PLACEHOLDER,
                   origin: str = LOCAL_ORIGIN) -> str:
    """The same call with httpx: prints the 202 body (unary) or each SSE frame (pipeline)."""
    body = request_body(mode, input, graph_id)
    fields = "".join(f"        {json.dumps(k)}: {_python_literal(v)},\n" for k, v in body.items())
    call = (
        f"    {json.dumps(endpoint(mode, origin))},\n"
        "    headers={\"Authorization\": f\"Bearer {os.environ['AXIOM_API_KEY']}\"},\n"
        "    json={\n" + fields + "    },\n"
        "    timeout=60,\n"
    )
    if mode != "pipeline":
        return ("import os\n\nimport httpx\n\n"
                "response = httpx.post(\n" + call + ")\n"
                "response.raise_for_status()\n"
                "print(response.json())\n")
    return ("import json\nimport os\n\nimport httpx\n\n"
            "with httpx.stream(\n    \"POST\",\n" + call + ") as response:\n"
            "    response.raise_for_status()\n"
            "    for line in response.iter_lines():\n"
            "        if line.startswith(\"data: \"):\n"
            "            print(json.loads(line[len(\"data: \"):]))\n")


def javascript_snippet(mode: str, input: Any = None, graph_id: str = GRAPH_ID_PLACEHOLDER,
                       origin: str = LOCAL_ORIGIN) -> str:
    """The same call with fetch (Node 18+ as an ES module, or a browser page on the same origin)."""
    body = request_body(mode, input, graph_id)
    fields = "".join(f"    {json.dumps(k)}: {_inline_json(v)},\n" for k, v in body.items())
    call = (
        f"const response = await fetch({json.dumps(endpoint(mode, origin))}, {{\n"
        "  method: \"POST\",\n"
        "  headers: {\n"
        "    \"Authorization\": `Bearer ${process.env.AXIOM_API_KEY}`,\n"
        "    \"Content-Type\": \"application/json\",\n"
        "  },\n"
        "  body: JSON.stringify({\n" + fields + "  }),\n"
        "});\n"
    )
    if mode != "pipeline":
        return call + "console.log(response.status, await response.json());\n"
    return (call +
            "if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);\n"
            "// Server-Sent Events: one `data:` line of JSON per frame, frames separated by a blank line.\n"
            "const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();\n"
            "let buffer = \"\";\n"
            "for (;;) {\n"
            "  const { value, done } = await reader.read();\n"
            "  if (done) break;\n"
            "  buffer += value;\n"
            "  let end;\n"
            "  while ((end = buffer.indexOf(\"\\n\\n\")) >= 0) {\n"
            "    const event = buffer.slice(0, end);\n"
            "    buffer = buffer.slice(end + 2);\n"
            "    for (const line of event.split(\"\\n\")) {\n"
            "      if (line.startsWith(\"data: \")) console.log(JSON.parse(line.slice(6)));\n"
            "    }\n"
            "  }\n"
            "}\n")


_BUILDERS = {"curl": curl_command, "python": python_snippet, "js": javascript_snippet}


def snippet(lang: str, mode: str, input: Any = None, graph_id: str = GRAPH_ID_PLACEHOLDER,
            origin: str = LOCAL_ORIGIN) -> str:
    """The call in ``lang`` (one of :data:`LANGUAGES`)."""
    try:
        build = _BUILDERS[lang]
    except KeyError:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}") from None
    return build(mode, input, graph_id, origin)
