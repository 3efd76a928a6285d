"""Node references in a flow: ``owner/pkg@1.2.3:NodeName``, ``flow:<name>`` for a subflow, or
``flow:<artifact id>`` (a 26-character ULID, upper case, so never a flow name) for a marketplace
flow placed as a subflow: a published compiled flow of any tenant, resolved by the remote that holds
it (``runtime/compiler/marketplace.py``)."""
from __future__ import annotations

import re
from dataclasses import dataclass

PACKAGE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*$")
SEMVER_RE = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(-[a-zA-Z0-9.]+)?$")
PASCAL_RE = re.compile(r"^[A-Z][A-Za-z0-9]*$")
CANVAS_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
FLOW_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
#: A compiled artifact's id (graph_id): a ULID in Crockford base32, as the compiler writes it.
ARTIFACT_ID_RE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")
_NODE_REF_RE = re.compile(r"^(?P<package>[^@:\s]+)@(?P<version>[^:\s]+):(?P<node>[^:\s]+)$")
_IMPORT_RE = re.compile(r"^(?P<package>[^@:\s]+)@(?P<version>[^:\s]+)$")


@dataclass(frozen=True)
class NodeRef:
    """A parsed node reference. Exactly one of (package, version, node) or subflow is set."""

    package: str = ""
    version: str = ""
    node: str = ""
    #: Name of a flow placed as a subflow (``flow:<name>``).
    subflow: str = ""

    @property
    def is_subflow(self) -> bool:
        return bool(self.subflow)

    @property
    def is_marketplace(self) -> bool:
        """A subflow named by an artifact id (``flow:<ULID>``) rather than by a flow's name."""
        return bool(self.subflow) and is_artifact_id(self.subflow)

    @property
    def package_key(self) -> str:
        """``owner/pkg@version`` — the key packages are indexed by."""
        return f"{self.package}@{self.version}"

    def __str__(self) -> str:
        if self.subflow:
            return f"flow:{self.subflow}"
        return f"{self.package}@{self.version}:{self.node}"


def is_artifact_id(text: str) -> bool:
    return bool(ARTIFACT_ID_RE.match(text))


class RefError(ValueError):
    pass


def parse_node_ref(text: str) -> NodeRef:
    """Parse a node reference; raises :class:`RefError` with the reason when malformed."""
    if not isinstance(text, str) or not text:
        raise RefError("node reference is empty; expected package@version:Node or flow:<name>")
    if text.startswith("flow:"):
        name = text[len("flow:"):]
        if not FLOW_NAME_RE.match(name) and not is_artifact_id(name):
            raise RefError(f'invalid subflow reference "{text}": flow name must match {FLOW_NAME_RE.pattern} '
                           "(or be a compiled artifact's 26-character id)")
        return NodeRef(subflow=name)
    m = _NODE_REF_RE.match(text)
    if not m:
        raise RefError(f'invalid node reference "{text}": expected package@version:Node (e.g. examples/text@0.1.0:Greet) or flow:<name>')
    package, version, node = m.group("package", "version", "node")
    if not PACKAGE_NAME_RE.match(package):
        raise RefError(f'invalid node reference "{text}": package name "{package}" must be scoped (handle/package-name, lowercase letters, digits and hyphens)')
    if not SEMVER_RE.match(version):
        raise RefError(f'invalid node reference "{text}": version "{version}" is not semantic versioning (MAJOR.MINOR.PATCH)')
    if not PASCAL_RE.match(node):
        raise RefError(f'invalid node reference "{text}": node name "{node}" must be PascalCase')
    return NodeRef(package=package, version=version, node=node)


def parse_import(text: str) -> tuple[str, str]:
    """Parse a flow import ``owner/pkg@version`` into (package, version)."""
    m = _IMPORT_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise RefError(f'invalid import "{text}": expected package@version (e.g. examples/text@0.1.0)')
    package, version = m.group("package", "version")
    if not PACKAGE_NAME_RE.match(package):
        raise RefError(f'invalid import "{text}": package name "{package}" must be scoped (handle/package-name, lowercase letters, digits and hyphens)')
    if not SEMVER_RE.match(version):
        raise RefError(f'invalid import "{text}": version "{version}" is not semantic versioning (MAJOR.MINOR.PATCH)')
    return package, version
