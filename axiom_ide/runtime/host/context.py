"""The worker's concrete ``AxiomContext``: the generated SDK interface with real behaviour.

Classes are built once per host by subclassing the package's own ``gen/axiom_context.py``, so
``isinstance(ax, AxiomContext)`` holds in node code. Every capability goes through the
invocation's :class:`Channel` back to the runtime (the sidecar): logs are sent as frames,
secrets come from the variables map, memory calls round-trip and never raise, and reflection is
parsed from the invocation's JSON view (graph part + position) on first access.
"""
from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any, Protocol


class Channel(Protocol):
    """What the context needs from the invocation it belongs to."""

    def log(self, level: str, message: str, attrs: dict[str, Any], when: float) -> None: ...

    def memory(self, op: str, args: dict[str, Any]) -> tuple[bool, Any]: ...


Make = Callable[..., Any]


def _build(sdk: Any) -> Make:  # the package's generated gen/axiom_context module, loaded at run time
    """Subclass the generated SDK classes; returns ``make(channel, run, variables, graph, position) -> AxiomContext``."""

    class Logger(sdk.AxiomLogger):
        __slots__ = ("_ch",)

        def __init__(self, ch: Channel):
            self._ch = ch

        def debug(self, msg: str, **attrs: Any) -> None:
            self._ch.log("debug", str(msg), attrs, time.time())

        def info(self, msg: str, **attrs: Any) -> None:
            self._ch.log("info", str(msg), attrs, time.time())

        def warn(self, msg: str, **attrs: Any) -> None:
            self._ch.log("warn", str(msg), attrs, time.time())

        def error(self, msg: str, **attrs: Any) -> None:
            self._ch.log("error", str(msg), attrs, time.time())

    class Secrets(sdk.AxiomSecrets):
        def __init__(self, variables: dict[str, str]):
            self._values = variables

        def get(self, name: str) -> tuple[str, bool]:
            value = self._values.get(name)
            return (str(value), True) if value is not None else ("", False)

    def entries(ok: bool, result: Any) -> list:
        if not ok or not isinstance(result, list):
            return []
        return [_record(sdk.MemoryEntry, r) for r in result if isinstance(r, dict)]

    def turns(ok: bool, result: Any) -> list:
        if not ok or not isinstance(result, list):
            return []
        return [_record(sdk.ConversationTurn, r) for r in result if isinstance(r, dict)]

    def ident(ok: bool, result: Any) -> str:
        return str(result) if ok and result is not None else ""

    class History(sdk.AxiomSessionHistory):
        def __init__(self, ch: Channel, session_id: str):
            self._ch, self._sid = ch, session_id

        async def last(self, n: int) -> list:
            return turns(*self._ch.memory("history_last", {"session_id": self._sid, "n": n}))

        async def append(self, *, role: str, content: str) -> None:
            self._ch.memory("history_append", {"session_id": self._sid, "role": role, "content": content})

    class Session(sdk.AxiomMemorySession):
        def __init__(self, ch: Channel, session_id: str):
            super().__init__(session_id, History(ch, session_id))
            self._ch = ch

        async def search(self, query: str, limit: int = 5) -> list:
            return entries(*self._ch.memory("session_search", {"session_id": self.session_id, "query": query, "limit": limit}))

        async def write(self, content: str, importance: float = 0.5) -> str:
            return ident(*self._ch.memory("session_write", {"session_id": self.session_id, "content": content, "importance": importance}))

        async def end(self) -> None:
            self._ch.memory("session_end", {"session_id": self.session_id})

    class Memory(sdk.AxiomAgentMemory):
        def __init__(self, ch: Channel):
            self._ch = ch

        async def search(self, query: str, limit: int = 5) -> list:
            return entries(*self._ch.memory("search", {"query": query, "limit": limit}))

        async def write(self, content: str, importance: float = 0.5) -> str:
            return ident(*self._ch.memory("write", {"content": content, "importance": importance}))

        def session(self, session_id: str):
            return Session(self._ch, str(session_id))

    class Reflection(sdk.AxiomReflection):
        """``flow`` is parsed from the JSON view on first access; bad data degrades to empty."""

        def __init__(self, graph: dict | None, position: Any):
            self._graph, self._position = graph, position
            self._flow = None

        @property
        def flow(self):
            if self._flow is None:
                try:
                    view = dict(self._graph, position=self._position) if self._graph else {}
                    self._flow = _flow_reflection(sdk, view)
                except Exception:  # noqa: BLE001 — reading reflection never raises
                    self._flow = sdk.AxiomFlowReflection()
            return self._flow

        @flow.setter
        def flow(self, value):
            self._flow = value

    mutation = sdk.AxiomMutation()  # the generated default refuses every mutation: stateless, shared

    class MutationFlow(sdk.AxiomMutationFlow):
        """A mutation-capable call's ``ax.mutation.flow``: buffers additions (applied by the
        runtime after the handler returns). New instance ids follow the graph's nodes."""

        def __init__(self, buffer: list, graph: dict | None):
            self._buf = buffer
            nodes = (graph or {}).get("nodes") or ()
            self._next = max((int(n.get("instance_id", 0)) for n in nodes), default=0) + 1

        def add_node(self, package: str, version: str, canvas_position: Any = None, node: str | None = None) -> int:
            iid = self._next
            self._next += 1
            self._buf.append({"op": "add_node", "instance_id": iid, "package": str(package), "version": str(version),
                              "node": None if node is None else str(node),
                              "canvas_position": _position(canvas_position)})
            return iid

        def add_edge(self, src_instance: int, dst_instance: int, condition: dict | None = None) -> None:
            self._buf.append({"op": "add_edge", "src_instance": int(src_instance), "dst_instance": int(dst_instance),
                              "condition": {str(k): str(v) for k, v in condition.items()} if condition else None})

    _mutation_flows[id(sdk)] = MutationFlow

    def make(ch: Channel, run: dict, variables: dict, graph: dict | None, position: Any,
             mutations: list | None = None) -> Any:
        """``run``: the ids; ``variables``: this invocation's config values and secrets;
        ``graph``: the reflection view without its position (None: the call has no reflection);
        ``mutations``: the buffer of a mutation-capable call (None: mutations are refused)."""
        return sdk.AxiomContext(
            log=Logger(ch),
            secrets=Secrets(variables),
            agent=sdk.AxiomAgent(Memory(ch)),
            reflection=Reflection(graph, position),
            mutation=mutation if mutations is None else sdk.AxiomMutation(MutationFlow(mutations, graph)),
            execution_id=run.get("execution_id", ""),
            flow_id=run.get("flow_id", ""),
            tenant_id=run.get("tenant_id", ""),
        )

    return make


