"""Calling one package node directly, without a flow (the platform's ``/v1/nodes/...`` endpoints).

:class:`NodeDirectory` finds the nodes of a workspace's packages by name path
(``owner/pkg``, version, ``Node``) or by node id (:func:`~axiom_ide.runtime.packages.node_id.node_id`);
a lookup that misses rescans the workspace (at most every RESCAN_INTERVAL seconds), so a package added while the
runtime runs is found. :class:`NodeEndpoint` is one resolved node: the :class:`ArtifactNode` the
node invoker runs and the message classes that convert its JSON. Invoking it is
:meth:`Runtime.invoke_node` / :meth:`Runtime.stream_node`; a single-node call is an invocation, not an
execution, so nothing is recorded in execution history.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.protobuf import json_format, message_factory
from google.protobuf.message import DecodeError, Message

from axiom_ide.runtime.compiler.artifact import ArtifactNode
from axiom_ide.runtime.engine.codec import InvalidInput, message_to_json
from axiom_ide.runtime.packages.node_id import node_id

#: Seconds between rescans of the workspace triggered by lookups that miss.
RESCAN_INTERVAL = 0.25


@dataclass(frozen=True)
class NodeEndpoint:
    #: ``owner/pkg``, version and node name, as in ``axiom.yaml``.
    package: str
    version: str
    name: str
    #: The node's id (see :mod:`axiom_ide.runtime.packages.node_id`).
    id: str
    #: What the node invoker runs (``kind`` is "unary" or "pipeline").
    node: ArtifactNode
    input_cls: type[Message]
    output_cls: type[Message]

    @property
    def path(self) -> str:
        return f"{self.package}/{self.version}/{self.name}"

    @property
    def streaming(self) -> bool:
        return self.node.kind == "pipeline"

    def encode_json(self, data: Any) -> bytes:
        """The caller's JSON object as input bytes; :class:`InvalidInput` has the catalog's text."""
        short = self.input_cls.DESCRIPTOR.name
        if not isinstance(data, dict):
            raise InvalidInput(f"invalid JSON for {short}: expected a JSON object, got {_json_type(data)}")
        try:
            return json_format.ParseDict(data, self.input_cls()).SerializeToString()
        except json_format.ParseError as exc:
            raise InvalidInput(f"invalid JSON for {short}: {exc}") from None

    def check_payload(self, payload: bytes) -> bytes:
        """``payload`` when it parses as the input message; else :class:`InvalidInput`."""
        return check_message(self.input_cls, payload)

    def decode(self, payload: bytes) -> dict[str, Any]:
        """Output bytes in the wire form (proto3 JSON mapping; see :mod:`.codec`)."""
        return message_to_json(self.output_cls.FromString(payload))


def check_message(cls: type[Message], payload: bytes) -> bytes:
    try:
        cls.FromString(payload)
    except (DecodeError, ValueError) as exc:
        raise InvalidInput(f"invalid payload for {cls.DESCRIPTOR.name}: {exc}") from None
    return payload


def _json_type(value: Any) -> str:
    return {list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number" if isinstance(value, (int, float)) else type(value).__name__)


class NodeDirectory:
    """The invocable nodes of the packages under a workspace root."""

    def __init__(self, root: Path | None) -> None:
        self.root = Path(root) if root is not None else None
        self._workspace: Any = None
        self._by_path: dict[tuple[str, str, str], NodeEndpoint] = {}
        self._by_id: dict[str, NodeEndpoint] = {}
        self._scanned_at = float("-inf")

    def by_path(self, package: str, version: str, name: str) -> NodeEndpoint | None:
        key = (package, version, name)
        hit = self._by_path.get(key)
        if hit is None and self._rescan():
            hit = self._by_path.get(key)
        return hit

    def by_id(self, nid: str) -> NodeEndpoint | None:
        nid = nid.upper()
        hit = self._by_id.get(nid)
        if hit is None and self._rescan():
            hit = self._by_id.get(nid)
        return hit

    def _rescan(self) -> bool:
        """Rescan unless one happened within RESCAN_INTERVAL; True when it rescanned."""
        now = time.monotonic()
        if self.root is None or now - self._scanned_at < RESCAN_INTERVAL:
            return False
        self._scanned_at = now
        from axiom_ide.runtime.packages import Workspace

        if self._workspace is None:
            self._workspace = Workspace(self.root)
        else:
            self._workspace.refresh()
        by_path: dict[tuple[str, str, str], NodeEndpoint] = {}
        for pkg in self._workspace.packages.values():
            specs, _problems = pkg.try_nodes()  # a broken node must not hide its healthy siblings
            for spec in specs:
                ep = _endpoint(spec)
                by_path[(ep.package, ep.version, ep.name)] = ep
        self._by_path = by_path
        self._by_id = {ep.id: ep for ep in by_path.values()}
        return True


def _endpoint(spec: Any) -> NodeEndpoint:
    node = ArtifactNode(
        id=spec.name, instance=1, ref=spec.ref, kind=spec.kind, package=spec.package, version=spec.version,
        name=spec.name, input_type=spec.input_type.full_name, output_type=spec.output_type.full_name,
        handler=spec.handler, package_root=str(spec.package_root), required_secrets=tuple(spec.required_secrets),
    )
    return NodeEndpoint(spec.package, spec.version, spec.name, node_id(spec.package, spec.version, spec.name),
                        node, message_factory.GetMessageClass(spec.input_type),
                        message_factory.GetMessageClass(spec.output_type))

