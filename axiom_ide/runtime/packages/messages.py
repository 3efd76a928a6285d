"""A package version's message types: one descriptor pool built from its local and imported protos.

Every package version gets its own :class:`~google.protobuf.descriptor_pool.DescriptorPool`, so two
packages may both define ``Text``. Local messages come from ``messages/*.proto``; imported ones
from ``imports/<flattened-scope>/<version>/*.proto``. Messages are found by simple name (local
first, as the manifest uses them) or by full proto name. A simple name defined both locally and in
an import is an error ("import collision"), as the import guide says.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.packages.manifest import ImportDecl
from axiom_ide.runtime.packages.naming import flatten_scope
from axiom_ide.runtime.packages.protoc import compile_descriptor_set

MESSAGES_DIR = "messages"
IMPORTS_DIR = "imports"


@dataclass(frozen=True)
class MessageDoc:
    """Documentation of a message from its .proto leading comments (no blank line before)."""

    #: The message's leading comment, stripped ("" when none).
    doc: str = ""
    #: Field name → the field's leading (or trailing) comment, for documented fields.
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ProtoUnit:
    """One protoc invocation: an include dir and the .proto files under it (paths from the root)."""

    include: str
    files: tuple[str, ...]
    #: ``None`` for the package's own messages, else the import entry they come from.
    origin: ImportDecl | None = None

    @property
    def label(self) -> str:
        return "local messages/" if self.origin is None else f'imported package "{self.origin.package}@{self.origin.version}"'


def import_dir(package: str, version: str) -> str:
    """``imports/<flattened-scope>/<version>`` relative to the package root."""
    return f"{IMPORTS_DIR}/{flatten_scope(package)}/{version}"


def proto_units(root: Path, imports: list[ImportDecl]) -> list[ProtoUnit]:
    """The local unit (always first) and one unit per import whose directory exists."""
    units: list[ProtoUnit] = []
    local = sorted(p.relative_to(root).as_posix() for p in (root / MESSAGES_DIR).rglob("*.proto"))
    units.append(ProtoUnit(MESSAGES_DIR, tuple(local)))
    for imp in imports:
        rel = import_dir(imp.package, imp.version)
        d = root / rel
        if d.is_dir():
            files = sorted(p.relative_to(root).as_posix() for p in d.rglob("*.proto"))
            if files:
                units.append(ProtoUnit(rel, tuple(files), imp))
    return units


def _walk(msgs, prefix: str, path: tuple[int, ...]) -> Iterator[tuple[str, descriptor_pb2.DescriptorProto, tuple[int, ...]]]:
    for i, m in enumerate(msgs):
        full = f"{prefix}.{m.name}" if prefix else m.name
        p = path + (i,)
        yield full, m, p
        yield from _walk(m.nested_type, full, p + (3,))


class MessageSet:
    """The compiled messages of one package version."""

    def __init__(self, root: Path, imports: list[ImportDecl]):
        self.root = root
        self.pool = descriptor_pool.DescriptorPool()
        #: simple name → [(full name, unit)] for top-level messages, local unit first.
        self._by_simple: dict[str, list[tuple[str, ProtoUnit]]] = {}
        #: full name → (file proto, source path to the message)
        self._source: dict[str, tuple[descriptor_pb2.FileDescriptorProto, tuple[int, ...]]] = {}
        self.units = proto_units(root, imports)
        added: dict[str, tuple[bytes, str]] = {}  # proto file name → (its descriptor, the unit's label)
        for unit in self.units:
            if not unit.files:
                continue
            fds = compile_descriptor_set(root, [unit.include], list(unit.files))
            own = {Path(f).relative_to(unit.include).as_posix() for f in unit.files}
            for fp in fds.file:
                data = fp.SerializeToString()
                if fp.name in added:
                    if added[fp.name][0] != data and fp.name in own:  # the location names the file
                        raise AxiomError.of(
                            "proto_error",
                            f"{unit.label}: clashes with the file of the same name from {added[fp.name][1]}",
                            file=str(root / unit.include / fp.name),
                        )
                    continue
                try:
                    self.pool.Add(fp)
                except TypeError as exc:  # duplicate symbol across files
                    raise AxiomError.of("proto_error", f"{unit.label}: {exc}", file=str(root / unit.include / fp.name)) from None
                added[fp.name] = (data, unit.label)
                if fp.name not in own:
                    continue
                for full, _m, path in _walk(fp.message_type, fp.package, (4,)):
                    self._source[full] = (fp, path)
                for m in fp.message_type:
                    full = f"{fp.package}.{m.name}" if fp.package else m.name
                    self._by_simple.setdefault(m.name, []).append((full, unit))

    # -- queries ---------------------------------------------------------------------------------

    def local_names(self) -> list[str]:
        return [n for n, defs in self._by_simple.items() if any(u.origin is None for _, u in defs)]

    def imported_names(self) -> dict[str, ImportDecl]:
        out: dict[str, ImportDecl] = {}
        for n, defs in self._by_simple.items():
            for _, u in defs:
                if u.origin is not None:
                    out.setdefault(n, u.origin)
        return out

    def collisions(self) -> list[tuple[str, ImportDecl]]:
        """(message name, import) for every imported message that clashes with a local one."""
        out = []
        for n, defs in self._by_simple.items():
            if any(u.origin is None for _, u in defs):
                out += [(n, u.origin) for _, u in defs if u.origin is not None]
        return out

    def origin(self, name: str) -> ImportDecl | None:
        defs = self._by_simple.get(name) or []
        return defs[0][1].origin if defs else None

    def full_name(self, name: str, package_key: str = "") -> str:
        """Resolve a simple or full message name to its full proto name; ``unknown_message`` if none."""
        if name in self._source:
            return name
        defs = self._by_simple.get(name) or []
        if not defs:
            raise AxiomError.of("unknown_message", f'message "{name}" not found in package {package_key or self.root}')
        local = [d for d in defs if d[1].origin is None]
        if local and len(defs) > 1:
            other = next(d[1].origin for d in defs if d[1].origin is not None)
            raise AxiomError.of(
                "unknown_message",
                f'import collision: message {name} exists in both your local messages/ and the imported package '
                f'"{other.package}@{other.version}"',
            )
        if len({d[0] for d in defs}) > 1:
            raise AxiomError.of(
                "unknown_message",
                f'message "{name}" is ambiguous in package {package_key}: defined as '
                + ", ".join(sorted({d[0] for d in defs})),
            )
        return defs[0][0]

    def descriptor(self, name: str, package_key: str = "") -> Descriptor:
        return self.pool.FindMessageTypeByName(self.full_name(name, package_key))

    def doc(self, full_name: str) -> MessageDoc:
        src = self._source.get(full_name)
        if src is None:
            src = self._source.get(self.full_name(full_name))
        if src is None:  # was a TypeError from unpacking None; callers treat either as "no docs"
            raise KeyError(f"message {full_name} is not defined in this package's messages/")
        fp, path = src
        comments = {tuple(loc.path): loc for loc in fp.source_code_info.location}

        def text(p: tuple[int, ...], trailing: bool = False) -> str:
            loc = comments.get(p)
            if loc is None:
                return ""
            s = loc.leading_comments.strip()
            if not s and trailing:
                s = loc.trailing_comments.strip()
            return "\n".join(line.strip() for line in s.splitlines())

        msg: Any = fp  # the file, then the (nested) DescriptorProto the path walks to
        for i in range(1, len(path), 2):
            msg = (msg.message_type if i == 1 else msg.nested_type)[path[i]]
        fields = {}
        for j, f in enumerate(msg.field):
            t = text(path + (2, j), trailing=True)
            if t:
                fields[f.name] = t
        return MessageDoc(doc=text(path), fields=fields)
