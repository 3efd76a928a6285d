"""Server-Sent Events for the streaming routes: one ``data: {json}`` line per frame.

:class:`FrameRelay` decouples a frame source from the HTTP client. A background task drains the
source into a buffer the handler writes from, so a client that disconnects mid-stream never stops
the execution (it runs to its end and is recorded), and a client that stops reading is dropped
once :data:`BUFFER_FRAMES` frames are waiting for it instead of stalling the flow or growing
memory without bound.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

#: Frames buffered for one client before it counts as gone.
BUFFER_FRAMES = 1024
HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_END = object()


def encode(frame: dict[str, Any]) -> bytes:
    """One SSE event: ``data: {compact json}`` and the blank line that ends it."""
    return b"data: " + json.dumps(frame, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n\n"


async def open_stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(status=200, headers=HEADERS)
    await response.prepare(request)
    return response


async def send(response: web.StreamResponse, frame: dict[str, Any]) -> bool:
    """Write one frame; False when the client has gone."""
    try:
        await response.write(encode(frame))
    except (ConnectionError, RuntimeError):  # reset / closed transport ("Cannot write to closing transport")
        return False
    return True


class FrameRelay:
    """Runs ``source`` to its end in a background task, whatever happens to the client."""

    def __init__(self, source: AsyncIterator[dict[str, Any]], *, tasks: set[asyncio.Task] | None = None,
                 limit: int = BUFFER_FRAMES) -> None:
        self._queue: asyncio.Queue = asyncio.Queue()
        self._limit = limit
        self.attached = True
        self.task = asyncio.get_running_loop().create_task(self._pump(source), name="sse-relay")
        if tasks is not None:  # the server's set of background work, drained on shutdown
            tasks.add(self.task)
            self.task.add_done_callback(tasks.discard)

    async def _pump(self, source: AsyncIterator[dict[str, Any]]) -> None:
        try:
            async for frame in source:
                if not self.attached:
                    continue
                if self._queue.qsize() >= self._limit:
                    log.warning("SSE client fell %d frames behind; dropping it (the run continues)", self._limit)
                    self.detach()
                    continue
                self._queue.put_nowait(frame)
        except Exception as exc:
            log.exception("stream source failed")
            if self.attached:
                self._queue.put_nowait({"is_final": True, "error": f"internal error: {exc}"})
        finally:
            self._queue.put_nowait(_END)

    async def frames(self) -> AsyncIterator[dict[str, Any]]:
        """Frames for the client, in order; ends after the source ends or the client is dropped."""
        while True:
            item = await self._queue.get()
            if item is _END or not self.attached:
                return
            yield item

    def detach(self) -> None:
        """The client is gone: keep draining the source, discard its frames."""
        self.attached = False
        while not self._queue.empty():
            self._queue.get_nowait()
        self._queue.put_nowait(_END)


async def relay_to_client(request: web.Request, relay: FrameRelay) -> web.StreamResponse:
    """Write the relay's frames as SSE until the last one or until the client goes."""
    response = None
    try:
        response = await open_stream(request)
        async for frame in relay.frames():
            if not await send(response, frame):
                break
        else:
            if relay.attached:
                try:
                    await response.write_eof()
                    return response
                except (ConnectionError, RuntimeError):
                    pass
    finally:
        if relay.attached and not relay.task.done():
            relay.detach()  # disconnected (or cancelled): the run goes on without this client
    response.force_close()
    return response
