"""The texts of ``guides/inspect-agent-memory.md`` that the ``axiom-ide memory`` verbs print and the
Console's **Memory** page shows: one wording for both (no Qt, no I/O)."""
from __future__ import annotations

import time

from axiom_ide.runtime.errors import AxiomError

#: How a flow without an id is listed.
NO_FLOW = "(no flow)"
NO_FLOWS = "No flows with memory yet."
NO_SEMANTIC = "No semantic memories yet"
#: The longest search query accepted.
MAX_QUERY = 4096


def check_query(query: str) -> str:
    """``query`` stripped; blank or longer than :data:`MAX_QUERY` is refused with what is wrong."""
    query = query.strip()
    if not query:
        raise AxiomError.of("invalid_argument", "the search query must not be empty")
    if len(query) > MAX_QUERY:
        raise AxiomError.of("invalid_argument", f"the search query is {len(query)} characters long; "
                            f"at most {MAX_QUERY} are allowed")
    return query


def when(ms: int | None) -> str:
    """A memory timestamp (ms) as ``YYYY-MM-DD HH:MM:SS UTC``; ``-`` for none."""
    if ms is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms / 1000))


def short(text: str, width: int = 80) -> str:
    """Content for a table cell: whitespace folded, at most ``width`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def no_sessions(flow: str) -> str:
    return f"No memory sessions for flow {flow}."


def turns_total(n: int) -> str:
    return f"· {n} turn(s) total"


def entries_found(n: int) -> str:
    return f"· {n} entr(ies) found"


def search_footer(body: dict) -> str:
    latency = round(float(body.get("latency_ms") or 0))
    return f"· {len(body['results'])} result(s) — method: {body.get('method', 'keyword')}, latency: {latency}ms"


def consolidation(state: dict | None) -> str | None:
    """How an ended session's consolidation stands (``memory show``, the Console); None before any end."""
    if not state:
        return None
    status = state.get("status")
    if status in ("enqueued", "running"):
        return f"· Consolidation {status}"
    done = f"· Consolidation {status} {when(state.get('completed_at'))}"
    return f"{done} ({state['note']})" if state.get("note") else done


def confirm_end(sid: str) -> str:
    return f"End session {sid} and trigger consolidation?"


def ended(sid: str) -> str:
    return f"✓ Session {sid} ended. Consolidation enqueued."


def confirm_delete_session(sid: str) -> str:
    return f"Permanently delete session {sid}?"


def deleted_session(sid: str, removed: int) -> str:
    return f"✓ Deleted session {sid} ({removed} record(s) removed)."


def confirm_delete_flow(flow: str) -> str:
    return f"Permanently delete ALL memory for flow {flow}?"


def deleted_flow(flow: str, removed: int) -> str:
    return f"✓ Deleted all memory for flow {flow} ({removed} record(s) removed)."
