"""One invocation in flight, seen from the runtime: it owns a connection, turns the worker's
frames into events, relays logs and memory calls, and enforces the log budget.

Events are ``(tag, value)`` pairs, consumed in order by :meth:`Invocation.next_event`:
``result``/``out``/``done`` (from the worker), ``error`` (a NodeHostError to raise), ``lost``
(the connection dropped: the pool works out whether the host crashed), ``timeout``.
"""
from __future__ import annotations

import asyncio
import collections
import dataclasses
import json
import math
import struct
import time
from typing import Any

from axiom_ide.runtime.compiler.artifact import ArtifactNode
from axiom_ide.runtime.host import wire
from axiom_ide.runtime.host.process import Connection, HostProcess
from axiom_ide.runtime.host.records import (
    LogRecord,
    NodeCall,
    NodeFailure,
    NodeHostError,
    NodeOutputFlood,
    NodeTimeout,
)

_MEMORY_EMPTY = {"search": [], "session_search": [], "history_last": [], "write": "", "session_write": ""}
_SLOT = struct.Struct("<I")


class Invocation:
    __slots__ = (
        "pool", "host", "conn", "node", "call", "timeout_s", "_events", "_waiter", "log_bytes", "active_at",
        "finished", "_tasks",
    )

    def __init__(self, pool: Any, host: HostProcess, conn: Connection, node: ArtifactNode, call: NodeCall):
        #: the HostPool: its ``log_sink``, ``memory``, ``log_limit`` and ``watchdog`` serve this invocation.
        self.pool = pool
        self.host = host
        self.conn = conn
        self.node = node
        self.call = call
        self.timeout_s = call.timeout_s
        self._events: collections.deque = collections.deque()
        self._waiter: asyncio.Future | None = None
        self.log_bytes = 0
        #: monotonic time of the last sign of progress (timeouts count from it).
        self.active_at = time.monotonic()
        self.finished = False
        self._tasks: set[asyncio.Task] | None = None  # memory calls in flight (rare: made lazily)
        conn.sink = self

    # -- requests ---------------------------------------------------------------------------------
    def request(self, kind: int, payload: bytes = b"") -> bytes:
        """The CALL/OPEN frame, preceded by DEFINE frames for the context parts the connection's
        worker does not hold yet — one write."""
        parts = self.conn.parts
        if parts is None:
            parts = self.conn.parts = ContextParts()
        return parts.request(kind, self.node, self.call, payload)

    # -- events ---------------------------------------------------------------------------------
    def push(self, tag: str, value: Any = None) -> None:
        self._events.append((tag, value))
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def wake(self) -> None:
        """Make a waiting :meth:`next_event` look at the clock (the watchdog calls this)."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def next_event(self) -> tuple[str, Any]:
        """The next event; a ``timeout`` event after ``timeout_s`` without progress. No timer per
        wait: the pool's :class:`Watchdog` wakes waiters whose time is up."""
        events = self._events
        if not events:
            loop = self.conn.loop
            assert loop is not None  # set when the connection was made, before any call
            while True:
                due = self.active_at + self.timeout_s
                if time.monotonic() >= due:
                    canvas = self.call.canvas_id
                    return "timeout", NodeTimeout(f'node "{canvas}" timed out after {self.timeout_s:g}s', canvas_id=canvas)
                self._waiter = waiter = loop.create_future()
                self.pool.watchdog.arm(loop, due)
                try:
                    await waiter
                finally:
                    self._waiter = None
                if events:
                    break
        return events.popleft()

    # -- frames from the worker (Connection sink) -------------------------------------------------
    def on_frame(self, kind: int, meta: bytes, payload: bytes) -> None:
        if kind == wire.RESULT:
            self.push("result", Mutated.of(payload, json.loads(meta)["mutations"]) if meta else payload)
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
            if self._tasks is None:
                self._tasks = set()
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def on_lost(self) -> None:
        self.push("lost")

    def _error(self, info: dict) -> NodeHostError:
        canvas = self.call.canvas_id
        if info.get("kind") == "flood":
            return NodeOutputFlood(info.get("message", ""), canvas_id=canvas)
        exc = NodeFailure(info.get("message", ""), canvas_id=canvas, exception_type=str(info.get("type") or ""),
                          traceback=str(info.get("traceback") or ""))
        if info.get("kind") == "limit":  # a resource limit was hit: the host restarts
            exc.retire = True  # type: ignore[attr-defined]
        return exc

    def _on_log(self, meta: bytes) -> None:
        self.log_bytes += len(meta)
        limit = self.pool.log_limit
        if self.log_bytes > limit:
            if self.log_bytes - len(meta) <= limit:  # report once
                self._flood(limit)
            return
        sink = self.pool.log_sink
        if sink is None:
            return
        try:
            level, message, attrs, when = wire.parse_log(meta)
            call = self.call
            sink(LogRecord(call.execution_id, call.canvas_id, level, message, attrs, when))
        except Exception:  # noqa: BLE001 — a broken sink must not break the invocation
            pass

    def fd_output(self, fd: int, size: int, lines: list[bytes]) -> None:
        """``size`` bytes the host wrote straight to ``fd`` (1 or 2) while this invocation ran,
        as complete ``lines``: log records like ``print`` output, counted toward the budget."""
        self.log_bytes += size
        limit = self.pool.log_limit
        if self.log_bytes > limit:
            if self.log_bytes - size <= limit:  # report once
                self._flood(limit)
            return
        sink = self.pool.log_sink
        if sink is None:
            return
        call, stream, now = self.call, wire.STREAMS[fd], time.time()
        level = "info" if fd == 1 else "error"
        for line in lines:
            try:
                sink(LogRecord(call.execution_id, call.canvas_id, level, line.decode("utf-8", "replace"),
                               {"stream": stream}, now))
            except Exception:  # noqa: BLE001 — a broken sink must not break the invocation
                pass

    def _flood(self, limit: int) -> None:
        canvas = self.call.canvas_id
        self.push("error", NodeOutputFlood(
            f'node "{canvas}" wrote more than {limit / (1024 * 1024):g} MiB of logs in one invocation', canvas_id=canvas))

    async def _memory_call(self, request: dict) -> None:
        op = str(request.get("op", ""))
        args = request.get("args") if isinstance(request.get("args"), dict) else {}
        ok, result = False, _MEMORY_EMPTY.get(op)
        memory = self.pool.memory
        if memory is not None:
            try:
                observed = getattr(memory, "call_observed", None)  # reports memory events (store/memory.py)
                if observed is not None:
                    result = _jsonable(await observed(self.call.tenant_id, self.call.flow_id, op, args,
                                                      execution_id=self.call.execution_id, node=self.call.canvas_id))
                else:
                    result = _jsonable(await memory.call(self.call.tenant_id, self.call.flow_id, op, args))
                ok = True
            except Exception:  # noqa: BLE001 — memory never raises into node code: it degrades to empty
                pass
        if not self.finished:
            self.conn.write(wire.encode(wire.MEM_REPLY, wire.dumps({"ok": ok, "result": result})))

    # -- end ----------------------------------------------------------------------------------------
    def finish(self, reuse: bool) -> None:
        """Give the connection back (``reuse``) or drop it; idempotent."""
        if self.finished:
            return
        self.finished = True
        if self._tasks:
            for task in self._tasks:
                task.cancel()
        self.host.release(self.conn, reuse)


