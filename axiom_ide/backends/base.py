"""The Backend protocol: what the IDE asks of a runtime, local or remote, and the values it gets back.

The app never touches runtime internals; it compiles, runs, streams, cancels and looks back through
a ``Backend``. Every data method is a coroutine so a remote backend (HTTP) fits the same shape; the
app runs them on the backend's event loop (``app/qt_bridge.py``). Values crossing the protocol are
its own, never a store record: the small dataclasses below, ``backends/values.py``'s ``Execution``,
``Event``, ``FlowConfigView`` and ``ApiKeyView`` (LocalBackend converts the runtime's records at its
boundary, RemoteBackend builds them from the API's JSON) and ``checkpoint_view.CheckpointView``
(payloads decoded). Statuses and event types are ``runtime/statuses.py`` and
``runtime/event_types.py``, which the store imports too. No Qt here (tests/test_architecture.py).
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from axiom_ide.backends.checkpoint_view import CheckpointView
from axiom_ide.backends.values import Event, Execution, FlowConfigView
from axiom_ide.runtime import event_types as ev
from axiom_ide.runtime.errors import Diagnostic, Location, Severity


@dataclass(frozen=True)
class CompiledFlow:
    """A compiled artifact as the IDE needs it."""

    #: The artifact's ULID — the ``graph_id`` of the invoke API.
    graph_id: str
    flow_name: str
    #: "unary" | "pipeline", frozen at compile time.
    mode: str
    entry: str
    terminal: str
    #: Fully-qualified input/output message names.
    input_type: str
    output_type: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfigView:
    """The config profiles that apply to one flow and the node timeout they resolve to."""

    #: Tenant default first (when it exists), then the flow's own profiles by name.
    profiles: tuple[FlowConfigView, ...]
    #: ``node_timeout_seconds`` after the four layers (platform → tenant default → flow default).
    node_timeout_seconds: float
    #: Where that timeout comes from: "platform default", "tenant default" or "flow default".
    timeout_source: str


@dataclass(frozen=True)
class Failure:
    """Why a run failed, and where on the canvas: the run's error value
    (:class:`~axiom_ide.runtime.errors.Diagnostic`) as the IDE reads it."""

    #: The engine's failure kind (the error value's code): EDGE_ADAPTER, NODE_FAILED, NODE_TIMEOUT, ...
    kind: str
    #: The error text, in the catalog's words.
    message: str
    #: Canvas id of the offending node, when a node is to blame.
    node: str | None = None
    #: (source, destination) of the offending edge, when an edge is to blame.
    edge: tuple[str, str] | None = None
    #: A node that raised: the exception's type name and the traceback text.
    exception_type: str | None = None
    traceback: str | None = None

    @classmethod
    def from_diagnostic(cls, diag: Diagnostic) -> Failure:
        loc = diag.location
        return cls(diag.code or "FAILED", diag.message, None if loc.edge else loc.node, loc.edge,
                   diag.exception_type, diag.traceback)

    @property
    def diagnostic(self) -> Diagnostic:
        """The error value, for :func:`~axiom_ide.runtime.errors.render`."""
        return Diagnostic(self.kind, self.message, Severity.ERROR, Location(node=self.node, edge=self.edge),
                          self.exception_type, self.traceback)


@dataclass
class RunResult:
    """The end of a run as the result panel shows it."""

    execution_id: str
    #: The execution's final status (Completed, Failed, Cancelled).
    status: str
    output: Any = None
    failure: Failure | None = None
    #: Pipeline runs: the frames' payloads in arrival order.
    frames: list[Any] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.status == "Completed"


@runtime_checkable
class Backend(Protocol):
    """Compile, run, stream, cancel and look back. Implemented by :class:`LocalBackend`."""

    async def compile(self, flow: Any) -> CompiledFlow: ...

    async def start(self, graph_id: str, input: Any, *, config_id: str | None = None) -> str: ...

    async def wait(self, execution_id: str, timeout: float | None = None) -> RunResult: ...

    async def result(self, execution_id: str) -> RunResult: ...

    def stream(self, graph_id: str, input: Any, *, config_id: str | None = None,
               timeout: float = 30.0) -> AsyncIterator[dict[str, Any]]: ...

    async def cancel(self, execution_id: str) -> bool: ...

    async def list_executions(self, *, status: str | None = None, flow: str | None = None,
                              limit: int = 200) -> list[Execution]: ...

    async def executions_changed_since(self, token: str | None) -> str | None:
        """A cheap change probe for the Executions view: the executions' change token when it
        differs from ``token``, else None (LocalBackend: the store's; RemoteBackend: a hash of the
        newest executions)."""
        ...

    async def get_execution(self, execution_id: str) -> Execution | None: ...

    async def events(self, execution_id: str) -> list[Event]: ...

    async def checkpoints(self, execution_id: str) -> list[CheckpointView]: ...

    async def flow_configs(self, flow_name: str) -> ConfigView: ...

    async def fork(self, execution_id: str, *, node: str, input_override: Any = None,
                   mode: str = "input") -> str:
        """Run from here (``mode="input"``: fork at the node's input checkpoint, optionally with an
        edited input) or Fork from here (``"output"``); the new execution's id (backends/local_fork.py)."""
        ...

    async def node_payload(self, execution_id: str, node: str) -> Any:
        """The node's :class:`~axiom_ide.backends.payloads.NodePayload` in that execution."""
        ...

    async def resume_pause(self, execution_id: str, action: str, input: Any = None, *,
                           comment: str | None = None) -> dict[str, Any]:
        """Approve / reject an execution's human-in-the-loop pause (``action`` approve|reject;
        ``input``: the node's edited input, approve only)."""
        ...

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]: ...

    async def close(self) -> None: ...


def attribute_failure(error: str | None, code: str | None, events: Sequence[Any] = (),
                      detail: Diagnostic | None = None) -> Failure:
    """The failure of an execution: its stored error value ``detail`` when it has one (every
    execution since the store keeps ``error_detail``). Older executions have only the text: see
    :func:`_legacy_failure`."""
    if detail is not None:
        return Failure.from_diagnostic(detail)
    return _legacy_failure(error or "failed", code or "FAILED", events)


_EDGE = re.compile(r'edge "([^"]+)" → "([^"]+)"')
_NODE = re.compile(r'node "([^"]+)"')


def _legacy_failure(text: str, kind: str, events: Sequence[Any]) -> Failure:
    """For executions stored before the error value was kept (no ``error_detail``): the node or
    edge the engine recorded on EXECUTION_FAILED, else the catalog's ``edge "a" → "b": …`` /
    ``node "x": …`` prefixes of the text (executions older still), else the last final
    NODE_FAILED event."""
    for e in reversed(list(events)):
        if e.type == ev.EXECUTION_FAILED:
            edge, node = e.data.get("edge"), e.node
            if edge:
                return Failure(kind, text, edge=(edge["from"], edge["to"]))
            if node:
                return Failure(kind, text, node=node)
            break
    m = _EDGE.match(text)
    if m:
        return Failure(kind, text, edge=(m.group(1), m.group(2)))
    m = _NODE.search(text)
    if m and (text.startswith(("node ", "downstream join failed: node "))):
        return Failure(kind, text, node=m.group(1))
    for e in reversed(list(events)):
        if e.type == ev.NODE_FAILED and e.node:
            return Failure(kind, text, node=e.node)
    return Failure(kind, text)
