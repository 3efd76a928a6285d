"""``axiom-ide memory ls | show | search | end | rm`` — inspect and manage agent memory.

Texts and table layouts follow ``guides/inspect-agent-memory.md``. Locally the verbs read the data
dir's memory tables through :class:`~axiom_ide.runtime.store.memory_inspect.MemoryInspector` (tenant
``local``); with ``--remote`` they call the server's ``/api/memory/...`` routes with the stored key.
``end`` and ``rm`` ask ``[y/N]`` on stdin first unless ``--yes``; ``--json`` prints the data as-is.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any
from urllib.parse import quote

from axiom_ide.cli.context import add_location_flags, data_dir
from axiom_ide.cli.output import print_json
from axiom_ide.runtime import memory_texts as texts
from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.memory_texts import NO_FLOW

LOCAL_TENANT = "local"
MAX_ID = 256


# -- where the memory is ---------------------------------------------------------------------------
class _Local:
    """The data dir's memory store (the one place that opens it)."""

    def __init__(self, args: Any) -> None:
        from axiom_ide.runtime.store.db import open_database
        from axiom_ide.runtime.store.memory_inspect import MemoryInspector

        self.db = open_database(data_dir(args))
        self.inspector = MemoryInspector(self.db)

    async def flows(self) -> list[dict]:
        return self.inspector.flows(LOCAL_TENANT)

    async def sessions(self, flow: str) -> list[dict]:
        return self.inspector.sessions(LOCAL_TENANT, flow)

    async def session(self, sid: str, flow: str | None) -> dict | None:
        return self.inspector.session(LOCAL_TENANT, sid, flow)

    async def search(self, flow: str, query: str, session: str | None = None) -> dict:
        return self.inspector.search(LOCAL_TENANT, flow, query, session_id=session)

    async def end(self, sid: str, flow: str | None) -> bool:
        return bool(self.inspector.end_session(LOCAL_TENANT, sid, flow))

    async def delete_session(self, sid: str, flow: str | None) -> int:
        return self.inspector.delete_session(LOCAL_TENANT, sid, flow)

    async def delete_flow(self, flow: str) -> int:
        return self.inspector.delete_flow(LOCAL_TENANT, flow)

    async def close(self) -> None:
        self.inspector.close()  # an `end` enqueued a consolidation: it completes before the process exits
        self.db.close()


class _Remote:
    """The server's ``/api/memory`` routes (server/management_tenant.py)."""

    def __init__(self) -> None:
        from axiom_ide.cli.remote_cmds import backend

        self.remote = backend()

    async def _get(self, method: str, path: str, params: dict | None = None) -> Any:
        return await self.remote.api.json(method, path, params={k: v for k, v in (params or {}).items()
                                                               if v is not None}, missing_ok=True)

    async def flows(self) -> list[dict]:
        return (await self._get("GET", "/api/memory/flows") or {}).get("flows", [])

    async def sessions(self, flow: str) -> list[dict]:
        return (await self._get("GET", f"/api/memory/flows/{quote(flow, safe='')}/sessions") or {}).get("sessions", [])

    async def session(self, sid: str, flow: str | None) -> dict | None:
        return await self._get("GET", f"/api/memory/sessions/{quote(sid, safe='')}", {"flow": flow})

    async def search(self, flow: str, query: str, session: str | None = None) -> dict:
        body = await self._get("GET", f"/api/memory/flows/{quote(flow, safe='')}/search",
                               {"q": query, "session": session})
        return body or {"results": [], "method": "keyword", "latency_ms": 0}

    async def end(self, sid: str, flow: str | None) -> bool:
        return await self._get("POST", f"/api/memory/sessions/{quote(sid, safe='')}/end", {"flow": flow}) is not None

    async def delete_session(self, sid: str, flow: str | None) -> int:
        body = await self._get("DELETE", f"/api/memory/sessions/{quote(sid, safe='')}", {"flow": flow})
        return int(body["deleted"]) if body else 0

    async def delete_flow(self, flow: str) -> int:
        body = await self._get("DELETE", f"/api/memory/flows/{quote(flow, safe='')}")
        return int(body["deleted"]) if body else 0

    async def close(self) -> None:
        await self.remote.close()


