"""``axiom-ide login | whoami | version`` and ``flow compile|run --remote`` — the remote platform verbs.

Where the remote is: ``AXIOM_API_URL`` (platform API) and ``AXIOM_INGRESS_URL`` (invocations; the API
URL when unset), else what ``login`` stored, else ``axiom-ide serve``'s default origin. The key:
``AXIOM_API_KEY``, else the stored one. ``login`` checks the key against the remote before it
stores anything, then writes ``credentials.json`` in the user config dir (platformdirs;
``AXIOM_IDE_CONFIG_DIR`` overrides) atomically with owner-only 0600 permissions. The key comes from
``AXIOM_API_KEY`` (CI), a pipe on stdin, or a prompt without echo — never from argv, where other
processes and the shell history could read it.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from axiom_ide.cli.output import print_diagnostics, print_json, read_secret
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.store import executions as ex

DEFAULT_ORIGIN = "http://127.0.0.1:8765"  # `axiom-ide serve`'s default
NOT_LOGGED_IN = 'Not logged in. Run "axiom-ide login" to authenticate.'
KEY_RE = re.compile(r"[0-9a-f]{64}")
ULID_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


# -- credentials: one store with the IDE's Settings → Connections (backends/credentials.py) ----------
def config_dir() -> Path:
    from axiom_ide.backends import credentials  # imported on use: every other verb starts without it

    return credentials.config_dir()


def credentials_path() -> Path:
    from axiom_ide.backends import credentials

    return credentials.credentials_path()


def stored_credentials() -> dict[str, Any]:
    """What ``login`` (or the IDE) stored, or {} (a damaged file is an error naming it)."""
    from axiom_ide.backends import credentials

    return credentials.stored_credentials()


@dataclass(frozen=True)
class Remote:
    api_url: str
    ingress_url: str
    key: str | None


def remote_settings() -> Remote:
    stored = stored_credentials()
    api = os.environ.get("AXIOM_API_URL") or stored.get("api_url") or DEFAULT_ORIGIN
    ingress = os.environ.get("AXIOM_INGRESS_URL") or stored.get("ingress_url") or api
    return Remote(api.rstrip("/"), ingress.rstrip("/"), os.environ.get("AXIOM_API_KEY") or stored.get("key"))


def backend(settings: Remote | None = None, *, anonymous: bool = False) -> Any:
    """A RemoteBackend for the configured remote; NOT_LOGGED_IN when there is no key, unless
    ``anonymous`` (the marketplace reads of ``search`` and ``info``, which work logged out)."""
    from axiom_ide.backends.remote import RemoteBackend

    settings = settings or remote_settings()
    if not settings.key and not anonymous:
        raise AxiomError.of("not_logged_in", NOT_LOGGED_IN)
    return RemoteBackend(settings.api_url, settings.key or "", ingress_url=settings.ingress_url)


def _tenant(who: dict[str, Any]) -> str:
    return who.get("tenant") or "not reported by this server"


def _read_key() -> str:
    key = os.environ.get("AXIOM_API_KEY")
    if key:
        return key.strip()
    typed = read_secret("API key: ")
    return typed.strip() if typed is not None else sys.stdin.readline().strip()


# -- verbs -----------------------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    p = subparsers.add_parser("login", help="store the API key for the remote (AXIOM_API_URL); key from "
                                            "AXIOM_API_KEY, stdin or a prompt")
    p.set_defaults(handler=cmd_login)
    p = subparsers.add_parser("whoami", help="show the identity and tenant of the stored API key")
    p.add_argument("--json", action="store_true", help="print GET /api/whoami's JSON object")
    p.set_defaults(handler=cmd_whoami)
    p = subparsers.add_parser("version", help="print the axiom-ide version")
    p.set_defaults(handler=cmd_version)
    p = subparsers.add_parser("search", help="search the remote's packages, nodes or messages")
    p.add_argument("query", nargs="?", default="",
                   help="without one: every package, most recently published first (a push of your own by its "
                        "push time; the server's workspace last). With one: best match first (the name, then a "
                        "name starting with it, then a name containing it, then a description or tag containing "
                        "it), the most recent first among equals")
    p.add_argument("-t", "--type", default="packages", choices=("packages", "nodes", "messages"),
                   help="entity type to search: packages, nodes, or messages")
    p.add_argument("--json", action="store_true", help="Emit structured JSON instead of human-readable tables")
    p.set_defaults(handler=cmd_search)
    p = subparsers.add_parser("info", help="show a package's details, nodes, messages and live endpoint")
    p.add_argument("package", metavar="NAME[@VERSION]")
    p.add_argument("--json", action="store_true", help="Emit structured JSON instead of human-readable output")
    p.set_defaults(handler=cmd_info)

    flow = subparsers.choices.get("flow")
    verbs = next(a for a in flow._actions if isinstance(a, argparse._SubParsersAction)) if flow else None
    if verbs is not None:
        p = verbs.add_parser("pull", help="write a compiled flow (its graph id) back out as an editable flow.yaml")
        p.add_argument("graph_id")
        p.add_argument("-o", "--out", default="flow.yaml", help="Output flow.yaml path")
        p.set_defaults(handler=cmd_pull)
    for verb, remote_fn in (("compile", cmd_compile_remote), ("run", cmd_run_remote)):
        parser = verbs.choices.get(verb) if verbs is not None else None
        if parser is None:
            continue
        parser.add_argument("--remote", action="store_true",
                            help="on the remote platform (AXIOM_API_URL / AXIOM_INGRESS_URL, the stored key)")
        local_fn = parser.get_default("handler")
        parser.set_defaults(handler=_either(local_fn, remote_fn))
    batch = verbs.choices.get("batch") if verbs is not None else None
    if batch is not None:  # flow batch --remote (cli/batch_cmds.py calls it: no import back here)
        batch.set_defaults(remote_batch=batch_remote)


def _either(local_fn: Any, remote_fn: Any) -> Any:
    return lambda args: remote_fn(args) if getattr(args, "remote", False) else local_fn(args)


def cmd_version(args: argparse.Namespace) -> int:
    from axiom_ide import __version__

    print(f"axiom-ide version {__version__}")
    return 0


def cmd_login(args: argparse.Namespace) -> int:
    settings = remote_settings()
    key = _read_key()
    if not key:
        raise AxiomError.of("no_key", "no API key given: set AXIOM_API_KEY, pipe the key on stdin, or type it at "
                            'the prompt (create one with "axiom-ide keys create NAME")')
    if not KEY_RE.fullmatch(key):
        raise AxiomError.of("invalid_key", f"an API key is 64 lowercase hex characters; this one has {len(key)} "
                            "characters")

    async def check() -> dict[str, Any]:
        remote = backend(Remote(settings.api_url, settings.ingress_url, key))
        try:
            return dict(await remote.whoami())
        finally:
            await remote.close()

    who = asyncio.run(check())  # a refused key raises here: nothing is written
    from axiom_ide.backends import credentials

    credentials.save(settings.api_url, settings.ingress_url, key)
    print(f"✓ Logged in as {who.get('email') or who.get('key') or 'this key'} (tenant: {_tenant(who)})")
    return 0


def cmd_whoami(args: argparse.Namespace) -> int:
    settings = remote_settings()
    if not settings.key:
        sys.stderr.write(NOT_LOGGED_IN + "\n")
        return 1

    async def ask() -> dict[str, Any]:
        remote = backend(settings)
        try:
            return dict(await remote.whoami())
        finally:
            await remote.close()

    who = asyncio.run(ask())
    if getattr(args, "json", False):
        print_json(who)
        return 0
    print(f"Email: {who.get('email') or '-'}")
    print(f"Tenant: {_tenant(who)}")
    if not who.get("tenant") and who.get("key"):  # a server without /api/whoami: name the key at least
        print(f"Key: {who['key']}")
    return 0


# -- flow compile --remote -------------------------------------------------------------------------
def _source(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AxiomError.of("file_not_found", f"{file}: no such file", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AxiomError.of("unreadable", f"{file}: cannot read it ({exc})", file=file) from None


def cmd_compile_remote(args: argparse.Namespace) -> int:
    """Post the file as written (diagnostics name it with line and column); print the graph id, or
    with ``--json`` the compile route's result object."""
    from axiom_ide.backends.remote_http import diagnostics_from_json

    text = _source(args.file)

    async def go() -> dict[str, Any]:
        remote = backend()
        try:
            result: dict[str, Any] = await remote.compile_json(text, args.file)
            return result
        finally:
            await remote.close()

    body = asyncio.run(go())
    if args.json:
        print_json(body)
    else:
        print_diagnostics(diagnostics_from_json(body.get("warnings")))
        print(body["graph_id"])
    return 0


