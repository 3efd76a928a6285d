"""``axiom-ide push | build | publish | import`` and ``flow publish`` — the registry verbs.

They talk to the remote (``remote_cmds.remote_settings``: ``AXIOM_API_URL``, the stored key) through
the registry routes of ``axiom-ide serve`` (``server/registry_routes.py``), except ``build``, which
is local. Texts follow the docs: reference/cli/axiom-push, -build, -publish, -flow-publish,
-import, guides/publish-a-flow and guides/import-package-types.
"""
from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from axiom_ide.cli.output import print_json, relative_to
from axiom_ide.cli.remote_cmds import NOT_LOGGED_IN, backend, remote_settings
from axiom_ide.runtime.errors import AxiomError

FLOW_CONFIRM = ("Publishing flow {id} makes it publicly visible to every Axiom tenant. This cannot be undone — "
                "published flows are immutable. Publish? [y/N] ")
FLOW_DONE = ("✓ published flow {id}\n  visibility: public — marketplace-visible, forkable, importable as a subflow\n"
             "  this version is immutable; compile a new flow to iterate further")
PACKAGE_CONFIRM = ("Publishing {key} makes it publicly visible to every Axiom tenant. This cannot be undone — "
                   "a published version is immutable: you cannot unpublish or overwrite it. Publish? [y/N] ")
PACKAGE_DONE = ("✓ published {key}\n  visibility: public — listed in the marketplace, importable by every tenant\n"
                "  this version is immutable; push a new version to iterate further")
NO_DOCKER = ("docker not found on PATH: skipped the image build (step 6). The build context is in {image}; "
             "build it with: docker build -t {tag} {image}")
ABORTED = "Aborted."


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("push", help="Push the package to the Axiom platform (tenant-private)")
    p.add_argument("--json", action="store_true",
                   help="Emit a single JSON result object instead of human-readable progress output")
    p.set_defaults(handler=cmd_push)
    p = subparsers.add_parser("build", help="Build a local Docker image identical to the publish pipeline")
    p.set_defaults(handler=cmd_build)
    p = subparsers.add_parser("publish", help="Publish a pushed package to the public marketplace")
    p.add_argument("package", metavar="NAME@VERSION")
    p.add_argument("-y", "--yes", action="store_true", help="Skip the confirmation prompt (for CI and scripted use)")
    p.set_defaults(handler=cmd_publish)
    p = subparsers.add_parser("import", help="Import proto definitions from a published package")
    p.add_argument("package", metavar="NAME[@VERSION]")
    p.set_defaults(handler=cmd_import)
    flow = subparsers.choices.get("flow")
    verbs = next((a for a in flow._actions if isinstance(a, argparse._SubParsersAction)), None) if flow else None
    if verbs is not None:
        p = verbs.add_parser("publish", help="Publish a compiled flow to the public marketplace")
        p.add_argument("artifact_id")
        p.add_argument("--json", action="store_true", help="Emit a single JSON result object")
        p.add_argument("-y", "--yes", action="store_true", help="Skip the confirmation prompt (for CI and scripted use)")
        p.set_defaults(handler=cmd_flow_publish)


def _registry(call: Callable[[Any], Awaitable[Any]]) -> Any:
    """``call(RemoteRegistry)`` on the configured remote."""
    from axiom_ide.backends.remote_registry import RemoteRegistry

    async def go() -> Any:
        remote = backend()
        try:
            return await call(RemoteRegistry(remote.api))
        finally:
            await remote.close()
    return asyncio.run(go())


def _not_logged_in() -> bool:
    """True (after saying so, as ``whoami`` does) when no key is configured."""
    if remote_settings().key:
        return False
    sys.stderr.write(NOT_LOGGED_IN + "\n")
    return True


def _confirm(prompt: str) -> bool:
    sys.stdout.write(prompt)
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _package_root() -> Path:
    from axiom_ide.runtime.packages.scaffold import find_package_root

    return find_package_root(Path.cwd())