# -- verbs -----------------------------------------------------------------------------------------
def register(subparsers: Any) -> None:
    memory = subparsers.add_parser("memory", help="Inspect and manage agent memory for your flows")
    memory.set_defaults(handler=lambda _args: (memory.print_help(), 0)[1])
    verbs = memory.add_subparsers(dest="memory_command", metavar="COMMAND")

    def verb(name: str, text: str, fn: Any, *, yes: bool = False) -> argparse.ArgumentParser:
        p = verbs.add_parser(name, help=text, description=text)
        if yes:
            p.add_argument("--yes", action="store_true", help="skip confirmation prompt")
        p.add_argument("--json", action="store_true", help="Emit structured JSON instead of human-readable output")
        p.add_argument("--remote", action="store_true", help="on the remote platform (AXIOM_API_URL, the stored key)")
        add_location_flags(p)
        p.set_defaults(handler=lambda args: asyncio.run(_run(fn, args)))
        return p

    p = verb("ls", "List flows with memory, or sessions for a specific flow", _ls)
    p.add_argument("--flow", help="flow ID to list sessions for")
    p = verb("show", "Show conversation history and semantic memories for a session", _show)
    p.add_argument("session_id")
    p = verb("search", "Semantic search over memories for a flow", _search)
    p.add_argument("--flow", required=True, help="flow ID to search within (required)")
    p.add_argument("--session", help="search only this session's memory entries")
    p.add_argument("query")
    p = verb("end", "Close a session and trigger memory consolidation", _end, yes=True)
    p.add_argument("session_id")
    p = verb("rm", "Delete a session or all memory for a flow", _rm, yes=True)
    p.add_argument("session_id", nargs="?")
    p.add_argument("--flow", help="flow ID (use with --all to delete all flow memory)")
    p.add_argument("--all", action="store_true", help="delete all memory for the specified flow")


async def _run(fn: Any, args: argparse.Namespace) -> int:
    source: _Local | _Remote = _Remote() if args.remote else _Local(args)
    try:
        return int(await fn(source, args))
    finally:
        await source.close()


# -- checks and formatting -------------------------------------------------------------------------
def _check_id(value: str, what: str) -> str:
    if not value:
        raise AxiomError.of("invalid_argument", f"{what} must not be empty")
    if len(value) > MAX_ID:
        raise AxiomError.of("invalid_argument", f"{what} is {len(value)} characters long; at most {MAX_ID} are allowed")
    bad = next((c for c in value if not c.isprintable()), None)
    if bad is not None:  # node code may choose any printable id ("user/42 ü"): only control characters are refused
        raise AxiomError.of("invalid_argument", f"{what} {value!r} contains the unprintable character {bad!r}")
    return value


_when = texts.when


def _table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    for line in [header, *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())


_short = texts.short


