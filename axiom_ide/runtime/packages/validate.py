"""``validate``: check a package the way ``axiom validate`` does, layer by layer.

Layers, in order: 1. axiom.yaml schema (required fields, semver, language, message references,
import entries, and the manifest reference's warnings for secrets and subprocess tools);
2. proto definitions compile; 3. node signatures (``nodes/<snake>.py`` defines ``<snake>(ax, input)``,
checked with ``ast`` — node code is never imported); 4. node tests (a warning when a node has no
test); 5. language files (``requirements.txt`` for Python). Diagnostic file paths are relative to
the package root.
"""
from __future__ import annotations

import ast
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axiom_ide.runtime.errors import AxiomError, Diagnostic, Severity, error, warning
from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, NodeDecl, check_manifest, load_manifest
from axiom_ide.runtime.packages.messages import MessageSet, import_dir
from axiom_ide.runtime.packages.naming import snake_case
from axiom_ide.runtime.packages.package import NODES_DIR

#: Tools the subprocess scan looks for (axiom.yaml reference, build.system_deps).
SCANNED_TOOLS = ("git", "curl", "wget", "ssh", "rsync", "zip", "unzip", "make", "gcc", "g++", "svn", "jq")
_SUBPROCESS_FUNCS = {"run", "call", "check_call", "check_output", "Popen", "getoutput", "getstatusoutput"}

LAYERS = ("axiom.yaml schema", "Proto definitions", "Node signatures", "Node tests", "Language files")


@dataclass
class LayerResult:
    name: str
    ok: bool = True
    #: False when a failed earlier layer made this one impossible to check.
    checked: bool = True
    #: This layer's problems (also in :attr:`ValidationReport.diagnostics`).
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class ValidationReport:
    package: str
    root: Path
    layers: list[LayerResult] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "package": self.package,
            "layers": [{"name": layer.name, "ok": layer.ok} for layer in self.layers],
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None


def _secret_reads(tree: ast.AST) -> list[tuple[str, int]]:
    """``ax.secrets.get("NAME")`` calls: (NAME, line)."""
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "secrets"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append((node.args[0].value, node.lineno))
    return out


def _subprocess_tools(tree: ast.AST) -> list[tuple[str, int]]:
    """Tools from SCANNED_TOOLS started through subprocess: (tool, line)."""
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "subprocess":
            imported.update(a.asname or a.name for a in node.names if a.name in _SUBPROCESS_FUNCS)
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        is_sub = (isinstance(f, ast.Attribute) and f.attr in _SUBPROCESS_FUNCS
                  and isinstance(f.value, ast.Name) and f.value.id == "subprocess") or (
            isinstance(f, ast.Name) and f.id in imported)
        if not is_sub:
            continue
        arg = node.args[0]
        first = None
        if isinstance(arg, (ast.List, ast.Tuple)) and arg.elts and isinstance(arg.elts[0], ast.Constant):
            first = arg.elts[0].value
        elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            try:
                words = shlex.split(arg.value)
            except ValueError:
                words = arg.value.split()
            first = words[0] if words else None
        if isinstance(first, str):
            tool = Path(first).name
            if tool in SCANNED_TOOLS:
                out.append((tool, node.lineno))
    return out


def _handler_problem(tree: ast.Module, handler: str) -> tuple[str | None, int | None]:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == handler:
            params = node.args.posonlyargs + node.args.args
            if len(params) < 2 and node.args.vararg is None:
                return (f"function {handler} must take (ax, input): found {len(params)} positional "
                        f"parameter{'s' if len(params) != 1 else ''}"), node.lineno
            return None, node.lineno
    return f"function {handler}(ax, input) not found", None