class Mutated(bytes):
    """A unary result whose handler buffered ``ax.mutation.flow`` additions: the output bytes, with
    :attr:`mutations` (the buffered operations, in call order) for the engine to apply."""

    mutations: list

    @classmethod
    def of(cls, payload: bytes, mutations: list) -> Mutated:
        out = cls(payload)
        out.mutations = list(mutations or ())
        return out


class ContextParts:
    """The context parts one worker connection holds, by slot (``wire.DEFINE``).

    A call's context splits into parts that many calls share: the *site* (handler, message types,
    canvas id and reflection position: the same whenever a node runs at that place of a graph),
    the *run* (ids: the same for every call of an execution) and the *graph* (the reflection view
    without its position: the same for every call in that graph). A request defines the parts the
    worker lacks and references the others by slot. The variables are no part: they go with every
    call (the worker must not keep them), their JSON cached here per mapping.

    Keys: a site by its strings plus the identity of its position mapping — checked against a deep
    snapshot of the mapping, so a mapping changed in place is defined again —, a run by its ids,
    and a graph by its ``graph_id`` with its node and edge counts, which name the view's content (a
    runtime mutation grows a graph under the same id, engine/mutation.py; a view without an id is
    defined with every call). Slots are reused round-robin; the worker simply keeps whatever was
    defined last in each.
    """

    __slots__ = ("_entries", "_owners", "_next", "_vars")

    def __init__(self) -> None:
        self._vars: tuple[Any, Any, bytes] | None = None  # (mapping, snapshot, JSON) of the last variables
        self._entries: dict[Any, tuple[int, Any, Any]] = {}  # key -> (slot, mapping, snapshot)
        self._owners: list[Any] = [None] * wire.PART_SLOTS  # slot -> key
        self._next = 0

    def request(self, kind: int, node: ArtifactNode, call: NodeCall, payload: bytes) -> bytes:
        defines: list[bytes] = []
        entries = self._entries
        view = call.reflection
        position = view.get("position") if view else None
        capable = kind == wire.CALL and bool(getattr(node, "mutation_capable", False))  # unary calls only
        key: tuple[Any, ...] = (node.handler, node.input_type, node.output_type, call.canvas_id, id(position), capable)
        hit = entries.get(key)
        if hit is not None and hit[1] is position and hit[2] == position:
            site = hit[0]
        else:
            part = {"handler": node.handler, "input_type": node.input_type, "output_type": node.output_type,
                    "canvas_id": call.canvas_id, "position": position}
            if capable:
                part["mutation_capable"] = True
            site = self._define(key, part, position, defines, ())
        key = (call.execution_id, call.flow_id, call.tenant_id)
        hit = entries.get(key)
        if hit is not None:
            run = hit[0]
        else:
            part = {"execution_id": call.execution_id, "flow_id": call.flow_id, "tenant_id": call.tenant_id}
            run = self._define(key, part, None, defines, (site,))
        if not view:
            graph = wire.NO_PART
        else:
            graph_id = view.get("graph_id")
            graph_key = ("graph", graph_id, len(view.get("nodes") or ()), len(view.get("edges") or ()),
                         len(view.get("loop_edges") or ())) if graph_id else None
            hit = entries.get(graph_key) if graph_key else None
            if hit is not None:
                graph = hit[0]
            else:
                part = {k: v for k, v in view.items() if k != "position"}
                graph = self._define(graph_key, part, None, defines, (site, run))
        variables = call.variables
        if variables:  # with every call (see wire): encoded once per mapping, checked by snapshot
            held = self._vars
            if held is not None and held[0] is variables and held[1] == variables:
                encoded = held[2]
            else:
                encoded = wire.dumps(dict(variables))
                self._vars = (variables, _snapshot(variables), encoded)
            meta = wire.CALL_META.pack(site, run, graph, call.attempt, len(encoded))
            frame = wire.encode(kind, meta, encoded + payload)
        else:
            frame = wire.encode(kind, wire.CALL_META.pack(site, run, graph, call.attempt, 0), payload)
        if defines:
            defines.append(frame)
            return b"".join(defines)
        return frame

    def _define(self, key: Any, part: dict[str, Any], mapping: Any, defines: list[bytes], pinned: tuple[int, ...]) -> int:
        """Put ``part`` in the next free slot (not one this request already uses); its DEFINE
        frame goes to ``defines``. ``key`` None: not kept for later calls."""
        encoded = wire.dumps(part)  # first: a part that cannot be encoded takes no slot
        slot = self._next
        while slot in pinned:
            slot = (slot + 1) % wire.PART_SLOTS
        self._next = (slot + 1) % wire.PART_SLOTS
        owners, entries = self._owners, self._entries
        evicted = owners[slot]
        if evicted is not None:
            del entries[evicted]
        if key is not None:
            stale = entries.get(key)
            if stale is not None:  # the same key with changed content: its old slot is free now
                owners[stale[0]] = None
            entries[key] = (slot, mapping, _snapshot(mapping))
        owners[slot] = key
        defines.append(wire.encode(wire.DEFINE, _SLOT.pack(slot), encoded))
        return slot


