"""Memory events: each ``ax.agent.memory`` call of a node, as an event of its execution's log.

Three types (``runtime/store/events.py``): ``MEMORY_READ`` (``history.last``), ``MEMORY_WRITE``
(``write``, ``session.write``, ``history.append``, ``session.end``) and ``MEMORY_SEARCH``
(``search``, ``session.search``, with the results). Their data: ``op`` (the host's operation
name), ``session_id`` for session calls, what was asked (``query`` / ``limit``, ``n``, ``role``,
``content`` cut to :data:`CLIP` characters, ``importance``), what came back (``id``; ``turns``;
``results`` — id, content cut, score —, ``method`` and ``latency_ms``), ``error`` when the call
was refused (node code then got the SDK's empty result), and ``summary``: one line for the
debugger's event list, e.g. ``search "export formats" → 2 result(s), hybrid``.
"""
from __future__ import annotations

from typing import Any

MEMORY_READ = "MEMORY_READ"
MEMORY_WRITE = "MEMORY_WRITE"
MEMORY_SEARCH = "MEMORY_SEARCH"
TYPES = (MEMORY_READ, MEMORY_WRITE, MEMORY_SEARCH)
#: Contents and queries are cut to this many characters in an event.
CLIP = 200

_TYPE = {"history_last": MEMORY_READ, "search": MEMORY_SEARCH, "session_search": MEMORY_SEARCH,
         "write": MEMORY_WRITE, "session_write": MEMORY_WRITE, "history_append": MEMORY_WRITE,
         "session_end": MEMORY_WRITE}


def _clip(text: Any) -> str:
    text = str(text if text is not None else "")
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def event_type(op: str) -> str | None:
    return _TYPE.get(op)


def event_data(op: str, args: dict[str, Any], result: Any = None, error: str | None = None) -> dict[str, Any]:
    """The data of the event for one memory call (module docstring)."""
    data: dict[str, Any] = {"op": op}
    session = args.get("session_id")
    if op.startswith(("session_", "history_")):
        data["session_id"] = _clip(session)
    where = f" in session {data['session_id']}" if "session_id" in data else ""
    if op in ("search", "session_search"):
        data.update(query=_clip(args.get("query")), limit=args.get("limit", 5))
        summary = f'search "{data["query"]}"{where}'
        if isinstance(result, dict):
            entries = result.get("entries") or []
            data.update(results=[{"id": e.get("id"), "content": _clip(e.get("content")), "score": e.get("score")}
                                 for e in entries],
                        method=result.get("method"), latency_ms=result.get("latency_ms"))
            summary += f" → {len(entries)} result(s), {result.get('method')}"
    elif op == "history_last":
        data["n"] = args.get("n", 10)
        summary = f"history.last({data['n']}){where}"
        if isinstance(result, dict):
            data["turns"] = len(result.get("turns") or [])
            summary += f" → {data['turns']} turn(s)"
    elif op == "history_append":
        data.update(role=str(args.get("role") or ""), content=_clip(args.get("content")))
        summary = f"history.append {data['role']}{where}: {data['content']}"
    elif op == "session_end":
        summary = f"session.end{where}: consolidation enqueued"
    else:
        data.update(content=_clip(args.get("content")), importance=args.get("importance", 0.5))
        if isinstance(result, dict) and result.get("id"):
            data["id"] = result["id"]
        summary = f"write{where}: {data['content']}"
    if error is not None:
        data["error"] = error
        summary += f" — refused: {error}"
    data["summary"] = summary
    return data
