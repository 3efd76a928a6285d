"""Datasets through the LocalBackend: ``backend.batches`` runs a compiled flow over a JSONL or CSV
file (``runtime/batch.py``) and reopens saved batches. No Qt here.

:meth:`LocalBatches.rows` is an async iterator the IDE consumes through the bridge: each row's
:class:`~axiom_ide.runtime.batch.RowResult` in row order as it is written, then the batch's
:class:`~axiom_ide.runtime.batch.Summary`. Closing or cancelling the consumer cancels the batch,
which still saves the rows done so far.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from axiom_ide.runtime import batch as batches

_END = object()


class LocalBatches:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime

    async def rows(self, graph_id: str, data: str | Path, *, concurrency: int = 1,
                   timeout: float = batches.DEFAULT_TIMEOUT) -> AsyncIterator[Any]:
        """Row results as they are saved, then the Summary (see the module docstring)."""
        artifact = self.runtime.artifact(graph_id)
        queue: asyncio.Queue[Any] = asyncio.Queue()

        async def run() -> None:
            try:
                summary = await batches.run_batch(self.runtime, artifact, data, concurrency=concurrency,
                                                  timeout=timeout, on_row=lambda r, _s: queue.put_nowait(r))
                queue.put_nowait(summary)
            finally:
                queue.put_nowait(_END)

        task = asyncio.ensure_future(run())
        try:
            while True:
                item = await queue.get()
                if item is _END:
                    break
                yield item
            await task  # its error, if any (a dataset that cannot be read), reaches the caller
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)

    async def load(self, batch_id: str) -> Any:
        """A saved batch (its header and summary; :meth:`Batch.rows` streams the rows)."""
        return batches.load_batch(self.runtime.data_dir, batch_id)
