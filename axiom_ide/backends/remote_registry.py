"""``RemoteRegistry(http)``, exposed as ``RemoteBackend.registry``: the remote's platform registry
(``server/registry_routes.py``) for ``axiom-ide push | publish | flow publish | import`` and the
IDE's Push package / Publish flow / Marketplace.

- ``push(source, on_log=None)``: the package at ``source`` (a :class:`~.push_source.PushSource`:
  HEAD on origin, clean tree) sent as ``git archive``; with ``on_log`` the build progress streams
  (SSE) and each step is handed to it as it happens. Returns the push route's 201 object (package,
  node endpoints with ``curl``, docs URL, ``log``); the server's refusal is an ``AxiomError`` in its
  words (``push_failed`` with the failing step, ``already_published``, ``conflict``).
- ``publish(name, version)``, ``publish_flow(graph_id)`` (irreversible: ask first), ``packages()``
  (the caller's pushes and all published versions, with ``visibility``, and each one's
  ``description``, ``nodes`` — name, type, input, output — and ``messages``), ``flows()`` (published
  flows), ``protos(name, version=None)`` (None when the remote has no such package).

``packages()`` and ``flows()`` are the marketplace reads: on an ``Http`` without a key they answer
with what is published; everything else needs the key (``unauthorized`` without one).
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from axiom_ide.backends.push_source import PushSource, archive
from axiom_ide.backends.remote_http import Http, envelope_error
from axiom_ide.runtime.errors import AxiomError

PACKAGES = "/api/registry/packages"
#: Seconds a push may take on the server (build and tests) before the client gives up reading.
PUSH_READ_TIMEOUT = 900.0


def _q(part: str) -> str:
    return quote(part, safe="")


def _package_path(name: str) -> str:
    owner, _, short = name.partition("/")
    return f"{PACKAGES}/{_q(owner)}/{_q(short)}"


class RemoteRegistry:
    def __init__(self, http: Http) -> None:
        self.http = http

    @staticmethod
    def push_body(source: PushSource) -> dict[str, str]:
        return {"repository": source.remote_url, "commit": source.commit,
                "archive": base64.b64encode(archive(source)).decode()}

    async def push(self, source: PushSource, on_log: Callable[[str], None] | None = None) -> dict[str, Any]:
        body = self.push_body(source)
        if on_log is None:
            result: dict[str, Any] = await self.http.json("POST", PACKAGES, json_body=body, read=PUSH_READ_TIMEOUT)
            return result
        async with self.http.open("POST", PACKAGES, json_body=body, read=PUSH_READ_TIMEOUT,
                                  headers={"Accept": "text/event-stream"}) as response:
            async for line in response.aiter_lines():
                if not line.startswith("data: "):
                    continue
                frame = json.loads(line[6:])
                if "log" in frame:
                    on_log(str(frame["log"]))
                elif "result" in frame:
                    done: dict[str, Any] = frame["result"]
                    return done
                elif "error" in frame:
                    raise envelope_error("POST", response.url, int(frame.get("status") or 400), "",
                                         json.dumps(frame["error"]).encode())
        raise AxiomError.of("connection_lost", f"the push stream from {self.http.base_url} ended before its result; "
                            'the push may still complete on the server: look for it with "axiom-ide search"')

    async def publish(self, name: str, version: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.http.json("POST", f"{_package_path(name)}/{_q(version)}/publish")
        return result

    async def publish_flow(self, graph_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.http.json("POST", f"/api/registry/flows/{_q(graph_id)}/publish")
        return result

    async def packages(self) -> list[dict[str, Any]]:
        return list((await self.http.json("GET", PACKAGES))["packages"])

    async def flows(self) -> list[dict[str, Any]]:
        return list((await self.http.json("GET", "/api/registry/flows"))["flows"])

    async def protos(self, name: str, version: str | None = None) -> dict[str, Any] | None:
        params = {"version": version} if version else None
        found: dict[str, Any] | None = await self.http.json("GET", f"{_package_path(name)}/protos", params=params,
                                                            missing_ok=True)
        return found
