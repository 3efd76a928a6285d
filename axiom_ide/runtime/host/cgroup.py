"""Linux: a pids cgroup per host, where the runtime may create one (``HostLimits.processes``).

It caps the processes *and threads* of the host and of everything it starts (a fork bomb stops
at the limit with EAGAIN), and names every process of the host, so the runtime can kill even
a child that left the host's process group with ``setsid()``. Found by looking for a pids
controller the runtime can write below its own cgroup — cgroup v1 (``/sys/fs/cgroup/pids``), or
cgroup v2 where ``pids`` is enabled for children of the runtime's cgroup. Most desktop sessions
and unprivileged containers have neither writable: then there is no process limit (README.md
"Sandbox").
"""
from __future__ import annotations

import itertools
import os
import signal
from pathlib import Path

_base: Path | bool | None = False  # False: not looked for yet
_counter = itertools.count(1)


def _mounts() -> list[tuple[str, str, str, str]]:
    """(mount point, root, fstype, super options) of every cgroup mount."""
    out: list[tuple[str, str, str, str]] = []
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return out
    for line in lines:
        left, _, right = line.partition(" - ")
        fields, tail = left.split(), right.split()
        if len(fields) >= 5 and len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
            out.append((fields[4], fields[3], tail[0], tail[2]))
    return out


def _own(controller: str) -> str | None:
    """The runtime's cgroup path for ``controller`` (v1), or its v2 path (``controller`` "")."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, names, path = line.split(":", 2)
        if (controller and controller in names.split(",")) or (not controller and names == ""):
            return path
    return None


def _candidates() -> list[Path]:
    found = []
    for point, root, fstype, options in _mounts():
        if fstype == "cgroup" and "pids" in options.split(","):
            own = _own("pids")
        elif fstype == "cgroup2":
            own = _own("")
        else:
            continue
        if own is None:
            continue
        rel = os.path.relpath(own, root) if own.startswith(root) else own.lstrip("/")
        found.append(Path(point) / ("" if rel == "." else rel))
    return found


def base() -> Path | None:
    """A directory below which this runtime can make pids cgroups (its own subtree), or None."""
    global _base
    if _base is not False:
        return _base  # type: ignore[return-value]
    _base = None
    for parent in _candidates():
        _sweep(parent)
        mine = parent / f"axiom-{os.getpid()}"
        try:
            mine.mkdir(exist_ok=True)
        except OSError:
            continue
        if (mine / "pids.max").exists():
            _base = mine
            break
        try:
            mine.rmdir()
        except OSError:
            pass
    return _base


def _sweep(parent: Path) -> None:
    """Remove the empty cgroups of runtimes that died without cleaning up (SIGKILL)."""
    try:
        entries = list(parent.glob("axiom-*"))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len("axiom-"):]
        if not pid.isdigit() or Path(f"/proc/{pid}").exists():
            continue
        for child in entry.glob("h*"):
            try:
                child.rmdir()
            except OSError:
                pass
        try:
            entry.rmdir()
        except OSError:
            pass


class PidsGroup:
    """One host's pids cgroup."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, limit: int) -> PidsGroup | None:
        root = base()
        if root is None:
            return None
        path = root / f"h{next(_counter)}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(limit))
        except OSError:
            return None
        return cls(path)

    @property
    def procs(self) -> str:
        """The file a process writes its pid to, to join."""
        return str(self.path / "cgroup.procs")

    def kill_all(self) -> None:
        try:
            pids = [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def remove(self) -> bool:
        """Remove the (empty) cgroup; False while processes are still in it."""
        try:
            self.path.rmdir()
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return True


def release() -> None:
    """Remove this runtime's cgroup directory if no host's group is left in it (a pool closed)."""
    global _base
    if isinstance(_base, Path):
        try:
            _base.rmdir()
        except OSError:
            return
        _base = False