def _confirm(question: str, args: argparse.Namespace) -> bool:
    if args.yes:
        return True
    sys.stdout.write(f"{question} [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    if answer in ("y", "yes"):
        return True
    print("Aborted.")
    return False


def _not_found(sid: str) -> AxiomError:
    return AxiomError.of("session_not_found", f'no memory session "{sid}"; run "axiom-ide memory ls --flow FLOW" '
                         "to list a flow's sessions")


# -- handlers --------------------------------------------------------------------------------------
async def _ls(src: Any, args: argparse.Namespace) -> int:
    if args.flow is not None:
        flow = _check_id(args.flow, "flow ID")
        sessions = await src.sessions(flow)
        if args.json:
            print_json({"flow_id": flow, "sessions": sessions})
        elif not sessions:
            print(texts.no_sessions(flow))
        else:
            _table(["SESSION ID", "TURNS", "LAST ACTIVE"],
                   [[s["session_id"], str(s["turns"]), _when(s["last_active"])] for s in sessions])
        return 0
    flows = await src.flows()
    if args.json:
        print_json({"flows": flows})
    elif not flows:
        print(texts.NO_FLOWS)
    else:
        _table(["FLOW ID", "SESSIONS", "LAST ACTIVE"],
               [[f["flow_id"] or NO_FLOW, str(f["sessions"]), _when(f["last_active"])] for f in flows])
    return 0


async def _show(src: Any, args: argparse.Namespace) -> int:
    sid = _check_id(args.session_id, "session ID")
    body = await src.session(sid, None)
    if body is None:
        raise _not_found(sid)
    if args.json:
        print_json(body)
        return 0
    print(f"• Session {sid}")
    print()
    print("Conversation")
    for t in body["turns"]:
        print(f"  {t['role'].upper()}  {_when(t['created_at'])}")
        print(f"  {t['content']}")
    print(texts.turns_total(len(body['turns'])))
    print()
    print("Semantic memories")
    memories = body["memories"]
    if not memories:
        print(texts.NO_SEMANTIC)
    else:
        _table(["TYPE", "IMPORTANCE", "CONTENT"],
               [[m["memory_type"], f"{m['importance']:.2f}", _short(m["content"])] for m in memories])
        print(texts.entries_found(len(memories)))
    state = texts.consolidation(body.get("consolidation"))
    if state:
        print(state)
    return 0


async def _search(src: Any, args: argparse.Namespace) -> int:
    flow = _check_id(args.flow, "flow ID")
    query = texts.check_query(args.query)
    session = _check_id(args.session, "session ID") if args.session else None
    body = await src.search(flow, query, session)
    if args.json:
        print_json({"flow_id": flow, "query": query, **({"session_id": session} if session else {}), **body})
        return 0
    results = body["results"]
    if results:
        _table(["CONTENT", "IMPORTANCE", "SCORE"],
               [[_short(r["content"]), f"{r['importance']:.2f}", f"{r['score']:.4f}"] for r in results])
    print(texts.search_footer(body))
    return 0


async def _end(src: Any, args: argparse.Namespace) -> int:
    sid = _check_id(args.session_id, "session ID")
    if await src.session(sid, None) is None:
        raise _not_found(sid)
    if not _confirm(texts.confirm_end(sid), args):
        return 1
    if not await src.end(sid, None):
        raise _not_found(sid)
    if args.json:
        print_json({"session_id": sid, "ended": True})
    else:
        print(texts.ended(sid))
    return 0


async def _rm(src: Any, args: argparse.Namespace) -> int:
    if args.all and not args.flow:
        raise AxiomError.of("invalid_argument", "--all requires --flow")
    if args.all and args.session_id:
        raise AxiomError.of("invalid_argument", "pass either a session ID or --flow --all, not both")
    if args.all:
        flow = _check_id(args.flow, "flow ID")
        if not _confirm(texts.confirm_delete_flow(flow), args):
            return 1
        removed = await src.delete_flow(flow)
        if args.json:
            print_json({"flow_id": flow, "deleted": removed})
        else:
            print(texts.deleted_flow(flow, removed))
        return 0
    if not args.session_id:
        raise AxiomError.of("invalid_argument", "pass a session ID, or --flow FLOW --all to delete all of a flow's "
                            "memory")
    sid = _check_id(args.session_id, "session ID")
    only = _check_id(args.flow, "flow ID") if args.flow else None
    if await src.session(sid, only) is None:
        raise _not_found(sid)
    if not _confirm(texts.confirm_delete_session(sid), args):
        return 1
    removed = await src.delete_session(sid, only)
    if args.json:
        print_json({"session_id": sid, "deleted": removed})
    else:
        print(texts.deleted_session(sid, removed))
    return 0
