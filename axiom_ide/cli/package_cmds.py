"""Package verbs: ``init``, ``create message``, ``create node``, ``remove node``, ``generate``,
``validate`` and ``test`` — the ``axiom`` CLI's package tooling, for Python packages.

Every verb except ``init`` runs inside a package directory (any directory below the one holding
``axiom.yaml``). The work is done by ``axiom_ide.runtime.packages``; this module parses flags,
prompts (only when stdin is a terminal) and prints.
"""
from __future__ import annotations

import argparse
import functools
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axiom_ide.cli.output import render_cli

LANGUAGE_HELP = (
    "package language: go | python | rust | java | typescript | csharp "
    "(default: python — unlike the axiom CLI's default of go, because axiom-ide generates and "
    "tests Python packages only)"
)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("init", help="initialize a new Axiom package",
                              description="Create ./<name>/ (the part after the last '/') with axiom.yaml, "
                                          "messages/, nodes/, gen/, requirements.txt and a .gitignore.")
    p.add_argument("name", help="scoped package name: your-handle/package-name")
    p.add_argument("-l", "--language", default="python", help=LANGUAGE_HELP)
    p.add_argument("--version", dest="pkg_version", default="0.1.0", help="initial package version (default: 0.1.0)")
    p.add_argument("--description", default="", help="package description (written to axiom.yaml)")
    p.add_argument("--no-example-comment", action="store_true",
                   help="omit the commented example node block from axiom.yaml")
    p.add_argument("--no-agent-guide", action="store_true",
                   help="skip writing the CLAUDE.md agent-authoring guide into the package")
    p.add_argument("--install", action="store_true",
                   help="after scaffolding, run the project-local dependency install for the language "
                        "(python: a .venv/ in the package and pip install -r requirements.txt; "
                        "never system package managers)")
    p.set_defaults(handler=cmd_init)

    create = subparsers.add_parser("create", help="create Axiom resources (message, node)")
    create_sub = create.add_subparsers(dest="resource", metavar="RESOURCE", required=True)
    m = create_sub.add_parser("message", help="scaffold a new protobuf message in messages/messages.proto")
    m.add_argument("name", help="PascalCase message name")
    m.add_argument("--fields", default=None,
                   help='semicolon-separated field definitions: canonical proto3 ("string name = 1"), proto3 '
                        'without field numbers ("string name"), or colon shorthand ("name:string"); '
                        "field numbers are auto-assigned when omitted")
    m.add_argument("--no-generate", action="store_true", help="skip running generate after adding the message")
    m.set_defaults(handler=cmd_create_message)
    n = create_sub.add_parser("node", help="scaffold a new node in nodes/")
    n.add_argument("name", help="PascalCase node name")
    n.add_argument("--input", default=None, help="input message name")
    n.add_argument("--output", default=None, help="output message name")
    n.add_argument("--type", dest="node_type", default=None, help="node type: unary (default) or pipeline")
    n.add_argument("--description", default="", help="node description (optional, can be set later in axiom.yaml)")
    n.add_argument("--no-generate", action="store_true", help="skip running generate after scaffolding")
    n.set_defaults(handler=cmd_create_node)

    remove = subparsers.add_parser("remove", help="remove Axiom resources (node)")
    remove_sub = remove.add_subparsers(dest="resource", metavar="RESOURCE", required=True)
    r = remove_sub.add_parser("node", help="remove a node from nodes/ and axiom.yaml")
    r.add_argument("name", help="node name")
    r.add_argument("--force", action="store_true", help="skip confirmation prompt")
    r.set_defaults(handler=cmd_remove_node)

    g = subparsers.add_parser("generate", help="compile .proto files into Python bindings in gen/")
    g.set_defaults(handler=cmd_generate)

    v = subparsers.add_parser("validate", help="validate axiom.yaml, proto definitions, and node signatures")
    v.add_argument("--json", action="store_true", help="emit structured JSON instead of human-readable output")
    v.set_defaults(handler=cmd_validate)

    t = subparsers.add_parser("test", help="generate, validate, then run the package's tests with pytest",
                              description="Steps: 1. generate  2. validate (fail fast on errors)  "
                                          "3. pytest nodes/ (output streamed live). Exit code mirrors pytest's. "
                                          "Pass extra pytest arguments after --, e.g. `axiom-ide test -- -k test_greet`.")
    t.add_argument("pytest_args", nargs=argparse.REMAINDER, help="arguments for pytest, after --")
    t.set_defaults(handler=cmd_test)


