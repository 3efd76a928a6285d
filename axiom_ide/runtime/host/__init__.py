"""Node hosting: node code runs outside the runtime, one sandboxed host process per tenant and
package version.

Public API::

    pool = HostPool(log_sink=on_log, memory=backend,
                    sandbox=Sandbox(limits=HostLimits(memory_mib=1024)))  # the defaults
    out: bytes = await pool.invoke(node, payload, NodeCall(...))     # unary
    async for frame in pool.stream(node, frames, NodeCall(...)): ...  # pipeline
    await pool.cancel(execution_id)
    await pool.close()

Errors: :class:`NodeFailure` (handler raised — message verbatim — or wrong return type),
:class:`NodeCrashed`, :class:`NodeTimeout`, :class:`NodeOutputFlood`; all are
:class:`NodeHostError`. See README.md for the wire protocol and the process model.
"""
from __future__ import annotations

from axiom_ide.runtime.host.records import (
    LogRecord,
    MemoryBackend,
    NodeCall,
    NodeCancelled,
    NodeCrashed,
    NodeFailure,
    NodeHostError,
    NodeOutputFlood,
    NodeTimeout,
)

__all__ = [
    "HostLimits",
    "HostPool",
    "LogRecord",
    "MemoryBackend",
    "NodeCall",
    "NodeCancelled",
    "NodeCrashed",
    "NodeFailure",
    "NodeHostError",
    "NodeOutputFlood",
    "NodeTimeout",
    "Sandbox",
]


def __getattr__(name: str):
    # HostPool pulls in asyncio and the compiler's records; the worker process imports this package
    # too and must stay light.
    if name == "HostPool":
        from axiom_ide.runtime.host.pool import HostPool

        return HostPool
    if name in ("Sandbox", "HostLimits"):
        from axiom_ide.runtime.host import sandbox

        return getattr(sandbox, name)
    raise AttributeError(name)
