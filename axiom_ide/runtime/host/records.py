"""The records and errors the node host speaks to its callers (the execution engine).

A :class:`NodeCall` is everything the runtime — playing the platform's sidecar — hands one
invocation besides its payload: ids, the variables map (resolved config and secrets) and the
reflection view. :class:`LogRecord` is one ``ax.log`` line (or ``print``) coming back.
Failures are exceptions whose ``str()`` is the user-facing message; each has a stable ``code``
and turns into a :class:`~axiom_ide.runtime.errors.Diagnostic` naming the failing placement.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from axiom_ide.runtime.errors import Diagnostic, error


@dataclass(frozen=True)
class NodeCall:
    """One invocation's context, as the sidecar delivers it to node code."""

    #: Execution id (``ax.execution_id``); :meth:`HostPool.cancel` kills invocations by it.
    execution_id: str
    #: Flow id (``ax.flow_id``); scopes agent memory.
    flow_id: str
    #: Tenant id (``ax.tenant_id``); scopes agent memory.
    tenant_id: str
    #: Canvas id of the placement being run; stamped on logs and named in errors.
    canvas_id: str
    #: 1-based attempt number of this node step.
    attempt: int = 1
    #: Resolved flow config values and secrets; served to ``ax.secrets.get``.
    variables: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: JSON view for ``ax.reflection.flow``: ``nodes``, ``edges``, ``loop_edges``, ``position``,
    #: ``graph_id`` — each shaped like the SDK dataclasses (ReflectionNode, ReflectionEdge, ...).
    reflection: Mapping[str, Any] = field(default_factory=dict, hash=False)
    #: Seconds to wait for the handler's answer (a pipeline: for each output frame).
    timeout_s: float = 300.0


@dataclass(frozen=True)
class LogRecord:
    """One log line a node wrote with ``ax.log`` (or ``print``) during an invocation."""

    execution_id: str
    #: Canvas id of the placement that logged.
    canvas_id: str
    #: ``debug`` | ``info`` | ``warn`` | ``error``.
    level: str
    message: str
    #: The keyword attributes (JSON-safe; other values arrive as their ``repr``). ``print``
    #: output, and output written straight to the host's fd 1/2, carries ``{"stream": "stdout"}``
    #: or ``{"stream": "stderr"}``.
    attrs: dict[str, Any]
    #: Unix time (seconds) at which the node logged.
    time: float


class MemoryBackend(Protocol):
    """Agent memory as the runtime provides it; the host relays ``ax.agent.memory`` calls here.

    ``op`` is one of ``search``, ``write``, ``history_last``, ``history_append``,
    ``session_search``, ``session_write``, ``session_end``; ``args`` are the SDK call's
    arguments by name (plus ``session_id`` for the session ops). Results are JSON-safe:
    lists of dicts shaped like MemoryEntry / ConversationTurn, a str id, or None. Tenant and
    flow come from the :class:`NodeCall`, never from node code. Exceptions are tolerated: the
    node sees the SDK's empty result instead.
    """

    async def call(self, tenant_id: str, flow_id: str, op: str, args: dict) -> Any: ...


class NodeHostError(Exception):
    """A node invocation did not produce its output. ``str(exc)`` is the user-facing message."""

    code = "node_failed"

    def __init__(self, message: str, *, canvas_id: str = "", exception_type: str = "", traceback: str = ""):
        super().__init__(message)
        self.message = message
        self.canvas_id = canvas_id
        #: A handler that raised: the exception's type name (``ValueError``) and the traceback text.
        self.exception_type = exception_type
        self.traceback = traceback

    def diagnostic(self) -> Diagnostic:
        return error(self.code, self.message, node=self.canvas_id or None)


class NodeFailure(NodeHostError):
    """The handler raised (message verbatim) or returned the wrong message type."""

    code = "node_failed"


class NodeCrashed(NodeHostError):
    """The host process died (or was restarted) while the invocation was in flight."""

    code = "node_crashed"


class NodeTimeout(NodeHostError):
    """No answer within ``NodeCall.timeout_s``; the host was killed."""

    code = "node_timeout"


class NodeOutputFlood(NodeHostError):
    """The invocation produced too much output or logs; the host was killed."""

    code = "node_output_flood"


class NodeCancelled(NodeHostError):
    """:meth:`HostPool.cancel` stopped the invocation's execution; the host was restarted."""

    code = "node_cancelled"
