"""Protobuf messages as OpenAPI 3.0 schemas, following protobuf's proto3 JSON mapping.

A :class:`SchemaSet` turns message descriptors into ``components/schemas`` entries and hands back
``$ref`` objects, so nested and recursive messages are described once. The mapping is the one
``json_format.ParseDict`` accepts for a request body, and exactly what the runtime answers with
(the wire form of ``engine/codec.py``: invoke results, stream frames, checkpoint payloads;
``tests/server/test_invoke_schema.py`` validates real responses against it):

* property names are the proto field names (the parser accepts them and the runtime emits them);
* ``int64``/``uint64`` (and their fixed/sint kinds) are decimal strings, 32-bit integers numbers;
* enums are their value names; ``bytes`` are base64 strings;
* ``repeated`` fields are arrays, ``map<K, V>`` fields objects keyed by the map key as a string;
* well-known types use their JSON forms (Timestamp → RFC 3339 string, Duration → ``"1.5s"``,
  Struct → object, Value → any JSON, wrappers → their scalar, FieldMask → string, Empty → ``{}``).

Unknown properties are refused by the parser, hence ``additionalProperties: false``. Descriptions
come from the .proto's leading comments through a ``docs`` lookup (compiled descriptors do not
always keep source info, so the caller says where comments come from).

:func:`example_message` builds an example that validates against the schema: every field at its
zero value in this mapping (``""``, ``0``, ``"0"`` for 64-bit integers, the enum's first name,
``[]``, ``{}``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor

from axiom_ide.runtime.packages.messages import MessageDoc

#: ``docs(descriptor)`` → the message's documentation, or None when unknown.
DocLookup = Callable[[Descriptor], "MessageDoc | None"]

COMPONENTS = "#/components/schemas/"

_INT32 = {FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SFIXED32}
_UINT32 = {FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32}
_INT64 = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_SINT64, FieldDescriptor.TYPE_SFIXED64}
_UINT64 = {FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64}


def _int64(unsigned: bool) -> dict[str, Any]:
    return {"type": "string", "format": "uint64" if unsigned else "int64",
            "pattern": r"^[0-9]+$" if unsigned else r"^-?[0-9]+$"}


#: JSON forms of the well-known types (proto3 JSON mapping), by full message name.
WELL_KNOWN: dict[str, dict[str, Any]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time",
                                  "example": "1970-01-01T00:00:00Z"},
    "google.protobuf.Duration": {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$", "example": "0s"},
    "google.protobuf.FieldMask": {"type": "string", "example": ""},
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True, "example": {}},
    "google.protobuf.Value": {"nullable": True, "example": None},
    "google.protobuf.ListValue": {"type": "array", "items": {}, "example": []},
    "google.protobuf.Any": {"type": "object", "properties": {"@type": {"type": "string"}},
                            "required": ["@type"], "additionalProperties": True,
                            "example": {"@type": "type.googleapis.com/google.protobuf.Empty"}},
    "google.protobuf.Empty": {"type": "object", "additionalProperties": False, "example": {}},
    "google.protobuf.DoubleValue": {"type": "number", "format": "double", "nullable": True, "example": 0.0},
    "google.protobuf.FloatValue": {"type": "number", "format": "float", "nullable": True, "example": 0.0},
    "google.protobuf.Int64Value": {**_int64(False), "nullable": True, "example": "0"},
    "google.protobuf.UInt64Value": {**_int64(True), "nullable": True, "example": "0"},
    "google.protobuf.Int32Value": {"type": "integer", "format": "int32", "nullable": True, "example": 0},
    "google.protobuf.UInt32Value": {"type": "integer", "format": "int32", "minimum": 0, "nullable": True,
                                    "example": 0},
    "google.protobuf.BoolValue": {"type": "boolean", "nullable": True, "example": False},
    "google.protobuf.StringValue": {"type": "string", "nullable": True, "example": ""},
    "google.protobuf.BytesValue": {"type": "string", "format": "byte", "nullable": True, "example": ""},
}


def is_repeated(fd: FieldDescriptor) -> bool:
    repeated = getattr(fd, "is_repeated", None)
    return bool(repeated) if repeated is not None else fd.label == FieldDescriptor.LABEL_REPEATED  # type: ignore[attr-defined]  # protobuf before is_repeated; the stubs dropped label


def is_map(fd: FieldDescriptor) -> bool:
    return is_repeated(fd) and fd.message_type is not None and fd.message_type.GetOptions().map_entry


class SchemaSet:
    """Component schemas for messages, filled as :meth:`ref` is asked for them."""

    def __init__(self, docs: DocLookup | None = None) -> None:
        self._docs = docs
        #: component name → schema, in the order messages were first referenced.
        self.schemas: dict[str, dict[str, Any]] = {}
        #: component name → the descriptor it describes (two packages may share a full name).
        self._owners: dict[str, Descriptor] = {}

    def ref(self, descriptor: Descriptor) -> dict[str, Any]:
        """``{"$ref": ...}`` for a message (or the inline JSON form of a well-known type)."""
        wkt = WELL_KNOWN.get(descriptor.full_name)
        if wkt is not None:
            return dict(wkt)
        name = self._component_name(descriptor)
        if name not in self.schemas:
            self.schemas[name] = {}  # placeholder first: recursive messages refer back to it
            self._owners[name] = descriptor
            self.schemas[name] = self._message_schema(descriptor)
        return {"$ref": COMPONENTS + name}

    def _component_name(self, descriptor: Descriptor) -> str:
        base = descriptor.full_name
        name, n = base, 1
        while name in self._owners and not same_message(self._owners[name], descriptor):
            n += 1
            name = f"{base}_{n}"
        return name

    def doc(self, descriptor: Descriptor) -> MessageDoc:
        if self._docs is None:
            return MessageDoc()
        try:
            return self._docs(descriptor) or MessageDoc()
        except Exception:  # noqa: BLE001 — documentation is best effort, never a reason to fail
            return MessageDoc()

    def _message_schema(self, descriptor: Descriptor) -> dict[str, Any]:
        doc = self.doc(descriptor)
        properties: dict[str, Any] = {}
        for fd in descriptor.fields:
            schema = self.field_schema(fd)
            text = doc.fields.get(fd.name)
            if text:
                schema = {"allOf": [schema], "description": text} if "$ref" in schema else {**schema, "description": text}
            properties[fd.name] = schema
        out: dict[str, Any] = {"type": "object", "title": descriptor.name}
        if doc.doc:
            out["description"] = doc.doc
        out["properties"] = properties
        out["additionalProperties"] = False
        out["example"] = example_message(descriptor)
        return out

    def field_schema(self, fd: FieldDescriptor) -> dict[str, Any]:
        if is_map(fd):
            assert fd.message_type is not None  # a map field is a repeated entry message
            value = fd.message_type.fields_by_name["value"]
            return {"type": "object", "additionalProperties": self._singular(value)}
        if is_repeated(fd):
            return {"type": "array", "items": self._singular(fd)}
        return self._singular(fd)

    def _singular(self, fd: FieldDescriptor) -> dict[str, Any]:
        t = fd.type
        if t in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
            assert fd.message_type is not None  # set for every message-typed field
            return self.ref(fd.message_type)
        if t == FieldDescriptor.TYPE_ENUM:
            enum = fd.enum_type
            assert enum is not None  # set for every enum-typed field
            if enum.full_name == "google.protobuf.NullValue":
                return {"nullable": True, "enum": [None]}
            return {"type": "string", "enum": [v.name for v in enum.values]}
        if t in _INT32:
            return {"type": "integer", "format": "int32"}
        if t in _UINT32:
            return {"type": "integer", "format": "int32", "minimum": 0}
        if t in _INT64:
            return _int64(False)
        if t in _UINT64:
            return _int64(True)
        if t == FieldDescriptor.TYPE_DOUBLE:
            return {"type": "number", "format": "double"}
        if t == FieldDescriptor.TYPE_FLOAT:
            return {"type": "number", "format": "float"}
        if t == FieldDescriptor.TYPE_BOOL:
            return {"type": "boolean"}
        if t == FieldDescriptor.TYPE_BYTES:
            return {"type": "string", "format": "byte"}
        return {"type": "string"}


def same_message(a: Descriptor, b: Descriptor) -> bool:
    """Whether two descriptors (from different pools, say) define the same message."""
    if a is b:
        return True
    from google.protobuf import descriptor_pb2

    pa, pb = descriptor_pb2.DescriptorProto(), descriptor_pb2.DescriptorProto()
    a.CopyToProto(pa)
    b.CopyToProto(pb)
    return pa.SerializeToString(deterministic=True) == pb.SerializeToString(deterministic=True)


def example_value(fd: FieldDescriptor) -> Any:
    """One field's zero value in the proto3 JSON mapping (valid against :class:`SchemaSet`'s schema)."""
    if is_map(fd):
        return {}
    if is_repeated(fd):
        return []
    t = fd.type
    if t in (FieldDescriptor.TYPE_MESSAGE, FieldDescriptor.TYPE_GROUP):
        assert fd.message_type is not None  # set for every message-typed field
        wkt = WELL_KNOWN.get(fd.message_type.full_name)
        return wkt["example"] if wkt is not None else {}
    if t == FieldDescriptor.TYPE_ENUM:
        enum = fd.enum_type
        assert enum is not None  # set for every enum-typed field
        if enum.full_name == "google.protobuf.NullValue":
            return None
        return enum.values[0].name
    if t in _INT64 or t in _UINT64:
        return "0"
    if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 0.0
    if t == FieldDescriptor.TYPE_BOOL:
        return False
    if t in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
        return ""
    return 0


def example_message(descriptor: Descriptor) -> Any:
    """An example JSON value for a message: each field at its zero value (nested messages ``{}``)."""
    wkt = WELL_KNOWN.get(descriptor.full_name)
    if wkt is not None:
        return wkt["example"]
    return {fd.name: example_value(fd) for fd in descriptor.fields}
