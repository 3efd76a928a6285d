"""What every SDK generator reads from a snapshot: the members' calls and the message types they
need (with the types those reference), under names unique within the SDK."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor_pb2 import FieldDescriptorProto as F

from axiom_ide.runtime.api_snippets import INVOKE_PATH, STREAM_PATH

NODES_PATH = "/invocations/v1/nodes"

SCALARS = {
    F.TYPE_STRING: "string", F.TYPE_BYTES: "bytes", F.TYPE_BOOL: "bool",
    F.TYPE_DOUBLE: "double", F.TYPE_FLOAT: "float",
    F.TYPE_INT32: "int32", F.TYPE_SINT32: "int32", F.TYPE_SFIXED32: "int32",
    F.TYPE_UINT32: "uint32", F.TYPE_FIXED32: "uint32",
    F.TYPE_INT64: "int64", F.TYPE_SINT64: "int64", F.TYPE_SFIXED64: "int64",
    F.TYPE_UINT64: "uint64", F.TYPE_FIXED64: "uint64",
}


@dataclass(frozen=True)
class Field:
    name: str
    #: A scalar (``string``, ``int64`` ...), ``enum``, or ``message`` (then ``ref`` is its SDK name).
    kind: str
    ref: str = ""
    repeated: bool = False
    #: For a map field: the value's (kind, ref); the key is always a string in JSON.
    map_value: tuple[str, str] | None = None


@dataclass(frozen=True)
class Message:
    name: str
    full_name: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Call:
    alias: str
    kind: str
    mode: str
    #: The request path (after the origin).
    path: str
    input: str
    output: str
    description: str
    graph_id: str = ""

    @property
    def streaming(self) -> bool:
        return self.mode == "pipeline"


@dataclass(frozen=True)
class Schema:
    calls: tuple[Call, ...]
    messages: tuple[Message, ...]
    #: (package key, full name) → SDK name, for the calls' own types.
    names: dict[tuple[str, str], str]


def _protos(snapshot: dict[str, Any]) -> dict[str, dict[str, descriptor_pb2.DescriptorProto]]:
    """package key → full message name → its DescriptorProto (nested messages as ``Outer.Inner``)."""
    out: dict[str, dict[str, descriptor_pb2.DescriptorProto]] = {}
    for key, b64 in snapshot["descriptor_sets"].items():
        bucket = out.setdefault(key, {})
        for f in descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(b64)).file:
            def walk(msgs: Any, prefix: str, bucket: dict[str, Any] = bucket) -> None:
                for m in msgs:
                    full = f"{prefix}.{m.name}" if prefix else m.name
                    bucket[full] = m
                    walk(m.nested_type, full)
            walk(f.message_type, f.package)
    return out


def schema(snapshot: dict[str, Any]) -> Schema:
    protos = _protos(snapshot)
    needed: list[tuple[str, str]] = []

    def need(key: str, full: str) -> None:
        if (key, full) in needed or full not in protos.get(key, {}):
            return
        needed.append((key, full))
        for fd in protos[key][full].field:
            if fd.type == F.TYPE_MESSAGE:
                need(key, fd.type_name.lstrip("."))

    for m in snapshot["members"]:
        need(m["input"]["package"], m["input"]["type"])
        need(m["output"]["package"], m["output"]["type"])
    simple: dict[str, set[tuple[str, str]]] = {}
    for key, full in needed:
        simple.setdefault(full.rsplit(".", 1)[-1], set()).add((key, full))
    names = {}
    for key, full in needed:
        short = full.rsplit(".", 1)[-1]
        names[(key, full)] = short if len(simple[short]) == 1 else full.replace(".", "_")
    messages = []
    for key, full in needed:
        proto = protos[key][full]
        maps = {n.name: n for n in proto.nested_type if n.options.map_entry}
        fields = []
        for fd in proto.field:
            def kind_of(f: Any, key: str = key) -> tuple[str, str]:
                if f.type == F.TYPE_MESSAGE:
                    return "message", names.get((key, f.type_name.lstrip(".")), "object")
                if f.type == F.TYPE_ENUM:
                    return "enum", ""
                return SCALARS.get(f.type, "string"), ""
            entry = maps.get(fd.type_name.rsplit(".", 1)[-1]) if fd.type == F.TYPE_MESSAGE else None
            if entry is not None and fd.label == F.LABEL_REPEATED:
                fields.append(Field(fd.name, "map", map_value=kind_of(entry.field[1])))
                continue
            kind, ref = kind_of(fd)
            fields.append(Field(fd.name, kind, ref, fd.label == F.LABEL_REPEATED))
        messages.append(Message(names[(key, full)], full, tuple(fields)))
    calls = []
    for m in snapshot["members"]:
        if m["kind"] == "node":
            path = f"{NODES_PATH}/{m['package']}/{m['version']}/{m['node']}"
        else:
            path = STREAM_PATH if m["mode"] == "pipeline" else INVOKE_PATH
        calls.append(Call(m["alias"], m["kind"], m["mode"], path,
                          names[(m["input"]["package"], m["input"]["type"])],
                          names[(m["output"]["package"], m["output"]["type"])],
                          m.get("description", ""), m.get("graph_id", "")))
    return Schema(tuple(calls), tuple(messages), names)


def manifest(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """``manifest.json``: exactly which nodes, flows and package versions the version contains."""
    members = []
    for m in snapshot["members"]:
        row = {"alias": m["alias"], "kind": m["kind"], "mode": m["mode"],
               "input": m["input"]["type"], "output": m["output"]["type"]}
        if m["kind"] == "node":
            row.update(package=m["package"], version=m["version"], node=m["node"])
        else:
            row.update(flow=m["flow"], graph_id=m["graph_id"])
        members.append(row)
    packages = sorted({f"{m['package']}@{m['version']}" for m in snapshot["members"] if m["kind"] == "node"}
                      | set(snapshot["descriptor_sets"]))
    return {"client": snapshot["client"], "version": snapshot["version"], "language": language,
            "origin": snapshot.get("origin", ""), "members": members, "packages": packages}
