"""Who may read the data dir: its owner only.

The data dir holds every execution's inputs, outputs and logs, API key hashes and the secrets'
master key, so the dir is 0700 and the runtime's files in it 0600 (its folders 0700). Files are
created with that mode, never chmod-ed after the fact (there would be a moment in which another
user could open them): :func:`private_dir` and :func:`create_private_file` for our own files, and
the database file is created empty before SQLite opens it, because SQLite gives the ``-wal`` and
``-shm`` files it creates the database file's own mode whatever the umask.

A data dir from before (0755 with 0644 files) is tightened when it is opened
(:func:`tighten`, called by :class:`~axiom_ide.runtime.store.db.Database`), with an INFO log. Only
the runtime's own entries are touched; what a user keeps there (the example ``workspace``, the
``registry`` of installed packages) is closed off by the dir's own mode and otherwise left as it is.
Windows has no such modes (a profile folder is private to its user already): nothing is changed
there.
"""
from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600

#: Files the runtime writes directly in the data dir (the database, its WAL and shared memory,
#: the master key or its keyring record), by name or by name prefix.
RUNTIME_FILES = ("axiom.db", "secret.key", "secret.keyring")
#: Folders of the runtime in the data dir whose whole content is its own: the step journals
#: (store/journal.py), the IDE's crash-recovery copies (app/recovery.py) and the log files.
RUNTIME_DIRS = ("axiom.db-steps", "recovery", "logs")

_POSIX = os.name != "nt"


def private_dir(path: Path) -> Path:
    """``path`` as a directory, created 0700 when missing (missing parents get the usual mode:
    they are the user's own folders, such as ``~/.local/share``)."""
    path = Path(path)
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    return path


def create_private_file(path: Path) -> bool:
    """Create ``path`` empty with mode 0600 unless it exists; True when this call created it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), PRIVATE_FILE)
    except FileExistsError:
        return False
    os.close(fd)
    return True


def _is_runtime_entry(name: str) -> bool:
    return name in RUNTIME_DIRS or any(name == f or name.startswith(f + "-") for f in RUNTIME_FILES)


def tighten(data_dir: Path) -> int:
    """Take group and other access away from the data dir and the runtime's entries in it (a file
    0644 becomes 0600, a folder 0755 becomes 0700). Returns how many modes changed; logs once at
    INFO when any did. Symbolic links are never followed."""
    if not _POSIX:  # pragma: no cover
        return 0
    data_dir = Path(data_dir)
    changed = _restrict(data_dir)
    try:
        entries = list(os.scandir(data_dir))
    except FileNotFoundError:
        return changed
    for entry in entries:
        if not _is_runtime_entry(entry.name):
            continue
        changed += _restrict(Path(entry.path))
        if entry.name in RUNTIME_DIRS and entry.is_dir(follow_symlinks=False):
            for root, dirs, files in os.walk(entry.path):
                for name in dirs + files:
                    changed += _restrict(Path(root) / name)
    if changed:
        log.info("data dir %s: took access by other users away from %d entr%s (the dir is now 0700, "
                 "the runtime's files 0600)", data_dir, changed, "y" if changed == 1 else "ies")
    return changed


def _restrict(path: Path) -> int:
    try:
        st = os.lstat(path)
    except FileNotFoundError:  # e.g. a journal folded and removed meanwhile
        return 0
    if stat.S_ISLNK(st.st_mode) or not st.st_mode & 0o077:
        return 0
    try:
        os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)
    except FileNotFoundError:
        return 0
    except PermissionError as exc:  # not ours (e.g. a shared dir): say so, keep going
        log.warning("data dir: cannot make %s private: %s", path, exc)
        return 0
    return 1
