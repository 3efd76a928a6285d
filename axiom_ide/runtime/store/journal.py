"""The step journal: an append-only file in front of the database for the engine's per-step writes.

A completed node's checkpoint and the events recorded since the previous one are one *record*,
appended with one ``write()`` (and an ``fdatasync`` when durability is "full") instead of one
SQLite transaction. That is the durability of a WAL commit with ``synchronous=NORMAL``: a killed
process loses nothing it wrote, and power loss can only cut the tail — at a fraction of the cost
(measured: ~1.5 µs per append against 70–120 µs for the checkpoint's own transaction).

Records are *folded* into the database in batches by :class:`~axiom_ide.runtime.store.db.Database`:
inside the next transaction this process runs on it (so the database never holds a state later
than what the journal still has pending), before this process reads events or checkpoints, when
more than :data:`FOLD_BYTES` are pending, and at most :data:`FOLD_AFTER` seconds after a record
arrives (so other processes — the CLI — see a running execution's progress that late at most).
A fold stores how far it got in ``journal_folds`` in the same transaction, so a process killed
between that commit and resetting the file never folds a record twice.

A database holds an exclusive lock on its journal file while it is open; opening a database folds
every journal whose lock is free (its process died) before anything can read or resume.

The file format — versioned, MessagePack records with checksums — and how recovery tells a torn
tail (never acknowledged: ignored) from a damaged record (acknowledged: recovery stops, the file
is kept) are in :mod:`.journal_format`.
"""
from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from axiom_ide.runtime.store.journal_format import (  # noqa: F401 — read_records, errors: for callers
    MAGIC,
    JournalDamaged,
    JournalUnreadable,
    JournalVersionError,
    encode_record,
    is_journal,
    packer,
    read_records,
)

log = logging.getLogger(__name__)

SUFFIX = ".journal"
#: Fold once this many bytes are pending.
FOLD_BYTES = 1 << 20
#: Fold at most this long after a record is appended.
FOLD_AFTER = 0.2
#: After a fold leaves nothing pending, start a fresh file once the current one is this big.
ROTATE_BYTES = 4 << 20

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt


def new_instance() -> str:
    """An id for one open database (process id + random), what its journal files are named after."""
    return f"{os.getpid()}-{uuid.uuid4().hex[:12]}"


def alive(directory: Path, instance: str) -> bool:
    """Whether the process that opened the database as ``instance`` still holds its journal."""
    for path in Path(directory).glob(f"{instance}.*{SUFFIX}"):
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            continue
        try:
            if not _try_lock(fd):
                return True
        finally:
            os.close(fd)  # closing drops a lock we took
    return False


def _remove(path: Path, fd: int) -> None:
    """Delete a journal file and close it. On POSIX the name goes first, while the lock is still
    held, so no other process can open the file after it was folded; Windows cannot delete an
    open file, so there it is closed first (a process that locks it in between finds the fold mark
    at its end and folds nothing again)."""
    if os.name == "nt":  # pragma: no cover
        os.close(fd)
        path.unlink(missing_ok=True)
    else:
        path.unlink(missing_ok=True)
        os.close(fd)


def _sync_directory(directory: Path) -> None:
    if os.name == "nt":  # pragma: no cover — NTFS journals its metadata
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JournalError(OSError):
    """The journal cannot be written (the engine reports it as a failed checkpoint write)."""


class _Lost(Exception):
    """The temporary file of a journal being created was taken by another process's scan."""


#: How often :meth:`Journal._open` makes its file again when a scan deletes it first.
_OPEN_ATTEMPTS = 100


