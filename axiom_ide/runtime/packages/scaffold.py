"""Package scaffolding behind ``init``, ``create message``, ``create node`` and ``remove node``.

Functions here change files and return what they did; they never prompt or print (the CLI does).
Every write is atomic. Checks happen before the first write, so a refused command changes nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.fileio import atomic_write_text
from axiom_ide.runtime.packages import templates as T  # noqa: N812 — T.PROTO_HEADER: the template texts
from axiom_ide.runtime.packages.fields import parse_fields, render_message
from axiom_ide.runtime.packages.generate import GEN_DIR, import_module_name
from axiom_ide.runtime.packages.manifest import (
    MANIFEST_FILE,
    Manifest,
    NodeDecl,
    dump_manifest,
    load_manifest,
    save_manifest,
)
from axiom_ide.runtime.packages.messages import MESSAGES_DIR, MessageSet
from axiom_ide.runtime.packages.naming import (
    LANGUAGES,
    name_problem,
    pascal_problem,
    proto_package,
    snake_case,
    version_problem,
)
from axiom_ide.runtime.packages.package import NODES_DIR

MESSAGES_FILE = f"{MESSAGES_DIR}/messages.proto"
NOT_A_PACKAGE = "axiom.yaml not found — run this command from an Axiom package directory"


def find_package_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` holding axiom.yaml; ``not_a_package`` otherwise."""
    start = Path(start).resolve()
    for d in (start, *start.parents):
        if (d / MANIFEST_FILE).is_file():
            return d
    raise AxiomError.of("not_a_package", NOT_A_PACKAGE)


# --- init ------------------------------------------------------------------------------------------


AGENT_GUIDE_FILE = "CLAUDE.md"


def init_package(parent: Path, name: str, *, language: str = "python", version: str = "0.1.0",
                 description: str = "", example_comment: bool = True, agent_guide: bool = True) -> Path:
    """Create ``parent/<name after the last '/'>/`` with the standard layout (and the CLAUDE.md
    agent-authoring guide unless ``agent_guide`` is false); returns it."""
    for problem in (name_problem(name), version_problem(version)):
        if problem:
            raise AxiomError.of("invalid_argument", problem)
    if language not in LANGUAGES:
        raise AxiomError.of("invalid_argument", f'unsupported language "{language}": must be one of {", ".join(LANGUAGES)}')
    root = Path(parent) / name.rsplit("/", 1)[-1]
    if root.exists():
        raise AxiomError.of("already_exists", f"directory {root} already exists; refusing to overwrite it")
    manifest = Manifest(name=name, version=version, language=language, description=description)
    text = dump_manifest(manifest)
    if example_comment:
        text += "\n" + T.EXAMPLE_NODES_COMMENT
    root.mkdir(parents=True)
    atomic_write_text(root / MANIFEST_FILE, text)
    atomic_write_text(root / MESSAGES_FILE, T.PROTO_HEADER.format(proto_package=proto_package(name)))
    (root / NODES_DIR).mkdir()
    (root / GEN_DIR).mkdir()
    atomic_write_text(root / ".gitignore", T.GITIGNORE)
    if language == "python":
        atomic_write_text(root / NODES_DIR / "conftest.py", T.CONFTEST)
        atomic_write_text(root / "requirements.txt", "")
    if agent_guide:
        atomic_write_text(root / AGENT_GUIDE_FILE, T.AGENT_GUIDE.format(name=name))
    return root


#: Where ``init --install`` puts a Python package's dependencies: project-local, never system-wide.
VENV_DIR = ".venv"


