"""OpenAPI 3.0 responses of the management routes (``/api/...``) in management(_tenant).py.

``RESPONSES[(METHOD, path)]`` is an operation's responses object. The operations themselves (summary,
parameters, request body) are generated from the routes' declarations (:mod:`axiom_ide.server.routes`),
so the request schema is the model the route validates with. Schemas are inline so each operation
stands alone.
"""
from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_MS = {"type": "integer", "format": "int64", "nullable": True, "description": "unix milliseconds"}
_INT = {"type": "integer"}


def _obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required:
        out["required"] = required
    return out


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": _STR}


path_param = _path


_ERROR = _obj({"error": _STR, "message": _STR})
_400 = _json("Invalid argument", _ERROR)
_404 = _json("Not found (also for another tenant's)", _obj({"error": _STR}))
_409 = _json("Already exists", _ERROR)
_204 = {"description": "Done; no body"}

_DIAGNOSTIC = _obj({
    "code": _STR, "severity": {"type": "string", "enum": ["error", "warning", "info"]}, "message": _STR,
    "location": _obj({"file": _STR, "line": _INT, "column": _INT, "node": _STR, "path": _STR,
                      "edge": _obj({"from": _STR, "to": _STR})}),
    "text": {"type": "string", "description": "file:line:col: severity: message"}})
_ARTIFACT_ROW = _obj({"graph_id": _STR, "flow": _STR, "mode": {"type": "string", "enum": ["unary", "pipeline"]},
                      "created_at": _MS})
_COMPILED = _obj({"ok": {"type": "boolean"}, "graph_id": _STR, "flow": _STR, "mode": _STR, "entry": _STR,
                  "terminal": _STR, "input_type": _STR, "output_type": _STR, "created_at": _MS,
                  "warnings": {"type": "array", "items": _DIAGNOSTIC}})
_FLOW = _obj({"name": _STR, "file": {"type": "string", "nullable": True}, "description": _STR, "mode": _STR,
              "latest_artifact": {**_ARTIFACT_ROW, "nullable": True}})
_PACKAGE = _obj({"name": _STR, "version": _STR, "key": _STR, "language": _STR, "description": _STR,
                 "tags": {"type": "array", "items": _STR},
                 "nodes": {"type": "array", "items": _obj({
                     "name": _STR, "ref": _STR, "type": {"type": "string", "enum": ["unary", "pipeline"]},
                     "description": _STR, "input": _STR, "output": _STR,
                     "required_secrets": {"type": "array", "items": _STR}})}})
_SECRET = _obj({"name": _STR, "created_at": _MS, "updated_at": _MS})
_CONFIG = _obj({"id": _STR, "flow": {"type": "string", "nullable": True}, "name": _STR,
                "node_timeout_seconds": {"type": "number", "nullable": True},
                "max_attempts": {"type": "integer", "nullable": True},
                "secret_overrides": {"type": "array", "items": _STR, "description": "override names only"},
                "created_at": _MS, "updated_at": _MS})
_KEY = _obj({"name": _STR, "key": {"type": "string", "description": "masked: first 8 … last 4"},
             "created_at": _MS, "last_used": _MS})
_NEW_KEY = _obj({"name": _STR, "tenant": _STR, "key": {"type": "string", "description": "the raw key, shown once"},
                 "masked": _STR, "created_at": _MS})
_TURN = _obj({"id": _STR, "flow_id": _STR, "role": _STR, "content": _STR, "created_at": _MS})
_ENTRY = _obj({"id": _STR, "flow_id": _STR, "memory_type": _STR, "importance": {"type": "number"},
               "content": _STR, "created_at": _MS})
_DELETED = _obj({"deleted": {"type": "integer", "description": "records removed"}, "session_id": _STR, "flow_id": _STR})