def validate_package(root: Path) -> ValidationReport:
    """Run every layer on the package at ``root``; never raises for problems in the package."""
    root = Path(root)
    try:
        manifest = load_manifest(root / MANIFEST_FILE)
    except AxiomError as exc:
        diags = [d.relative_to(root) for d in exc.diagnostics]
        report = ValidationReport("", root, [LayerResult(LAYERS[0], False, diagnostics=diags)] +
                                  [LayerResult(n, False, False) for n in LAYERS[1:]])
        report.diagnostics = diags
        return report
    report = ValidationReport(f"{manifest.name}@{manifest.version}", root)
    layer_diags: dict[str, list[Diagnostic]] = {name: [] for name in LAYERS}
    mf = MANIFEST_FILE

    # Layer 2 first: layer 1's message references need the compiled messages.
    messages: MessageSet | None = None
    try:
        messages = MessageSet(root, manifest.imports)
    except AxiomError as exc:
        layer_diags[LAYERS[1]] += exc.diagnostics

    schema = layer_diags[LAYERS[0]]
    schema += check_manifest(manifest)
    if messages is not None:
        for name, imp in messages.collisions():
            schema.append(error("import_collision",
                                f"import collision: message {name} exists in both your local messages/ and the "
                                f'imported package "{imp.package}@{imp.version}"', file=mf, line=imp.line or None))
        known = set(messages.local_names()) | set(messages.imported_names())
        for i, n in enumerate(manifest.nodes):
            for role in ("input", "output"):
                msg = getattr(n, role)
                if msg and msg not in known:
                    schema.append(error("unknown_message",
                                        f'node "{n.name}": {role} message "{msg}" not found in messages/ or imported packages',
                                        file=mf, line=n.line or None, path=f"nodes[{i}].{role}"))
    for imp in manifest.imports:
        if not (root / import_dir(imp.package, imp.version)).is_dir():
            for msg in imp.messages:
                schema.append(warning("import_missing",
                                      f"message {msg} is listed in axiom.yaml imports but its proto definition is not "
                                      f"downloaded; run `axiom import {imp.package}@{imp.version}`",
                                      file=mf, line=imp.line or None))
        elif messages is not None:
            defined = {n for n, origin in messages.imported_names().items() if origin is imp}
            for msg in imp.messages:
                if msg not in defined:
                    schema.append(warning("import_stale",
                                          f'message {msg} is listed in axiom.yaml imports but not found in the downloaded '
                                          f"proto files of {imp.package}@{imp.version}",
                                          file=mf, line=imp.line or None))

    python = manifest.language == "python"
    deps = set(manifest.build.system_deps) if manifest.build else set()
    for n in manifest.nodes:
        if not n.name:
            continue
        _check_node(root, n, python, deps, schema, layer_diags)
    if python and not (root / "requirements.txt").is_file():
        layer_diags[LAYERS[4]].append(error(
            "missing_requirements",
            "requirements.txt not found: Python packages must have one (it may be empty)", file="requirements.txt"))

    for name in LAYERS:
        diags = [d.relative_to(root) for d in layer_diags[name]]
        report.layers.append(LayerResult(name, not any(d.is_error for d in diags), diagnostics=diags))
        report.diagnostics += diags
    return report


def _check_node(root: Path, n: NodeDecl, python: bool, deps: set[str], schema: list[Diagnostic],
                layers: dict[str, list[Diagnostic]]) -> None:
    if not python:
        return
    handler = snake_case(n.name)
    src_rel = f"{NODES_DIR}/{handler}.py"
    test_rel = f"{NODES_DIR}/{handler}_test.py"
    src = root / src_rel
    sig = layers[LAYERS[2]]
    if not src.is_file():
        sig.append(error("node_signature", f'node "{n.name}": {src_rel} not found', file=src_rel))
    else:
        tree = _parse(src)
        if tree is None:
            sig.append(error("node_signature", f'node "{n.name}": {src_rel} is not valid Python', file=src_rel))
        else:
            problem, line = _handler_problem(tree, handler)
            if problem:
                sig.append(error("node_signature", f'node "{n.name}": {problem}', file=src_rel, line=line))
            for secret, line in _secret_reads(tree):
                if secret not in n.required_secrets:
                    schema.append(warning(
                        "undeclared_secret",
                        f'node "{n.name}" reads secret "{secret}" but it is not listed in its required_secrets',
                        file=src_rel, line=line))
            for tool, line in _subprocess_tools(tree):
                if tool not in deps:
                    schema.append(warning(
                        "undeclared_system_dep",
                        f'node "{n.name}" runs "{tool}" through subprocess but "{tool}" is not listed in '
                        "build.system_deps; it would be missing from the runtime image",
                        file=src_rel, line=line))
    test = root / test_rel
    tests = layers[LAYERS[3]]
    tree = _parse(test) if test.is_file() else None
    count = 0
    if tree is not None:
        count = sum(1 for node in ast.walk(tree)
                    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"))
    if count == 0:
        what = "has no test file" if not test.is_file() else "declares no tests"
        tests.append(warning("missing_tests", f'node "{n.name}" {what} ({test_rel}); a node with zero tests passes silently',
                             file=test_rel))
