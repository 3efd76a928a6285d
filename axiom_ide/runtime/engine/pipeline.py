"""The pipeline executor: nodes connected by frame streams.

Every node runs as one task. A pipeline node gets an async iterator over its inbound frames and
streams frames out (``invoker.stream``); a unary node inside a pipeline is invoked once per inbound
frame. Between nodes, bounded asyncio queues give backpressure: a fast producer waits for a slow
consumer. Each frame is routed through the edge's condition and map exactly as in unary mode. A
node's inbound stream ends when every upstream producer has finished; the terminal node's frames
go to the caller as they are produced (:class:`FrameSink`), followed by one final frame — success,
or the error that ended the run.

A pinned node (``ctx.pins``: an editor run's pin, ``runtime/pins.py``) is not called: it answers
every frame that reaches it with its pinned output — one frame out per frame in, whether it is a
pipeline node or a unary one (a pin is one output message, so a pipeline node's own frame
rhythm, several or none per input, is not reproduced) — and its NODE_STARTED / NODE_COMPLETED say
``pinned: true``.

Pipeline runs are not resumed (a frame stream is not a node output to resume from); the event
log records every frame: a FRAME event per frame a node produces (``frame_index``), and
NODE_COMPLETED carries the node's frame count. So the payload popover can show what a node
received and sent, each node that completes writes one frames checkpoint (when the run has a
checkpoint store): its first :data:`~axiom_ide.runtime.store.checkpoints.FRAMES_KEPT` input and
output frames (``frames:<type>``, see store/checkpoints.py), named by NODE_COMPLETED's ``checkpoint_id``. The terminal node's FRAME events are written before
the frame is handed to the caller, so after a crash the log tells exactly how many frames the
caller could have received; other events are written at node boundaries and every
:data:`FLUSH_EVERY` events.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from axiom_ide.runtime.engine.invoker import NODE_ERRORS, NodeTimeout, make_call
from axiom_ide.runtime.engine.loop import RunContext
from axiom_ide.runtime.engine.mutation import pipeline_refusal
from axiom_ide.runtime.engine.plan import PlanEdge
from axiom_ide.runtime.engine.steps import (
    StepError,
    edge_fires,
    map_fields,
    node_error_text,
    raised_fields,
)
from axiom_ide.runtime.store import events as ev
from axiom_ide.runtime.store.checkpoints import FRAMES_KEPT, FRAMES_PREFIX, Checkpoint, new_checkpoint_id, pack_frames

#: Frames buffered per node input before its producers wait.
QUEUE_SIZE = 16
#: Buffered events written at least this often during a pipeline run.
FLUSH_EVERY = 64
_END = object()


class _Inbox:
    """A node's inbound frame stream, ended when all ``producers`` have closed."""

    def __init__(self, producers: int) -> None:
        self.queue: asyncio.Queue = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.open = producers

    async def close_one(self) -> None:
        self.open -= 1
        if self.open <= 0:
            await self.queue.put(_END)

    async def frames(self) -> AsyncIterator[bytes]:
        while True:
            item = await self.queue.get()
            if item is _END:
                return
            yield item