# --- helpers ---------------------------------------------------------------------------------------


def _verb(fn: Callable[[Any], int]) -> Callable[[Any], int]:
    """Print a failed verb's diagnostics without repeating protoc's own ``file:line:col`` prefix."""

    @functools.wraps(fn)
    def run(args: Any) -> int:
        from axiom_ide.runtime.errors import AxiomError

        try:
            return fn(args)
        except AxiomError as exc:
            root = _root_or_none()
            diagnostics = [d.relative_to(root) for d in exc.diagnostics] if root is not None else exc.diagnostics
            if getattr(args, "json", False):
                raise AxiomError(diagnostics) from None  # cli.output renders the JSON error envelope
            for d in diagnostics:
                print(render_cli(d), file=sys.stderr)
            return 1

    return run


def _root() -> Path:
    from axiom_ide.runtime.packages.scaffold import find_package_root

    return find_package_root(Path.cwd())


def _root_or_none() -> Path | None:
    """The package the verb ran in, for naming its files relative to it; None outside one (init)."""
    from axiom_ide.runtime.errors import AxiomError

    try:
        return _root()
    except AxiomError:
        return None


def _interactive() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _generate(root: Path) -> None:
    from axiom_ide.runtime.packages.generate import generate

    files = generate(root)
    print(f"Generated {len(files)} files in gen/")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


# --- verbs -----------------------------------------------------------------------------------------


@_verb
def cmd_init(args: Any) -> int:
    from axiom_ide.runtime.errors import AxiomError
    from axiom_ide.runtime.packages.scaffold import (
        AGENT_GUIDE_FILE,
        VENV_DIR,
        init_package,
        install_dependencies,
    )

    if args.install and args.language != "python":  # refuse before writing anything
        raise AxiomError.of("invalid_argument",
                            f"--install: axiom-ide installs dependencies for python packages only, not {args.language}")
    root = init_package(Path.cwd(), args.name, language=args.language, version=args.pkg_version,
                        description=args.description, example_comment=not args.no_example_comment,
                        agent_guide=not args.no_agent_guide)
    files = ["axiom.yaml", "messages/messages.proto", "nodes/", "gen/", ".gitignore"]
    if args.language == "python":
        files[3:3] = ["nodes/conftest.py", "requirements.txt"]
    if not args.no_agent_guide:
        files.append(AGENT_GUIDE_FILE)
    print(f"Created {root.name}/ for package {args.name}@{args.pkg_version} ({args.language}):")
    for f in files:
        print(f"  {root.name}/{f}")
    if args.language != "python":
        print(f"Note: axiom-ide generates code for python packages only; {args.language} bindings are not generated.")
    if args.install:
        print(f"Installing dependencies into {root.name}/{VENV_DIR}/ ...", flush=True)
        commands = install_dependencies(root, args.language)
        pip = "pip install -r requirements.txt" if len(commands) > 1 else "requirements.txt is empty: nothing to install"
        print(f"Installed: {root.name}/{VENV_DIR}/ ({pip})")
    print(f"Next: cd {root.name} && axiom-ide create message <Name> --fields \"name:string\"")
    return 0


@_verb
def cmd_create_message(args: Any) -> int:
    from axiom_ide.runtime.packages.scaffold import MESSAGES_FILE, create_message

    root = _root()
    create_message(root, args.name, args.fields)
    print(f"Added message {args.name} to {MESSAGES_FILE}")
    if not args.no_generate:
        _generate(root)
    return 0


def _pick(label: str, options: list[str]) -> str:
    print(f"Available messages for {label}:")
    for i, name in enumerate(options, start=1):
        print(f"  {i}. {name}")
    while True:
        answer = input(f"Select {label} message [1-{len(options)}]: ").strip()
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1]
        if answer in options:
            return answer
        print(f"Enter a number from 1 to {len(options)}.")


