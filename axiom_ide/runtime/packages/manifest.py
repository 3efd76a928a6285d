"""The ``axiom.yaml`` package manifest: parse, check the schema, write back.

:func:`load_manifest` parses leniently (only a malformed YAML document or a non-mapping top level
is fatal, as ``manifest_error`` with file:line:column); :func:`check_manifest` is the first layer of
``validate`` and reports every schema problem with the line of the offending key. Writing
re-serializes the whole file, as the docs say the ``axiom`` CLI does (comments are not kept).
"""
from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from axiom_ide.runtime import yaml_limits
from axiom_ide.runtime.errors import AxiomError, Diagnostic, error
from axiom_ide.runtime.fileio import atomic_write_text
from axiom_ide.runtime.packages.naming import (
    LANGUAGES,
    PASCAL_RE,
    name_problem,
    version_problem,
)

MANIFEST_FILE = "axiom.yaml"


@dataclass
class NodeDecl:
    """One entry of ``nodes:``."""

    name: str
    description: str = ""
    #: Input message name (simple name; local or imported).
    input: str = ""
    #: Output message name.
    output: str = ""
    #: ``unary`` (default) or ``pipeline``.
    type: str = "unary"
    required_secrets: list[str] = field(default_factory=list)
    mutation_capable: bool = False
    #: 1-based line of the entry in axiom.yaml (0 when unknown).
    line: int = 0


@dataclass
class ImportDecl:
    """One entry of ``imports:`` — message types taken from another package."""

    package: str
    version: str
    messages: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class EnvVar:
    name: str
    description: str = ""
    required: bool = False
    secret: bool = False
    default: str = ""