def _try_lock(fd: int) -> bool:
    """An exclusive, non-blocking lock on the whole file; False when another process holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover — Windows: lock the first byte
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


@dataclass
class Pending:
    """Records appended and not yet folded: their rows, in order, and the file offset after them."""

    rows: list
    end: int
    nbytes: int = 0
    #: time.monotonic() of the oldest pending record.
    since: float = 0.0


class Journal:
    """This process's journal file in ``directory`` (created on first use)."""

    def __init__(self, directory: Path, *, instance: str | None = None, sync: bool = False) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)  # owner-only (store/datadir.py)
        self.sync = sync
        self.instance = instance or new_instance()
        self.generation = 0
        self.pending = Pending([], 0)
        #: Names of this process's earlier files whose fold marks can go (see :meth:`rotate`).
        self.retired: list[str] = []
        self._pack = packer().pack
        self._open()

    @property
    def name(self) -> str:
        return f"{self.instance}.{self.generation}{SUFFIX}"

    @property
    def path(self) -> Path:
        return self.directory / self.name

    def _open(self) -> None:
        # Created and locked under a temporary name, then renamed: a process scanning for orphans
        # (which only looks at *.journal) can never take a live journal for a dead one. Windows
        # cannot rename an open file; there the lock taken right after creating it has to do.
        # Between creating the temporary file and locking it, another process's :func:`orphans` may
        # take it for one left by a crash and delete it; then the lock or the rename fails and the
        # file is made again under a fresh temporary name. Only a file this process holds locked
        # under its final name is its journal.
        for _attempt in range(_OPEN_ATTEMPTS):
            temp = self.path if os.name == "nt" else self.path.with_name(f"{self.name}.{uuid.uuid4().hex[:8]}.new")
            fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
            try:
                if not _try_lock(fd):  # a scanner holds it for a moment, about to delete it
                    raise _Lost
                os.write(fd, MAGIC)
                if temp != self.path:
                    try:
                        os.replace(temp, self.path)
                    except FileNotFoundError:  # a scanner deleted it before we locked it
                        raise _Lost from None
                if self.sync:  # power-loss safety covers the file's name too
                    os.fsync(fd)
                    _sync_directory(self.directory)
            except _Lost:
                os.close(fd)
                continue
            except BaseException:
                os.close(fd)
                temp.unlink(missing_ok=True)
                raise
            break
        else:  # pragma: no cover — only if another process deletes every file we make
            raise JournalError(f"cannot create the step journal {self.path}: its files keep disappearing")
        self.fd = fd
        self.size = len(MAGIC)
        self.pending = Pending([], self.size)

    def append(self, rows: list) -> None:
        """Write one record durably (per the durability setting); raises JournalError when it cannot,
        leaving the file as it was."""
        record = encode_record(rows, self._pack)
        try:
            written = os.write(self.fd, record)
            while written < len(record):  # a short write: the next call reports why (ENOSPC, EFBIG)
                more = os.write(self.fd, record[written:])
                if more == 0:
                    raise OSError(28, os.strerror(28))
                written += more
            if self.sync:
                (getattr(os, "fdatasync", None) or os.fsync)(self.fd)
        except OSError as exc:
            try:  # a partial record must not sit in front of the next one
                os.ftruncate(self.fd, self.size)
                os.lseek(self.fd, self.size, os.SEEK_SET)
            except OSError:
                pass
            raise JournalError(exc.errno, exc.strerror or str(exc)) from None
        self.size += len(record)
        p = self.pending
        if not p.rows:
            p.since = time.monotonic()
        p.rows.extend(rows)
        p.end = self.size
        p.nbytes += len(record)

    def folded(self, end: int) -> None:
        """The records up to ``end`` are committed to the database."""
        p = self.pending
        if p.end == end:
            self.pending = Pending([], end)
            if self.size >= ROTATE_BYTES:
                self.rotate()

    def rotate(self) -> None:
        """Start a fresh file (everything in the current one is folded) and delete the old one."""
        old_fd, old_path, old_name = self.fd, self.path, self.name
        self.generation += 1
        self._open()
        self.retired.append(old_name)
        _remove(old_path, old_fd)

    def close(self, *, remove: bool) -> None:
        """Release the file; ``remove`` only once everything in it is folded."""
        if self.fd < 0:
            return
        if remove and not self.pending.rows:
            _remove(self.path, self.fd)
        else:
            os.close(self.fd)
        self.fd = -1


@dataclass
class Orphan:
    """A journal file whose process is gone, locked by us until :meth:`release`."""

    path: Path
    fd: int
    data: bytes

    @property
    def name(self) -> str:
        return self.path.name

    def release(self, *, remove: bool) -> None:
        if remove:
            _remove(self.path, self.fd)
        else:
            os.close(self.fd)


def orphans(directory: Path, own: str | None = None) -> Iterator[Orphan]:
    """Journal files in ``directory`` that no live process holds (each yielded locked)."""
    if not directory.is_dir():
        return
    for temp in directory.glob(f"*{SUFFIX}*.new"):  # died before its first record could be written
        # Or is being created right now (not yet locked): deleting it then is safe, its creator
        # notices (the lock or the rename fails) and makes it again (:meth:`Journal._open`).
        try:
            fd = os.open(temp, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:  # renamed or deleted since the listing
            continue
        try:
            if _try_lock(fd):
                temp.unlink(missing_ok=True)
        finally:
            os.close(fd)
    for path in sorted(directory.glob(f"*{SUFFIX}")):
        if path.name == own:
            continue
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            continue
        if not _try_lock(fd):
            os.close(fd)
            continue  # a live process's journal
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if not same:  # folded and removed by another process while we opened it
            os.close(fd)
            continue
        with os.fdopen(os.dup(fd), "rb") as f:
            data = f.read()
        if not is_journal(data):
            log.warning("step journal: %s is not a journal (no header); left alone", path)
            os.close(fd)
            continue
        yield Orphan(path, fd, data)