# -- flow pull ------------------------------------------------------------------------------------
def cmd_pull(args: argparse.Namespace) -> int:
    """``GET /api/graphs/{id}``'s flow document as compiled → ``--out`` (atomically; an existing file
    is never overwritten, so nothing edited is lost)."""
    from axiom_ide.runtime.model.flow_yaml import flow_from_tree, new_flow_file, save_flow

    target = Path(args.out)
    if target.exists():
        raise AxiomError.of("file_exists", f"{target} already exists; not overwriting it (choose another with -o)",
                            file=str(target))

    async def go() -> Any:
        remote = backend()
        try:
            return await remote.api.json("GET", f"/api/graphs/{args.graph_id}", missing_ok=True)
        finally:
            await remote.close()

    graph = asyncio.run(go())
    if graph is None:
        raise AxiomError.of("graph_not_found", f'{remote_settings().api_url} has no compiled flow "{args.graph_id}" '
                            "for this key's tenant")
    if not graph.get("source"):
        raise AxiomError.of("no_source", f'compiled flow "{args.graph_id}" was stored without its flow document')
    save_flow(new_flow_file(flow_from_tree(graph["source"])), target)
    print(f"wrote {target} (flow {graph['flow']}, from {args.graph_id})")
    return 0


# -- flow run --remote -----------------------------------------------------------------------------
def _file_source(target: str) -> str | None:
    """The flow file's text when ``target`` names a file (run it after compiling it remotely)."""
    if target.endswith((".yaml", ".yml")) or Path(target).is_file():
        return _source(target)
    return None


