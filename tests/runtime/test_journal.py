"""The step journal in front of the database: durable appends, folds, recovery after a kill."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time

import pytest
from journal_support import ROOT, event, journal_files, outside_count, run_child

from axiom_ide.runtime.store import journal as jn
from axiom_ide.runtime.store.checkpoints import Checkpoint, SqliteCheckpointStore, new_checkpoint_id
from axiom_ide.runtime.store.db import J_EVENT, Database, open_database
from axiom_ide.runtime.store.events import EventRecord, EventStore


def test_appends_are_folded_before_reads_and_in_the_next_transaction(tmp_path):
    db = open_database(tmp_path, journal=True)
    events = EventStore(db)
    db.write([(J_EVENT, event("x", 1)), (J_EVENT, event("x", 2))])
    assert outside_count(db.path, "events") == 0  # appended, not yet committed to SQLite
    assert [e.seq for e in events.list("x")] == [1, 2]  # a read in this process folds first
    assert outside_count(db.path, "events") == 2
    db.write([(J_EVENT, event("x", 3))])
    events.append([EventRecord("x", 4, "LOG", None, 1.0)])  # a direct write keeps the order
    assert outside_count(db.path, "events") == 4
    assert db.journal.pending.rows == []
    db.close()
    assert journal_files(tmp_path) == []  # closed cleanly: nothing left to recover


def test_pending_records_reach_other_processes_within_the_fold_delay(tmp_path):
    db = open_database(tmp_path, journal=True)
    db.write([(J_EVENT, event("x", 1))])
    deadline = time.monotonic() + 30  # the fold comes after FOLD_AFTER (0.2 s); wait generously
    while outside_count(db.path, "events") == 0:
        assert time.monotonic() < deadline, "the timed fold never happened"
        time.sleep(0.02)
    assert db.journal.pending.rows == []
    db.close()


def test_a_killed_process_s_journal_is_folded_by_the_next_opener(tmp_path):
    out = run_child(tmp_path, """
        db.write([(J_EVENT, event("x", 1)), (J_EVENT, event("x", 2))])
        db.write([(J_EVENT, event("x", 3))])
        print(len(db.journal.pending.rows), flush=True)
    """)
    assert out.stdout.strip() == "3", out.stderr
    assert len(journal_files(tmp_path)) == 1
    assert outside_count(tmp_path / "axiom.db", "events") == 0
    db = open_database(tmp_path)  # any opener — the CLI's read-only commands too
    assert outside_count(db.path, "events") == 3
    assert journal_files(tmp_path) == []
    assert [e.seq for e in EventStore(db).list("x")] == [1, 2, 3]


def test_records_folded_before_the_kill_are_not_folded_again(tmp_path):
    out = run_child(tmp_path, """
        db.write([(J_EVENT, event("x", 1)), (J_EVENT, event("x", 2))])
        db.sync()  # committed, and marked as folded; the file still holds the records
        db.write([(J_EVENT, event("x", 3))])
        print(db.journal.path.stat().st_size > 30, flush=True)
    """)
    assert out.stdout.strip() == "True", out.stderr
    db = open_database(tmp_path)
    assert [e.seq for e in EventStore(db).list("x")] == [1, 2, 3]  # no duplicate-key failure
    assert db.conn.execute("SELECT COUNT(*) FROM journal_folds").fetchone()[0] == 0


def test_a_torn_record_ends_the_journal_and_the_intact_ones_are_kept(tmp_path, caplog):
    out = run_child(tmp_path, """
        db.write([(J_EVENT, event("x", 1))])
        db.write([(J_EVENT, event("x", 2))])
        path = db.journal.path
        os.ftruncate(db.journal.fd, path.stat().st_size - 3)  # as if power failed mid-write
    """)
    assert out.returncode == -9, out.stderr
    with caplog.at_level(logging.WARNING, logger="axiom_ide.runtime.store.journal"):
        db = open_database(tmp_path)
    assert [e.seq for e in EventStore(db).list("x")] == [1]
    assert any("torn record" in r.message for r in caplog.records)
    assert journal_files(tmp_path) == []


def test_a_live_process_s_journal_is_left_alone(tmp_path):
    live = open_database(tmp_path, journal=True)
    live._schedule_fold = lambda: None  # keep the record pending for this test
    live.write([(J_EVENT, event("x", 1))])
    other = open_database(tmp_path)
    assert outside_count(other.path, "events") == 0
    assert journal_files(tmp_path) == [live.journal.name]
    other.close()
    live.close()  # folds what it has
    assert outside_count(tmp_path / "axiom.db", "events") == 1


def test_a_failed_append_leaves_the_journal_intact(tmp_path):
    """The file size limit (RLIMIT_FSIZE) makes the kernel refuse the write, as a full disk would."""
    out = run_child(tmp_path, """
        import resource
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        db.write([(J_EVENT, event("x", 1))])
        size = db.journal.path.stat().st_size
        resource.setrlimit(resource.RLIMIT_FSIZE, (size + 100, resource.RLIM_INFINITY))
        try:
            db.write([(J_EVENT, event_row(EventRecord("x", 2, "LOG", None, 1.0, None, None, {"m": "y" * 500})))])
        except jn.JournalError as exc:
            print("refused:", exc, flush=True)
        print(db.journal.path.stat().st_size == size, len(db.journal.pending.rows), flush=True)
        db.write([(J_EVENT, event("x", 3))])  # a record that fits still goes in
    """)
    refused, intact = out.stdout.strip().splitlines()
    assert refused == "refused: [Errno 27] File too large", out.stderr
    assert intact == "True 1"
    db = open_database(tmp_path)
    assert [e.seq for e in EventStore(db).list("x")] == [1, 3]


def test_the_journal_starts_a_fresh_file_once_folded_and_big(tmp_path, monkeypatch):
    monkeypatch.setattr(jn, "ROTATE_BYTES", 200)
    db = open_database(tmp_path, journal=True)
    first = db.journal.name
    for seq in range(1, 6):
        db.write([(J_EVENT, event("x", seq))])
    db.sync()
    assert db.journal.name != first and journal_files(tmp_path) == [db.journal.name]
    db.write([(J_EVENT, event("x", 6))])
    db.sync()  # this fold also deletes the retired file's mark
    marks = [r[0] for r in db.conn.execute("SELECT journal FROM journal_folds")]
    assert marks == [db.journal.name]
    assert [e.seq for e in EventStore(db).list("x")] == [1, 2, 3, 4, 5, 6]


def test_checkpoints_go_through_the_journal_with_their_events(tmp_path):
    db = open_database(tmp_path, journal=True)
    db._schedule_fold = lambda: None
    store = SqliteCheckpointStore(db)
    big = b"z" * (70 * 1024)  # stored out of line
    cp = Checkpoint(new_checkpoint_id(), "x", 1, "a", 1, "p.In", "p.Out", b"\x01", big, time.time())
    store.put(cp, events=[event("x", 1)])
    assert outside_count(db.path, "checkpoints") == 0 and outside_count(db.path, "blobs") == 0
    assert store.get(cp.id) == cp
    assert outside_count(db.path, "checkpoints") == 1 and outside_count(db.path, "blobs") == 1
    assert [e.seq for e in EventStore(db).list("x")] == [1]


def test_without_a_journal_writes_commit_at_once(tmp_path):
    db = Database(tmp_path / "plain.db")
    db.write([(J_EVENT, event("x", 1))])
    assert db.journal is None and outside_count(db.path, "events") == 1


def test_a_runtime_killed_mid_run_leaves_its_steps_to_the_next_runtime(tmp_path):
    """Through the Runtime: the checkpoints a killed runtime journaled are all there for the next one."""
    out = run_child(tmp_path, f"""
        import asyncio
        db.close()
        from axiom_ide.runtime.runtime import Runtime
        from axiom_ide.runtime.store.checkpoints import Checkpoint, new_checkpoint_id
        rt = Runtime({str(tmp_path)!r}, inline=True)
        rt._db._schedule_fold = lambda: None
        for step in range(1, 4):
            rt._checkpoints.put(Checkpoint(new_checkpoint_id(), "x", step, f"n{{step}}", 1, "p.T", "p.T",
                                          b"i", b"o", 1700000000.0 + step))
        print(len(rt._db.journal.pending.rows), flush=True)
    """)
    assert out.stdout.strip() == "3", out.stderr
    from axiom_ide.runtime.runtime import Runtime

    rt = Runtime(tmp_path, inline=True)
    try:
        assert [c.step for c in rt._checkpoints.list("x")] == [1, 2, 3]  # a bare store: no execution row
    finally:
        rt._db.close()


def test_a_conflicting_row_is_dropped_with_an_error_not_poisoning_later_writes(tmp_path, caplog):
    db = open_database(tmp_path, journal=True)
    db._schedule_fold = lambda: None
    db.write([(J_EVENT, event("x", 1))])
    db.write([(J_EVENT, event("x", 1, node="again")), (J_EVENT, event("x", 2))])  # seq 1 twice: a bug
    with caplog.at_level(logging.ERROR, logger="axiom_ide.runtime.store.db"):
        events = EventStore(db).list("x")
    assert [(e.seq, e.node) for e in events] == [(1, "a"), (2, "a")]
    assert any("dropped a row" in r.message and "'x', 1" in r.message for r in caplog.records)
    db.write([(J_EVENT, event("x", 3))])
    assert [e.seq for e in EventStore(db).list("x")] == [1, 2, 3]


def test_a_runtime_that_cannot_open_leaves_no_journal_behind(tmp_path):
    from axiom_ide.runtime.errors import AxiomError
    from axiom_ide.runtime.runtime import Runtime

    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "secret.key").write_bytes(b"x" * 44)
    (tmp_path / "secret.keyring").write_text("{}")
    with pytest.raises(AxiomError) as err:
        Runtime(tmp_path)
    assert err.value.diagnostics[0].code == "secret_key_ambiguous"
    assert journal_files(tmp_path) == []  # the database was closed, its journal removed


def test_many_parallel_flow_runs_on_one_fresh_data_dir_all_succeed(tmp_path, example_workspace):
    """Regression: runs racing on one data dir crashed — a run's orphan scan deleted another's journal
    while it was being created (FileNotFoundError in the rename), and two processes ran the same
    schema migration ("table artifacts already exists")."""
    data = tmp_path / "data"
    env = dict(os.environ, AXIOM_IDE_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    flow = str(example_workspace / "flows" / "greeter.flow.yaml")
    runs = [subprocess.Popen([sys.executable, "-m", "axiom_ide", "flow", "run", flow, "-d", '{"name": "Ada"}',
                              "--inline"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(32)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in runs]
    assert [(code, err) for code, _, err in results if code != 0] == []
    assert [json.loads(out) for _, out, _ in results] == [{"text": "HEY! HELLO, ADA!"}] * 32
    db = open_database(data)
    statuses = [r[0] for r in db.conn.execute("SELECT status FROM executions")]
    assert statuses == ["Completed"] * 32
    assert journal_files(data) == []  # every run folded its journal and removed it


def test_a_journal_file_an_orphan_scan_deletes_while_it_is_created_is_made_again(tmp_path, monkeypatch):
    """Regression: another process's orphan scan, run between creating a journal's temporary file
    and locking it, deleted the file, and the rename failed with FileNotFoundError."""
    real_lock, scans = jn._try_lock, []

    def scan_first(fd: int) -> bool:  # what a second process opening the data dir does right then
        if not scans:
            scans.append(None)
            scans[0] = list(jn.orphans(tmp_path))
        return real_lock(fd)

    monkeypatch.setattr(jn, "_try_lock", scan_first)
    journal = jn.Journal(tmp_path)
    assert scans == [[]]  # the scan ran (and took the unlocked temporary file for a dead one)
    assert sorted(p.name for p in tmp_path.iterdir()) == [journal.name]
    assert jn.alive(tmp_path, journal.instance)
    journal.close(remove=True)
