"""Waiting on a debug session, the same way for every backend: poll its JSON until the run pauses
or ends."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from axiom_ide.runtime.errors import AxiomError
from axiom_ide.runtime.statuses import FINAL_STATUSES


async def wait_for_pause(read: Callable[[str], Awaitable[dict[str, Any] | None]], session_id: str, timeout: float,
                         *, not_at: str | None = None, poll_interval: float = 0.05) -> dict[str, Any]:
    """Poll ``read(session_id)`` until the session's run pauses (at a node other than ``not_at``) or
    ends; TimeoutError after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        session = await read(session_id)
        if session is None:
            raise AxiomError.of("debug_session_not_found", "debug session not found")
        paused = session.get("state") == "paused" and session.get("paused_at") not in (None, not_at)
        if paused or session.get("execution_status") in FINAL_STATUSES:
            return session
        if loop.time() >= deadline:
            raise TimeoutError(f"debug session {session_id} neither paused nor ended within {timeout:g}s")
        await asyncio.sleep(poll_interval)
