"""``axiom-ide flow api`` — print how to call a compiled flow over HTTP ("Use via API").

The target is a ``graph_id``, a compiled flow's name (its latest artifact) or a flow FILE, which
is compiled into the data dir first, as ``flow run`` does. The text is
:mod:`axiom_ide.runtime.api_snippets`' — the same the IDE's "Use via API" dialog shows: the
documented curl command (``--lang curl``, the default), or the call in Python (httpx) or
JavaScript (fetch). Without ``-d`` the input is an example built from the entry message's fields.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from axiom_ide.cli.context import add_location_flags


def register(subparsers: Any) -> None:
    from axiom_ide.cli.run_cmds import _flow_verbs
    from axiom_ide.runtime.api_snippets import LANGUAGES, LOCAL_ORIGIN

    p = _flow_verbs(subparsers).add_parser(
        "api", help="print the curl (or Python / JavaScript) call that invokes a flow over HTTP")
    p.add_argument("target", help="graph_id, flow name, or a .flow.yaml file (compiled first)")
    p.add_argument("-d", "--data", default=None,
                   help="input JSON object (or @file.json); default: an example from the entry message's fields")
    p.add_argument("--lang", choices=LANGUAGES, default="curl", help="curl (default), python (httpx) or js (fetch)")
    p.add_argument("--origin", default=LOCAL_ORIGIN,
                   help=f"the server's origin (default {LOCAL_ORIGIN}, where `axiom-ide serve` listens)")
    add_location_flags(p)
    p.set_defaults(handler=cmd_api)


def cmd_api(args: argparse.Namespace) -> int:
    from axiom_ide.cli.run_cmds import _input, _resolve_target, _store_only
    from axiom_ide.runtime.api_snippets import artifact_input_descriptor, snippet

    data = _input(args.data) if args.data is not None else None

    async def go() -> str:
        rt = _store_only(args)
        try:
            artifact = _resolve_target(rt, args)
        finally:
            await rt.close()
        source = data if data is not None else artifact_input_descriptor(artifact)
        return snippet(args.lang, artifact.mode, source, artifact.graph_id, args.origin)

    text = asyncio.run(go())
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
