"""``axiom-ide client new | ls | show | add | rm | delete | build | add-lang | versions | download``
— the Console's Client Builder for scripts (guides/build-a-client-sdk).

A client is a named bundle of node and flow members, each under a unique alias (its SDK method);
``build`` snapshots the members into the next immutable version and builds each ``--lang``;
``add-lang`` builds another language of an existing version from its frozen snapshot; ``download``
writes ``<name>-sdk-<lang>.zip``. With ``--remote`` every verb acts on the remote platform's clients
(``cli/client_remote.py``): the remote resolves the members and builds the SDKs. Bad input (an empty name, an alias clash, an unknown member) is a
precise message and nothing is saved. ``--json`` prints the records.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from axiom_ide.cli.context import add_location_flags, workspace_dir
from axiom_ide.cli.output import print_json
from axiom_ide.runtime.errors import AxiomError


def register(subparsers: Any) -> None:
    from axiom_ide.runtime.api_snippets import LOCAL_ORIGIN
    from axiom_ide.runtime.clients.model import LANGUAGE_KEYS

    top = subparsers.add_parser("client", help="build typed client SDKs from nodes and flows (Client Builder)")
    verbs = top.add_subparsers(dest="client_verb", metavar="VERB", required=True)

    def verb(name: str, help: str, handler: Any) -> argparse.ArgumentParser:
        p = verbs.add_parser(name, help=help)
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--remote", action="store_true",
                       help="on the remote platform (AXIOM_API_URL, the stored key); the remote builds the SDKs")
        add_location_flags(p)
        p.set_defaults(handler=lambda args: _run(handler, args))
        return p

    p = verb("new", "create an empty client", cmd_new)
    p.add_argument("name")
    verb("ls", "list clients", cmd_ls)
    p = verb("show", "a client's members", cmd_show)
    p.add_argument("name")
    p = verb("add", "add a node (pkg@ver:Node), every node of a package, or a flow", cmd_add)
    p.add_argument("name")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--node", help="owner/pkg@version:Node")
    what.add_argument("--package", help="owner/pkg@version: every node of the package (+ Add all)")
    what.add_argument("--flow", help="a flow's name (flows/NAME.flow.yaml or a compiled flow)")
    p.add_argument("--alias", default="", help="the method name (default: from the node or flow name)")
    p = verb("rm", "remove members by alias", cmd_rm)
    p.add_argument("name")
    p.add_argument("aliases", nargs="+", metavar="ALIAS")
    p = verb("delete", "delete a client with all its versions", cmd_delete)
    p.add_argument("name")
    p = verb("build", "snapshot the members into the next version and build it", cmd_build)
    p.add_argument("name")
    p.add_argument("--lang", required=True, help=f"comma-separated: {','.join(LANGUAGE_KEYS)}")
    p.add_argument("--origin", default=LOCAL_ORIGIN, help=f"the base URL baked into the SDK (default {LOCAL_ORIGIN})")
    p = verb("add-lang", "build another language of an existing version (from its frozen snapshot)", cmd_add_lang)
    p.add_argument("name")
    p.add_argument("version", type=int)
    p.add_argument("lang")
    p = verb("versions", "a client's versions with per-language status", cmd_versions)
    p.add_argument("name")
    p = verb("download", "save a built SDK as <name>-sdk-<lang>.zip", cmd_download)
    p.add_argument("name")
    p.add_argument("version", type=int)
    p.add_argument("lang")
    p.add_argument("--out", default=".", help="folder to write the zip into (default: current directory)")


def _run(handler: Any, args: argparse.Namespace) -> int:
    from axiom_ide.cli.run_cmds import _store_only
    from axiom_ide.runtime.api_snippets import LOCAL_ORIGIN
    from axiom_ide.runtime.clients.service import Clients
    from axiom_ide.runtime.packages import Workspace

    if getattr(args, "remote", False):
        from axiom_ide.cli.client_remote import run_remote

        return run_remote(handler, args)

    async def go() -> int:
        rt = _store_only(args)
        try:
            ws = Workspace(workspace_dir(args))
            clients = Clients(rt.client_store(), lambda: ws, rt.store_artifact, rt.latest_artifact,
                              tenant_id=rt.tenant_id, origin=getattr(args, "origin", LOCAL_ORIGIN))
            return int(handler(clients, args) or 0)
        finally:
            await rt.close()

    return asyncio.run(go())


def _members(client: Any) -> None:
    if not client.members:
        print(f"{client.name}: no members")
        return
    print(f"{client.name}:")
    for m in client.members:
        print(f"  {m.alias:24}  {m.kind:4}  {m.target}")


def cmd_new(clients: Any, args: argparse.Namespace) -> int:
    client = clients.create(args.name)
    print_json(client.to_json()) if args.json else print(f'created client "{client.name}"')
    return 0


def cmd_ls(clients: Any, args: argparse.Namespace) -> int:
    rows = clients.clients()
    if args.json:
        print_json([c.to_json() for c in rows])
    elif not rows:
        print("no clients")
    else:
        for c in rows:
            print(f"{c.name:24}  {len(c.members)} member{'s' if len(c.members) != 1 else ''}")
    return 0


def cmd_show(clients: Any, args: argparse.Namespace) -> int:
    client = clients.get(args.name)
    print_json(client.to_json()) if args.json else _members(client)
    return 0


def cmd_add(clients: Any, args: argparse.Namespace) -> int:
    from axiom_ide.runtime.clients.snapshot import flow_member, node_member

    if args.node:
        members = [node_member(args.node, args.alias)]
    elif args.flow:
        members = [flow_member(args.flow, args.alias)]
    else:
        if args.alias:
            raise AxiomError.of("invalid_alias", "--alias names one member; it cannot be used with --package")
        members = clients.package_members(args.package) if args.remote else _package_members(args)
    client = clients.add(args.name, members)
    if args.json:
        print_json(client.to_json())
    else:
        print(f"added {', '.join(m.alias for m in members)} to {client.name}")
    return 0


def _package_members(args: argparse.Namespace) -> list[Any]:
    from axiom_ide.runtime.clients.snapshot import node_member
    from axiom_ide.runtime.model.refs import RefError, parse_import
    from axiom_ide.runtime.packages import Workspace

    try:
        name, version = parse_import(args.package)
    except RefError as exc:
        raise AxiomError.of("invalid_member", str(exc)) from None
    pkg = Workspace(workspace_dir(args)).package(name, version)
    if pkg is None:
        raise AxiomError.of("unknown_package", f'package "{name}@{version}" not found in the workspace')
    return [node_member(f"{name}@{version}:{n.name}") for n in pkg.manifest.nodes]


def cmd_rm(clients: Any, args: argparse.Namespace) -> int:
    client = clients.remove(args.name, args.aliases)
    print_json(client.to_json()) if args.json else print(f"removed {', '.join(args.aliases)} from {client.name}")
    return 0


def cmd_delete(clients: Any, args: argparse.Namespace) -> int:
    if not clients.delete(args.name):
        raise AxiomError.of("client_not_found", f'no client named "{args.name}"')
    print_json({"deleted": args.name}) if args.json else print(f'deleted client "{args.name}"')
    return 0


def _print_version(v: Any) -> None:
    print(f"version {v.number}  ({len(v.snapshot['members'])} members)")
    for b in v.builds:
        print(f"  {b.language:11} {b.status}{': ' + b.error if b.error else ''}")


def cmd_build(clients: Any, args: argparse.Namespace) -> int:
    langs = [x for x in args.lang.split(",") if x.strip()]
    v = clients.build(args.name, langs)
    print_json(v.to_json()) if args.json else _print_version(v)
    return 0 if all(b.status == "succeeded" for b in v.builds) else 1


def cmd_add_lang(clients: Any, args: argparse.Namespace) -> int:
    lang = clients.queue_language(args.name, args.version, args.lang)
    v = clients.run_builds(args.name, args.version, [lang])
    print_json(v.to_json()) if args.json else _print_version(v)
    b = v.build(lang)
    return 0 if b is not None and b.status == "succeeded" else 1


def cmd_versions(clients: Any, args: argparse.Namespace) -> int:
    rows = clients.versions(args.name)
    if args.json:
        print_json([v.to_json() for v in rows])
    elif not rows:
        print(f"{args.name}: no versions yet")
    else:
        for v in rows:
            _print_version(v)
    return 0


def cmd_download(clients: Any, args: argparse.Namespace) -> int:
    from axiom_ide.runtime.clients.build import zip_name
    from axiom_ide.runtime.clients.model import language
    from axiom_ide.runtime.fileio import atomic_write_bytes

    lang = language(args.lang)
    data = clients.archive(args.name, args.version, lang)
    out = Path(args.out)
    if not out.is_dir():
        raise AxiomError.of("not_a_directory", f"--out {args.out}: no such folder")
    path = out / zip_name(args.name, lang)
    atomic_write_bytes(path, data)
    if args.json:
        print_json({"path": str(path.resolve()), "bytes": len(data)})
    else:
        sys.stdout.write(f"saved {path}\n")
    return 0


