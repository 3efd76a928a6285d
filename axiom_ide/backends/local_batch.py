"""Datasets through the LocalBackend: ``backend.batches`` runs a compiled flow over a JSONL or CSV
file (``runtime/batch.py``), lists and reopens saved batches and compares two. No Qt here.

:meth:`LocalBatches.rows` is an async iterator the IDE consumes through the bridge: each row's
:class:`~axiom_ide.runtime.batch.RowResult` in row order as it is written, then the batch's
:class:`~axiom_ide.runtime.batch.Summary`. Closing or cancelling the consumer cancels the batch,
which still saves the rows done so far.
"""
from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from axiom_ide.runtime import batch as batches

_END = object()


class SavedBatches:
    """The batches saved under ``data_dir`` (list, reopen, compare) and the streaming of a running
    one's rows: what LocalBatches and ``remote_batch.RemoteBatches`` share."""

    def __init__(self, data_dir: str | Path) -> None:
        self.data_dir = Path(data_dir)
        #: The batches running (a cancelled one is still saving the rows done).
        self._running: set[asyncio.Task[None]] = set()

    async def _stream(self, batch: Callable[[Callable[[Any, Any], None]], Awaitable[Any]]) -> AsyncIterator[Any]:
        """``batch(on_row)``'s rows as they are saved, then its Summary."""
        queue: asyncio.Queue[Any] = asyncio.Queue()

        async def run() -> None:
            try:
                queue.put_nowait(await batch(lambda r, _s: queue.put_nowait(r)))
            finally:
                queue.put_nowait(_END)

        task = asyncio.ensure_future(run())
        self._running.add(task)
        task.add_done_callback(self._running.discard)
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
        return batches.load_batch(self.data_dir, batch_id)

    async def saved(self) -> list[batches.BatchInfo]:
        """The saved batches, newest first (a batch being cancelled is waited for: it is saving)."""
        stopping = [t for t in self._running if t.cancelling()]
        if stopping:
            await asyncio.gather(*stopping, return_exceptions=True)
        return batches.list_batches(self.data_dir)

    async def results(self, batch_id: str, limit: int) -> tuple[Any, list[batches.RowResult]]:
        """A saved batch and its first ``limit`` rows (what a results table shows)."""
        batch = batches.load_batch(self.data_dir, batch_id)
        return batch, list(itertools.islice(batch.rows(), limit))

    async def compare(self, a: str, b: str, limit: int) -> tuple[dict[str, int], list[batches.RowChange]]:
        """Two saved batches row by row (``runtime/batch.compare``, as ``flow batch --compare``): the
        count of each kind of change, and the first ``limit`` rows."""
        counts = {batches.SAME: 0, batches.CHANGED: 0, batches.ONLY_A: 0, batches.ONLY_B: 0}
        shown: list[batches.RowChange] = []
        dd = self.data_dir
        for change in batches.compare(batches.load_batch(dd, a), batches.load_batch(dd, b)):
            counts[change.kind] += 1
            if len(shown) < limit:
                shown.append(change)
        return counts, shown


class LocalBatches(SavedBatches):
    def __init__(self, runtime: Any) -> None:
        super().__init__(runtime.data_dir)
        self.runtime = runtime

    async def rows(self, graph_id: str, data: str | Path, *, concurrency: int = 1,
                   timeout: float = batches.DEFAULT_TIMEOUT) -> AsyncIterator[Any]:
        """Row results as they are saved, then the Summary (see the module docstring)."""
        artifact = self.runtime.artifact(graph_id)
        async for item in self._stream(lambda on_row: batches.run_batch(
                self.runtime, artifact, data, concurrency=concurrency, timeout=timeout, on_row=on_row)):
            yield item