def install_dependencies(root: Path, language: str, *, python: str | None = None) -> list[list[str]]:
    """The project-local dependency install for ``language`` (``init --install``): for Python a
    ``.venv/`` in the package and ``pip install -r requirements.txt`` into it. Returns the commands
    run; raises ``install_failed`` with the tool's own output when one fails, and
    ``invalid_argument`` for a language axiom-ide does not build."""
    import subprocess
    import sys

    if language != "python":
        raise AxiomError.of("invalid_argument",
                            f"--install: axiom-ide installs dependencies for python packages only, not {language}")
    venv = root / VENV_DIR
    venv_python = venv / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    commands = [[python or sys.executable, "-m", "venv", str(venv)]]
    requirements = (root / "requirements.txt").read_text(encoding="utf-8")
    if any(line.strip() and not line.lstrip().startswith("#") for line in requirements.splitlines()):
        commands.append([str(venv_python), "-m", "pip", "install", "--disable-pip-version-check",
                         "-r", "requirements.txt"])
    for command in commands:
        done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip()
            raise AxiomError.of("install_failed", f"{' '.join(command[:4])} failed (exit {done.returncode})"
                                + (f": {output}" if output else ""))
    return commands


# --- create message --------------------------------------------------------------------------------


def _declared_messages(root: Path) -> dict[str, tuple[Path, int]]:
    """Top-level message name → (its .proto file, its line) in messages/*.proto, found textually
    (works on a broken file too; comments are blanked, their line breaks kept)."""
    found: dict[str, tuple[Path, int]] = {}
    for f in sorted((root / MESSAGES_DIR).rglob("*.proto")):
        text = re.sub(r"//[^\n]*|/\*.*?\*/", lambda m: "\n" * m.group().count("\n"),
                      f.read_text(encoding="utf-8"), flags=re.S)
        for m in re.finditer(r"(?m)^message\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{", text):
            found.setdefault(m.group(1), (f, text.count("\n", 0, m.start()) + 1))
    return found


def create_message(root: Path, name: str, fields: str | None = None) -> Path:
    """Append a message block to messages/messages.proto; returns the proto file."""
    problem = pascal_problem("message", name)
    if problem:
        raise AxiomError.of("invalid_argument", problem)
    proto = root / MESSAGES_FILE
    declared = _declared_messages(root).get(name)
    if declared is not None:  # the location names the file and line: the message does not repeat it
        raise AxiomError.of("already_exists", f'message "{name}" already exists', file=str(declared[0]), line=declared[1])
    manifest = load_manifest(root / MANIFEST_FILE)
    for imp in manifest.imports:
        if name in imp.messages:
            raise AxiomError.of(
                "already_exists",
                f'import collision: message {name} exists in both your local messages/ and the imported package '
                f'"{imp.package}@{imp.version}"',
            )
    field_defs = parse_fields(fields) if fields is not None else None
    if field_defs:
        block = render_message(name, field_defs)
    else:
        block = render_message(
            name, None, hints=T.MESSAGE_HINTS, doc=T.MESSAGE_DOC_PLACEHOLDER.format(name=name),
            placeholder=T.PLACEHOLDER_FIELDS,
        )
    if proto.exists():
        text = proto.read_text(encoding="utf-8")
    else:
        text = T.PROTO_HEADER.format(proto_package=proto_package(manifest.name or "local/package"))
    text = text.rstrip("\n") + "\n\n" + block
    atomic_write_text(proto, text)
    return proto


# --- create node -----------------------------------------------------------------------------------


@dataclass
class NodeScaffold:
    """What ``create_node`` wrote."""

    source: Path
    test: Path
    #: Notes for the user, e.g. that a message comes from an imported package.
    notes: list[str] = field(default_factory=list)


def _import_lines(modules: dict[str, list[str]]) -> dict[str, str]:
    return {mod: ", ".join(dict.fromkeys(names)) for mod, names in modules.items()}


def render_node_source(name: str, input: str, output: str, kind: str, in_module: str, out_module: str,
                       doc: str = "") -> str:
    handler = snake_case(name)
    doc = doc or f"TODO: describe what {name} does — this docstring is shown in the registry."
    if in_module == out_module:
        names = ", ".join(dict.fromkeys([input, output]))
        first = f"from {in_module} import {names}"
        out_import = ""
    else:
        first = f"from {in_module} import {input}"
        out_import = f"from {out_module} import {output}\n"
    tmpl = T.PIPELINE_NODE if kind == "pipeline" else T.UNARY_NODE
    text = tmpl.format(in_module=in_module, input=input, output=output, out_import=out_import,
                       handler=handler, doc=doc)
    return text.replace(f"from {in_module} import {input}\n", first + "\n", 1)