async def _remote_target(remote: Any, target: str, source: str | None) -> tuple[str, str]:
    """(graph_id, mode) for a graph id, a flow file (compiled on the remote first) or a flow name."""
    if source is not None:
        compiled = await remote.compile_source(source, target)
        return compiled.graph_id, compiled.mode
    if ULID_RE.fullmatch(target):
        graph = await remote.api.json("GET", f"/api/graphs/{target}", missing_ok=True)
        if graph is not None:
            return target, graph["mode"]
    rows = await remote.api.json("GET", f"/api/flows/{target}/artifacts")
    if rows.get("artifacts"):
        latest = rows["artifacts"][0]
        return latest["graph_id"], latest["mode"]
    raise AxiomError.of("graph_not_found", f'{remote.api_url} has no compiled artifact or flow named "{target}"; '
                        "pass a graph_id, a compiled flow's name, or a .flow.yaml file")


def cmd_run_remote(args: argparse.Namespace) -> int:
    from axiom_ide.cli.run_cmds import _refused

    try:
        source = _file_source(args.target)
    except AxiomError as exc:
        return _refused(exc, args.json)
    return asyncio.run(_run_remote(args, source))


async def _run_remote(args: argparse.Namespace, source: str | None) -> int:
    """As ``flow run`` prints a local run: unary output JSON (``--json``: the invoke response), a
    pipeline's frame payloads (``--json``: every SSE frame); a failure to stderr and exit 1."""
    from axiom_ide.cli.run_cmds import _input, _refused

    try:
        data = _input(args.data)
        remote = backend()
    except AxiomError as exc:
        return _refused(exc, args.json)
    try:
        return await _invoke_remote(remote, args, data, source)
    except AxiomError as exc:  # refused, unreachable, unauthorized, cut off: nothing more to show
        return _refused(exc, args.json)
    finally:
        await remote.close()


async def _invoke_remote(remote: Any, args: argparse.Namespace, data: Any, source: str | None) -> int:
    from axiom_ide.cli.run_cmds import _fail

    graph_id, mode = await _remote_target(remote, args.target, source)
    if mode == "pipeline":
        code = 0
        async for frame in remote.stream(graph_id, data, config_id=args.config, timeout=args.timeout):
            failed = frame.get("is_final") and not frame.get("success")
            if args.json:
                print(json.dumps(frame, ensure_ascii=False), flush=True)
            elif failed:
                _fail(frame.get("error", "failed"))
            elif not frame.get("is_final"):
                print(json.dumps(frame.get("payload"), ensure_ascii=False), flush=True)
            code = 1 if failed else code
        return code
    answer = await remote.invoke(graph_id, data, config_id=args.config, wait=True, timeout=args.timeout)
    if answer.get("status") == ex.PAUSED_HITL:  # like a local run: it waits for an approval, durably
        from axiom_ide.cli.approval_cmds import PAUSED_EXIT

        if args.json:
            print_json(answer)
        eid = answer["execution_id"]
        print(f"execution {eid} is paused for approval; answer it with: POST /invocations/v1/executions/{eid}/resume "
              '{"action": "approve"} (or "reject")', file=sys.stderr)
        return PAUSED_EXIT
    result = answer.get("result")
    ok = bool(result and result.get("success"))
    if args.json:
        print_json(answer)
        return 0 if ok else 1
    if not ok:
        return _fail(result.get("error", "failed") if result else answer.get("error_message", "failed"))
    print_json(result.get("output") if result else None)
    return 0


