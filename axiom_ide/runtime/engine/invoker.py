"""What the engine needs from whatever runs node code: the node-hosting interface.

``HostPool`` (axiom_ide.runtime.host — node code in host processes) and
:class:`~axiom_ide.runtime.engine.inline.InlineInvoker` (in-process, for the pure-scheduler
benchmark and fast tests) both satisfy :class:`Invoker`. ``NodeCall`` and the failure classes come
from the host package when it is importable, so ``except NodeFailure`` catches the host's own
errors; otherwise equivalent local definitions are used.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Protocol

try:  # the real node host
    from axiom_ide.runtime.host import LogRecord  # type: ignore[attr-defined]
except Exception:  # noqa: BLE001
    LogRecord = None  # type: ignore[assignment,misc]

try:  # the real node host
    from axiom_ide.runtime.host import (  # type: ignore[attr-defined]
        NodeCall, NodeCancelled, NodeCrashed, NodeFailure, NodeOutputFlood, NodeTimeout,
    )
except Exception:  # noqa: BLE001 — host not built (or broken): local stand-ins
    @dataclass(frozen=True)
    class NodeCall:  # type: ignore[no-redef]
        execution_id: str
        flow_id: str
        tenant_id: str
        canvas_id: str
        attempt: int = 1
        #: Resolved config parameters and secrets, one flat string map.
        variables: dict[str, Any] = field(default_factory=dict)
        #: The reflection view of the running flow (plain dict).
        reflection: dict[str, Any] = field(default_factory=dict)
        timeout_s: float = 300.0

    class NodeFailure(Exception):  # type: ignore[no-redef]
        """The handler raised; ``str()`` is its message verbatim."""

    class NodeCrashed(Exception):  # type: ignore[no-redef]
        """The host process died during the call."""

    class NodeTimeout(Exception):  # type: ignore[no-redef]
        """The call exceeded its timeout."""

    class NodeOutputFlood(Exception):  # type: ignore[no-redef]
        """The node produced more output than allowed."""

    class NodeCancelled(Exception):  # type: ignore[no-redef]
        """The invocation was cancelled with its execution."""

NODE_ERRORS: tuple[type[BaseException], ...] = (NodeFailure, NodeCrashed, NodeTimeout, NodeOutputFlood, NodeCancelled)


def node_error_text(exc: BaseException, node: str) -> str:
    """An invoker error's text for NODE_FAILED: without the host's own ``node "<id>" `` lead, as
    the engine names the node itself (``node "n2": timed out after 1s``, whichever the invoker)."""
    text = str(exc) or type(exc).__name__
    lead = f'node "{node}" '
    return text[len(lead):] if text.startswith(lead) else text


class Invoker(Protocol):
    async def invoke(self, node: Any, payload: bytes, call: NodeCall) -> bytes: ...

    def stream(self, node: Any, inputs: AsyncIterator[bytes], call: NodeCall) -> AsyncIterator[bytes]: ...

    async def cancel(self, execution_id: str) -> None: ...

    async def close(self) -> None: ...


_CALL_FIELDS = frozenset(getattr(NodeCall, "__dataclass_fields__", None) or ())


def make_call(**kwargs: Any) -> NodeCall:
    """Build a NodeCall, dropping fields a given NodeCall definition does not know."""
    if _CALL_FIELDS and not _CALL_FIELDS.issuperset(kwargs):
        kwargs = {k: v for k, v in kwargs.items() if k in _CALL_FIELDS}
    return NodeCall(**kwargs)
