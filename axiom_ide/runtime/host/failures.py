"""What a node's failure reads as, in the host and in process alike: ``sys.exit`` as an exit, a
breach of the host's limits as that limit, and the traceback from the node's own first frame on."""
from __future__ import annotations

import errno
import os
import traceback
from typing import Any


def exit_message(exc: SystemExit) -> str:
    """``sys.exit(n)`` in node code reads as the exit it is: ``exited with status 7`` (Python's
    rules: ``None`` is 0, a non-integer is printed and means 1). The host itself keeps running."""
    code = exc.code
    if code is None or isinstance(code, int):
        return f"exited with status {code or 0}"
    return f"exited with status 1: {code}"


def limit_breach(limits: dict[str, Any], canvas: str, exc: BaseException) -> str | None:
    """The NODE_FAILED message for an exception that is a breach of one of the host's ``limits``
    (``HostLimits`` as the worker was given them), or None."""
    if isinstance(exc, MemoryError) and limits.get("memory_mib"):
        return f'node "{canvas}" exceeded the memory limit ({limits["memory_mib"]} MiB)'
    if isinstance(exc, OSError):
        if exc.errno == errno.EMFILE and limits.get("open_files"):
            return f'node "{canvas}" exceeded the open files limit ({limits["open_files"]})'
        if exc.errno == errno.EFBIG and limits.get("file_size_mib"):
            return f'node "{canvas}" exceeded the file size limit ({limits["file_size_mib"]} MiB)'
        if exc.errno == errno.EAGAIN and limits.get("processes") and _in_fork(exc):
            return f'node "{canvas}" exceeded the process limit ({limits["processes"]})'
    if isinstance(exc, RuntimeError) and str(exc) == "can't start new thread" and limits.get("processes"):
        return f'node "{canvas}" exceeded the process limit ({limits["processes"]})'
    return None


def _in_fork(exc: BaseException) -> bool:
    """Whether ``exc`` came out of starting a process (fork/spawn), not some other EAGAIN."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    if tb.tb_frame.f_code.co_name in ("_execute_child", "_launch", "_fork_exec"):  # subprocess, multiprocessing
        return True
    import linecache

    line = linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
    return "fork" in line or "spawn" in line  # os.fork() / os.posix_spawn() called by the node itself


#: Frames from files under here are the host's own, not the node's (``axiom_ide/``).
_OWN_CODE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep


#: A traceback longer than this keeps its head and its tail (where the exception line is): it is
#: stored with the execution and sent to every client that shows it.
TRACEBACK_LIMIT = 64 * 1024


def node_traceback(exc: BaseException) -> str:
    """The traceback text as the node's author needs it: from the first frame of node code on (the
    host's own calling frames left out; all of them kept when no node code is on the stack), at most
    :data:`TRACEBACK_LIMIT` characters."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(_OWN_CODE):
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
    if len(text) > TRACEBACK_LIMIT:
        head = TRACEBACK_LIMIT // 8
        cut = len(text) - TRACEBACK_LIMIT
        text = f"{text[:head]}\n… ({cut} characters left out) …\n{text[head + cut:]}"
    return text
