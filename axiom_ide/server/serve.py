"""Run the API server until SIGINT/SIGTERM, then shut down gracefully.

On start the runtime resumes every execution a previous process left incomplete. On shutdown the
listener closes first (no new requests), in-flight executions get ``grace`` seconds to finish, and
whatever is still running is left checkpointed and incomplete for the next start to resume.
"""
from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path
from typing import Callable

from aiohttp import web

from axiom_ide.server.app import ServerOptions, create_app


async def serve(data_dir: Path, *, host: str = "127.0.0.1", port: int = 8765, workspace: Path | None = None,
                options: ServerOptions | None = None, inline: bool = False, grace: float = 10.0,
                announce: Callable[[str], None] | None = None) -> None:
    from axiom_ide.runtime.runtime import Runtime

    runtime = Runtime(data_dir, inline=inline)
    options = options or ServerOptions()
    app = create_app(runtime, workspace=workspace, options=options)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1] if site._server and site._server.sockets else port  # type: ignore[union-attr]
    display_host = f"[{host}]" if ":" in host else host
    options.origin = f"http://{display_host}:{bound}"
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt
            pass
    resumed = await runtime.resume_incomplete()
    (announce or _print)(f"Axiom API listening on {options.origin}"
                         + (f" (resumed {len(resumed)} incomplete execution(s))" if resumed else ""))
    try:
        await stop.wait()
    finally:
        await site.stop()
        pending = [t for t in runtime._tasks.values() if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=grace)
        await runner.cleanup()
        await runtime.close()


def _print(line: str) -> None:
    print(line, flush=True)
    sys.stdout.flush()