async def run_pipeline(ctx: RunContext, payload: bytes, sink: asyncio.Queue) -> None:
    """Run the graph; terminal frames (bytes) go to ``sink``. Raises StepError on failure."""
    plan = ctx.plan
    inboxes = {n: _Inbox(max(1, len(plan.incoming[n]))) for n in plan.nodes}
    await inboxes[plan.entry].queue.put(payload)
    await inboxes[plan.entry].queue.put(_END)
    tasks = [asyncio.ensure_future(_run_node(ctx, node_id, inboxes, sink)) for node_id in plan.nodes]
    try:
        pending = set(tasks)
        while pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
            for task in done:
                exc = task.exception()
                if exc is not None:
                    raise exc
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _run_node(ctx: RunContext, node_id: str, inboxes: dict, sink: asyncio.Queue) -> None:
    plan = ctx.plan
    node = plan.nodes[node_id]
    call = make_call(execution_id=ctx.execution_id, flow_id=ctx.flow_id, tenant_id=ctx.tenant_id,
                     canvas_id=node_id, attempt=1, variables=ctx.variables,
                     reflection=ctx.reflection.get(node_id, {}),
                     timeout_s=ctx.config.node_timeout_seconds)
    inbox = inboxes[node_id]
    first = await inbox.queue.get()
    if first is _END:  # nothing reached this node (every inbound frame was filtered out)
        for pe in plan.outgoing[node_id]:
            if not pe.is_loop:
                await inboxes[pe.dst].close_one()
        return

    seen_in: list[bytes] = []
    seen_out: list[bytes] = []

    async def inputs() -> AsyncIterator[bytes]:
        seen_in.append(first)
        yield first
        async for frame in inbox.frames():
            if len(seen_in) < FRAMES_KEPT:
                seen_in.append(frame)
            yield frame

    pinned = ctx.pins.get(node_id) if ctx.pins else None
    mark = {"pinned": True} if pinned is not None else {}
    ctx.recorder.emit(ev.NODE_STARTED, node_id, attempt=1, **mark)
    ctx.recorder.flush()
    t0 = time.perf_counter()
    frames = 0
    try:
        if pinned is not None:  # the node's host is never called: each inbound frame gets the pin
            async for _frame in inputs():
                frames += 1
                if len(seen_out) < FRAMES_KEPT:
                    seen_out.append(pinned)
                await _route(ctx, node_id, pinned, frames - 1, inboxes, sink)
        elif node.kind == "pipeline":
            async for out in ctx.invoker.stream(node, inputs(), call):
                frames += 1
                if len(seen_out) < FRAMES_KEPT:
                    seen_out.append(out)
                await _route(ctx, node_id, out, frames - 1, inboxes, sink)
        else:
            async for frame in inputs():
                # a disabled node (compile checked its input is its output's type) passes frames on
                out = frame if getattr(node, "disabled", False) else await ctx.invoker.invoke(node, frame, call)
                if getattr(out, "mutations", None):  # a mutation-capable node's additions: nothing grows here
                    refused = pipeline_refusal(node_id)
                    ctx.recorder.emit(ev.NODE_FAILED, node_id, duration_ms=round((time.perf_counter() - t0) * 1000.0, 3),
                                      attempt=1, error=str(refused), final=True)
                    raise refused
                frames += 1
                if len(seen_out) < FRAMES_KEPT:
                    seen_out.append(out)
                await _route(ctx, node_id, out, frames - 1, inboxes, sink)
    except NODE_ERRORS as exc:
        duration = round((time.perf_counter() - t0) * 1000.0, 3)
        raised = raised_fields(exc)
        ctx.recorder.emit(ev.NODE_FAILED, node_id, duration_ms=duration, attempt=1, error=str(exc), **raised)
        code = "NODE_TIMEOUT" if isinstance(exc, NodeTimeout) else "NODE_FAILED"
        raise StepError(node_error_text(node_id, str(exc)), code, node=node_id,
                        exception_type=raised.get("exception_type"), traceback=raised.get("traceback")) from None
    duration = round((time.perf_counter() - t0) * 1000.0, 3)
    cp = _frames_checkpoint(ctx, node_id, seen_in, seen_out)
    ctx.recorder.emit(ev.NODE_COMPLETED, node_id, duration_ms=duration, attempt=1, frames=frames,
                      **({"checkpoint_id": cp.id} if cp else {}), **mark)
    if cp is not None:
        try:
            ctx.recorder.commit_checkpoint(ctx.checkpoints, cp)
        except Exception as exc:  # e.g. disk full
            raise StepError(f'checkpoint write failed after node "{node_id}": {exc}', "CHECKPOINT_WRITE",
                            node=node_id) from exc
    ctx.recorder.flush()
    for pe in plan.outgoing[node_id]:
        if not pe.is_loop:
            await inboxes[pe.dst].close_one()


def _frames_checkpoint(ctx: RunContext, node_id: str, seen_in: list[bytes],
                       seen_out: list[bytes]) -> Checkpoint | None:
    """The node's frames checkpoint (None when the run keeps none). Steps count completions."""
    if ctx.checkpoints is None:
        return None
    node = ctx.plan.nodes[node_id]
    now = time.time()
    step = len(ctx.checkpoints.list(ctx.execution_id)) + 1  # no await between this and the write
    return Checkpoint(new_checkpoint_id(now), ctx.execution_id, step, node_id, 1, FRAMES_PREFIX + node.input_type,
                      FRAMES_PREFIX + node.output_type, pack_frames(seen_in), pack_frames(seen_out), now)


async def _route(ctx: RunContext, node_id: str, out: bytes, index: int, inboxes: dict, sink: asyncio.Queue) -> None:
    plan = ctx.plan
    recorder = ctx.recorder
    recorder.emit(ev.FRAME, node_id, frame_index=index)
    if node_id == plan.terminal:
        recorder.flush()  # recorded before the caller can see it
        await sink.put(out)
    elif len(recorder.buffer) >= FLUSH_EVERY:
        recorder.flush()
    edges = [pe for pe in plan.outgoing[node_id] if not pe.is_loop]
    if not edges:
        return
    node = plan.nodes[node_id]
    out_dict = None
    for pe in edges:
        if (pe.condition is not None or pe.fields is not None) and out_dict is None:
            out_dict = ctx.codec.to_dict(out, node.output_type, node.package_key)
        frame = _evaluate(ctx, pe, out, out_dict, index)
        if frame is not None:
            await inboxes[pe.dst].queue.put(frame)


def _evaluate(ctx: RunContext, pe: PlanEdge, out: bytes, out_dict: Any, index: int) -> bytes | None:
    if not edge_fires(pe, out_dict):
        ctx.recorder.emit(ev.EDGE_SKIPPED, pe.dst, edge={"from": pe.src, "to": pe.dst},
                          reason="condition false", frame_index=index)
        return None
    if pe.fields is None:
        return out
    dst = ctx.plan.nodes[pe.dst]
    return ctx.codec.from_dict(map_fields(pe, out_dict), dst.input_type, dst.package_key)