def _position(value: Any) -> dict | None:
    """A canvas position hint as {"x", "y"} (a mapping, an (x, y) pair or an object with x/y)."""
    if value is None:
        return None
    try:
        if isinstance(value, dict):
            return {"x": float(value.get("x", 0)), "y": float(value.get("y", 0))}
        if isinstance(value, (tuple, list)):
            return {"x": float(value[0]), "y": float(value[1])}
        return {"x": float(value.x), "y": float(value.y)}
    except (TypeError, ValueError, AttributeError, IndexError):
        return None


def _record(cls: type, data: dict) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


def _flow_reflection(sdk: ModuleType, view: dict) -> Any:
    def edge(d: dict) -> Any:
        d = dict(d)
        cs = d.pop("condition_summary", None)
        e = _record(sdk.ReflectionEdge, d)
        if isinstance(cs, dict):
            e.condition_summary = _record(sdk.ConditionSummary, cs)
        return e

    pos = dict(view.get("position") or {})
    if "loop_iterations" in pos:  # JSON object keys are strings; the SDK keys by instance id
        pos["loop_iterations"] = {int(k): int(v) for k, v in pos["loop_iterations"].items()}
    return sdk.AxiomFlowReflection(
        nodes=[_record(sdk.ReflectionNode, n) for n in view.get("nodes") or ()],
        edges=[edge(e) for e in view.get("edges") or ()],
        loop_edges=[edge(e) for e in view.get("loop_edges") or ()],
        position=_record(sdk.FlowPosition, pos),
        graph_id=str(view.get("graph_id") or ""),
    )


def flow_reflection(sdk: ModuleType, view: dict) -> Any:
    """``ax.reflection.flow`` from a call's whole JSON view (graph and position); bad data
    degrades to the empty view (reading reflection never raises)."""
    try:
        return _flow_reflection(sdk, view)
    except Exception:  # noqa: BLE001
        return sdk.AxiomFlowReflection()


_makers: dict[int, Make] = {}
_mutation_flows: dict[int, type] = {}


def buffering_mutation(sdk: ModuleType, buffer: list, graph: dict | None) -> Any:
    """An ``AxiomMutation`` whose ``flow`` buffers into ``buffer`` (as a node host's does), for
    the in-process invoker."""
    context_factory(sdk)
    return sdk.AxiomMutation(_mutation_flows[id(sdk)](buffer, graph))


def context_factory(sdk: ModuleType) -> Make:
    """``make(channel, run, variables, graph, position)`` for the package's generated SDK module (built once)."""
    make = _makers.get(id(sdk))
    if make is None:
        make = _makers[id(sdk)] = _build(sdk)
    return make
