"""What the node host does to its own process before any node code runs: the limits (rlimits)
it lives under, line-buffered C stdout, and exiting (with every process a node started) when the
runtime goes away. Stdlib only, like the rest of the host's start-up path."""
from __future__ import annotations

import os
import signal
import sys
from typing import Any


def line_buffer_c_stdout() -> None:
    """C stdio buffers a pipe fully, so a C extension's ``printf`` lines would reach the runtime
    (which makes them log records of the invocation running) only in 4 KiB blocks or at exit:
    make C ``stdout`` line-buffered, as on a terminal. Best effort (glibc and macOS names)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.setvbuf.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_size_t]
        for name in ("stdout", "__stdoutp"):
            try:
                stream = ctypes.c_void_p.in_dll(libc, name).value
            except ValueError:
                continue
            if stream:
                libc.setvbuf(stream, None, 1, 0)  # _IOLBF
            return
    except Exception:  # noqa: BLE001 — no C library to speak of (Windows): nothing is buffered this way there
        pass


def exit_when_stdin_closes() -> None:
    """The runtime went away (its end of our stdin closed): exit, and take every process a node
    started with us — they are in our process group (the runtime made us a session leader)."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
            os.killpg(0, signal.SIGKILL)
        os._exit(0)


#: The limits applied (``--limits``, as in sandbox.HostLimits), for breach messages.
LIMITS: dict[str, Any] = {}


def apply_limits(limits: dict[str, Any]) -> None:
    """Apply HostLimits to this process (and so to every process a node starts) before any
    node code runs: soft = hard, so node code cannot raise them back (without privileges).
    A limit above the current hard limit is capped to it. Windows has no rlimits: the runtime
    puts the host in a job object instead."""
    try:
        import resource
    except ImportError:
        LIMITS.update(limits)
        return

    def cap(which: int, value: int) -> int:
        _, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY and hard < value:
            value = hard
        resource.setrlimit(which, (value, value))
        return value

    if limits.get("processes"):  # enforced by the runtime (pids cgroup), named in breach messages
        LIMITS["processes"] = int(limits["processes"])
    if limits.get("memory_mib"):
        LIMITS["memory_mib"] = cap(resource.RLIMIT_AS, int(limits["memory_mib"]) << 20) >> 20
    if limits.get("open_files"):
        LIMITS["open_files"] = cap(resource.RLIMIT_NOFILE, int(limits["open_files"]))
    if limits.get("file_size_mib"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
        LIMITS["file_size_mib"] = cap(resource.RLIMIT_FSIZE, int(limits["file_size_mib"]) << 20) >> 20