@dataclass
class BuildConfig:
    dockerfile: str = ""
    system_deps: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    """A parsed axiom.yaml. Unknown keys are ignored; wrong types are reported by check_manifest."""

    name: str = ""
    version: str = ""
    language: str = ""
    type: str = ""
    description: str = ""
    author: str = ""
    license: str = ""
    tags: list[str] = field(default_factory=list)
    nodes: list[NodeDecl] = field(default_factory=list)
    imports: list[ImportDecl] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    build: BuildConfig | None = None
    #: The file it came from (None for a manifest built in memory).
    path: Path | None = None
    #: Raw parsed document, with ruamel line info, for precise diagnostics.
    raw: Any = None

    def node(self, name: str) -> NodeDecl | None:
        return next((n for n in self.nodes if n.name == name), None)

    @property
    def is_proto_only(self) -> bool:
        return self.type == "proto-only" or not self.nodes

    def to_dict(self) -> dict[str, Any]:
        """The manifest as it is written: required keys first, empty optional keys omitted."""
        out: dict[str, Any] = {"name": self.name, "version": self.version, "language": self.language}
        for key in ("type", "description", "author", "license"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.tags:
            out["tags"] = list(self.tags)
        if self.nodes:
            out["nodes"] = [_node_dict(n) for n in self.nodes]
        if self.imports:
            out["imports"] = [
                {"package": i.package, "version": i.version, "messages": list(i.messages)}
                for i in self.imports
            ]
        if self.env:
            out["env"] = [_env_dict(e) for e in self.env]
        if self.build is not None:
            build: dict[str, Any] = {}
            if self.build.dockerfile:
                build["dockerfile"] = self.build.dockerfile
            if self.build.system_deps:
                build["system_deps"] = list(self.build.system_deps)
            if build:
                out["build"] = build
        return out


def _node_dict(n: NodeDecl) -> dict[str, Any]:
    d: dict[str, Any] = {"name": n.name}
    if n.description:
        d["description"] = n.description
    d["input"] = n.input
    d["output"] = n.output
    if n.type == "pipeline":
        d["type"] = "pipeline"
    if n.required_secrets:
        d["required_secrets"] = list(n.required_secrets)
    if n.mutation_capable:
        d["mutation_capable"] = True
    return d


def _env_dict(e: EnvVar) -> dict[str, Any]:
    d: dict[str, Any] = {"name": e.name}
    if e.description:
        d["description"] = e.description
    if e.required:
        d["required"] = True
    if e.secret:
        d["secret"] = True
    if e.default:
        d["default"] = e.default
    return d


# --- parsing -------------------------------------------------------------------------------------


def _line_of(node: Any, key: Any = None) -> int:
    """1-based line of a mapping key (or of the node itself) from ruamel's line info."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return 0
    try:
        if key is not None:
            return lc.key(key)[0] + 1 if isinstance(key, str) else lc.item(key)[0] + 1
        return lc.line + 1
    except (KeyError, IndexError, TypeError):
        return 0


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _str_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [_str(v) for v in value]
    return []


def parse_manifest_text(text: str, path: Path | None = None) -> Manifest:
    """Parse manifest text; raises ``manifest_error`` (with file:line:col) for malformed YAML."""
    shown = str(path) if path else MANIFEST_FILE
    try:
        doc = yaml_limits.load(YAML(typ="rt"), text, shown)
    except AxiomError as exc:  # past a YAML limit: a manifest problem, where the workspace looks for them
        raise AxiomError([dataclasses.replace(d, code="manifest_error") for d in exc.diagnostics]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        raise AxiomError.of(
            "manifest_error",
            f"{MANIFEST_FILE} is not valid YAML: {problem}",
            file=shown,
            line=(mark.line + 1) if mark else None,
            column=(mark.column + 1) if mark else None,
        ) from None
    except YAMLError as exc:
        raise AxiomError.of("manifest_error", f"{MANIFEST_FILE} is not valid YAML: {exc}", file=shown) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise AxiomError.of(
            "manifest_error", f"{MANIFEST_FILE} must be a mapping of fields (name, version, language, ...)",
            file=shown, line=1,
        )
    m = Manifest(
        name=_str(doc.get("name")),
        version=_str(doc.get("version")),
        language=_str(doc.get("language")),
        type=_str(doc.get("type")),
        description=_str(doc.get("description")),
        author=_str(doc.get("author")),
        license=_str(doc.get("license")),
        tags=_str_list(doc.get("tags")),
        path=path,
        raw=doc,
    )
    nodes = doc.get("nodes")
    if isinstance(nodes, list):
        for i, entry in enumerate(nodes):
            if not isinstance(entry, dict):
                continue
            m.nodes.append(NodeDecl(
                name=_str(entry.get("name")),
                description=_str(entry.get("description")),
                input=_str(entry.get("input")),
                output=_str(entry.get("output")),
                type=_str(entry.get("type")) or "unary",
                required_secrets=_str_list(entry.get("required_secrets")),
                mutation_capable=entry.get("mutation_capable") is True,
                line=_line_of(nodes, i),
            ))
    imports = doc.get("imports")
    if isinstance(imports, list):
        for i, entry in enumerate(imports):
            if isinstance(entry, dict):
                m.imports.append(ImportDecl(
                    package=_str(entry.get("package")),
                    version=_str(entry.get("version")),
                    messages=_str_list(entry.get("messages")),
                    line=_line_of(imports, i),
                ))
    env = doc.get("env")
    if isinstance(env, list):
        for entry in env:
            if isinstance(entry, dict):
                m.env.append(EnvVar(
                    name=_str(entry.get("name")),
                    description=_str(entry.get("description")),
                    required=entry.get("required") is True,
                    secret=entry.get("secret") is True,
                    default=_str(entry.get("default")),
                ))
    build = doc.get("build")
    if isinstance(build, dict):
        m.build = BuildConfig(
            dockerfile=_str(build.get("dockerfile")),
            system_deps=_str_list(build.get("system_deps")),
        )
    return m


def load_manifest(path: Path) -> Manifest:
    """Read and parse ``path`` (an axiom.yaml file)."""
    try:
        yaml_limits.check_size(path.stat().st_size, str(path), code="manifest_error")  # before reading it
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AxiomError.of("manifest_error", f"cannot read {MANIFEST_FILE}: {exc.strerror}", file=str(path)) from None
    return parse_manifest_text(text, path)


# --- schema check (validate layer 1, except message references) --------------------------------


def check_manifest(m: Manifest) -> list[Diagnostic]:
    """Schema problems of ``m``: identity fields, node entries, import entries, field types."""
    doc = m.raw if isinstance(m.raw, dict) else {}
    file = str(m.path) if m.path else MANIFEST_FILE
    out: list[Diagnostic] = []

    def err(message: str, key: str | None = None, line: int = 0, path: str | None = None) -> None:
        ln = line or (_line_of(doc, key) if key and key in doc else 0) or None
        out.append(error("manifest_error", message, file=file, line=ln, path=path))

    problem = name_problem(m.name or None)
    if problem:
        err(problem, "name", path="name")
    problem = version_problem(m.version or None)
    if problem:
        err(problem, "version", path="version")
    if not m.language:
        err(f"language is required: one of {', '.join(LANGUAGES)}", path="language")
    elif m.language not in LANGUAGES:
        err(f'unsupported language "{m.language}": must be one of {", ".join(LANGUAGES)}', "language", path="language")
    if m.type and m.type != "proto-only":
        err(f'invalid type "{m.type}": use "proto-only" to skip build and deployment, otherwise omit it', "type", path="type")
    for key, kind in (("tags", list), ("nodes", list), ("imports", list), ("env", list), ("build", dict)):
        if key in doc and doc[key] is not None and not isinstance(doc[key], kind):
            err(f"{key} must be a {'list' if kind is list else 'mapping'}", key, path=key)

    nodes_value = doc.get("nodes")
    raw_nodes = nodes_value if isinstance(nodes_value, list) else []
    for i, entry in enumerate(raw_nodes):
        if not isinstance(entry, dict):
            err(f"nodes[{i}] must be a mapping with name, input and output", line=_line_of(raw_nodes, i), path=f"nodes[{i}]")
    seen: set[str] = set()
    for i, n in enumerate(m.nodes):
        where: dict[str, Any] = {"line": n.line, "path": f"nodes[{i}]"}
        if not n.name:
            err(f"nodes[{i}]: name is required", **where)
        elif not PASCAL_RE.match(n.name):
            err(f'node name "{n.name}" must be PascalCase: the first character must be uppercase, and only letters and digits are allowed', **where)
        elif n.name in seen:
            err(f'duplicate node name "{n.name}"', **where)
        seen.add(n.name)
        for key in ("input", "output"):
            if not getattr(n, key):
                err(f'node "{n.name or i}": {key} is required (a message name)', **where)
        if n.type not in ("unary", "pipeline"):
            err(f'node "{n.name}": invalid type "{n.type}": must be unary or pipeline', **where)
    for i, imp in enumerate(m.imports):
        where = {"line": imp.line, "path": f"imports[{i}]"}
        if name_problem(imp.package):
            err(f'imports[{i}]: package "{imp.package}" must be a scoped package name (handle/package-name)', **where)
        if version_problem(imp.version):
            err(f'imports[{i}]: version "{imp.version}" must be an exact semantic version', **where)
        if not imp.messages:
            err(
                f'import "{imp.package}@{imp.version}" has an empty messages list; '
                f"re-run `axiom import {imp.package}@{imp.version}` to populate it",
                **where,
            )
    return out


# --- writing ---------------------------------------------------------------------------------------


def dump_manifest(m: Manifest) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]  # ruamel declares it None
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(m.to_dict(), buf)
    return buf.getvalue()


def save_manifest(m: Manifest, path: Path | None = None) -> None:
    """Write ``m`` atomically to ``path`` (default: where it was loaded from)."""
    target = path or m.path
    if target is None:
        raise ValueError("manifest has no path")
    atomic_write_text(target, dump_manifest(m))