#: The responses of every /api/ management route; requests are described once, by the models the
#: routes validate with (management.py, management_tenant.py), and their operations generated there.
RESPONSES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/compile"): {
        "201": _json("Compiled", _COMPILED),
        "400": _json("Invalid argument, or the flow does not compile", _obj({
            "error": {"type": "string", "enum": ["invalid_argument", "compile_failed"]},
            "message": _STR, "diagnostics": {"type": "array", "items": _DIAGNOSTIC}}))},
    ("GET", "/api/flows"): {"200": _json("Flows", _obj({
        "flows": {"type": "array", "items": _FLOW},
        "problems": {"type": "array", "items": _obj({"file": _STR, "error": _STR})}}))},
    ("GET", "/api/flows/{name}/artifacts"): {"200": _json("Artifacts", _obj({
        "flow": _STR, "artifacts": {"type": "array", "items": _ARTIFACT_ROW}}))},
    ("GET", "/api/graphs/{graph_id}"): {"200": _json("The artifact", _obj({
        **_COMPILED["properties"], "warnings": {"type": "array", "items": _STR},
        "nodes": {"type": "array", "items": _obj({"id": _STR, "node": _STR, "kind": _STR,
                                                  "input_type": _STR, "output_type": _STR})},
        "source": {"type": "object", "description": "the flow document as compiled"}})), "404": _404},
    ("GET", "/api/packages"): {"200": _json("Packages", _obj({
        "packages": {"type": "array", "items": _PACKAGE}, "problems": {"type": "array", "items": _STR}}))},
    ("GET", "/api/secrets"): {"200": _json("Secrets", _obj({"secrets": {"type": "array", "items": _SECRET}}))},
    ("PUT", "/api/secrets/{name}"): {
        "201": _json("Created", _obj({"name": _STR, "replaced": {"type": "boolean"}})),
        "200": _json("Replaced", _obj({"name": _STR, "replaced": {"type": "boolean"}})), "400": _400},
    ("DELETE", "/api/secrets/{name}"): {"204": _204, "404": _404},
    ("GET", "/api/configs"): {"200": _json("Configs", _obj({"configs": {"type": "array", "items": _CONFIG}}))},
    ("POST", "/api/configs"): {"201": _json("Created", _CONFIG), "400": _400, "409": _409},
    ("GET", "/api/configs/{config_id}"): {"200": _json("The config", _CONFIG), "404": _404},
    ("PATCH", "/api/configs/{config_id}"): {"200": _json("The updated config", _CONFIG), "400": _400, "404": _404},
    ("DELETE", "/api/configs/{config_id}"): {"204": _204, "404": _404},
    ("GET", "/api/keys"): {"200": _json("Keys", _obj({"keys": {"type": "array", "items": _KEY}}))},
    ("POST", "/api/keys"): {"201": _json("Created", _NEW_KEY), "400": _400, "409": _409},
    ("DELETE", "/api/keys/{name}"): {"204": _204, "404": _404},
    ("GET", "/api/memory/flows"): {"200": _json("Flows", _obj({"flows": {"type": "array", "items": _obj({
        "flow_id": _STR, "sessions": _INT, "last_active": _MS})}}))},
    ("GET", "/api/memory/flows/{flow_id}/sessions"): {"200": _json("Sessions", _obj({
        "flow_id": _STR, "sessions": {"type": "array", "items": _obj({
            "session_id": _STR, "turns": _INT, "entries": _INT, "last_active": _MS,
            "ended_at": {**_MS, "description": "unix milliseconds of the last end; null while open"}})}}))},
    ("GET", "/api/memory/flows/{flow_id}/search"): {"200": _json("Results", _obj({
        "flow_id": _STR, "query": _STR, "method": _STR, "latency_ms": {"type": "number"},
        "results": {"type": "array", "items": _obj({
            "id": _STR, "content": _STR, "scope_level": _STR, "memory_type": _STR,
            "importance": {"type": "number"}, "confidence": {"type": "number"}, "score": {"type": "number"},
            "created_at": _MS})}})), "400": _400},
    ("DELETE", "/api/memory/flows/{flow_id}"): {"200": _json("Deleted", _DELETED), "404": _404},
    ("GET", "/api/memory/sessions/{session_id}"): {"200": _json("The session", _obj({
        "session_id": _STR, "ended_at": {**_MS, "description": "unix milliseconds of the last end; null while open"},
        "turns": {"type": "array", "items": _TURN},
        "memories": {"type": "array", "items": _ENTRY}})), "404": _404},
    ("POST", "/api/memory/sessions/{session_id}/end"): {"200": _json("Ended", _obj({
        "session_id": _STR, "flows": {"type": "array", "items": _STR}, "ended_at": _MS})), "404": _404},
    ("DELETE", "/api/memory/sessions/{session_id}"): {"200": _json("Deleted", _DELETED), "404": _404},
}
