"""A Debug run left paused when the app (and its runtime) died, shown paused again.

The runtime keeps debug sessions across restarts (``runtime/engine/debug.py``): resumed, an
execution that was paused comes back "Debug paused" before the same node, still attached to its
session. When a tab opens a flow with such an execution, :func:`reattach_paused_debug` has the
Backend resume it (LocalBackend ``resume_debug_run``; a server resumes its own at start), waits for
it to pause again, and binds the tab to it as to a Debug run it started — the canvas, the pill
("Debug paused"), the result header and the control bar (Continue / Step); Stop and closing the
tab cancel it.
"""
from __future__ import annotations

from typing import Any

from axiom_ide.app.qt_bridge import alive
from axiom_ide.backends.values import DEBUG_PAUSED

#: Seconds to wait for a resumed Debug run to pause again.
PAUSE_TIMEOUT = 30.0


def reattach_paused_debug(runs: Any, tab: Any) -> None:
    """Look for the latest paused Debug run of ``tab``'s flow; show it on the tab when found
    (and the tab has no run of its own by then)."""
    if tab.doc.path is None:  # breakpoints, hence Debug runs, need a saved flow
        return
    name = tab.doc.flow.name

    async def find(backend: Any) -> tuple[Any, list[Any]] | None:
        records = await backend.list_executions(status=DEBUG_PAUSED, flow=name, limit=20)
        record = next((r for r in records if r.debug_session), None)
        if record is None:
            return None
        resume = getattr(backend, "resume_debug_run", None)
        if resume is not None and not await resume(record.id):
            return None
        session = await backend.debug_wait(record.debug_session, PAUSE_TIMEOUT)
        if session.get("paused_at") is None:  # it ended instead of pausing
            return None
        return await backend.get_execution(record.id), await backend.events(record.id)

    def found(value: tuple[Any, list[Any]] | None) -> None:
        if value is None or not alive(tab) or tab.run is not None:
            return
        from axiom_ide.app.run_controller import FlowRun

        record, events = value
        run = FlowRun(runs.bridge, tab.doc, dict(record.input_json or {}),
                      breakpoints=sorted(getattr(tab, "breakpoints", None) or ()), parent=tab)
        runs._show_run(tab, run)
        run.attach(record, events)

    runs.bridge.call(find, found, lambda _exc: None)
