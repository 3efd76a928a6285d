"""One package version on disk: its manifest, its message types and its nodes as :class:`NodeSpec`.

A :class:`Package` is a snapshot: the manifest is read when it is made; messages are compiled on
first use (protoc results are cached by content hash, see ``protoc.py``). :meth:`Package.fingerprint`
tells a :class:`~axiom_ide.runtime.packages.workspace.Workspace` when to make a fresh one.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from axiom_ide.runtime.errors import AxiomError, Diagnostic
from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, Manifest, NodeDecl, load_manifest
from axiom_ide.runtime.packages.messages import IMPORTS_DIR, MESSAGES_DIR, MessageDoc, MessageSet
from axiom_ide.runtime.packages.naming import snake_case

NODES_DIR = "nodes"


@dataclass(frozen=True)
class NodeSpec:
    """A resolved node: what the compiler type-checks against and the host runs."""

    #: Scoped package name (``examples/text``).
    package: str
    version: str
    #: PascalCase node name.
    name: str
    description: str
    #: ``unary`` or ``pipeline``.
    kind: str
    input_type: Descriptor
    output_type: Descriptor
    required_secrets: tuple[str, ...]
    mutation_capable: bool
    #: ``nodes/<snake>.py`` under the package root.
    source_file: Path
    #: The handler function's name (snake_case of ``name``).
    handler: str
    package_root: Path

    @property
    def ref(self) -> str:
        """``package@version:Name`` as a flow refers to it."""
        return f"{self.package}@{self.version}:{self.name}"


def fingerprint(root: Path) -> tuple:
    """(path, mtime_ns, size) of every file that defines the package's nodes and messages."""
    files = [root / MANIFEST_FILE]
    for sub in (MESSAGES_DIR, IMPORTS_DIR):
        d = root / sub
        if d.is_dir():
            files += sorted(d.rglob("*.proto"))
    out = []
    for f in files:
        try:
            st = f.stat()
            out.append((str(f), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(f), 0, -1))
    return tuple(out)


class Package:
    """A package directory (one containing axiom.yaml)."""

    def __init__(self, root: Path, manifest: Manifest | None = None):
        self.root = Path(root)
        self._fingerprint = fingerprint(self.root)
        self.manifest: Manifest = manifest or load_manifest(self.root / MANIFEST_FILE)
        self._messages: MessageSet | None = None

    @classmethod
    def load(cls, root: Path) -> Package:
        return cls(root)

    def __repr__(self) -> str:
        return f"<Package {self.key} at {self.root}>"

    # -- identity --------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def fingerprint(self) -> tuple:
        return self._fingerprint

    def is_stale(self) -> bool:
        return fingerprint(self.root) != self._fingerprint

    # -- messages --------------------------------------------------------------------------------

    @property
    def messages(self) -> MessageSet:
        """The compiled message set; raises ``proto_error`` when a .proto does not compile."""
        if self._messages is None:
            self._messages = MessageSet(self.root, self.manifest.imports)
        return self._messages

    def message_names(self) -> list[str]:
        """Simple names of local then imported top-level messages."""
        ms = self.messages
        local = ms.local_names()
        return local + [n for n in ms.imported_names() if n not in local]

    def message(self, name: str) -> Descriptor:
        """A local or imported message by simple or full name; raises ``unknown_message``."""
        return self.messages.descriptor(name, self.key)

    def message_class(self, name: str) -> type[Message]:
        return message_factory.GetMessageClass(self.message(name))

    def message_doc(self, full_name: str) -> MessageDoc:
        return self.messages.doc(full_name)

    # -- nodes -----------------------------------------------------------------------------------

    def _spec(self, decl: NodeDecl) -> NodeSpec:
        types = []
        for role in ("input", "output"):
            msg = getattr(decl, role)
            try:
                types.append(self.message(msg))
            except AxiomError as exc:
                if exc.diagnostics[0].code != "unknown_message":
                    raise
                detail = exc.message if "collision" in exc.message or "ambiguous" in exc.message else (
                    f'message "{msg}" ({role} of node "{decl.name}") not found in package {self.key}: '
                    f"define it in messages/messages.proto or import it"
                )
                raise AxiomError.of(
                    "unknown_message", detail, file=str(self.root / MANIFEST_FILE), line=decl.line or None,
                ) from None
        handler = snake_case(decl.name)
        return NodeSpec(
            package=self.name,
            version=self.version,
            name=decl.name,
            description=decl.description,
            kind="pipeline" if decl.type == "pipeline" else "unary",
            input_type=types[0],
            output_type=types[1],
            required_secrets=tuple(decl.required_secrets),
            mutation_capable=decl.mutation_capable,
            source_file=self.root / NODES_DIR / f"{handler}.py",
            handler=handler,
            package_root=self.root,
        )

    def try_nodes(self) -> tuple[list[NodeSpec], list[Diagnostic]]:
        """Every node that resolves, plus a diagnostic for each one that does not."""
        specs: list[NodeSpec] = []
        problems: list[Diagnostic] = []
        for decl in self.manifest.nodes:
            try:
                specs.append(self._spec(decl))
            except AxiomError as exc:
                problems += exc.diagnostics
                if exc.diagnostics[0].code == "proto_error":
                    break
        return specs, problems

    def nodes(self) -> list[NodeSpec]:
        """All nodes; raises the first problem (``proto_error``, ``unknown_message``)."""
        specs, problems = self.try_nodes()
        if problems:
            raise AxiomError(problems)
        return specs

    def node(self, name: str) -> NodeSpec | None:
        """The named node, None when the manifest does not declare it; raises when it cannot resolve."""
        decl = self.manifest.node(name)
        return self._spec(decl) if decl else None
