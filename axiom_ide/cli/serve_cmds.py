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
    p.add_argument("--otlp-endpoint", metavar="URL",
                   help="export executions as OpenTelemetry traces (a span per node) to this OTLP/HTTP endpoint, "
                        "e.g. http://127.0.0.1:4318 (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or "
                        "OTEL_EXPORTER_OTLP_ENDPOINT; off when neither is set)")
    add_log_flags(p)
    p.add_argument("--unsandboxed", action="store_true",
                   help="run node code without the sandbox (bubblewrap) even with several tenants' keys; "
                        "resource limits and a scrubbed environment still apply")
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


def add_log_flags(parser: Any) -> None:
    """--log-format / --log-level, for the verbs that log (serve, gui)."""
    parser.add_argument("--log-format", choices=("auto", "text", "json"), default=None,
                        help="stderr log format: text, json (one JSON object a line), or auto (default: text "
                             "when stderr is a terminal, else json; env AXIOM_IDE_LOG_FORMAT). The log file "
                             "<data dir>/logs/axiom-ide-<verb>.log is always JSON lines")
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default=None,
                        help="least severe level logged (default: info; env AXIOM_IDE_LOG_LEVEL)")


def start_logging(args: argparse.Namespace, program: str) -> bool:
    """Set up stderr and file logging from the flags; False (after saying why) on a bad value."""
    from axiom_ide.runtime.logs import setup_logging

    try:
        setup_logging(data_dir(args), program, fmt=args.log_format, level=args.log_level)
    except ValueError as exc:  # a bad AXIOM_IDE_LOG_FORMAT / AXIOM_IDE_LOG_LEVEL
        print(f"error: {exc}", file=sys.stderr)
        return False
    return True


def run_serve(args: argparse.Namespace) -> int:
    import asyncio

    from axiom_ide.runtime import tracing
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
    if args.otlp_endpoint is not None and not args.otlp_endpoint.startswith(("http://", "https://")):
        print(f"error: --otlp-endpoint must be an http:// or https:// URL, got {args.otlp_endpoint!r}",
              file=sys.stderr)
        return 2
    if not start_logging(args, "serve"):
        return 2
    tracing.set_endpoint(args.otlp_endpoint)
    workspace = workspace_dir(args)
    sandbox = _sandbox(args)
    if sandbox is None:
        return 2
    try:
        asyncio.run(serve(data_dir(args), host=args.host, port=args.port, workspace=workspace,
                          options=ServerOptions(limits=args.limits, body_timeout=args.body_timeout), inline=args.inline,
                          grace=max(0.0, args.grace), sandbox=sandbox))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"error: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0


def _sandbox(args: argparse.Namespace) -> Any:
    """The node sandbox to serve with; None (after saying why) when serving several tenants
    would run their node code unsandboxed and ``--unsandboxed`` was not given."""
    from axiom_ide.runtime.host.sandbox import Sandbox

    if args.unsandboxed:
        return Sandbox(use_tool=False)
    sandbox = Sandbox()
    if args.inline or sandbox.isolated:
        return sandbox
    with _keys(args) as keys:
        tenants = sorted({k.tenant_id for k in keys.list(tenant_id=None)})
    if len(tenants) > 1:
        print(f"error: API keys of {len(tenants)} tenants exist ({', '.join(tenants)}), but node code would run "
              f"without a sandbox here ({sandbox.describe()}: bubblewrap is missing or cannot run). Install "
              "bubblewrap (Debian: apt-get install bubblewrap), or pass --unsandboxed to serve anyway.", file=sys.stderr)
        return None
    return sandbox


class _keys:  # noqa: N801 — a context manager read as a verb: ``with _keys(args) as keys``
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
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return 0


def run_keys_revoke(args: argparse.Namespace) -> int:
    with _keys(args) as keys:
        revoked = keys.revoke(args.name, tenant_id=args.tenant)
    if not revoked:
        print(f'error: no active API key named "{args.name}" for tenant {args.tenant}', file=sys.stderr)
        return 1
    print(f"Revoked API key {args.name}. It stops working on its next use.")
    return 0
