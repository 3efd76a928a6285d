"""What the inspector's API section shows: the invoke endpoint and the "Use via API" curl text.

Words and shapes follow the docs (execution model, HTTP API reference). Until flows compile to
artifacts, ``graph_id`` is the placeholder "<compile first>"; until the local server lands the
origin is the loopback address it will listen on.
"""
from __future__ import annotations

import json
from typing import Any

DEFAULT_PORT = 8765
LOCAL_ORIGIN = f"http://127.0.0.1:{DEFAULT_PORT}"
GRAPH_ID_PLACEHOLDER = "<compile first>"
INVOKE_PATH = "/invocations/v1/flows/invoke"
STREAM_PATH = "/invocations/v1/flows/invoke/stream"
UNARY_LABEL = "Unary — single request / response"
PIPELINE_LABEL = "⚡ Pipeline — streams multiple frames via SSE"


def endpoint(mode: str, origin: str = LOCAL_ORIGIN) -> str:
    return origin + (STREAM_PATH if mode == "pipeline" else INVOKE_PATH)


def example_value(kind: str) -> Any:
    if kind.startswith("repeated:"):
        return []
    if kind.startswith(("map:", "message:")):
        return {}
    if kind == "string":
        return ""
    if kind == "bytes":
        return ""
    if kind == "bool":
        return False
    if kind in ("float", "double"):
        return 0.0
    if kind.startswith("enum:"):
        return 0
    return 0


def example_input(descriptor: Any) -> dict[str, Any]:
    """A JSON input with one placeholder per field of the entry node's input message."""
    if descriptor is None:
        return {}
    from axiom_ide.runtime.typecheck import describe_fields

    return {name: example_value(kind) for name, kind, _req in describe_fields(descriptor)}


def curl_command(mode: str, input_descriptor: Any, graph_id: str = GRAPH_ID_PLACEHOLDER,
                 origin: str = LOCAL_ORIGIN) -> str:
    body: dict[str, Any] = {"graph_id": graph_id, "input": example_input(input_descriptor)}
    if mode != "pipeline":
        body["wait"] = True
    flag = "-N " if mode == "pipeline" else ""
    return (
        f"curl {flag}-X POST '{endpoint(mode, origin)}' \\\n"
        f"  -H \"Authorization: Bearer $AXIOM_API_KEY\" \\\n"
        f"  -H 'Content-Type: application/json' \\\n"
        f"  -d '{json.dumps(body, ensure_ascii=False)}'"
    )
