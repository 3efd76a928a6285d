"""Messages at run time: JSON ↔ protobuf bytes ↔ python dicts, from the artifact's descriptors.

The artifact carries one serialized FileDescriptorSet per package version; :class:`Codec` builds a
descriptor pool per package from them (two packages may both define ``Text``) and message classes
with ``message_factory.GetMessageClass``.

Two forms of a decoded message, on purpose:

* the **value form** (:meth:`Codec.to_dict`, :func:`message_to_dict`) is what edge maps, transforms
  and CEL conditions work on: proto field names, default values included (so ``output.length > 0``
  works on a zero length), 64-bit integers as Python ints (so ``output.count + 1`` is arithmetic),
  well-known types as their plain fields;
* the **wire form** (:meth:`Codec.to_json`, :func:`message_to_json`) is what leaves the runtime —
  invoke results, stream frames, checkpoint payloads in the history API, execution records: the
  proto3 JSON mapping (what the platform's protobuf services speak and what
  ``runtime/message_schema.py`` documents in every OpenAPI spec) with proto field names and fields
  without presence at their defaults: 64-bit integers as decimal strings, enums by name, bytes as
  base64, Timestamp/Duration/Struct/wrappers in their JSON forms, NaN/Infinity as strings.
  ``from_json`` parses it back (it accepts both forms of a 64-bit integer).
"""
from __future__ import annotations

import base64
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from axiom_ide.runtime.compiler.artifact import Artifact


class InvalidInput(ValueError):
    """``str()`` is the catalog's ``invalid JSON for <Message>: <detail>``."""


class Codec:
    def __init__(self, artifact: Artifact) -> None:
        self._pools: dict[str, descriptor_pool.DescriptorPool] = {}
        self._classes: dict[tuple[str, str], type] = {}
        self._add_sets(artifact)

    @classmethod
    def of_sets(cls, sets: list[tuple[str, bytes]]) -> Codec:
        """A codec over serialized descriptor sets alone, ``[(package key, FileDescriptorSet
        bytes)]``: a remote flow's entry package (``backends/remote_batch.py``)."""
        codec = cls.__new__(cls)
        codec._pools, codec._classes = {}, {}
        codec._add_blobs(sets)
        return codec

    def _add_sets(self, artifact: Artifact) -> None:
        self._add_blobs(artifact.descriptor_sets)
        for node in artifact.nodes:
            if node.subflow is not None:
                self._add_sets(node.subflow)

    def _add_blobs(self, sets: Any) -> None:
        for key, blob in sets:
            if key in self._pools:
                continue
            pool = descriptor_pool.DescriptorPool()
            fds = descriptor_pb2.FileDescriptorSet.FromString(blob)
            pending = list(fds.file)
            # Add files in dependency order (a set is not guaranteed to be sorted).
            added: set[str] = set()
            while pending:
                progressed = False
                for f in list(pending):
                    if all(d in added for d in f.dependency):
                        pool.Add(f)
                        added.add(f.name)
                        pending.remove(f)
                        progressed = True
                if not progressed:
                    for f in pending:
                        pool.Add(f)
                    break
            self._pools[key] = pool

    def message_class(self, full_name: str, package_key: str = "") -> type[Message]:
        cls = self._classes.get((package_key, full_name))
        if cls is not None:
            return cls
        pools = [self._pools[package_key]] if package_key in self._pools else []
        pools += [p for k, p in self._pools.items() if k != package_key]
        for pool in pools:
            try:
                desc = pool.FindMessageTypeByName(full_name)
            except KeyError:
                continue
            cls = message_factory.GetMessageClass(desc)
            self._classes[(package_key, full_name)] = cls
            return cls
        raise KeyError(f"message type {full_name} is not in the artifact's descriptors")

    # -- conversions --------------------------------------------------------------------------
    def from_json(self, data: Any, full_name: str, package_key: str = "") -> bytes:
        """The caller's JSON object as bytes; raises :class:`InvalidInput` with the catalog text."""
        cls = self.message_class(full_name, package_key)
        short = full_name.rsplit(".", 1)[-1]
        if not isinstance(data, dict):
            raise InvalidInput(f"invalid JSON for {short}: expected a JSON object, got {type(data).__name__}")
        try:
            msg = json_format.ParseDict(data, cls())
        except json_format.ParseError as exc:
            raise InvalidInput(f"invalid JSON for {short}: {exc}") from None
        return msg.SerializeToString()

    def from_dict(self, data: dict[str, Any], full_name: str, package_key: str = "") -> bytes:
        """A dict built by edge plans/merges as bytes (ParseDict; same errors as input JSON)."""
        return self.from_json(_jsonable(data), full_name, package_key)

    def to_dict(self, payload: bytes, full_name: str, package_key: str = "") -> dict[str, Any]:
        cls = self.message_class(full_name, package_key)
        return message_to_dict(cls.FromString(payload))

    def to_json(self, payload: bytes, full_name: str, package_key: str = "") -> dict[str, Any]:
        """The wire form (proto3 JSON mapping) for outputs, checkpoints and frames."""
        return message_to_json(self.message_class(full_name, package_key).FromString(payload))


def message_to_json(msg: Any) -> dict[str, Any]:
    """A message in the proto3 JSON mapping, proto field names, fields without presence included."""
    return json_format.MessageToDict(msg, preserving_proto_field_name=True,
                                     always_print_fields_with_no_presence=True)


def message_to_dict(msg: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for fd in msg.DESCRIPTOR.fields:
        value = getattr(msg, fd.name)
        if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
            vfd = fd.message_type.fields_by_name["value"]
            out[fd.name] = {k: _scalar(vfd, v) for k, v in value.items()}
        elif _is_repeated(fd):
            out[fd.name] = [_scalar(fd, v) for v in value]
        elif fd.type == FieldDescriptor.TYPE_MESSAGE:
            if msg.HasField(fd.name):
                out[fd.name] = message_to_dict(value)
        else:
            out[fd.name] = _scalar(fd, value)
    return out


def _is_repeated(fd: FieldDescriptor) -> bool:
    label = getattr(fd, "is_repeated", None)
    if label is not None:
        return bool(label)
    return fd.label == FieldDescriptor.LABEL_REPEATED  # type: ignore[attr-defined]  # protobuf before is_repeated; the stubs dropped label


def _scalar(fd: FieldDescriptor, value: Any) -> Any:
    if fd.type == FieldDescriptor.TYPE_MESSAGE:
        return message_to_dict(value)
    if fd.type == FieldDescriptor.TYPE_ENUM:
        assert fd.enum_type is not None  # set for every enum-typed field
        ev = fd.enum_type.values_by_number.get(value)
        return ev.name if ev is not None else value
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value
