"""``axiom-ide serve`` (the platform HTTP API on localhost) and ``axiom-ide keys`` (its API keys)."""
from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from axiom_ide.cli.context import add_location_flags, data_dir, workspace_dir


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("serve", help="serve the platform HTTP API on localhost",
                              description="Serve the Axiom invocation and management HTTP API over the "
                                          "embedded runtime. Binds loopback by default.")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 picks a free one)")
    p.add_argument("--limits", default="off", metavar="SPEC",
                   help="rate limits and daily quotas: off (default), platform (the documented beta values), "
                        "or numbers over those, e.g. 'daily_invocations=100,invoke_burst=20' (keys: rate, burst, "
                        "invoke_rate, invoke_burst, daily_invocations, daily_executions; a value may be 'off')")
    p.add_argument("--grace", type=float, default=10.0, metavar="SECONDS",
                   help="on SIGINT/SIGTERM, how long running executions may finish before the server stops "
                        "(the rest resume on the next start; default: 10)")
    p.add_argument("--body-timeout", type=float, default=60.0, metavar="SECONDS",
                   help="how long a request body may take to arrive before the request is answered 408 "
                        "(default: 60)")
    p.add_argument("--inline", action="store_true", help=argparse.SUPPRESS)
    add_location_flags(p)
    p.set_defaults(handler=run_serve)

    k = subparsers.add_parser("keys", help="API keys for the local HTTP API")
    verbs = k.add_subparsers(dest="verb", metavar="VERB", required=True)
    c = verbs.add_parser("create", help="mint a key (shown once)")
    c.add_argument("name")
    c.add_argument("--tenant", default="local", help="tenant the key resolves to (default: local)")
    c.add_argument("--json", action="store_true")
    add_location_flags(c)
    c.set_defaults(handler=run_keys_create)
    ls = verbs.add_parser("ls", help="list keys (masked)")
    ls.add_argument("--tenant", default="local")
    ls.add_argument("--json", action="store_true")
    add_location_flags(ls)
    ls.set_defaults(handler=run_keys_ls)
    r = verbs.add_parser("revoke", help="revoke a key (effective on its next use)")
    r.add_argument("name")
    r.add_argument("--tenant", default="local")
    add_location_flags(r)
    r.set_defaults(handler=run_keys_revoke)


def run_serve(args: argparse.Namespace) -> int:
    import asyncio

    from axiom_ide.server.app import ServerOptions
    from axiom_ide.server.limits import parse_limits
    from axiom_ide.server.serve import serve

    try:
        parse_limits(args.limits)
    except ValueError as exc:
        print(f"error: --limits: {exc}", file=sys.stderr)
        return 2
    if not args.body_timeout > 0:
        print(f"error: --body-timeout must be a positive number of seconds, got {args.body_timeout:g}",
              file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"error: --port must be between 0 and 65535, got {args.port}", file=sys.stderr)
        return 2
    workspace = workspace_dir(args)
    try:
        asyncio.run(serve(data_dir(args), host=args.host, port=args.port, workspace=workspace,
                          options=ServerOptions(limits=args.limits, body_timeout=args.body_timeout), inline=args.inline,
                          grace=max(0.0, args.grace)))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


class _keys:
    """``with _keys(args) as keys:`` — the data dir's API key store, closed afterwards."""

    def __init__(self, args: argparse.Namespace) -> None:
        from axiom_ide.runtime.store.db import open_database

        self.db = open_database(data_dir(args))

    def __enter__(self):
        from axiom_ide.runtime.store.apikeys import ApiKeyStore

        return ApiKeyStore(self.db)

    def __exit__(self, *exc: Any) -> None:
        self.db.close()


def run_keys_create(args: argparse.Namespace) -> int:
    with _keys(args) as keys:
        raw, key = keys.create(args.name, tenant_id=args.tenant)
    if args.json:
        from axiom_ide.runtime.store.apikeys import created_json

        print(json.dumps(created_json(raw, key)))
    else:
        print(f"Created API key {key.name} (tenant {key.tenant_id}). Copy it now; it is never shown again:")
        print(raw)
    return 0


def _date(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "Never"


def run_keys_ls(args: argparse.Namespace) -> int:
    with _keys(args) as keys:
        rows = keys.list(tenant_id=args.tenant)
    if args.json:
        print(json.dumps({"keys": [k.to_json() for k in rows]}))
        return 0
    if not rows:
        print("No API keys. Create one with: axiom-ide keys create NAME")
        return 0
    table = [("NAME", "KEY", "CREATED", "LAST USED")] + [
        (k.name, k.masked, _date(k.created_at), _date(k.last_used)) for k in rows]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for r in table:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
    return 0


def run_keys_revoke(args: argparse.Namespace) -> int:
    with _keys(args) as keys:
        revoked = keys.revoke(args.name, tenant_id=args.tenant)
    if not revoked:
        print(f'error: no active API key named "{args.name}" for tenant {args.tenant}', file=sys.stderr)
        return 1
    print(f"Revoked API key {args.name}. It stops working on its next use.")
    return 0
