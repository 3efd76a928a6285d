"""``HostPool``: the runtime's side of node hosting (the sidecar role).

One :class:`~axiom_ide.runtime.host.process.HostProcess` per package version, started lazily
on first use, reused across runs and executions, restarted after a crash/timeout/flood, and
reloaded when the package's files change.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import AsyncIterator, Callable

from axiom_ide.runtime.compiler.artifact import ArtifactNode
from axiom_ide.runtime.host.records import LogRecord, MemoryBackend, NodeCall


class HostPool:
    """All node host processes of one runtime."""

    def __init__(
        self,
        *,
        log_sink: Callable[[LogRecord], None] | None = None,
        memory: MemoryBackend | None = None,
        python: str = sys.executable,
        socket_dir: Path | None = None,
    ):
        self._log_sink = log_sink
        self._memory = memory
        self._python = python
        self._socket_dir = socket_dir

    async def invoke(self, node: ArtifactNode, payload: bytes, call: NodeCall) -> bytes:
        """Run a unary node: serialized input message in, serialized output message out."""
        raise NotImplementedError

    def stream(self, node: ArtifactNode, inputs: AsyncIterator[bytes], call: NodeCall) -> AsyncIterator[bytes]:
        """Run a pipeline node: input frames in, output frames out as the handler yields them."""
        raise NotImplementedError

    async def cancel(self, execution_id: str) -> None:
        """Kill the in-flight invocations of ``execution_id`` now (restarting hosts as needed)."""
        raise NotImplementedError

    async def close(self) -> None:
        """Stop every host process."""
        raise NotImplementedError
