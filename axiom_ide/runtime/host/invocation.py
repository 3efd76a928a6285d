"""One invocation in flight, seen from the runtime: it owns a connection, turns the worker's
frames into events, relays logs and memory calls, and enforces the log budget.

Events are ``(tag, value)`` pairs, consumed in order by :meth:`Invocation.next_event`:
``result``/``out``/``done`` (from the worker), ``error`` (a NodeHostError to raise), ``lost``
(the connection dropped: the pool works out whether the host crashed).
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import time
from typing import Any, Callable

from axiom_ide.runtime.compiler.artifact import ArtifactNode
from axiom_ide.runtime.host import wire
from axiom_ide.runtime.host.process import Connection, HostProcess
from axiom_ide.runtime.host.records import (
    LogRecord,
    MemoryBackend,
    NodeCall,
    NodeFailure,
    NodeHostError,
    NodeOutputFlood,
    NodeTimeout,
)

_MEMORY_EMPTY = {"search": [], "session_search": [], "history_last": [], "write": "", "session_write": ""}


class Invocation:
    __slots__ = (
        "host", "conn", "node", "call", "_events", "_waiter", "_log_sink", "_memory",
        "_log_limit", "log_bytes", "active_at", "finished", "_tasks",
    )

    def __init__(
        self,
        host: HostProcess,
        conn: Connection,
        node: ArtifactNode,
        call: NodeCall,
        *,
        log_sink: Callable[[LogRecord], None] | None,
        memory: MemoryBackend | None,
        log_limit: int,
    ):
        self.host = host
        self.conn = conn
        self.node = node
        self.call = call
        self._events: collections.deque = collections.deque()
        self._waiter: asyncio.Future | None = None
        self._log_sink = log_sink
        self._memory = memory
        self._log_limit = log_limit
        self.log_bytes = 0
        #: monotonic time of the last sign of progress (pipeline timeouts count from it).
        self.active_at = time.monotonic()
        self.finished = False
        self._tasks: set[asyncio.Task] = set()
        conn.sink = self

    # -- requests ---------------------------------------------------------------------------------
    def header(self) -> bytes:
        """The CALL/OPEN frame's JSON context. Built from cached pieces: the node's part (same in
        every run), the run's part (same for every node of a run) and the reflection reference
        (same per graph and node) are each encoded once; only ``attempt`` is formatted per call."""
        call, node = self.call, self.node
        reflection = self._reflection()
        if reflection.get("reflection") is not None:  # a full view crosses this connection: not cached
            return wire.dumps({**_node_part(node, call.canvas_id), **_run_part(call), "attempt": call.attempt,
                               **reflection})
        return b"".join((b"{", _NODE_CACHE.get(node, call.canvas_id), b",", _RUN_CACHE.get(call),
                         b',"attempt":%d,' % call.attempt, _REF_CACHE.get(reflection), b"}"))

    def _reflection(self) -> dict[str, Any]:
        view = self.call.reflection
        if not view:
            return {"reflection": None}
        graph_id = view.get("graph_id") or ""
        sent = getattr(self.conn, "sent_graphs", None)
        if graph_id and sent is not None and graph_id in sent:
            return {"reflection_ref": graph_id, "reflection_position": view.get("position")}
        if graph_id and sent is not None:
            wire.remember_graph(sent, graph_id)
        return {"reflection": dict(view)}

    # -- events -----------------------------------------------------------------------------------
    def push(self, tag: str, value: Any = None) -> None:
        self._events.append((tag, value))
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_event(self, timeout_s: float) -> tuple[str, Any]:
        """The next event; a ``timeout`` event after ``timeout_s`` without progress."""
        if not self._events:
            loop = asyncio.get_running_loop()
            self._waiter = waiter = loop.create_future()
            timer = loop.call_later(max(0.0, self.active_at + timeout_s - time.monotonic()), _wake, waiter)
            try:
                while not self._events:
                    await waiter
                    if self._events:
                        break
                    idle = time.monotonic() - self.active_at
                    if idle >= timeout_s:
                        return "timeout", NodeTimeout(
                            f'node "{self.call.canvas_id}" timed out after {timeout_s:g}s', canvas_id=self.call.canvas_id
                        )
                    self._waiter = waiter = loop.create_future()
                    timer = loop.call_later(timeout_s - idle, _wake, waiter)
            finally:
                timer.cancel()
                self._waiter = None
        return self._events.popleft()

    # -- frames from the worker (Connection sink) -------------------------------------------------
    def on_frame(self, kind: int, meta: bytes, payload: bytes) -> None:
        if kind == wire.RESULT:
            self.push("result", payload)
        elif kind == wire.LOG:
            self._on_log(meta)
        elif kind == wire.OUT:
            self.active_at = time.monotonic()
            self.push("out", payload)
        elif kind == wire.DONE:
            self.push("done")
        elif kind == wire.ERROR:
            self.push("error", self._error(json.loads(meta)))
        elif kind == wire.MEM_CALL:
            task = asyncio.ensure_future(self._memory_call(json.loads(meta)))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def on_lost(self) -> None:
        self.push("lost")

    def _error(self, info: dict) -> NodeHostError:
        canvas = self.call.canvas_id
        if info.get("kind") == "flood":
            return NodeOutputFlood(info.get("message", ""), canvas_id=canvas)
        exc = NodeFailure(info.get("message", ""), canvas_id=canvas)
        exc.traceback = info.get("traceback", "")  # type: ignore[attr-defined]
        return exc

    def _on_log(self, meta: bytes) -> None:
        self.log_bytes += len(meta)
        if self.log_bytes > self._log_limit:
            if self.log_bytes - len(meta) <= self._log_limit:  # report once
                limit = self._log_limit / (1024 * 1024)
                self.push("error", NodeOutputFlood(
                    f'node "{self.call.canvas_id}" wrote more than {limit:g} MiB of logs in one invocation',
                    canvas_id=self.call.canvas_id,
                ))
            return
        if self._log_sink is None:
            return
        try:
            d = json.loads(meta)
            attrs = d.get("attrs")
            self._log_sink(LogRecord(
                execution_id=self.call.execution_id,
                canvas_id=self.call.canvas_id,
                level=str(d.get("level", "info")),
                message=str(d.get("message", "")),
                attrs=attrs if isinstance(attrs, dict) else {},
                time=float(d.get("time") or time.time()),
            ))
        except Exception:  # a broken sink must not break the invocation
            pass

    async def _memory_call(self, request: dict) -> None:
        op = str(request.get("op", ""))
        args = request.get("args") if isinstance(request.get("args"), dict) else {}
        ok, result = False, _MEMORY_EMPTY.get(op)
        if self._memory is not None:
            try:
                result = _jsonable(await self._memory.call(self.call.tenant_id, self.call.flow_id, op, args))
                ok = True
            except Exception:  # memory never raises into node code: it degrades to empty
                pass
        if not self.finished:
            self.conn.write(wire.encode(wire.MEM_REPLY, wire.dumps({"ok": ok, "result": result})))

    # -- end ----------------------------------------------------------------------------------------
    def finish(self, reuse: bool) -> None:
        """Give the connection back (``reuse``) or drop it; idempotent."""
        if self.finished:
            return
        self.finished = True
        for task in self._tasks:
            task.cancel()
        self.host.release(self.conn, reuse)


def _node_part(node: ArtifactNode, canvas_id: str) -> dict[str, Any]:
    return {"handler": node.handler, "input_type": node.input_type, "output_type": node.output_type,
            "canvas_id": canvas_id}


def _run_part(call: NodeCall) -> dict[str, Any]:
    return {"execution_id": call.execution_id, "flow_id": call.flow_id, "tenant_id": call.tenant_id,
            "variables": dict(call.variables)}


def _members(obj: dict[str, Any]) -> bytes:
    """``"a":1,"b":2`` — a JSON object's members without the braces, to splice into a header."""
    return wire.dumps(obj)[1:-1]


