"""The Python SDK: a pip-installable package whose message classes are real protobuf types, built
by the protobuf runtime from the version's FileDescriptorSets (shipped inside the package), and a
``Client`` with one method per member (snake_case of its alias) over the standard library's HTTP."""
from __future__ import annotations

import json
from typing import Any

from axiom_ide.runtime.clients.model import snake
from axiom_ide.runtime.clients.schema import schema

CLIENT_PY = '''"""The {client} client: one method per member. Reads AXIOM_API_KEY at construction."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from {package} import messages

#: Baked in at build time: the deployment this SDK was downloaded from.
DEFAULT_BASE_URL = {origin!r}


def _json(msg: Message) -> dict[str, Any]:
    return json_format.MessageToDict(msg, preserving_proto_field_name=True)


def _parse(data: Any, cls: Any) -> Any:
    return json_format.ParseDict(data or {{}}, cls(), ignore_unknown_fields=True)


class AxiomApiError(Exception):
    """A non-success answer: ``status`` (401: missing, invalid or revoked API key) and ``body``."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {{status}}: {{body}}")
        self.status = status
        self.body = body


class Client:
    def __init__(self, api_key: str | None = None, base_url: str | None = None, timeout: float = 60.0) -> None:
        key = api_key if api_key is not None else os.environ.get("AXIOM_API_KEY", "")
        if not key:
            raise ValueError("no API key: set AXIOM_API_KEY or pass api_key=")
        self.api_key = key
        self.base_url = (base_url or os.environ.get("AXIOM_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout

    def _open(self, path: str, body: Any, stream: bool = False) -> Any:
        req = urllib.request.Request(self.base_url + path, data=json.dumps(body).encode("utf-8"), method="POST",
                                     headers={{"Authorization": f"Bearer {{self.api_key}}",
                                               "Content-Type": "application/json",
                                               "Accept": "text/event-stream" if stream else "application/json"}})
        try:
            return urllib.request.urlopen(req, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            raw = exc.read().decode("utf-8", "replace")
            try:
                detail: Any = json.loads(raw)
            except ValueError:
                detail = raw
            raise AxiomApiError(exc.code, detail) from None

    def _post(self, path: str, body: Any) -> Any:
        with self._open(path, body) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def _frames(self, path: str, body: Any) -> Iterator[dict[str, Any]]:
        with self._open(path, body, stream=True) as resp:
            for line in resp:
                line = line.decode("utf-8").strip()
                if not line.startswith("data:"):
                    continue
                frame = json.loads(line[5:])
                if frame.get("is_final") and not frame.get("success") and frame.get("error"):
                    raise AxiomApiError(200, frame)
                yield frame
                if frame.get("is_final"):
                    return
'''

NODE_UNARY = '''
    def {method}(self, request: messages.{input}) -> messages.{output}:
        """{doc}"""
        return _parse(self._post({path!r}, _json(request)), messages.{output})
'''
NODE_STREAM = '''
    def {method}(self, request: messages.{input}) -> Iterator[messages.{output}]:
        """{doc} Yields each output frame."""
        for frame in self._frames({path!r}, _json(request)):
            if "payload" in frame:
                yield _parse(frame["payload"], messages.{output})
'''
FLOW_UNARY = '''
    def {method}(self, request: messages.{input}, timeout_seconds: int = 30) -> messages.{output}:
        """{doc}"""
        reply = self._post({path!r}, {{"graph_id": {graph_id!r}, "input": _json(request), "wait": True,
                                      "timeout_seconds": timeout_seconds}})
        result = reply.get("result") or {{}}
        if not result.get("success"):
            raise AxiomApiError(202, reply)
        return _parse(result.get("output"), messages.{output})
'''
FLOW_STREAM = '''
    def {method}(self, request: messages.{input}, timeout_seconds: int = 30) -> Iterator[messages.{output}]:
        """{doc} Yields each output frame."""
        body = {{"graph_id": {graph_id!r}, "input": _json(request), "timeout_seconds": timeout_seconds}}
        for frame in self._frames({path!r}, body):
            if "payload" in frame:
                yield _parse(frame["payload"], messages.{output})
'''

MESSAGES_PY = '''"""Real protobuf message classes, built by the protobuf runtime from the descriptors below."""
from __future__ import annotations

import base64

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

#: package key → serialized FileDescriptorSet (base64), frozen with the client's version.
DESCRIPTOR_SETS = {sets}

_POOLS = {{}}
for _key, _b64 in DESCRIPTOR_SETS.items():
    _pool = _POOLS[_key] = descriptor_pool.DescriptorPool()
    for _file in descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(_b64)).file:
        _pool.Add(_file)


def _cls(key: str, full_name: str):
    descriptor = _POOLS[key].FindMessageTypeByName(full_name)
    if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(_POOLS[key]).GetPrototype(descriptor)

'''


def package_name(client: str) -> str:
    return snake(client.replace("-", "_")) + "_sdk"


def generate(snapshot: dict[str, Any], origin: str) -> dict[str, str]:
    """path → text of the SDK's files (README.md and manifest.json are added by the builder)."""
    s = schema(snapshot)
    pkg = package_name(snapshot["client"])
    msgs = MESSAGES_PY.format(sets=json.dumps(snapshot["descriptor_sets"], indent=4))
    for (key, full), name in s.names.items():
        msgs += f"{name} = _cls({key!r}, {full!r})\n"
    msgs += f"\n__all__ = {sorted(set(s.names.values()))!r}\n"
    client = CLIENT_PY.format(client=snapshot["client"], package=pkg, origin=origin)
    for c in s.calls:
        template = {("node", False): NODE_UNARY, ("node", True): NODE_STREAM,
                    ("flow", False): FLOW_UNARY, ("flow", True): FLOW_STREAM}[(c.kind, c.streaming)]
        doc = (c.description or f"The {c.kind} {c.alias}.").replace('"""', "'''").replace("\\", "\\\\")
        client += template.format(method=snake(c.alias), input=c.input, output=c.output, path=c.path,
                                  graph_id=c.graph_id, doc=doc)
    init = (f'"""The {snapshot["client"]} SDK (version {snapshot["version"]})."""\n'
            f"from {pkg} import messages\nfrom {pkg}.client import AxiomApiError, Client\n"
            f"from {pkg}.messages import *  # noqa: F403\n\n"
            f"__version__ = \"{snapshot['version']}.0.0\"\n")
    pyproject = (f'[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
                 f'[project]\nname = "{pkg.replace("_", "-")}"\nversion = "{snapshot["version"]}.0.0"\n'
                 f'description = "Axiom client SDK: {snapshot["client"]}"\nrequires-python = ">=3.9"\n'
                 f'dependencies = ["protobuf>=4.0"]\n\n[tool.setuptools]\npackages = ["{pkg}"]\n')
    return {"pyproject.toml": pyproject, f"{pkg}/__init__.py": init, f"{pkg}/messages.py": msgs,
            f"{pkg}/client.py": client}


def readme_usage(snapshot: dict[str, Any]) -> tuple[str, str, list[str]]:
    """(install text, example code, method lines) for the README."""
    s = schema(snapshot)
    pkg = package_name(snapshot["client"])
    methods = [f"`{snake(c.alias)}({c.input}) -> {'Iterator[' + c.output + ']' if c.streaming else c.output}`"
               for c in s.calls]
    first = s.calls[0]
    example = (f"from {pkg} import Client, {first.input}\n\nclient = Client()  # reads AXIOM_API_KEY\n"
               f"result = client.{snake(first.alias)}({first.input}())\n")
    return "pip install -e .", example, methods