def _snapshot(value: Any) -> Any:
    """A deep copy of JSON-like data, to notice later in-place changes by comparison."""
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_snapshot(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    try:
        return {k: _snapshot(v) for k, v in value.items()}  # another Mapping
    except AttributeError:
        return value


class Watchdog:
    """Wakes invocations whose time without progress is up: one loop timer, set for the soonest
    deadline of all waiters, instead of a timer per wait (a timer handle, a heap push and a cancel
    per invocation). Waiting invocations arm it; when it fires it wakes the ones that are due
    (their ``next_event`` sees the clock) and re-arms for the rest."""

    __slots__ = ("_inflight", "_handle", "_when", "_loop")

    def __init__(self, inflight: set[Invocation]):
        self._inflight = inflight
        self._handle: asyncio.TimerHandle | None = None
        self._when = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None

    def arm(self, loop: asyncio.AbstractEventLoop, due: float) -> None:
        """Make sure the timer fires no later than ``due`` (monotonic seconds)."""
        if due < self._when or loop is not self._loop:
            if self._handle is not None:
                self._handle.cancel()
            self._when, self._loop = due, loop
            self._handle = loop.call_later(max(0.0, due - time.monotonic()), self._fire)

    def _fire(self) -> None:
        loop, self._handle, self._when = self._loop, None, math.inf
        now = time.monotonic()
        soonest = math.inf
        for inv in list(self._inflight):
            if inv._waiter is None:
                continue  # not waiting: it checks its deadline when it next waits
            due = inv.active_at + inv.timeout_s
            if due <= now:
                inv.wake()
            elif due < soonest:
                soonest = due
        if soonest < math.inf and loop is not None and not loop.is_closed():
            self.arm(loop, soonest)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle, self._when, self._loop = None, math.inf, None


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value