# -- push ------------------------------------------------------------------------------------------
def cmd_push(args: argparse.Namespace) -> int:
    from axiom_ide.backends.push_source import push_source
    from axiom_ide.cli.package_cmds import print_report
    from axiom_ide.runtime.packages.validate import validate_package

    if _not_logged_in():
        return 1
    root = _package_root()
    human = not args.json
    source = push_source(root)
    report = validate_package(root)
    if not report.ok:
        if human:
            print_report(report)
        else:
            print_json({"ok": False, "errors": [d.to_json() for d in report.errors]})
        return 1
    if human:
        print(f"✓ {report.package} is valid (local checks)")
        print(f"Pushing {report.package} from {source.remote_url} at {source.commit[:12]}", flush=True)
    result = _registry(lambda reg: reg.push(source, on_log=(lambda line: print(f"  {line}", flush=True))
                                            if human else None))
    if not human:
        print_json(result)
        return 0
    print(f"✓ pushed {result['key']} (private to your tenant; publish it with: axiom-ide publish {result['key']})")
    print(f"  Package: {result['package_url']}")
    for n in result["nodes"]:
        print(f"  {n['name']}: POST {n['endpoint']}")
        print(f"    {n['curl']}")
    print(f"  API docs: {result['docs_url']}")
    return 0


def _origin() -> str:
    return remote_settings().api_url


# -- publish ---------------------------------------------------------------------------------------
def cmd_publish(args: argparse.Namespace) -> int:
    name, sep, version = args.package.partition("@")
    if not sep or not name or not version or name.count("/") != 1:
        raise AxiomError.of("invalid_argument", f'"{args.package}" is not NAME@VERSION (e.g. my-handle/my-package@0.1.0)')
    if _not_logged_in():
        return 1
    key = f"{name}@{version}"
    if not args.yes and not _confirm(PACKAGE_CONFIRM.format(key=key)):
        print(ABORTED)
        return 1
    _registry(lambda reg: reg.publish(name, version))
    print(PACKAGE_DONE.format(key=key))
    return 0


def cmd_flow_publish(args: argparse.Namespace) -> int:
    if _not_logged_in():
        return 1
    graph_id = args.artifact_id
    if not args.yes and not _confirm(FLOW_CONFIRM.format(id=graph_id)):
        print(ABORTED)
        return 1
    result = _registry(lambda reg: reg.publish_flow(graph_id))
    if args.json:
        print_json(result)
    else:
        print(FLOW_DONE.format(id=result["artifact_id"]))
    return 0


# -- build -----------------------------------------------------------------------------------------
def cmd_build(args: argparse.Namespace) -> int:
    from axiom_ide.cli.package_cmds import print_report
    from axiom_ide.runtime.packages.generate import generate
    from axiom_ide.runtime.packages.manifest import MANIFEST_FILE, load_manifest
    from axiom_ide.runtime.packages.validate import validate_package
    from axiom_ide.runtime.registry.image import AXIOM_DIR, write_artifacts

    root = _package_root()
    manifest = load_manifest(root / MANIFEST_FILE)
    print("1. Compile proto bindings (axiom generate)")
    with relative_to(root):
        generate(root, manifest)
    print("2. Validate package (axiom validate)")
    report = validate_package(root)
    if not report.ok:
        print_report(report)
        return 1
    print(f"3. Generate service ({AXIOM_DIR}/service.py)")
    print(f"4. Generate Dockerfile ({AXIOM_DIR}/Dockerfile)")
    print(f"5. Assemble build context ({AXIOM_DIR}/image/)")
    write_artifacts(root, manifest)
    image = f"{AXIOM_DIR}/image"
    tag = f"{manifest.name.replace('/', '-')}:{manifest.version}"
    docker = shutil.which("docker")
    if docker is None:
        print(NO_DOCKER.format(image=image, tag=tag))
        return 0
    print(f"6. Build Docker image (docker build -t {tag} {image})", flush=True)
    done = subprocess.run([docker, "build", "-t", tag, image], cwd=str(root), check=False)
    if done.returncode != 0:
        raise AxiomError.of("docker_build_failed", f"docker build exited with {done.returncode}; the build context "
                            f"is in {image}")
    print(f"✓ built image {tag}")
    return 0


# -- import ----------------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from axiom_ide.backends.registry_import import import_protos

    root = _package_root()
    if _not_logged_in():
        return 1
    name, _, version = args.package.partition("@")
    if name.count("/") != 1:
        raise AxiomError.of("invalid_argument", f'"{args.package}" is not NAME[@VERSION] (e.g. my-handle/my-package@0.1.0)')
    protos = _registry(lambda reg: reg.protos(name, version or None))
    if protos is None:
        which = f"{name}@{version}" if version else name
        raise AxiomError.of("package_not_found", f'package "{which}" not found on {_origin()}')
    with relative_to(root):
        written, messages, generated = import_protos(root, protos)
    rel = written.relative_to(root).as_posix()
    print(f"✓ imported {protos['name']}@{protos['version']} into {rel}/: {', '.join(messages)}")
    print("  axiom.yaml imports: updated; " + ("gen/ regenerated" if generated else
                                              "the protos compile in this language's own build"))
    return 0


