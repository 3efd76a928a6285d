"""The step journal's file format (version 2), and reading it back without losing a step.

A journal file is the 8-byte header :data:`MAGIC` — ``AXSTEPJ`` and the format version as one
ASCII digit — then records, back to back, each::

    <u32 length> <u32 crc32 of the payload> <u32 crc32 of the previous 8 bytes> <payload>

(little-endian). The payload is a MessagePack (msgpack.org; stable across Python versions and
readable anywhere) array of ``[statement, params]`` pairs: ``statement`` an integer key of
:data:`axiom_ide.runtime.store.db.JOURNALED`, ``params`` an array of nil, integer, float, string
or binary values — the row that statement inserts. One record is one ``write()``; it is
*acknowledged* (the engine goes on as if it were committed) once that write returns.

Reading tells the two ways a record can be bad apart:

- a **torn tail** — the last write, cut short or half-persisted by power loss: a record that runs
  past the end of the file, or fails a checksum with nothing but zeros after it. It was never
  acknowledged; it ends the journal (logged as a warning) and the records before it are kept;
- a **damaged record** — one that fails a checksum (or cannot be decoded) with data after it. It
  was acknowledged, so recovery stops: :class:`JournalDamaged` names the file and the offset,
  the fold is rolled back and the file is kept for inspection.

A file of another format version raises :class:`JournalVersionError` (it is kept too): version 1
(Axiom IDE before December 2026) held ``marshal`` payloads, which only the Python version that
wrote them can read.

Version history: 1 — ``<u32 length><u32 crc32><marshal payload>``; 2 — this layout.
"""
from __future__ import annotations

import logging
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgpack

from axiom_ide.runtime.errors import AxiomError

log = logging.getLogger("axiom_ide.runtime.store.journal")

PREFIX = b"AXSTEPJ"
#: The format version this module writes and reads.
VERSION = 2
MAGIC = PREFIX + str(VERSION).encode("ascii")
_LENGTH_CRC = struct.Struct("<II")
_HEADER_CRC = struct.Struct("<I")
#: A record's header: length, payload crc, header crc.
HEADER_SIZE = _LENGTH_CRC.size + _HEADER_CRC.size


class JournalUnreadable(AxiomError):
    """A journal file recovery cannot fold; it is kept, and the database does not open."""


class JournalDamaged(JournalUnreadable):
    """An acknowledged record fails its checksum or cannot be decoded."""


class JournalVersionError(JournalUnreadable):
    """The file is a step journal of another format version."""


def packer() -> msgpack.Packer:
    """An encoder for :func:`encode_record` (one per journal: a Packer is not thread-safe)."""
    return msgpack.Packer(use_bin_type=True, autoreset=True)


def encode_record(rows: list, pack: Any) -> bytes:
    """One record: the header and the msgpack payload of ``rows`` (``(statement, params)`` pairs)."""
    payload = pack(rows)
    head = _LENGTH_CRC.pack(len(payload), zlib.crc32(payload))
    return head + _HEADER_CRC.pack(zlib.crc32(head)) + payload


def is_journal(data: bytes) -> bool:
    """Whether ``data`` starts like a step journal of any version (or is too short to tell)."""
    return data.startswith(PREFIX[:len(data)])


def read_records(data: bytes, start: int = len(MAGIC), path: Path | str | None = None) -> Iterator[tuple[int, list]]:
    """(end offset, rows) of each record from ``start``. A torn tail ends the iteration; a damaged
    record or another format version raises (see the module docstring)."""
    shown = str(path) if path is not None else None
    if len(data) < len(MAGIC):  # its creator died before the header was written: it holds nothing
        return
    if data[:len(MAGIC)] != MAGIC:
        found = data[len(PREFIX):len(MAGIC)].decode("ascii", "replace")
        raise JournalVersionError.of(
            "journal_version",
            f"the step journal has format version {found}; this Axiom IDE reads version {VERSION}. "
            "Open the data dir once with the Axiom IDE that wrote it to fold it in, or move the file "
            "away to open the data dir without its steps",
            file=shown)
    pos = max(start, len(MAGIC))
    while pos < len(data):
        if len(data) - pos < HEADER_SIZE:
            _torn(shown, pos, data)
            return
        head = data[pos:pos + _LENGTH_CRC.size]
        length, crc = _LENGTH_CRC.unpack(head)
        (head_crc,) = _HEADER_CRC.unpack_from(data, pos + _LENGTH_CRC.size)
        if head_crc != zlib.crc32(head):
            if _only_zeros(data, pos):
                _torn(shown, pos, data)
                return
            raise _damaged(shown, pos, "its header fails its checksum")
        end = pos + HEADER_SIZE + length
        if end > len(data):
            _torn(shown, pos, data)
            return
        body = data[pos + HEADER_SIZE:end]
        if zlib.crc32(body) != crc:
            if _only_zeros(data, end):
                _torn(shown, pos, data)
                return
            raise _damaged(shown, pos, "its contents fail their checksum")
        rows = _decode(body)
        if rows is None:
            raise _damaged(shown, pos, "its contents cannot be decoded")
        pos = end
        yield pos, rows


def _decode(body: bytes) -> list | None:
    try:
        rows = msgpack.unpackb(body, raw=False, use_list=False)
    except (ValueError, msgpack.UnpackException):
        return None
    if not isinstance(rows, tuple) or not all(
            isinstance(r, tuple) and len(r) == 2 and type(r[0]) is int and isinstance(r[1], tuple) for r in rows):
        return None
    return list(rows)


def _only_zeros(data: bytes, pos: int) -> bool:
    """Whether nothing but zero bytes follow ``pos`` (what a file extended by power loss holds)."""
    return not data[pos:].strip(b"\0")


def _torn(shown: str | None, pos: int, data: bytes) -> None:
    log.warning("step journal %s: a torn record at offset %d ends it (%d bytes dropped; it was never acknowledged)",
                shown or "", pos, len(data) - pos)


def _damaged(shown: str | None, pos: int, why: str) -> JournalDamaged:
    return JournalDamaged.of(
        "journal_damaged",
        f"the step journal's record at offset {pos} is damaged ({why}); it holds steps that were "
        "acknowledged, so recovery stopped and the file was kept. Move the file away to open the data dir "
        "without its steps",
        file=shown)
