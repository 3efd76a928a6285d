"""The step journal's versioned record format, and recovery that never drops an acknowledged step:
a torn tail is ignored, a damaged record or another format version stops recovery and keeps the file."""
from __future__ import annotations

import logging
import marshal
import struct
import zlib
from pathlib import Path

import pytest
from journal_support import event, journal_files, outside_count, run_child

from axiom_ide.cli.main import main
from axiom_ide.runtime.store import journal as jn
from axiom_ide.runtime.store import journal_format as jf
from axiom_ide.runtime.store.db import open_database
from axiom_ide.runtime.store.events import EventStore

THREE_RECORDS = """
    db.write([(J_EVENT, event("x", 1))])
    db.write([(J_EVENT, event("x", 2)), (J_EVENT, event("x", 3))])
    db.write([(J_EVENT, event("x", 4))])
    print(db.journal.path, flush=True)
"""


def killed_with_three_records(data: Path) -> Path:
    out = run_child(data, THREE_RECORDS)
    assert out.returncode == -9, out.stderr
    return Path(out.stdout.strip())


def record_offsets(blob: bytes) -> list[int]:
    """Where each record starts (parsing the documented layout independently of the reader)."""
    offsets, pos = [], len(jf.MAGIC)
    while pos < len(blob):
        offsets.append(pos)
        (length,) = struct.unpack_from("<I", blob, pos)
        pos += 12 + length
    return offsets


def test_records_round_trip_every_value_type_and_the_layout_is_the_documented_one():
    rows = [(1, ("e" * 32, 7, "NODE_COMPLETED", "n1", 1764650000.123456, None, 1, '{"ok": "é"}')),
            (3, ("blob", b"\x00\xff" * 3, -2 ** 63)), (5, ())]
    record = jf.encode_record(rows, jf.packer().pack)
    length, crc, head_crc = struct.unpack_from("<III", record)
    assert (length, crc, head_crc) == (len(record) - 12, zlib.crc32(record[12:]), zlib.crc32(record[:8]))
    assert list(jf.read_records(jf.MAGIC + record)) == [(len(jf.MAGIC) + len(record), rows)]
    assert jf.MAGIC == b"AXSTEPJ2"


def test_a_damaged_record_in_the_middle_stops_recovery_naming_file_and_offset_and_keeps_the_file(tmp_path):
    path = killed_with_three_records(tmp_path)
    blob = bytearray(path.read_bytes())
    second = record_offsets(bytes(blob))[1]
    blob[second + 20] ^= 0x55  # a bit flip inside the second record's payload
    path.write_bytes(bytes(blob))
    with pytest.raises(jn.JournalDamaged) as info:
        open_database(tmp_path)
    assert info.value.diagnostics[0].render() == (
        f"{path}: error: the step journal's record at offset {second} is damaged (its contents fail their "
        "checksum); it holds steps that were acknowledged, so recovery stopped and the file was kept. "
        "Move the file away to open the data dir without its steps")
    assert path.read_bytes() == bytes(blob)  # kept as it was, for inspection
    assert outside_count(tmp_path / "axiom.db", "events") == 0  # the fold rolled back: nothing half-done
    with pytest.raises(jn.JournalDamaged):  # and stays refused: nothing was dropped meanwhile
        open_database(tmp_path)


def test_a_damaged_record_header_is_refused_too_and_the_cli_says_so(tmp_path, capsys, monkeypatch):
    path = killed_with_three_records(tmp_path)
    blob = bytearray(path.read_bytes())
    first = record_offsets(bytes(blob))[0]
    blob[first] ^= 0x01  # the first record's length
    path.write_bytes(bytes(blob))
    monkeypatch.setenv("AXIOM_IDE_DATA_DIR", str(tmp_path))
    assert main(["executions", "ls"]) == 1
    err = capsys.readouterr().err
    assert f"{path}: error: the step journal's record at offset {first} is damaged (its header fails its checksum)" in err
    assert path.exists()


def test_a_torn_tail_zero_filled_by_power_loss_is_ignored_and_the_records_before_it_are_kept(tmp_path, caplog):
    path = killed_with_three_records(tmp_path)
    blob = path.read_bytes()
    last = record_offsets(blob)[2]
    path.write_bytes(blob[:last + 14] + b"\0" * 4096)  # the last write half there, the file extended with zeros
    with caplog.at_level(logging.WARNING, logger="axiom_ide.runtime.store.journal"):
        db = open_database(tmp_path)
    assert [e.seq for e in EventStore(db).list("x")] == [1, 2, 3]
    assert any(f"torn record at offset {last}" in r.getMessage() for r in caplog.records)
    assert journal_files(tmp_path) == []


def test_a_journal_of_another_format_version_is_refused_and_kept(tmp_path):
    """A version-1 file (marshal payloads, written before the format was versioned) is not guessed at."""
    steps = tmp_path / "axiom.db-steps"
    steps.mkdir()
    payload = marshal.dumps([(1, event("x", 1))])
    old = steps / "4242-abcdefabcdef.0.journal"
    old.write_bytes(b"AXSTEPJ1" + struct.pack("<II", len(payload), zlib.crc32(payload)) + payload)
    with pytest.raises(jn.JournalVersionError) as info:
        open_database(tmp_path)
    assert info.value.diagnostics[0].render() == (
        f"{old}: error: the step journal has format version 1; this Axiom IDE reads version 2. Open the data "
        "dir once with the Axiom IDE that wrote it to fold it in, or move the file away to open the data dir "
        "without its steps")
    assert old.exists()
