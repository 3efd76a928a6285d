"""Run the API server until SIGINT/SIGTERM, then shut down gracefully.

On start the runtime resumes every execution a previous process left incomplete, then prints
``Axiom API listening on <origin>`` (tools and tests parse that line). Shutdown, on the first
SIGINT/SIGTERM:

1. the listener closes — no new connections;
2. in-flight executions (and SSE relays whose clients left) get ``grace`` seconds to finish, so
   waiting callers still receive their results;
3. pending webhook deliveries get a few more seconds, open connections are closed;
4. the runtime closes: whatever is still running stops *without* a final status — its completed
   nodes are checkpointed, so the next start resumes it under the same execution id.

A second signal skips the wait.
"""
from __future__ import annotations

import asyncio
import ipaddress
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from axiom_ide.server.app import ServerOptions, create_app

#: Seconds pending webhook deliveries get once the executions are done (or the grace is over).
WEBHOOK_GRACE = 5.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def serve(data_dir: Path, *, host: str = "127.0.0.1", port: int = 8765, workspace: Path | None = None,
                options: ServerOptions | None = None, inline: bool = False, grace: float = 10.0,
                announce: Callable[[str], None] | None = None, sandbox: Any = None) -> None:
    from axiom_ide.runtime.runtime import Runtime
    from axiom_ide.server.invocations import INVOCATIONS

    say = announce or _print
    runtime = Runtime(data_dir, inline=inline, sandbox=sandbox)
    options = options or ServerOptions()
    app = create_app(runtime, workspace=workspace, options=options)
    # Handlers still running after the drain below (long waits, streams) are cut off after 1 s.
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_address=True)
        await site.start()
    except BaseException:
        await runner.cleanup()
        await runtime.close()
        raise
    addresses = runner.addresses  # (host, port[, ...]) of each listening socket
    bound = addresses[0][1] if addresses else port
    display_host = f"[{host}]" if ":" in host else host
    options.origin = f"http://{display_host}:{bound}"
    stop = asyncio.Event()
    hurry = asyncio.Event()

    def on_signal() -> None:
        (hurry if stop.is_set() else stop).set()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt
            pass
    resumed = await runtime.resume_incomplete()
    if not is_loopback(host):
        say(f"warning: serving on {host}, not loopback: anyone who can reach this port and holds an API key "
            "can invoke flows")
    say(f"Axiom API listening on {options.origin}"
        + (f" (resumed {len(resumed)} incomplete execution(s))" if resumed else ""))
    try:
        await stop.wait()
    finally:
        await site.stop()
        waits = [asyncio.ensure_future(runtime.wait(i)) for i in runtime.running()]
        pending = waits + [t for t in app[INVOCATIONS].background if not t.done()]
        if pending:
            say(f"Stopping: waiting up to {grace:g}s for {len(pending)} running execution(s) "
                "(signal again to stop now)")
            await _drain(pending, hurry, grace)
        for w in waits:  # only the waits: the executions themselves stay for runtime.close()
            w.cancel()
        await asyncio.gather(*waits, return_exceptions=True)
        await app[INVOCATIONS].webhooks.close(grace=0 if hurry.is_set() else WEBHOOK_GRACE)
        left = len(runtime.running())
        await runner.cleanup()
        await runtime.close()
        say("Axiom API stopped" + (f"; {left} execution(s) left checkpointed, resumed on the next start"
                                   if left else ""))


async def _drain(pending: list, hurry: asyncio.Event, grace: float) -> None:
    """Wait until every task in ``pending`` is done, ``hurry`` is set, or ``grace`` seconds pass."""
    everything = asyncio.ensure_future(asyncio.wait(pending))  # cancelling this leaves them running
    hurried = asyncio.ensure_future(hurry.wait())
    await asyncio.wait({everything, hurried}, timeout=grace, return_when=asyncio.FIRST_COMPLETED)
    everything.cancel()
    hurried.cancel()


def _print(line: str) -> None:
    print(line, flush=True)
    sys.stdout.flush()
