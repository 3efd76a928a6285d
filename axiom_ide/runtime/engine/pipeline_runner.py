"""The lifecycle of one pipeline execution, as :class:`~.runner.Runner` owns a unary one: start the
frame loop (:func:`~.pipeline.run_pipeline`), relay its frames as they come, bound the wait for its
end, and record how it ended (Completed, Failed, Cancelled or PIPELINE_TIMEOUT). A Completed
execution's stored output is its output frames decoded to JSON, ``{"frames": [...]}``, bounded by
:class:`~axiom_ide.runtime.payload_bounds.FrameOutput` (over 64 KiB: the leading frames plus
``"truncated": true`` and ``"total_frames"``); its EXECUTION_COMPLETED event keeps the count.
The Runtime only prepares the record and composes."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from axiom_ide.runtime.engine.loop import RunConfig, RunContext
from axiom_ide.runtime.engine.pipeline import run_pipeline
from axiom_ide.runtime.engine.runner import Compiled, Runner, blame
from axiom_ide.runtime.engine.steps import StepError
from axiom_ide.runtime.errors import Diagnostic
from axiom_ide.runtime.flow_ids import flow_id
from axiom_ide.runtime.payload_bounds import FrameOutput
from axiom_ide.runtime.store import executions as ex
from axiom_ide.runtime.store.executions import ExecutionRecord

PIPELINE_TIMEOUT = "timeout waiting for pipeline result"

#: How the runtime keeps a running task: ``track(execution_id, task)`` returns the task.
Track = Callable[[str, asyncio.Task], asyncio.Task]


class PipelineRunner:
    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    async def stream(self, rec: ExecutionRecord, compiled: Compiled, config: RunConfig, payload: bytes, *,
                     timeout: float, track: Track, pins: dict[str, bytes] | None = None) -> AsyncIterator[dict[str, Any]]:
        """Run ``rec`` (queued, its entry ``payload`` encoded): frames as produced, then one final
        frame (``success: true`` or ``error``). ``pins``: canvas id → pinned output bytes (those
        nodes answer each frame with it, engine/pipeline.py); EXECUTION_STARTED lists them."""
        runner = self.runner
        rec, recorder = runner.accept(rec, **({"pinned": sorted(pins)} if pins else {}))
        runner.attach(rec.id, recorder)
        ctx = RunContext(rec.id, flow_id(rec.tenant_id, compiled.artifact.flow_name), rec.tenant_id, compiled.plan, compiled.codec,
                         runner.invoker, recorder, runner.checkpoints, config, None, compiled.reflection,
                         pins=dict(pins or {}))
        sink: asyncio.Queue = asyncio.Queue(maxsize=16)
        task = track(rec.id, asyncio.get_running_loop().create_task(run_pipeline(ctx, payload, sink)))
        deadline = time.monotonic() + timeout
        index = 0
        frames = FrameOutput()
        error: str | None = None
        code: str | None = None
        where: dict[str, Any] = {}
        detail: Diagnostic | None = None
        status = ex.COMPLETED
        try:
            while True:
                getter = asyncio.ensure_future(sink.get())
                done, _ = await asyncio.wait({getter, task}, timeout=max(0.0, deadline - time.monotonic()),
                                             return_when=asyncio.FIRST_COMPLETED)
                if getter in done:
                    decoded = compiled.decode_output(getter.result())
                    frames.add(decoded)
                    yield {"execution_id": rec.id, "frame_index": index, "payload": decoded, "is_final": False}
                    index += 1
                    continue
                getter.cancel()
                if task in done:
                    while not sink.empty():
                        decoded = compiled.decode_output(sink.get_nowait())
                        frames.add(decoded)
                        yield {"execution_id": rec.id, "frame_index": index, "payload": decoded, "is_final": False}
                        index += 1
                    if task.cancelled():
                        status, error, code = ex.CANCELLED, "cancelled", "CANCELLED"
                    elif task.exception() is not None:
                        raised = task.exception()
                        if isinstance(raised, StepError):
                            status, error, code, where = ex.FAILED, str(raised), raised.code, blame(raised)
                            detail = raised.diagnostic
                        else:
                            status, error, code = ex.FAILED, f"internal error: {raised}", "INTERNAL"
                    break
                status, error, code = ex.FAILED, PIPELINE_TIMEOUT, "PIPELINE_TIMEOUT"  # no final result in time
                break
        finally:
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            runner.detach(rec.id)
            runner.finish(rec.id, recorder, status, output=frames.output() if status == ex.COMPLETED else None,
                          error=error, code=code, data=where if error else {"frames": index}, detail=detail)
        final: dict[str, Any] = {"execution_id": rec.id, "frame_index": index, "is_final": True}
        final.update({"success": True} if error is None else {"error": error})
        yield final