def render_test_file(name: str, input: str, output: str, kind: str, in_module: str, out_module: str,
                     tests: str | None = None) -> str:
    """``nodes/<snake>_test.py``: imports, the ``_TestContext`` class and a test (``tests`` replaces it)."""
    handler = snake_case(name)
    modules: dict[str, list[str]] = {}
    modules.setdefault(in_module, []).append(input)
    modules.setdefault(out_module, []).append(output)
    imports = "\n".join(f"from {m} import {n}" for m, n in _import_lines(modules).items())
    head = T.TEST_HEADER.format(name=name, imports=imports, handler=handler)
    body = tests if tests is not None else (T.PIPELINE_TEST if kind == "pipeline" else T.UNARY_TEST).format(
        handler=handler, input=input, output=output)
    return head + "\n" + T.TEST_CONTEXT.format() + body


def create_node(root: Path, name: str, input: str, output: str, *, kind: str = "unary",
                description: str = "") -> NodeScaffold:
    """Write ``nodes/<snake>.py`` and ``nodes/<snake>_test.py`` and append the manifest entry."""
    problem = pascal_problem("node", name)
    if problem:
        raise AxiomError.of("invalid_argument", problem)
    if kind not in ("unary", "pipeline"):
        raise AxiomError.of("invalid_argument", f'invalid --type "{kind}": must be unary or pipeline')
    manifest = load_manifest(root / MANIFEST_FILE)
    existing = manifest.node(name)
    if existing:
        raise AxiomError.of("already_exists", f'node "{name}" already exists',
                            file=str(root / MANIFEST_FILE), line=existing.line or None)
    handler = snake_case(name)
    source = root / NODES_DIR / f"{handler}.py"
    test = root / NODES_DIR / f"{handler}_test.py"
    for f in (source, test):
        if f.exists():
            raise AxiomError.of("already_exists", f"{f.relative_to(root)} already exists; refusing to overwrite it")
    messages = MessageSet(root, manifest.imports)
    notes: list[str] = []
    modules = []
    for role, msg in (("input", input), ("output", output)):
        try:
            messages.full_name(msg, manifest.name)
        except AxiomError as exc:
            if "collision" in exc.message:
                raise
            raise AxiomError.of(
                "unknown_message",
                f'{role} message "{msg}" not found: define it in {MESSAGES_FILE} '
                f"(axiom-ide create message {msg}) or import it from another package",
            ) from None
        origin = messages.origin(msg)
        if origin is not None:
            notes.append(f'Note: {msg} is from imported package "{origin.package.replace("/", "-")}@{origin.version}"')
            modules.append(f"gen.{import_module_name(origin.package)}")
        else:
            modules.append("gen.messages_pb2")
    atomic_write_text(source, render_node_source(name, input, output, kind, modules[0], modules[1], description))
    atomic_write_text(test, render_test_file(name, input, output, kind, modules[0], modules[1]))
    manifest.nodes.append(NodeDecl(name=name, description=description, input=input, output=output, type=kind))
    save_manifest(manifest)
    return NodeScaffold(source, test, notes)


# --- remove node -----------------------------------------------------------------------------------


def remove_node(root: Path, name: str) -> tuple[list[Path], list[str]]:
    """Delete the node's files and manifest entry; returns (files removed, warnings for missing files)."""
    manifest = load_manifest(root / MANIFEST_FILE)
    decl = manifest.node(name)
    if decl is None:
        raise AxiomError.of("unknown_node", f'node "{name}" not found in axiom.yaml', file=str(root / MANIFEST_FILE))
    handler = snake_case(name)
    removed: list[Path] = []
    warnings: list[str] = []
    for f in (root / NODES_DIR / f"{handler}.py", root / NODES_DIR / f"{handler}_test.py"):
        if f.exists():
            f.unlink()
            removed.append(f)
        else:
            warnings.append(f"warning: {f.relative_to(root)} not found; continuing")
    manifest.nodes = [n for n in manifest.nodes if n.name != name]
    save_manifest(manifest)
    return removed, warnings
