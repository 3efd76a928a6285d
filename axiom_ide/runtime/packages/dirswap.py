"""Swap a complete directory in for another with no moment where the target is missing.

On Linux ``renameat2(RENAME_EXCHANGE)`` (glibc's ``renameat2`` through ctypes) exchanges the two
names in one step, so a process that starts at any moment finds either the old tree or the new
one. Where that is unavailable — another OS, a C library without ``renameat2``, a kernel or
filesystem that answers ``ENOSYS``/``EINVAL`` — the swap falls back to two renames (the target is
briefly absent). Swaps inside one process are serialised by a lock; the old tree is removed after.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: Answers that mean "this kernel/filesystem cannot exchange": fall back to two renames.
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM}


def _load_renameat2() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # no such symbol (musl before 1.2.?, glibc before 2.28)
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_renameat2: Any = _load_renameat2()

#: One swap at a time in this process (two generates of one package: the later wins, whole).
_SWAP_LOCK = threading.Lock()


def exchange(a: Path, b: Path) -> bool:
    """Atomically exchange the paths ``a`` and ``b`` (both must exist); False when this system
    cannot (then nothing changed). Any other failure raises ``OSError``."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _UNSUPPORTED:
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def swap_in(staged: Path, target: Path) -> None:
    """Put the complete ``staged`` directory in place of ``target`` (which may not exist yet);
    ``staged`` is gone afterwards and so is the old ``target`` tree."""
    with _SWAP_LOCK:
        old = _swap(staged, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _swap(staged: Path, target: Path) -> Path | None:
    """The old tree's path afterwards (None when there was none)."""
    if not target.exists():
        # The first ``target``: one rename. Never "target aside, then staged in" here — another
        # process may create it between the check and the renames, and moving that one aside
        # would leave a moment with no target at all.
        try:
            os.rename(staged, target)
            return None
        except OSError as exc:  # another process put the first ``target`` in place meanwhile
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
    if exchange(staged, target):
        return staged  # the old tree now sits under the staging name
    return _two_renames(staged, target)


def _two_renames(staged: Path, target: Path) -> Path | None:
    """The portable swap: ``target`` aside, ``staged`` in (the old one back if that fails)."""
    aside = target.with_name(f".{target.name}.{uuid.uuid4().hex}.old")
    old: Path | None = aside
    try:
        os.rename(target, aside)
    except FileNotFoundError:
        old = None  # there was no target yet
    try:
        os.rename(staged, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)
        raise
    return old
