"""What the engine needs from whatever runs node code: the node-hosting interface.

``HostPool`` (axiom_ide.runtime.host — node code in host processes) and
:class:`~axiom_ide.runtime.engine.inline.InlineInvoker` (in-process, for the pure-scheduler
benchmark and fast tests) both satisfy :class:`Invoker`. ``NodeCall`` and the failure classes are
the host package's own, so ``except NodeFailure`` catches what a host raises.
"""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Protocol

from axiom_ide.runtime.host import (
    LogRecord,
    NodeCall,
    NodeCancelled,
    NodeCrashed,
    NodeFailure,
    NodeOutputFlood,
    NodeTimeout,
)

__all__ = ["NODE_ERRORS", "Invoker", "LogRecord", "NodeCall", "NodeCancelled", "NodeCrashed", "NodeFailure",
           "NodeOutputFlood", "NodeTimeout", "make_call"]

NODE_ERRORS: tuple[type[BaseException], ...] = (NodeFailure, NodeCrashed, NodeTimeout, NodeOutputFlood, NodeCancelled)


class Invoker(Protocol):
    async def invoke(self, node: Any, payload: bytes, call: NodeCall) -> bytes: ...

    def stream(self, node: Any, inputs: AsyncIterator[bytes], call: NodeCall) -> AsyncIterator[bytes]: ...

    async def cancel(self, execution_id: str) -> None: ...

    async def close(self) -> None: ...


def make_call(**kwargs: Any) -> NodeCall:
    """Build a NodeCall (a field it does not know is a TypeError, not silently dropped)."""
    return NodeCall(**kwargs)