# -- search and info -------------------------------------------------------------------------------
def _packages() -> list[dict[str, Any]]:
    """The remote's packages (``GET /api/packages``), each with ``author`` (the manifest's, else
    the name's scope) and ``messages`` (those its protos define, else the message types its nodes
    take and give). Logged out (no key) the remote answers with its published packages only, as
    the marketplace needs no login."""
    async def go() -> Any:
        remote = backend(anonymous=True)
        try:
            return await remote.api.json("GET", "/api/packages")
        finally:
            await remote.close()

    out = []
    for pkg in asyncio.run(go()).get("packages", []):
        messages = sorted({m for n in pkg.get("nodes", []) for m in (n.get("input"), n.get("output")) if m})
        out.append({**pkg, "author": pkg.get("author") or pkg["name"].split("/")[0],
                    "messages": sorted(pkg.get("messages") or messages)})
    return out


def _rank(query: str, name: Any, *texts: Any) -> int | None:
    """How well ``query`` matches (0 best; None: not at all), case-insensitive: 0 the name (or its
    part after the scope), 1 a name starting with it, 2 a name containing it, 3 a description or tag."""
    if not query:
        return 0
    q, full = query.lower(), str(name or "").lower()
    names = (full, full.rpartition("/")[2])
    if q in names:
        return 0
    if any(n.startswith(q) for n in names):
        return 1
    if q in full:
        return 2
    return 3 if any(q in str(t or "").lower() for t in texts) else None


def _newest_first(pkg: dict[str, Any]) -> tuple[Any, ...]:
    """The registry's order for a row of the server's listing (``registry.store.newest_first``: most
    recently published first; the server's workspace packages, neither pushed nor published, last)."""
    from axiom_ide.runtime.registry.store import newest_first

    return newest_first(str(pkg["name"]), str(pkg["version"]), pkg.get("published_at"), pkg.get("pushed_at"))


def _ranked(query: str, rows: list[tuple[Any, ...]]) -> list[Any]:
    """``rows`` of (item, package, name, *texts): the matching items, best match first, then the
    package's recency (most recent first)."""
    scored = [(r, _newest_first(p), i) for i, (item, p, name, *texts) in enumerate(rows)
              if (r := _rank(query, name, *texts)) is not None]
    return [rows[i][0] for _r, _n, i in sorted(scored)]


def _table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    for row in (header, *rows):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=False)).rstrip())


def cmd_search(args: argparse.Namespace) -> int:
    """Packages (name, version, language, node count, author), nodes or messages matching QUERY
    (case-insensitive, in names, descriptions and tags) best match first; every one without a
    query, most recently published first (see the ``query`` argument's help)."""
    q = args.query
    packages = _packages()
    if args.type == "packages":
        found = _ranked(q, [(p, p, p["name"], p.get("description"), *p.get("tags", [])) for p in packages])
        if args.json:
            print_json({"packages": found})
        elif found:
            _table(("NAME", "VERSION", "LANGUAGE", "NODES", "AUTHOR"),
                   [(p["name"], p["version"], p.get("language", ""), len(p.get("nodes", [])), p["author"]) for p in found])
        return _none_found(found, args)
    if args.type == "nodes":
        nodes = _ranked(q, [({"name": n["name"], "package": p["name"], "version": p["version"],
                              "type": n.get("type", "unary"), "input": n.get("input"), "output": n.get("output"),
                              "description": n.get("description") or ""}, p, n["name"], n.get("description"))
                             for p in packages for n in p.get("nodes", [])])
        if args.json:
            print_json({"nodes": nodes})
        elif nodes:
            _table(("NODE", "PACKAGE", "VERSION", "INPUT → OUTPUT"),
                   [(n["name"], n["package"], n["version"], f"{n['input']} → {n['output']}") for n in nodes])
        return _none_found(nodes, args)
    messages = _ranked(q, [({"name": m, "package": p["name"], "version": p["version"]}, p, m)
                           for p in packages for m in p["messages"]])
    if args.json:
        print_json({"messages": messages})
    elif messages:
        _table(("MESSAGE", "PACKAGE", "VERSION"), [(m["name"], m["package"], m["version"]) for m in messages])
    return _none_found(messages, args)


