"""REPLAY and FORK debug sessions over a remote's HTTP API: ``RemoteBackend.sessions``, the same
methods as :class:`~axiom_ide.backends.local_sessions.LocalSessions` (what the execution detail and
debug session pages read), so those pages open on remote executions too.

- ``replay(id)``: the execution (``GET …/executions/{id}``), its events and checkpoints (decoded by
  the server) and the compiled flow (``GET /api/graphs/{graph_id}``: its node ids, forward edges and
  ``source``) folded by the runtime's pure :class:`~axiom_ide.runtime.engine.replay.Replay` into a
  :class:`~.replay_view.ReplayView`, exactly as the local runtime folds its own history. Reads only.
- ``forks(id)``: the execution's ``forks`` (the ids forked from it, oldest first).
- ``fork(id, checkpoint_id, overrides)``: a FORK session (``POST …/debug/sessions``).
- ``replay_session(id)``: a stored REPLAY session over the execution.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

from axiom_ide.backends.checkpoint_view import checkpoint_from_json
from axiom_ide.backends.replay_view import ReplayView, replay_view
from axiom_ide.runtime.engine.replay import Replay
from axiom_ide.runtime.errors import AxiomError

if TYPE_CHECKING:
    from axiom_ide.backends.remote import RemoteBackend

INVOCATIONS = "/invocations/v1"


def _q(part: str) -> str:
    return quote(part, safe="")


class RemoteSessions:
    def __init__(self, backend: RemoteBackend) -> None:
        self.backend = backend

    async def _execution_json(self, execution_id: str) -> dict[str, Any]:
        body: dict[str, Any] | None = await self.backend.ingress.json(
            "GET", f"{INVOCATIONS}/executions/{_q(execution_id)}", missing_ok=True)
        if not body:
            raise AxiomError.of("execution_not_found", f"execution {execution_id} not found on {self.backend.ingress_url}")
        return body

    async def replay(self, execution_id: str) -> ReplayView:
        """The execution's history as a :class:`ReplayView` (the runtime's fold over the
        remote's events and checkpoints). A graph the remote no longer serves leaves the flow empty
        and takes the nodes from the events."""
        backend = self.backend
        rec = await backend.get_execution(execution_id)
        if rec is None:
            raise AxiomError.of("execution_not_found", f"execution {execution_id} not found on {backend.ingress_url}")
        graph, events, cps = await asyncio.gather(
            backend.api.json("GET", f"/api/graphs/{_q(rec.graph_id)}", missing_ok=True) if rec.graph_id
            else _none(),
            backend.events(execution_id),
            backend.ingress.json("GET", f"{INVOCATIONS}/executions/{_q(execution_id)}/checkpoints"))
        rows: list[dict[str, Any]] = list(cps.get("checkpoints", []))
        raw = {d["checkpoint_id"]: d for d in rows}
        source: dict[str, Any] = dict(graph.get("source") or {}) if graph else {}
        if graph:
            nodes = [n["id"] for n in graph.get("nodes", [])]
        else:
            nodes = list(dict.fromkeys(e.node for e in events if e.node and "/" not in e.node))
        incoming: dict[str, list[str]] = {n: [] for n in nodes}
        for edge in source.get("edges") or ():
            if edge.get("loop") is None and edge.get("to") in incoming:
                incoming[edge["to"]].append(edge["from"])
        # The runtime's pure fold reads the protocol's values by the records' field names.
        replay = Replay(cast(Any, rec), nodes, incoming, cast(Any, events),
                        cast(Any, [checkpoint_from_json(d) for d in rows]), lambda cp: raw[cp.id])
        return replay_view(replay, source)

    async def forks(self, execution_id: str) -> list[str]:
        """The ids of the executions forked from ``execution_id``, oldest first."""
        return [str(i) for i in (await self._execution_json(execution_id)).get("forks") or ()]

    async def fork(self, execution_id: str, checkpoint_id: str,
                   overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """A FORK session continuing ``execution_id`` from ``checkpoint_id``; returns the session
        JSON (``session_id``, ``mode``, ``execution_id`` of the new run). The server's refusals
        (null override, over 1 MB, expired checkpoint) raise its AxiomError with its message."""
        fields: dict[str, Any] = {"execution_id": execution_id, "checkpoint_id": checkpoint_id}
        if overrides:
            fields["overrides"] = overrides
        return await self.backend.create_debug_session(mode="FORK", **fields)

    async def replay_session(self, execution_id: str) -> dict[str, Any]:
        """A stored REPLAY session over ``execution_id`` (``session_id``, ``mode``, ``execution_id``)."""
        session = await self.backend.create_debug_session(mode="REPLAY", execution_id=execution_id)
        return {"session_id": session["session_id"], "mode": session["mode"], "execution_id": execution_id}


async def _none() -> None:
    return None
