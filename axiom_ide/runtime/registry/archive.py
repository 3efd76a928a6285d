"""Unpacking a pushed package: a gzip'd tar of ``git archive`` (one commit's tree, nothing else).

Safety first, since the archive comes from a client: tarfile's ``data`` filter refuses absolute
paths, ``..``, links leaving the tree and device files; on top of that links of any kind are
refused (a package is plain files), and the member count and the unpacked size are capped so a
small upload cannot fill the disk.
"""
from __future__ import annotations

import io
import tarfile
from pathlib import Path

from axiom_ide.runtime.errors import AxiomError

#: Most files an archive may hold, and most bytes it may unpack to.
MAX_FILES = 5000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


def _bad(message: str) -> AxiomError:
    return AxiomError.of("invalid_archive", f"the pushed archive {message}")


def unpack(data: bytes, target: Path) -> int:
    """Extract the tar.gz ``data`` into the (new, empty) directory ``target``; the number of files."""
    try:
        tar = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise _bad(f"is not a gzip'd tar file ({exc})") from None
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise _bad(f"is damaged ({exc})") from None
        files = [m for m in members if m.isfile()]
        if len(members) > MAX_FILES:
            raise _bad(f"holds {len(members)} entries; at most {MAX_FILES} are accepted")
        total = sum(m.size for m in files)
        if total > MAX_UNPACKED_BYTES:
            raise _bad(f"unpacks to {total} bytes; at most {MAX_UNPACKED_BYTES} are accepted")
        for m in members:
            if not (m.isfile() or m.isdir()) or m.name.startswith("/") or ".." in Path(m.name).parts:
                raise _bad(f'holds "{m.name}", which is not a plain file or directory inside the package')
        target.mkdir(parents=True, exist_ok=False)
        try:
            tar.extractall(target, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise _bad(f"could not be unpacked ({exc})") from None
    return len(files)