def _none_found(found: list[Any], args: argparse.Namespace) -> int:
    if not found and not args.json:
        print(f'no {args.type} match "{args.query}"' if args.query else f"no {args.type} on this remote")
    return 0


def _when(ms: Any) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(float(ms) / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


def _visible(pkg: dict[str, Any]) -> str:
    visibility = pkg.get("visibility")
    if visibility == "public" and pkg.get("published_at") is not None:
        return f"public, published {_when(pkg['published_at'])}"
    if visibility == "private" and pkg.get("pushed_at") is not None:
        return f"private to your tenant (not published), pushed {_when(pkg['pushed_at'])}"
    if visibility == "workspace":
        return "this server's workspace (not published)"
    return visibility or "not reported by this server"


def cmd_info(args: argparse.Namespace) -> int:
    """A package version (the most recently published when @VERSION is omitted; see
    :func:`_newest_first`): description, author, license, deploy status, visibility, language, live
    endpoint, its OpenAPI and docs URLs, every node with input → output, and its messages."""
    name, _, version = args.package.partition("@")
    candidates = [p for p in _packages() if p["name"] == name and (not version or p["version"] == version)]
    if not candidates:
        which = f"{name}@{version}" if version else name
        settings = remote_settings()
        hint = "" if settings.key else ' (not logged in: only published packages are listed; "axiom-ide login" shows your own pushes too)'
        raise AxiomError.of("package_not_found", f'package "{which}" not found on {settings.api_url}{hint}')
    pkg = min(candidates, key=_newest_first)
    settings = remote_settings()
    owner, _, short = pkg["name"].partition("/")
    ref = f"{pkg['name']}@{pkg['version']}"
    detail = {**pkg, "deploy_status": pkg.get("deploy_status") or "unknown",
              "deploy_detail": pkg.get("deploy_detail"),
              "endpoint": f"{settings.ingress_url}/invocations/v1/nodes/{owner}/{short}/{pkg['version']}/{{node}}",
              "openapi_url": f"{settings.api_url}/api/packages/{ref}/openapi.json",
              "docs_url": f"{settings.api_url}/api/packages/{ref}/docs"}
    if args.json:
        print_json(detail)
        return 0
    print(ref)
    if pkg.get("description"):
        print(f"  {pkg['description']}")
    print(f"Author:   {pkg['author']}")
    if pkg.get("license"):
        print(f"License:  {pkg['license']}")
    status = detail["deploy_status"] if pkg.get("deploy_status") else "unknown (not reported by this server)"
    print(f"Status:   {status}" + (f" — {detail['deploy_detail']}" if detail["deploy_detail"] else ""))
    print(f"Visible:  {_visible(pkg)}")
    print(f"Language: {pkg.get('language', '')}")
    print(f"Endpoint: {detail['endpoint']}" if pkg.get("nodes") else "Endpoint: none (proto-only: nothing to invoke)")
    print(f"OpenAPI:  {detail['openapi_url']}")
    print(f"Docs:     {detail['docs_url']}")
    print("Nodes:" if pkg.get("nodes") else "Nodes: none (proto-only)")
    for n in pkg.get("nodes", []):
        print(f"  {n['name']}: {n.get('input')} → {n.get('output')}" + (" (pipeline)" if n.get("type") == "pipeline" else ""))
    print("Messages:")
    for m in pkg["messages"]:
        print(f"  {m}")
    return 0


# -- flow batch --remote ---------------------------------------------------------------------------
async def batch_remote(args: argparse.Namespace, batch_id: str, holder: dict[str, Any], on_row: Any) -> Any:
    """``flow batch FLOW DATA --remote``: the batch's rows run on the remote (``backends/remote_batch.py``,
    the one batch loop), the batch saved in the local data dir. FLOW as ``flow run --remote`` takes it."""
    from axiom_ide.cli.context import data_dir
    from axiom_ide.runtime.batch import run_flow_batch

    source = _file_source(args.flow)
    remote = backend()
    try:
        graph_id, _mode = await _remote_target(remote, args.flow, source)
        flow = await remote.batches.flow(graph_id, args.data, config_id=args.config)
        summary = await run_flow_batch(flow, data_dir(args), args.data, concurrency=args.concurrency,
                                       timeout=args.timeout, on_row=on_row, batch_id=batch_id, config_id=args.config,
                                       header={"remote": remote.ingress_url})
        holder["summary"] = summary
        return summary
    finally:
        await remote.close()
