"""The IDE serves the platform's HTTP API itself, on the runtime it runs flows with.

:class:`LocalServer` binds the LocalBackend's HTTP API (``LocalBackend.http_app``: the server over
its runtime) on 127.0.0.1:8765 (the next free port when taken, up to 20 tries) — so the "Use via
API" commands, the interactive docs and any HTTP client reach the same artifacts, executions and
history the IDE shows. Its coroutines run on the runtime's loop thread (``RuntimeBridge.call``). For the docs
page the IDE mints an API key named :data:`DOCS_KEY_NAME` per session (revoked on stop); the raw
key only lives in memory and is handed to the browser in the docs URL's fragment (minted and
revoked through the backend's Console API, like any key).
"""
from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
PORT = 8765
PORT_TRIES = 20
DOCS_KEY_NAME = "Axiom IDE interactive docs"


class LocalServer:
    def __init__(self) -> None:
        self.runner: Any = None
        #: ``http://127.0.0.1:<port>`` once listening.
        self.origin: str | None = None
        #: This session's API key for the docs page (raw; never stored).
        self.docs_key: str | None = None
        self._backend: Any = None

    async def start(self, backend: Any, workspace: Path | None, *, host: str = HOST, port: int = PORT,
                    tries: int = PORT_TRIES) -> str:
        """Listen on ``host:port`` or the next free port; returns the origin."""
        if self.origin is not None:
            return self.origin
        from aiohttp import web

        from axiom_ide.server.app import ServerOptions

        http_app = getattr(backend, "http_app", None)
        if http_app is None:  # Settings → Connections has the window on a remote
            from axiom_ide.runtime.errors import AxiomError

            raise AxiomError.of("not_local", "the local HTTP API serves the runtime in this app; the active "
                                "connection is Remote (Settings → Connections)")
        options = ServerOptions()
        app = http_app(workspace=workspace, options=options)
        runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        bound = None
        for candidate in range(port, port + tries):
            site = web.TCPSite(runner, host, candidate)
            try:
                await site.start()
            except OSError as exc:
                if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
                    await runner.cleanup()
                    raise
                continue
            bound = candidate
            break
        if bound is None:
            await runner.cleanup()
            raise OSError(errno.EADDRINUSE, f"ports {port}–{port + tries - 1} on {host} are all taken")
        self.runner, self._backend = runner, backend
        self.origin = options.origin = f"http://{host}:{bound}"
        await backend.console.revoke_key(DOCS_KEY_NAME)
        self.docs_key, _ = await backend.console.create_key(DOCS_KEY_NAME)
        return self.origin

    async def stop(self) -> None:
        if self.runner is None:
            return
        try:
            await self._backend.console.revoke_key(DOCS_KEY_NAME)
        finally:
            runner, self.runner, self.origin, self.docs_key = self.runner, None, None, None
            await runner.cleanup()
