"""OpenAPI 3.0 responses of the management routes (``/api/...``) in management(_tenant).py.

``RESPONSES[(METHOD, path)]`` is an operation's responses object, every schema generated from the
model the handler answers with (:mod:`axiom_ide.server.management_models`,
:mod:`axiom_ide.server.response_models`). The operations themselves (summary, parameters, request
body) are generated from the routes' declarations (:mod:`axiom_ide.server.routes`).
"""
from __future__ import annotations

from typing import Any

from axiom_ide.server import management_models as m
from axiom_ide.server.response_models import ErrorBody, ErrorMessage, content


def _path(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": {"type": "string"}}


path_param = _path

_400 = content("Invalid argument", ErrorMessage)
_404 = content("Not found (also for another tenant's)", ErrorBody)
_409 = content("Already exists", ErrorMessage)
_204 = {"description": "Done; no body"}

#: The responses of every /api/ management route; requests are described once, by the models the
#: routes validate with (management.py, management_tenant.py), and their operations generated there.
RESPONSES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/compile"): {
        "201": content("Compiled", m.Compiled),
        "400": content("Invalid argument, or the flow does not compile", m.CompileFailed)},
    ("GET", "/api/flows"): {"200": content("Flows", m.Flows)},
    ("GET", "/api/flows/{name}/artifacts"): {"200": content("Artifacts", m.Artifacts)},
    ("GET", "/api/graphs/{graph_id}"): {"200": content("The artifact", m.Graph), "404": _404},
    ("GET", "/api/packages"): {"200": content("Packages", m.Packages)},
    ("GET", "/api/secrets"): {"200": content("Secrets", m.Secrets)},
    ("PUT", "/api/secrets/{name}"): {
        "201": content("Created", m.SecretSet), "200": content("Replaced", m.SecretSet), "400": _400},
    ("DELETE", "/api/secrets/{name}"): {"204": _204, "404": _404},
    ("GET", "/api/configs"): {"200": content("Configs", m.Configs)},
    ("POST", "/api/configs"): {"201": content("Created", m.Config), "400": _400, "409": _409},
    ("GET", "/api/configs/{config_id}"): {"200": content("The config", m.Config), "404": _404},
    ("PATCH", "/api/configs/{config_id}"): {"200": content("The updated config", m.Config), "400": _400, "404": _404,
                                           "409": _409},
    ("DELETE", "/api/configs/{config_id}"): {"204": _204, "404": _404},
    ("GET", "/api/keys"): {"200": content("Keys", m.Keys)},
    ("POST", "/api/keys"): {"201": content("Created", m.NewKey), "400": _400, "409": _409},
    ("DELETE", "/api/keys/{name}"): {"204": _204, "404": _404},
    ("GET", "/api/whoami"): {"200": content("The caller's identity", m.Whoami)},
    ("GET", "/api/memory/flows"): {"200": content("Flows", m.MemoryFlows)},
    ("GET", "/api/memory/flows/{flow_id}/sessions"): {"200": content("Sessions", m.MemorySessions)},
    ("GET", "/api/memory/flows/{flow_id}/search"): {"200": content("Results", m.MemorySearchResult), "400": _400},
    ("DELETE", "/api/memory/flows/{flow_id}"): {"200": content("Deleted", m.Deleted), "404": _404},
    ("GET", "/api/memory/sessions/{session_id}"): {"200": content("The session", m.MemorySession), "404": _404},
    ("POST", "/api/memory/sessions/{session_id}/end"): {"200": content("Ended", m.MemoryEnded), "404": _404},
    ("DELETE", "/api/memory/sessions/{session_id}"): {"200": content("Deleted", m.Deleted), "404": _404},
    ("GET", "/api/effective-config"): {"200": content("The effective values", m.EffectiveConfig)},
}