class _NodeParts:
    """Encoded node parts by (handler, types, canvas id); bounded, first-in-first-out."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: dict[tuple, bytes] = {}

    def get(self, node: ArtifactNode, canvas_id: str) -> bytes:
        key = (node.handler, node.input_type, node.output_type, canvas_id)
        out = self._items.get(key)
        if out is None:
            out = self._items[key] = _members(_node_part(node, canvas_id))
            if len(self._items) > self._size:
                self._items.pop(next(iter(self._items)))
        return out


class _RunPart:
    """The encoded run part of the most recent run (a run's calls come one after another). The
    variables mapping is compared by identity *and* content, so a new run never reuses another's."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._variables: Any = None
        self._snapshot: dict[str, Any] = {}
        self._encoded = b""

    def get(self, call: NodeCall) -> bytes:
        key = (call.execution_id, call.flow_id, call.tenant_id)
        variables = call.variables
        if key != self._key or variables is not self._variables or variables != self._snapshot:
            self._key, self._variables, self._snapshot = key, variables, dict(variables)
            self._encoded = _members(_run_part(call))
        return self._encoded


class _RefParts:
    """Encoded reflection references by (graph id, position); bounded, first-in-first-out."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._items: dict[tuple, tuple] = {}

    def get(self, reflection: dict[str, Any]) -> bytes:
        position = reflection.get("reflection_position")
        # Positions are the per-artifact view's own dicts: identity is the key, content the check.
        key = (reflection.get("reflection_ref"), id(position))
        hit = self._items.get(key)
        if hit is not None and hit[0] is position and hit[1] == position:
            return hit[2]
        out = _members(reflection)
        self._items[key] = (position, dict(position) if isinstance(position, dict) else position, out)
        if len(self._items) > self._size:
            self._items.pop(next(iter(self._items)))
        return out


_NODE_CACHE = _NodeParts()
_RUN_CACHE = _RunPart()
_REF_CACHE = _RefParts()


def _wake(fut: asyncio.Future) -> None:
    if not fut.done():
        fut.set_result(None)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value