@_verb
def cmd_create_node(args: Any) -> int:
    from axiom_ide.runtime.errors import AxiomError
    from axiom_ide.runtime.packages.package import Package
    from axiom_ide.runtime.packages.scaffold import create_node

    root = _root()
    kind = args.node_type
    if args.input is None or args.output is None:
        if not _interactive():
            raise AxiomError.of(
                "invalid_argument",
                "--input and --output are required when stdin is not a terminal "
                f"(e.g. axiom-ide create node {args.name} --input InMessage --output OutMessage)")
        names = Package(root).message_names()
        if not names:
            raise AxiomError.of("unknown_message",
                                "no messages defined yet: create one first with axiom-ide create message <Name>")
        try:
            if args.input is None:
                args.input = _pick("input", names)
            if args.output is None:
                args.output = _pick("output", names)
            if kind is None:
                kind = input("Node type (unary/pipeline) [unary]: ").strip() or "unary"
        except EOFError:  # Ctrl+D at a prompt: the user gave up
            print()  # end the prompt's line
            print("aborted: end of input; nothing was created", file=sys.stderr)
            return 1
    scaffold = create_node(root, args.name, args.input, args.output, kind=kind or "unary",
                           description=args.description)
    for note in scaffold.notes:
        print(note)
    print(f"Created {_rel(scaffold.source, root)} and {_rel(scaffold.test, root)}")
    print(f"Added node {args.name} to axiom.yaml")
    if not args.no_generate:
        _generate(root)
    return 0


@_verb
def cmd_remove_node(args: Any) -> int:
    from axiom_ide.runtime.errors import AxiomError
    from axiom_ide.runtime.packages.manifest import load_manifest
    from axiom_ide.runtime.packages.naming import snake_case
    from axiom_ide.runtime.packages.scaffold import remove_node

    root = _root()
    if load_manifest(root / "axiom.yaml").node(args.name) is None:
        raise AxiomError.of("unknown_node", f'node "{args.name}" not found in axiom.yaml')
    if not args.force:
        if not _interactive():
            raise AxiomError.of(
                "confirmation_required",
                f"refusing to remove node {args.name} without confirmation: stdin is not a terminal; pass --force")
        snake = snake_case(args.name)
        try:
            answer = input(f"Remove node {args.name} (nodes/{snake}.py, nodes/{snake}_test.py and its axiom.yaml "
                           "entry)? [y/N] ").strip().lower()
        except EOFError:  # Ctrl+D: no
            print()
            answer = ""
        if answer not in ("y", "yes"):
            print("Aborted; nothing was removed.")
            return 1
    removed, warnings = remove_node(root, args.name)
    for w in warnings:
        print(w, file=sys.stderr)
    for f in removed:
        print(f"Removed {_rel(f, root)}")
    print(f"Removed node {args.name} from axiom.yaml")
    return 0


@_verb
def cmd_generate(args: Any) -> int:
    _generate(_root())
    return 0


def print_report(report: Any, stream: Any = None) -> None:
    out = stream or sys.stdout
    out.write(f"Validating {report.package or report.root}\n")
    for layer in report.layers:
        mark = "✓" if layer.ok else "✗"
        suffix = "" if layer.checked else " (not checked)"
        out.write(f"  {mark} {layer.name}{suffix}\n")
        for d in layer.diagnostics:
            out.write(f"      {render_cli(d)}\n")
    errors, warnings = len(report.errors), len(report.warnings)
    if report.ok:
        tail = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
        out.write(f"✓ package is valid{tail}\n")
    else:
        out.write(f"✗ validation failed: {errors} error{'s' if errors != 1 else ''}, "
                  f"{warnings} warning{'s' if warnings != 1 else ''}\n")


@_verb
def cmd_validate(args: Any) -> int:
    from axiom_ide.cli.output import print_json
    from axiom_ide.runtime.packages.validate import validate_package

    report = validate_package(_root())
    if args.json:
        print_json(report.to_json())
    else:
        print_report(report)
    return 0 if report.ok else 1


@_verb
def cmd_test(args: Any) -> int:
    from axiom_ide.runtime.packages.validate import validate_package

    root = _root()
    _generate(root)
    report = validate_package(root)
    if not report.ok:
        print_report(report)
        return 1
    for d in report.warnings:
        print(render_cli(d))
    extra = list(args.pytest_args or [])
    if extra[:1] == ["--"]:
        extra = extra[1:]
    sys.stdout.flush()
    proc = subprocess.run([sys.executable, "-m", "pytest", "nodes/", *extra], cwd=str(root), check=False)
    return proc.returncode
